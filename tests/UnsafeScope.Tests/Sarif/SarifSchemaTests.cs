using System.Text;
using UnsafeScope.Driver;
using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Sarif;

/// <summary>Our logs against the official SARIF 2.1.0 schema (JsonSchema.Net 8.0.5).</summary>
public sealed class SarifSchemaTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void TheVendoredSchemaIsTheOasisOne()
    {
        var text = File.ReadAllText(SarifSchema.VendoredPath);
        Assert.Contains("\"id\": \"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json\"", text);
        var shared = Path.Combine(RepoPaths.Root, "..", "shared", "data", "sarif", "sarif-schema-2.1.0.json");
        if (File.Exists(shared)) Assert.Equal(File.ReadAllText(shared), text);
    }

    [Fact]
    public void SampleLogIsValid() =>
        Assert.Empty(SarifSchema.Errors(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root))));

    [Fact]
    public void EveryOptionVariantIsValid()
    {
        var sample = SarifTestData.Sample(_tree.Root);
        var baseOptions = SarifTestData.Options(_tree.Root);
        SarifWriteOptions[] variants =
        [
            new SarifWriteOptions(),
            baseOptions with { IncludeTimes = false, Indented = false },
            baseOptions with { IncludeHiddenResults = true, ComputeFingerprints = false },
            baseOptions with { MaxResultsPerRun = 1, MaxLocationsPerResult = 0 },
            baseOptions with { MaxResultsPerRun = 0 },
            baseOptions with { VersionControl = new VersionControlInfo("ssh://example.com/x.git", null, null, Path.GetDirectoryName(_tree.Root)) },
        ];
        foreach (var options in variants)
            Assert.Empty(SarifSchema.Errors(SarifTestData.WriteToBytes(sample, options)));
    }

    [Fact]
    public void EmptyResultIsValid() =>
        Assert.Empty(SarifSchema.Errors(SarifTestData.WriteToBytes(
            new AnalysisResult { BaseDirectory = _tree.Root, Files = [], Notifications = [] }, new SarifWriteOptions())));

    [Fact]
    public void TheValidatorRejectsWhatTheSchemaForbids()
    {
        // The harness must be able to fail: a wrong level, a string line number, an unknown property, a bad date.
        var good = Encoding.UTF8.GetString(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root)));
        string[] broken =
        [
            good.Replace("\"level\": \"error\"", "\"level\": \"fatal\""),
            good.Replace("\"startLine\": 3,", "\"startLine\": \"3\","),
            good.Replace("\"columnKind\": \"utf16CodeUnits\"", "\"columnKind\": \"utf16CodeUnits\", \"surprise\": 1"),
            good.Replace("2026-11-24T12:00:00.000Z", "yesterday"),
            good.Replace("\"version\": \"2.1.0\"", "\"version\": \"2.0.0\""),
        ];
        foreach (var b in broken)
        {
            Assert.NotEqual(good, b);
            Assert.NotEmpty(SarifSchema.Errors(Encoding.UTF8.GetBytes(b)));
        }
    }
}
