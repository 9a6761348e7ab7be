using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Analyzers;

public class ConfigurationTests
{
    private static AnalysisResult Run(string toml)
        => Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("inventory")], Configuration = UnsafeScopeConfig.Parse(toml, "unsafescope.toml") });

    [Fact]
    public void SeverityPerRuleAndPerCategory()
    {
        var result = Run("[rules]\nUS1001 = \"error\"\nUS1002 = \"off\"\n[categories]\nDriver = \"info\"\n");
        Assert.All(result.Diagnostics.Where(d => d.Id == "US1001"), d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "US1002");
        Assert.DoesNotContain(result.Rules, r => r.Id == "US1002");
        Assert.All(result.Diagnostics.Where(d => d.Descriptor.Category == "Driver"), d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(ReportSeverity.Error, result.RuleOverrides["US1001"]);
    }

    [Fact]
    public void RuleOptionsReachTheRule()
    {
        var strict = Run("[rules.US1002]\nmax-operations = 10\n");
        Assert.DoesNotContain(strict.Diagnostics, d => d.Id == "US1002");
    }

    [Theory]
    [InlineData("[rules]\nUS1001 = \"loud\"\n", 2, "severity 'loud'")]
    [InlineData("[rulez]\n", 1, "unknown section [rulez]")]
    [InlineData("[rules]\nUS1001 = error\n", 2, "must be a quoted string")]
    [InlineData("US1001 = \"error\"\n", 1, "outside any section")]
    public void BadConfigurationNamesFileAndLine(string toml, int line, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => UnsafeScopeConfig.Parse(toml, "cfg/unsafescope.toml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"cfg/unsafescope.toml:{line}: ", e.Message);
    }

    [Fact]
    public void UnknownRuleIdIsAnErrorWithItsLine()
    {
        var e = Assert.Throws<ConfigurationException>(() => Run("# comment\n[rules]\nUS1001 = \"warn\"\nUS4242 = \"error\"\n"));
        Assert.Equal(4, e.Line);
        Assert.Contains("unknown rule 'US4242'", e.Message);
    }

    [Fact]
    public void FoundUpwardFromTheAnalyzedFolder()
    {
        var found = UnsafeScopeConfig.FindUpward(RepoPaths.Fixtures("rules", "US1001-strict", "src"));
        Assert.Equal(Path.Combine(RepoPaths.Fixtures("rules", "US1001-strict"), "unsafescope.toml"), found);
    }
}
