using System.Text.RegularExpressions;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// Conventions the code must keep, checked on its sources: every file read goes through the one gateway for untrusted
/// input (src/UnsafeScope/IO/), no test passes by returning early, and the workflows use a supported CodeQL action.
/// </summary>
public sealed partial class RepositoryConventionTests
{
    private static IEnumerable<(string Path, string[] Lines)> Sources(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, folder), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'), File.ReadAllLines(f)));

    // Opening a file by its path: File.Read*/File.Open*, FileInfo.Open*, new FileStream(...), new StreamReader(path).
    [GeneratedRegex(@"\bFile\.(Read\w*|Open\w*)\s*\(|\.Open(Read|Text)\s*\(\s*\)|new\s+FileStream\s*\(|new\s+StreamReader\s*\((?![^)]*Stream\b)(?!\s*stream\b)(?![^)]*GetManifestResourceStream)")]
    private static partial Regex FileOpen();

    /// <summary>The reads and writes of files outside IO/, each with the reason it may bypass the gateway.</summary>
    private static readonly (string Path, string Code, string Reason)[] s_allowed =
    [
        ("src/UnsafeScope/Reports/AtomicFile.cs", "new FileStream(temp, FileMode.CreateNew, FileAccess.Write",
            "writes our own output to a new temporary file (CreateNew: never opens an existing file)"),
        ("src/UnsafeScope/Driver/ResultCache.cs", "new FileStream(temp, FileMode.Create, FileAccess.Write",
            "writes a cache entry to our own temporary file, then renames it"),
    ];

    [Fact]
    public void EveryFileReadGoesThroughTheIoGateway()
    {
        var found = new List<string>();
        foreach (var (path, lines) in Sources("src"))
        {
            if (path.StartsWith("src/UnsafeScope/IO/", StringComparison.Ordinal)) continue;
            for (int i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                var code = line.TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("///", StringComparison.Ordinal)) continue;
                if (!FileOpen().IsMatch(line)) continue;
                if (s_allowed.Any(a => a.Path == path && line.Contains(a.Code, StringComparison.Ordinal))) continue;
                found.Add($"{path}:{i + 1}: {code}");
            }
        }
        Assert.True(found.Count == 0,
            "Files read outside src/UnsafeScope/IO/ (use IO.UntrustedFile, which refuses FIFOs and devices and caps sizes):\n" + string.Join("\n", found));
    }

    // Code generated at run time: compiled regexes, expression trees compiled to delegates, Reflection.Emit.
    [GeneratedRegex(@"RegexOptions\.Compiled|\.Compile\s*\(\s*\)|System\.Reflection\.Emit|\bDynamicMethod\b|\bILGenerator\b")]
    private static partial Regex DynamicCode();

    [Fact]
    public void NothingGeneratesCodeAtRunTime()
    {
        // The NativeAOT command cannot run such code, and DynamicCodeSupport=false makes the framework-dependent one
        // fail on it; the AOT analyzer catches library calls, this catches the sources' own (regexes are source-generated).
        Assert.Matches(DynamicCode(), "new Regex(p, RegexOptions.Compiled)");
        Assert.Matches(DynamicCode(), "var f = lambda.Compile();");
        var found = Sources("src").SelectMany(s => s.Lines.Select((l, i) => (s.Path, Line: i + 1, Code: l.Trim())))
            .Where(x => !x.Code.StartsWith("//", StringComparison.Ordinal) && DynamicCode().IsMatch(x.Code))
            .Select(x => $"{x.Path}:{x.Line}: {x.Code}").ToList();
        Assert.True(found.Count == 0, "Code generated at run time:\n" + string.Join("\n", found));
    }

    [Fact]
    public void TheGatewayCheckFindsWhatItLooksFor()
    {
        // The pattern must be able to fail.
        foreach (var bad in new[] { "File.ReadAllText(p)", "File.ReadAllBytes(p)", "File.OpenRead(p)", "File.ReadLines(p)", "new FileStream(p, FileMode.Open)",
                     "new StreamReader(path)", "new FileInfo(p).OpenRead()", "File.Open(p, FileMode.Open)" })
            Assert.Matches(FileOpen(), bad);
        foreach (var fine in new[] { "new StreamReader(stream)", "new StreamReader(new MemoryStream(bytes))", "new StreamReader(assembly.GetManifestResourceStream(name)!)", "File.Exists(p)" })
            Assert.DoesNotMatch(FileOpen(), fine);
        foreach (var (path, code, _) in s_allowed)
            Assert.Contains(File.ReadAllLines(Path.Combine(RepoPaths.Root, path)), l => l.Contains(code, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^\s*\[(Fact|Theory|SkippableFact|SkippableTheory|CorpusFact|MultitoolFact|CodeQlReferenceFact)\b")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^\s*if\s*\(.*\)\s*return\s*;")]
    private static partial Regex EarlyReturn();

    [Fact]
    public void NoTestPassesByReturningEarly()
    {
        // A test that cannot run here says so (Skip.If / Skip.IfNot with the reason); `if (...) return;` in a test
        // method's own body would pass without testing. Nested functions are indented deeper and are not looked at.
        var found = new List<string>();
        foreach (var (path, lines) in Sources("tests"))
        {
            for (int i = 0; i < lines.Length; i++)
            {
                if (!TestAttribute().IsMatch(lines[i])) continue;
                var indent = lines[i].Length - lines[i].TrimStart().Length;
                int open = i + 1;
                while (open < lines.Length && lines[open].Trim() != "{" && !lines[open].Contains("=>", StringComparison.Ordinal)) open++;
                if (open >= lines.Length || lines[open].Trim() != "{") continue; // an expression-bodied test
                var body = new string(' ', indent + 4);
                for (int j = open + 1; j < lines.Length && lines[j] != new string(' ', indent) + "}"; j++)
                    if (lines[j].StartsWith(body, StringComparison.Ordinal) && !char.IsWhiteSpace(lines[j][body.Length]) && EarlyReturn().IsMatch(lines[j]))
                        found.Add($"{path}:{j + 1}: {lines[j].Trim()}");
            }
        }
        Assert.True(found.Count == 0, "Tests that return early instead of reporting a skip:\n" + string.Join("\n", found));
    }

    [Fact]
    public void WorkflowsAndDocsUseASupportedCodeQlAction()
    {
        // github/codeql-action v3 is deprecated in December 2026.
        var files = new[] { ".github", "docs" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*", SearchOption.AllDirectories))
            .Append(Path.Combine(RepoPaths.Root, "README.md"));
        var uses = files.SelectMany(f => File.ReadAllLines(f).Select((l, i) => (File: f, Line: i + 1, Text: l)))
            .Where(l => l.Text.Contains("github/codeql-action/", StringComparison.Ordinal) && l.Text.Contains('@')).ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(@"github/codeql-action/[a-z-]+@v4\b", u.Text));
    }
}
