using UnsafeScope.Correlation;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Reports;

public class CodeQlCorrelationTests
{
    private static readonly Lazy<AnalysisResult> s_result = new(() =>
        Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("inventory")], BaseDirectory = RepoPaths.Root }));

    [Fact]
    public void RulesUnderToolExtensionsAreResolvedAndAlertsLandInRegions()
    {
        var alerts = CodeQlCorrelation.ReadAlerts(RepoPaths.Fixtures("codeql", "rust-action-extensions.sarif"));
        Assert.Equal(4, alerts.Length);
        Assert.Equal("rust/access-after-lifetime-ended", alerts[1].RuleId); // only rule.id given
        Assert.Equal("9.8", alerts[1].SecuritySeverity);                     // found through toolComponent index 0
        var correlated = CodeQlCorrelation.Correlate(alerts, s_result.Value);

        var mmio = correlated[0];
        Assert.Equal("corpus/fixtures/inventory/driver/src/mmio.rs", mmio.File);
        Assert.Equal(RegionKind.UnsafeBlock, mmio.Region!.Kind);
        Assert.Equal(34, mmio.Region.StartLine);
        Assert.Equal(["MmMapIoSpace", "MmUnmapIoSpace"], mmio.Region.FfiCalls.Select(f => f.Name));

        Assert.Equal(26, correlated[1].Region!.StartLine); // innermost region holding line 27 of std_ops.rs
        Assert.NotNull(correlated[2].File);
        Assert.Null(correlated[2].Region);                 // analyzed file, outside unsafe code
        Assert.Null(correlated[3].File);                   // not analyzed

        var md = CodeQlCorrelation.ToMarkdown(correlated);
        Assert.Contains("4 alert(s); 3 in analyzed Rust files; 2 inside unsafe regions.", md);
        Assert.Contains("MmMapIoSpace (high)", md);
    }

    [Fact]
    public void RulesUnderTheDriverByIndexAndFileUrisWithAnotherRoot()
    {
        var alerts = CodeQlCorrelation.ReadAlerts(RepoPaths.Fixtures("codeql", "rust-cli-driver.sarif"));
        var a = Assert.Single(alerts);
        Assert.Equal("rust/access-invalid-pointer", a.RuleId);
        Assert.Equal("/checkout/driver/src/mmio.rs", a.Path);
        var c = Assert.Single(CodeQlCorrelation.Correlate(alerts, s_result.Value));
        Assert.Equal("corpus/fixtures/inventory/driver/src/mmio.rs", c.File);
        Assert.Equal("mmio::Device::ctrl", c.Region!.Item);
    }

    [SkippableFact]
    public void RealCodeQlLogsAreRead()
    {
        var dir = Path.Combine(RepoPaths.Root, "..", "shared", "data", "codeql");
        Skip.IfNot(Directory.Exists(dir), $"the shared CodeQL reference logs ({Path.GetFullPath(dir)}) are optional and not here");
        var mdl = CodeQlCorrelation.ReadAlerts(Path.Combine(dir, "opaque-mdl-write.codeql.sarif"));
        Assert.Equal("cpp/drivers/opaque-mdl-write", Assert.Single(mdl).RuleId);
        var mustfix = CodeQlCorrelation.ReadAlerts(Path.Combine(dir, "whcp-mustfix.codeql.sarif"));
        Assert.Equal(2, mustfix.Length);
        Assert.All(mustfix, a => Assert.Equal("cpp/drivers/wdk-deprecated-api", a.RuleId));
        Assert.All(mustfix, a => Assert.EndsWith(".c", a.Path, StringComparison.Ordinal));
        // C alerts never fall in Rust regions.
        Assert.All(CodeQlCorrelation.Correlate(mustfix, s_result.Value), c => Assert.Null(c.Region));
    }

    [Fact]
    public void MalformedLogIsAClearError()
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, "{\"version\": \"2.1.0\"}");
        var e = Assert.Throws<InvalidDataException>(() => CodeQlCorrelation.ReadAlerts(path));
        Assert.Contains("no runs array", e.Message);
        File.Delete(path);
    }
}
