using Microsoft.CodeAnalysis.Sarif;
using UnsafeScope.Text;
using SdkLog = Microsoft.CodeAnalysis.Sarif.SarifLog;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// Our logs read back with Microsoft's SARIF SDK 5.8.0 (an independent reader, used as a test oracle only): the
/// object model it builds must say what we meant to write.
/// </summary>
public sealed class SarifSdkReadBackTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private SdkLog Load(UnsafeScope.Sarif.SarifWriteOptions? options = null)
    {
        var bytes = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options ?? SarifTestData.Options(_tree.Root));
        using var stream = new MemoryStream(bytes);
        return SdkLog.Load(stream);
    }

    [Fact]
    public void OneRunWithTheToolAndItsRules()
    {
        var log = Load();
        Assert.Equal(SarifVersion.Current, log.Version);
        var run = Assert.Single(log.Runs);
        Assert.Equal("UnsafeScope", run.Tool.Driver.Name);
        Assert.Equal(UnsafeScope.Reports.ToolInfo.Version, run.Tool.Driver.SemanticVersion);
        Assert.Equal(["US9001", "US9002", "US9003", "US9004"], run.Tool.Driver.Rules.Select(r => r.Id));
        Assert.Equal("unsafescope/rust/", run.AutomationDetails.Id);
        Assert.Equal(ColumnKind.Utf16CodeUnits, run.ColumnKind);

        var deref = run.Tool.Driver.Rules[1];
        Assert.Equal("AvoidRawPointerDereference", deref.Name);
        Assert.Equal("Raw pointer dereference", deref.ShortDescription.Text);
        Assert.Equal(FailureLevel.Error, deref.DefaultConfiguration.Level);
        Assert.Contains("## Why is this bad?", deref.Help.Markdown);
        Assert.Contains("Why is this bad?", deref.Help.Text);
        Assert.Equal("\"7.5\"", deref.GetSerialized("security-severity")); // a JSON string, not a number
        Assert.Equal("\"medium\"", deref.GetSerialized("precision"));
        Assert.Equal("\"error\"", deref.GetSerialized("problem.severity"));
        Assert.Equal(["security", "external/cwe/cwe-119", "correctness"], deref.Tags);
        Assert.Equal("\"clippy::undocumented_unsafe_blocks\"", run.Tool.Driver.Rules[0].GetSerialized("equivalent"));

        var hidden = run.Tool.Driver.Rules[3];
        Assert.False(hidden.DefaultConfiguration.Enabled);
        Assert.Equal(FailureLevel.Note, hidden.DefaultConfiguration.Level);
    }

    [Fact]
    public void ResultsPointAtTheRightFilesAndRegions()
    {
        var run = Assert.Single(Load().Runs);
        Assert.Equal(8, run.Results.Count); // the hidden diagnostic is left out by default
        foreach (var r in run.Results)
        {
            Assert.Equal(r.RuleId, run.Tool.Driver.Rules[r.RuleIndex].Id);
            var location = Assert.Single(r.Locations).PhysicalLocation;
            Assert.Equal("%SRCROOT%", location.ArtifactLocation.UriBaseId);
            Assert.False(location.ArtifactLocation.Uri.IsAbsoluteUri);
            Assert.True(location.ArtifactLocation.TryReconstructAbsoluteUri(run.OriginalUriBaseIds, out var absolute));
            Assert.True(File.Exists(absolute.LocalPath), absolute.LocalPath);
            Assert.True(location.Region.StartLine >= 1 && location.Region.StartColumn >= 1);
        }

        // The emoji line: columns count UTF-16 units, so they differ from byte offsets.
        var deref = run.Results.Single(r => r.Message.Text.Contains("s.as_ptr()"));
        var expected = SarifTestData.Find("src/lib.rs", "*s.as_ptr()");
        var region = deref.Locations[0].PhysicalLocation.Region;
        Assert.Equal((5, expected.LineSpan.Start.Character + 1, 5, expected.LineSpan.End.Character + 1),
            (region.StartLine, region.StartColumn, region.EndLine, region.EndColumn));
        var line5 = SarifTestData.Sources[0].Text.Split('\n')[4];
        Assert.Equal("*s.as_ptr()", line5.Substring(region.StartColumn - 1, region.EndColumn - region.StartColumn));

        var odd = run.Results.Single(r => r.Locations[0].PhysicalLocation.ArtifactLocation.Uri.OriginalString.Contains("space"));
        Assert.Equal("src/dir%20with%20space/a%23b%25c%3Fd.rs", odd.Locations[0].PhysicalLocation.ArtifactLocation.Uri.OriginalString);
    }

    [Fact]
    public void RelatedLocationsAreLinkedFromTheMessage()
    {
        var run = Assert.Single(Load().Runs);
        var deref = run.Results.Single(r => r.Message.Text.Contains("s.as_ptr()"));
        Assert.Equal("Dereference of raw pointer `s.as_ptr()` ([1](1), [2](2)).", deref.Message.Text);
        Assert.Equal([1, 2], deref.RelatedLocations.Select(l => l.Id));
        Assert.Equal("an emoji: two UTF-16 units", deref.RelatedLocations[1].Message.Text);
        Assert.Equal(@"`é` is declared here, \[not](a link)", deref.RelatedLocations[0].Message.Text);
        Assert.Equal("\"0.25\"", deref.GetSerialized("score"));
    }

    [Fact]
    public void FingerprintsSuppressionsAndLevels()
    {
        var run = Assert.Single(Load().Runs);
        foreach (var r in run.Results)
            Assert.Matches("^[0-9a-f]{1,16}:[1-9][0-9]*$", r.PartialFingerprints["primaryLocationLineHash"]);

        var suppressed = run.Results.Where(r => r.Suppressions is { Count: > 0 }).ToList();
        Assert.Equal(2, suppressed.Count);
        Assert.Contains(suppressed, r => r.Suppressions[0].Kind == SuppressionKind.InSource && r.Suppressions[0].Justification == "audited: abs is total");
        Assert.Contains(suppressed, r => r.Suppressions[0].Kind == SuppressionKind.External && r.Suppressions[0].Justification == "baseline 2026-11");
        // Suppressed results come last.
        Assert.All(run.Results.Take(run.Results.Count - 2), r => Assert.True(r.Suppressions is null || r.Suppressions.Count == 0));

        Assert.Equal(
            [FailureLevel.Error, FailureLevel.Error, FailureLevel.Error, FailureLevel.Error, FailureLevel.Error, FailureLevel.Warning, FailureLevel.Warning, FailureLevel.Note],
            run.Results.Select(r => r.Level));
    }

    [Fact]
    public void InvocationCarriesOverridesNotificationsAndTimes()
    {
        var run = Assert.Single(Load().Runs);
        var invocation = Assert.Single(run.Invocations);
        Assert.True(invocation.ExecutionSuccessful);
        Assert.Equal("unsafescope analyze . --sarif out.sarif", invocation.CommandLine);
        Assert.Equal(new DateTime(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc), invocation.StartTimeUtc);
        Assert.Equal(new DateTime(2026, 11, 24, 12, 0, 1, 234, DateTimeKind.Utc), invocation.EndTimeUtc);

        Assert.Equal(["US9001", "US9005"], invocation.RuleConfigurationOverrides.Select(o => o.Descriptor.Id));
        Assert.Equal(0, invocation.RuleConfigurationOverrides[0].Descriptor.Index);
        Assert.Equal(FailureLevel.Warning, invocation.RuleConfigurationOverrides[0].Configuration.Level);
        Assert.False(invocation.RuleConfigurationOverrides[1].Configuration.Enabled);

        Assert.Equal(["US0001", "US0006"], invocation.ToolExecutionNotifications.Select(n => n.Descriptor.Id));
        var parse = invocation.ToolExecutionNotifications[1];
        Assert.Equal(FailureLevel.Note, parse.Level);
        Assert.Equal(2, parse.Locations[0].PhysicalLocation.Region.StartLine);
        Assert.Null(invocation.ToolExecutionNotifications[0].Locations);

        var vcs = Assert.Single(run.VersionControlProvenance);
        Assert.Equal(new Uri("https://github.com/example/driver"), vcs.RepositoryUri);
        Assert.Equal("main", vcs.Branch);
        Assert.Equal("%SRCROOT%", vcs.MappedTo.UriBaseId);
        Assert.Equal(new Uri(SarifUriOf(_tree.Root)), run.OriginalUriBaseIds["%SRCROOT%"].Uri);
    }

    [Fact]
    public void WithoutTimesTheInvocationHasNone()
    {
        var invocation = Assert.Single(Assert.Single(Load(SarifTestData.Options(_tree.Root) with { IncludeTimes = false }).Runs).Invocations);
        Assert.Equal(default, invocation.StartTimeUtc);
        Assert.Equal(default, invocation.EndTimeUtc);
    }

    [Fact]
    public void FingerprintsMatchTheLineOfTheSourceText()
    {
        // Recompute each fingerprint from the SourceText (BOM and all) as the writer's SourceTexts hook would see it.
        var run = Assert.Single(Load().Runs);
        foreach (var r in run.Results)
        {
            var path = Uri.UnescapeDataString(r.Locations[0].PhysicalLocation.ArtifactLocation.Uri.OriginalString);
            var bytes = File.ReadAllBytes(Path.Combine(_tree.Root, path));
            var hashes = UnsafeScope.Sarif.LineHash.Compute(UnsafeScope.Sarif.LineHash.Decode(SourceText.From(bytes)));
            Assert.Equal(hashes[r.Locations[0].PhysicalLocation.Region.StartLine - 1], r.PartialFingerprints["primaryLocationLineHash"]);
        }
    }

    private static string SarifUriOf(string directory) => "file://" + string.Join('/', directory.Split('/').Select(Uri.EscapeDataString)) + "/";
}

internal static class PropertyBagExtensions
{
    /// <summary>The property's JSON text as the SDK keeps it (a string property keeps its quotes).</summary>
    public static string? GetSerialized(this PropertyBagHolder holder, string name) =>
        holder.TryGetSerializedPropertyValue(name, out var value) ? value : null;
}
