using System.Text.Json;

namespace UnsafeScope.Tests.Sarif;

/// <summary>Real CodeQL logs kept in the workspace's shared data, next to the repository (not part of it).</summary>
internal static class CodeQlReference
{
    public static string Folder => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "data", "codeql"));

    public static string[] Files => Directory.Exists(Folder) ? Directory.GetFiles(Folder, "*.sarif").Order(StringComparer.Ordinal).ToArray() : [];

    public static JsonElement Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        int skip = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        return JsonDocument.Parse(bytes.AsMemory(skip)).RootElement.Clone();
    }
}

/// <summary>A test over the shared CodeQL logs: skipped, visibly, where they are not present; it may also skip itself (Skip.If).</summary>
public sealed class CodeQlReferenceFactAttribute : SkippableFactAttribute
{
    public CodeQlReferenceFactAttribute()
    {
        if (CodeQlReference.Files.Length == 0)
            Skip = $"The shared CodeQL reference logs are not present ({CodeQlReference.Folder}).";
    }
}

/// <summary>
/// Our logs next to CodeQL's: the validators accept real CodeQL output (so they do not reject valid SARIF), and where
/// both tools write the same GitHub-specific field, they write it the same way.
/// </summary>
public sealed class CodeQlReferenceTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private JsonElement OurRun()
    {
        var bytes = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root));
        return JsonDocument.Parse(bytes).RootElement.GetProperty("runs")[0].Clone();
    }

    [CodeQlReferenceFact]
    public void TheSchemaHarnessAcceptsRealCodeQlLogs()
    {
        foreach (var file in CodeQlReference.Files)
        {
            var bytes = File.ReadAllBytes(file);
            int skip = bytes.Length >= 3 && bytes[0] == 0xEF ? 3 : 0;
            Assert.True(SarifSchema.Errors(bytes.AsSpan(skip)).Count == 0, file);
        }
    }

    [CodeQlReferenceFact]
    public void SameConventionsAsCodeQlForGitHubFields()
    {
        var ours = OurRun();
        Assert.NotEqual("CodeQL", ours.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
        foreach (var file in CodeQlReference.Files)
        {
            var theirs = CodeQlReference.Load(file).GetProperty("runs")[0];
            Assert.Equal(theirs.GetProperty("columnKind").GetString(), ours.GetProperty("columnKind").GetString());

            foreach (var rule in theirs.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
            {
                var p = rule.GetProperty("properties");
                Assert.Equal(JsonValueKind.Array, p.GetProperty("tags").ValueKind);
                Assert.Contains(p.GetProperty("precision").GetString(), new[] { "very-high", "high", "medium", "low" });
                Assert.Contains(p.GetProperty("problem.severity").GetString(), new[] { "error", "warning", "recommendation" });
                if (p.TryGetProperty("security-severity", out var s)) Assert.Equal(JsonValueKind.String, s.ValueKind);
            }
            foreach (var rule in ours.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray())
            {
                var p = rule.GetProperty("properties");
                Assert.Equal(JsonValueKind.Array, p.GetProperty("tags").ValueKind);
                Assert.Contains(p.GetProperty("precision").GetString(), new[] { "very-high", "high", "medium", "low" });
                Assert.Contains(p.GetProperty("problem.severity").GetString(), new[] { "error", "warning", "recommendation" });
                if (p.TryGetProperty("security-severity", out var s)) Assert.Equal(JsonValueKind.String, s.ValueKind);
                // Unlike CodeQL's rules, ours carry help, which GitHub's GH2012 asks for.
                Assert.False(string.IsNullOrEmpty(rule.GetProperty("help").GetProperty("text").GetString()));
            }

            static IEnumerable<(string UriBaseId, string Hash)> Shapes(JsonElement run) =>
                run.GetProperty("results").EnumerateArray().Select(r => (
                    r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uriBaseId").GetString()!,
                    r.GetProperty("partialFingerprints").GetProperty("primaryLocationLineHash").GetString()!));
            foreach (var (baseId, hash) in Shapes(theirs).Concat(Shapes(ours)))
            {
                Assert.Equal("%SRCROOT%", baseId);
                Assert.Matches("^[0-9a-f]{1,16}:[1-9][0-9]*$", hash);
            }
        }
    }

    [CodeQlReferenceFact]
    public void TheMultitoolsGitHubRulesFlagCodeQlsMissingHelpButNotOurs()
    {
        // Shows the GitHub rule set really runs: CodeQL's hand-run logs lack rule help (GH2012 errors); ours do not.
        var (exe, problem) = SarifMultitool.Executable;
        Assert.True(exe is not null || Environment.GetEnvironmentVariable("CI") != "true", "The SARIF Multitool is not available: " + problem);
        Skip.If(exe is null, "The SARIF Multitool is not available here: " + problem);
        var work = Directory.CreateTempSubdirectory("unsafescope-codeql-").FullName;
        try
        {
            var copy = Path.Combine(work, "codeql.sarif");
            File.Copy(CodeQlReference.Files[0], copy);
            Assert.Contains(SarifMultitool.Validate(copy).Errors, f => f.RuleId == "GH2012");
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }
}
