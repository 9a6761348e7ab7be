using UnsafeScope.Driver;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Reports;

/// <summary>The pull-request summary (<c>--summary</c>) against a baseline with added and removed regions.</summary>
public sealed class PullRequestSummaryTests : IDisposable
{
    private readonly TempFolder _dir = new("unsafescope-summary-");
    private readonly TempFolder _out = new("unsafescope-summary-out-"); // baselines and outputs, outside the analyzed tree

    public void Dispose()
    {
        _dir.Dispose();
        _out.Dispose();
    }

    private const string Manifest = "[package]\nname = \"drv\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nwdk-sys = \"0.3\"\n";

    // Before: two regions (a documented DbgPrint call in log, an undocumented deref in peek).
    private const string Before = """
        use wdk_sys::ntddk::{DbgPrint, ExFreePool, MmMapIoSpace};

        pub fn log() {
            // SAFETY: a literal format string.
            unsafe { DbgPrint(c"hello".as_ptr()) };
        }

        pub fn peek(p: *const u32) -> u32 {
            unsafe { *p }
        }

        """;

    // After: lines inserted above log (its region must not count as new), peek's region removed, map added with two
    // high-risk FFI calls in one undocumented block (a new finding of US1001 and of US1002).
    private const string After = """
        use wdk_sys::ntddk::{DbgPrint, ExFreePool, MmMapIoSpace};

        /// Logs.
        ///
        /// More lines above the region.
        pub fn log() {
            // SAFETY: a literal format string.
            unsafe { DbgPrint(c"hello".as_ptr()) };
        }

        pub fn peek(p: *const u32) -> u32 {
            p as u32
        }

        pub fn map(pa: u64) {
            unsafe { ExFreePool(MmMapIoSpace(pa, 4096, 0)) };
        }

        """;

    private AnalysisResult Analyze()
        => Analysis.Run(new AnalysisOptions { Paths = [_dir.Path], BaseDirectory = _dir.Path, Jobs = 1 });

    private string BaselineJson()
    {
        _dir.Write("Cargo.toml", Manifest);
        _dir.Write("src/lib.rs", Before);
        var path = Path.Combine(_out.Path, "baseline.json");
        using (var s = File.Create(path)) InventoryJsonWriter.Write(Analyze(), s);
        _dir.Write("src/lib.rs", After);
        return path;
    }

    [Fact]
    public void AgainstABaselineItCountsAddedAndRemovedRegionsFfiByRiskScoreAndFindings()
    {
        var baselinePath = BaselineJson();
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir.Path], BaseDirectory = _dir.Path, Jobs = 1, Baseline = Baseline.Load(baselinePath) });
        var baseline = InventorySnapshot.Load(baselinePath);
        Assert.True(baseline.HasInventory);
        var text = PullRequestSummary.Render(InventorySnapshot.From(result), baseline, new PullRequestSummaryOptions { LinkBase = "https://github.com/o/r/blob/abc" });

        // One region added (map's block), one removed (peek's block); log's block moved down and is not new.
        Assert.Contains("**±0 unsafe regions** (1 added, 1 removed)", text);
        Assert.Contains("**2 FFI calls added** (2 FFI calls: 2 high)", text);
        Assert.Contains("| drv | +1 / −1 | 2 / 0 / 0 / 0 |", text);
        // The worst new region links to its line.
        Assert.Contains("### Worst new regions", text);
        Assert.Contains("| unsafe block | `map` | 2 | [src/lib.rs:16](https://github.com/o/r/blob/abc/src/lib.rs#L16) |", text);
        Assert.DoesNotContain("`log`", text.Split("### Worst new regions")[1].Split("###")[0]);
        // peek's undocumented block (US1001) and raw-pointer deref in a safe pub fn (US1006) are fixed; map's block
        // brings US1001, US1002 and the driver rules US2001 (unjustified high-risk call) and US2002 (no unmap).
        var findings = text.Split("### Findings: ")[1];
        Assert.StartsWith("4 new, 2 fixed", findings);
        Assert.Equal(["US2001", "US1001", "US1002", "US2002"], findings.Split('\n').Where(l => l.StartsWith("| error") || l.StartsWith("| warning")).Select(l => l.Split('|')[2].Trim()));
        Assert.All(findings.Split('\n').Where(l => l.StartsWith("| error") || l.StartsWith("| warning")), l => Assert.EndsWith("(https://github.com/o/r/blob/abc/src/lib.rs#L16) |", l));

        // Deterministic, and the same from the JSON of the current run as from the result itself.
        Assert.Equal(text, PullRequestSummary.Render(InventorySnapshot.From(result), InventorySnapshot.Load(baselinePath), new PullRequestSummaryOptions { LinkBase = "https://github.com/o/r/blob/abc" }));
        var currentJson = Path.Combine(_out.Path, "current.json");
        using (var s = File.Create(currentJson)) InventoryJsonWriter.Write(result, s);
        var fromJson = PullRequestSummary.Render(InventorySnapshot.Load(currentJson), baseline, new PullRequestSummaryOptions { LinkBase = "https://github.com/o/r/blob/abc" });
        Assert.Equal(text, fromJson);
    }

    [Fact]
    public void WithoutABaselineItGivesTheCurrentTotals()
    {
        _dir.Write("Cargo.toml", Manifest);
        _dir.Write("src/lib.rs", After);
        var text = PullRequestSummary.Render(InventorySnapshot.From(Analyze()), null);
        Assert.Contains("No baseline given: these are the current totals.", text);
        Assert.Contains("| drv | 2 | 2 / 0 / 1 / 0 |", text);
        // Without a link base, locations are plain code spans.
        Assert.Contains("`src/lib.rs:16`", text);
    }

    [Fact]
    public void AnUnchangedTreeSaysSo()
    {
        var baselinePath = BaselineJson();
        _dir.Write("src/lib.rs", Before);
        var text = PullRequestSummary.Render(InventorySnapshot.From(Analyze()), InventorySnapshot.Load(baselinePath));
        Assert.Contains("**±0 unsafe regions** (0 added, 0 removed)", text);
        Assert.Contains("No crate changed its unsafe surface.", text);
        Assert.DoesNotContain("### Worst new regions", text);
    }

    [Fact]
    public void ASarifBaselineComparesFindingsOnly()
    {
        _dir.Write("Cargo.toml", Manifest);
        _dir.Write("src/lib.rs", Before);
        var sarif = Path.Combine(_dir.Path, "base.sarif");
        using (var s = File.Create(sarif)) UnsafeScope.Sarif.SarifLogWriter.Write(Analyze(), new UnsafeScope.Sarif.SarifWriteOptions(), s);
        _dir.Write("src/lib.rs", After);
        var baseline = InventorySnapshot.Load(sarif);
        Assert.False(baseline.HasInventory);
        var text = PullRequestSummary.Render(InventorySnapshot.From(Analyze()), baseline);
        Assert.Contains("The baseline is a SARIF log", text);
        Assert.Contains("### Findings: 4 new, 2 fixed", text);
    }

    [Fact]
    public void NeitherInventoryNorSarifIsAClearError()
    {
        var path = _dir.Write("other.json", "{\"hello\": 1}");
        var e = Assert.Throws<InvalidDataException>(() => InventorySnapshot.Load(path));
        Assert.Contains("neither an UnsafeScope JSON inventory nor a SARIF log", e.Message);
        var broken = _dir.Write("broken.json", "{\"files\": [{\"path\": 3}]}");
        Assert.Throws<InvalidDataException>(() => InventorySnapshot.Load(broken));
    }

    [Fact]
    public void TheCommandWritesTheSummaryAgainstAJsonBaseline()
    {
        var baselinePath = BaselineJson();
        var summary = Path.Combine(_out.Path, "summary.md");
        var (exit, _, err) = Cli.CliTests.Run("analyze", Path.Combine(_dir.Path, "src"), "--root", _dir.Path, "--quiet", "--baseline", baselinePath,
            "--summary", summary, "--summary-link-base", "https://example.test/blob/1");
        Assert.True(exit == 0, err);
        var text = File.ReadAllText(summary);
        Assert.StartsWith("## UnsafeScope: unsafe surface\n", text);
        Assert.Contains("(1 added, 1 removed)", text);
        Assert.Contains("(https://example.test/blob/1/src/lib.rs#L16)", text);
        Assert.DoesNotContain("\r", text);
    }
}
