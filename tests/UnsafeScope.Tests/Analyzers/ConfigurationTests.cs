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
    [InlineData("[rules]\nUS1001 = error\n", 2, "Unexpected token `error` for a value")]
    [InlineData("[rules]\nUS1001 = \"error\nUS1002 = \"warn\"\n", 2, "Invalid newline in a string")]
    [InlineData("[rules]\nUS1001 = \"warn\"\nUS1001 = \"error\"\n", 3, "The key `rules.US1001` is already defined")]
    [InlineData("[rules]\nUS1001 = [\"warn\"]\n", 2, "must be a string, a number or true/false")]
    [InlineData("preset = \"android\"\n", 1, "unknown preset 'android'")]
    [InlineData("US1001 = \"error\"\n", 1, "outside any section")]
    public void BadConfigurationNamesFileAndLine(string toml, int line, string problem)
    {
        var e = Assert.Throws<ConfigurationException>(() => UnsafeScopeConfig.Parse(toml, "cfg/unsafescope.toml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"cfg/unsafescope.toml:{line}: ", e.Message);
    }

    [Fact]
    public void StringsAreUnescapedAndLiteralStringsAndInlineTablesWork()
    {
        var dir = Directory.CreateTempSubdirectory("unsafescope-config-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "packs"));
            var path = Path.Combine(dir, "unsafescope.toml");
            // A backslash escape means the same path on every OS; a literal string is taken as written.
            var config = UnsafeScopeConfig.Parse("""
                [rules]
                US1001 = 'error'            # literal string
                US1002 = { severity = "warn", max-operations = 3 }
                [categories]
                "Driver" = "info"
                [catalogs]
                packs = [
                  "packs\u002Fmine.tsv",   # unicode escape of '/'
                  'packs/other.tsv',
                ]
                """, path);
            Assert.Equal(ReportSeverity.Error, config.RuleSeverities["US1001"]);
            Assert.Equal(ReportSeverity.Warn, config.RuleSeverities["US1002"]);
            Assert.Equal("3", config.Options.ByRule["US1002"]["max-operations"]);
            Assert.Equal(ReportSeverity.Info, config.CategorySeverities["Driver"]);
            Assert.Equal([Path.Combine(dir, "packs", "mine.tsv"), Path.Combine(dir, "packs", "other.tsv")], config.CatalogPacks.ToArray());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void LinuxKernelPresetMirrorsTheKernelsFlagsAndTheFileStillWins()
    {
        var config = UnsafeScopeConfig.Parse("preset = \"linux-kernel\"\n[rules]\nUS1001 = \"error\"\n", "unsafescope.toml");
        Assert.Equal(AnalysisPreset.LinuxKernel, config.Preset);
        Assert.Equal(ReportSeverity.Error, config.RuleSeverities["US1007"]);   // -Dunsafe_op_in_unsafe_fn
        Assert.Equal(ReportSeverity.Error, config.RuleSeverities["US1001"]);   // the file overrides the preset's warn
        Assert.Equal(ReportSeverity.Warn, config.RuleSeverities["US1005"]);    // -Wclippy::unnecessary_safety_comment
        Assert.Equal(ReportSeverity.Warn, config.RuleSeverities["US1004"]);    // -Wclippy::unnecessary_safety_doc
        Assert.Equal("true", config.Options.ByRule["US1007"]["all-editions"]); // the kernel denies it whatever the edition
        var plain = UnsafeScopeConfig.Empty.WithPreset(AnalysisPreset.LinuxKernel);
        Assert.Equal(ReportSeverity.Warn, plain.RuleSeverities["US1001"]);
        Assert.NotEqual(UnsafeScopeConfig.Empty.Fingerprint, plain.Fingerprint);
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
