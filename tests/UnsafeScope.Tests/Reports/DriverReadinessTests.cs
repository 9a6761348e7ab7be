using UnsafeScope.Driver;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Reports;

/// <summary>The readiness page: per driver package, checks, pins, surface, tested wrappers, CodeQL and the WHCP fact.</summary>
public sealed class DriverReadinessTests : IDisposable
{
    private readonly TempFolder _dir = new("unsafescope-readiness-");

    public void Dispose() => _dir.Dispose();

    /// <summary>The configuration fixtures copied into a repository of their own, with a CodeQL workflow for C++ and Rust.</summary>
    private string Repository()
    {
        var source = RepoPaths.Fixtures("configuration");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(source, file);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(_dir.Path, rel))!);
            File.Copy(file, Path.Combine(_dir.Path, rel));
        }
        Directory.CreateDirectory(Path.Combine(_dir.Path, ".git"));
        _dir.Write(".github/workflows/codeql.yml", "jobs:\n  analyze:\n    steps:\n      - uses: github/codeql-action/init@v4\n        with:\n          languages: cpp, rust\n      - uses: github/codeql-action/analyze@v4\n");
        _dir.Write(".github/workflows/unsafescope.yml", "jobs:\n  scan:\n    steps:\n      - uses: github/codeql-action/upload-sarif@v4\n");
        return _dir.Path;
    }

    private const string CodeQlSarif = """
        {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "CodeQL", "rules": [{"id": "rust/access-invalid-pointer"}]}},
          "results": [
            {"ruleId": "rust/access-invalid-pointer", "message": {"text": "in the unsafe fn"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "kmdf-right/src/lib.rs"}, "region": {"startLine": 11}}}]},
            {"ruleId": "rust/access-invalid-pointer", "message": {"text": "outside"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "kmdf-right/src/lib.rs"}, "region": {"startLine": 2}}}]}
          ]}]}
        """;

    [Fact]
    public void EachDriverPackageGetsItsChecklist()
    {
        var root = Repository();
        var sarif = _dir.Write("codeql.sarif", CodeQlSarif);
        var result = Analysis.Run(new AnalysisOptions { Paths = [root], BaseDirectory = root, Jobs = 1 });
        var drivers = ReadinessReport.Build(result, sarif);
        // The library built with wdk-build is not a driver.
        Assert.Equal(["kmdf-right", "kmdf-wrong", "umdf-right"], drivers.Select(d => d.Crate));

        var right = drivers[0];
        Assert.Equal("KMDF 1.33", right.DriverModel);
        Assert.Equal(10, right.Checks.Length);
        Assert.All(right.Checks, c => Assert.Equal(ReadinessOutcome.Pass, c.Outcome));
        Assert.Equal("1.85.0", right.Toolchain);
        Assert.Equal(["wdk 0.4.1", "wdk-alloc 0.4.1", "wdk-build 0.5.1", "wdk-panic 0.4.1", "wdk-sys 0.5.1"], right.Pins.Select(p => $"{p.Name} {p.Version}"));
        Assert.Equal(3, right.Regions); // the unsafe attribute, the unsafe fn and its FFI entry point
        Assert.Equal(".github/workflows/codeql.yml", Assert.Single(right.CodeQl.Workflows));
        Assert.True(right.CodeQl.AnalyzesRust);
        Assert.Equal(2, right.CodeQl.Alerts);
        Assert.Equal(1, right.CodeQl.AlertsInUnsafeRegions);

        var wrong = drivers[1];
        Assert.Equal("KMDF 1", wrong.DriverModel);
        Assert.All(wrong.Checks, c => Assert.Equal(ReadinessOutcome.Fail, c.Outcome));
        Assert.Contains("kmdf-wrong/Cargo.toml:21: the release profile of KMDF driver `kmdf-wrong` sets `panic = \"unwind\"`: a kernel-mode driver must abort on panic", wrong.Checks[0].Problems);
        Assert.Null(wrong.Pins.FirstOrDefault());

        // UMDF: user mode, so no_std, unwinding and the allocator checks pass without those settings.
        var umdf = drivers[2];
        Assert.Equal("UMDF 2.33", umdf.DriverModel);
        Assert.All(umdf.Checks, c => Assert.Equal(ReadinessOutcome.Pass, c.Outcome));
    }

    [Fact]
    public void ADisabledRuleIsOffAndTheMarkdownCarriesTheDatedWhcpFact()
    {
        var root = Repository();
        _dir.Write("unsafescope.toml", "[rules]\nUS3007 = \"off\"\n");
        var config = UnsafeScope.Configuration.UnsafeScopeConfig.Load(Path.Combine(root, "unsafescope.toml"));
        var result = Analysis.Run(new AnalysisOptions { Paths = [root], BaseDirectory = root, Jobs = 1, Configuration = config });
        var drivers = ReadinessReport.Build(result);
        Assert.All(drivers, d => Assert.Equal(ReadinessOutcome.Off, d.Checks.Single(c => c.RuleId == "US3007").Outcome));
        var md = ReadinessReport.ToMarkdown(drivers);
        Assert.Contains("## Driver readiness", md);
        Assert.Contains("### kmdf-wrong (kmdf-wrong): KMDF 1", md);
        Assert.Contains("| US3001 Kernel-mode driver profile unwinds on panic | **fail**: ", md);
        Assert.Contains("| US3007 Rust toolchain not pinned to an exact version | off |", md);
        Assert.Contains("- Tested wrappers: 0 of 0 encapsulating functions reached by tests", md);
        Assert.Contains("> **WHCP, as of 2026-12-01:** The Windows Hardware Compatibility Program validates static analysis of driver submissions with CodeQL for C and C++ only", md);
        var html = HtmlReportTests.Html(result);
        Assert.Contains("<section id=\"readiness\"", html);
        Assert.Contains("<span class=\"check fail\">", html);
        Assert.Contains("WHCP, as of 2026-12-01:", html);
    }
}
