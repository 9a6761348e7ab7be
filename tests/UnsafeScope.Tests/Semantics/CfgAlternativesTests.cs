using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Configuration;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Semantics;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Semantics;

public class CfgAlternativesTests
{
    [Theory]
    [InlineData("feature = \"fast\"", "not(feature = \"fast\")")]
    [InlineData("target_arch = \"aarch64\"", "target_arch = \"x86_64\"")]
    [InlineData("target_os=\"linux\"", "target_os = \"windows\"")]
    [InlineData("unix", "windows")]
    [InlineData("windows", "not(windows)")]
    // A cfg_if! chain: each branch excludes the ones before it.
    [InlineData("target_os = \"linux\"", "all(not(target_os = \"linux\"), unix)")]
    [InlineData("any(target_arch = \"x86\", target_arch = \"x86_64\")", "target_arch = \"aarch64\"")]
    public void ExcludingPredicates(string a, string b)
    {
        Assert.True(CfgAlternatives.Exclusive(a, b));
        Assert.True(CfgAlternatives.Exclusive(b, a));
    }

    [Theory]
    [InlineData("feature = \"a\"", "feature = \"b\"")]
    [InlineData("unix", "target_os = \"linux\"")]
    [InlineData("target_os = \"linux\"", "target_os = \"linux\"")]
    [InlineData("any(unix, windows)", "unix")]
    [InlineData("not a predicate (", "windows")]
    public void PredicatesThatCanHoldTogether(string a, string b) => Assert.False(CfgAlternatives.Exclusive(a, b));

    [Property(MaxTest = 300)]
    public bool APredicateAndItsNegationAreAlternatives(NonEmptyString key, bool quoted)
    {
        var name = new string([.. key.Get.Where(char.IsAsciiLetter).Take(8)]);
        if (name.Length == 0) name = "x";
        var atom = quoted ? $"feature = \"{name}\"" : name;
        return CfgAlternatives.Exclusive(atom, $"not({atom})") && !CfgAlternatives.Exclusive(atom, atom);
    }

    [Property(MaxTest = 300)]
    public bool CountedKeepsUnconditionedOperationsAndNeverExceedsTheTotal(PositiveInt plain, byte arm, byte x86)
    {
        var ops = new List<UnsafeOperation>();
        int at = 0;
        for (int i = 0; i < plain.Get % 5; i++) ops.Add(Op(at++, ""));
        for (int i = 0; i < arm % 4; i++) ops.Add(Op(at++, "target_arch=\"aarch64\""));
        for (int i = 0; i < x86 % 4; i++) ops.Add(Op(at++, "target_arch=\"x86_64\""));
        var counted = CfgAlternatives.Counted(ops);
        return counted.Count == plain.Get % 5 + Math.Max(arm % 4, x86 % 4) && counted.Count <= ops.Count
               && ops.Where(o => o.Cfg.Length == 0).All(counted.Contains);
    }

    [Fact]
    public void ATripleFixesTheTargetCfgs()
    {
        var t = TargetConfiguration.Parse("x86_64-pc-windows-msvc")!;
        Assert.True(t.Value("windows"));
        Assert.False(t.Value("unix"));
        Assert.True(t.Value("target_env=\"msvc\""));
        Assert.True(t.Value("target_pointer_width=\"64\""));
        Assert.Null(t.Value("feature=\"fast\""));
        Assert.False(CfgAlternatives.Evaluate("all(unix, not(test))", t));
        Assert.Null(CfgAlternatives.Evaluate("any(feature = \"a\", unix)", t));
        Assert.True(CfgAlternatives.Evaluate("any(feature = \"a\", windows)", t));
        Assert.Null(TargetConfiguration.Parse("linux"));
    }

    [Fact]
    public void UnderATargetCodeBehindAFalseCfgIsInventoriedInactiveWithoutFindings()
    {
        var dir = RepoPaths.Fixtures("rules", "US1002-cfg");
        var all = Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1 });
        var linux = Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1, Target = "x86_64-unknown-linux-gnu" });
        static int LineOf(AnalysisResult r, string text)
            => Array.FindIndex(File.ReadAllLines(Path.Combine(RepoPaths.Fixtures("rules", "US1002-cfg"), "src", "lib.rs")), l => l.Contains(text, StringComparison.Ordinal)) + 1;
        int windowsBlock = LineOf(all, "unsafe { foo(); *p }");
        Assert.Contains(all.Diagnostics, d => d.Id == "US1002" && d.Location.StartLine == windowsBlock);
        Assert.DoesNotContain(linux.Diagnostics, d => d.Location.StartLine == windowsBlock);
        var region = Assert.Single(linux.Files.SelectMany(f => f.Inventory!.Regions), r => r.Kind == RegionKind.UnsafeBlock && r.StartLine == windowsBlock);
        Assert.False(region.IsActive);
        Assert.True(all.Files.SelectMany(f => f.Inventory!.Regions).Single(r => r.Kind == RegionKind.UnsafeBlock && r.StartLine == windowsBlock).IsActive);
        // `foo(); #[cfg(windows)] foo(); #[cfg(not(windows))] foo();` is two operations either way; on Linux the windows one is gone.
        int mixed = LineOf(all, "pub fn unconditional_plus_alternatives") + 2;
        var linuxOps = linux.Files.SelectMany(f => f.Inventory!.Regions).Single(r => r.Kind == RegionKind.UnsafeBlock && r.StartLine == mixed).Operations;
        Assert.Equal(["", "not(windows)"], linuxOps.Select(o => o.Cfg));
    }

    [Fact]
    public void TheBranchesOfACfgIfChainAreAlternativesThatATargetDecides()
    {
        using var folder = new TempFolder("unsafescope-cfgif-");
        folder.Write("Cargo.toml", "[package]\nname = \"chain\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        folder.Write("src/lib.rs", """
            cfg_if::cfg_if! {
                if #[cfg(windows)] {
                    pub fn pick(p: *const u8) -> u8 { unsafe { *p } }
                } else if #[cfg(unix)] {
                    pub fn pick(p: *const u8) -> u8 { unsafe { *p } }
                } else {
                    pub fn pick(p: *const u8) -> u8 { unsafe { *p } }
                }
            }
            """);
        static List<bool> Active(AnalysisResult r) => [.. r.Files.SelectMany(f => f.Inventory!.Regions).Where(x => x.Kind == RegionKind.UnsafeBlock).OrderBy(x => x.StartLine).Select(x => x.IsActive)];
        Assert.Equal([true, true, true], Active(Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1 })));
        Assert.Equal([false, true, false], Active(Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1, Target = "x86_64-unknown-linux-gnu" })));
        Assert.Equal([true, false, false], Active(Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1, Target = "x86_64-pc-windows-msvc" })));
        var linux = Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1, Target = "x86_64-unknown-linux-gnu" });
        Assert.Equal([5], linux.Diagnostics.Where(d => d.Id == "US1001").Select(d => d.Location.StartLine));
    }

    [Fact]
    public void TheTargetSectionFixesFeaturesAndExtraCfgsAndTheTripleUnlessTargetOverridesIt()
    {
        using var folder = new TempFolder("unsafescope-target-section-");
        folder.Write("Cargo.toml", "[package]\nname = \"feat\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        folder.Write("src/lib.rs", """
            #[cfg(feature = "nightly")]
            pub fn a(p: *const u8) -> u8 { unsafe { *p } }
            #[cfg(feature = "std")]
            pub fn b(p: *const u8) -> u8 { unsafe { *p } }
            #[cfg(tokio_unstable)]
            pub fn c(p: *const u8) -> u8 { unsafe { *p } }
            #[cfg(backend = "pio")]
            pub fn d(p: *const u8) -> u8 { unsafe { *p } }
            #[cfg(windows)]
            pub fn e(p: *const u8) -> u8 { unsafe { *p } }
            #[cfg(some_other_cfg)]
            pub fn f(p: *const u8) -> u8 { unsafe { *p } }
            """);
        var config = UnsafeScopeConfig.Parse("""
            [target]
            triple = "x86_64-pc-windows-msvc"
            features = ["nightly"]
            cfg = ["tokio_unstable", 'backend = "mmio"']
            """, Path.Combine(folder.Path, "unsafescope.toml"));
        Assert.Equal(new TargetSettings("x86_64-pc-windows-msvc", ["nightly"], ["tokio_unstable", "backend = \"mmio\""]).Describe(), config.Target.Describe());
        static List<bool> Active(AnalysisResult r) => [.. r.Files.SelectMany(f => f.Inventory!.Regions).Where(x => x.Kind == RegionKind.UnsafeBlock).OrderBy(x => x.StartLine).Select(x => x.IsActive)];
        // nightly on, std off (features are exactly the listed ones), tokio_unstable on, backend has only "mmio",
        // windows from the triple, an unlisted name-only cfg unknown (kept active).
        var windows = Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1, Configuration = config });
        Assert.Equal([true, false, true, false, true, true], Active(windows));
        Assert.Equal([2, 6, 10, 12], windows.Diagnostics.Where(d => d.Id == "US1001").Select(d => d.Location.StartLine).Order());
        // --target replaces the triple only; the features and cfgs still hold.
        var linux = Analysis.Run(new AnalysisOptions { Paths = [folder.Path], Jobs = 1, Configuration = config, Target = "x86_64-unknown-linux-gnu" });
        Assert.Equal([true, false, true, false, false, true], Active(linux));
    }

    [Theory]
    [InlineData("[target]\ntriple = \"linux\"\n", "unsafescope.toml:2: 'linux' is not a target triple")]
    [InlineData("[target]\nfeatures = \"std\"\n", "unsafescope.toml:2: expected a list")]
    [InlineData("[target]\ncfg = [\"a b\"]\n", "unsafescope.toml:2: cfg 'a b' is not a name or name = \"value\"")]
    [InlineData("[target]\narch = \"x86\"\n", "unsafescope.toml:2: unknown key 'arch' in [target] (expected triple, features or cfg)")]
    public void ABadTargetSectionNamesTheFileAndLine(string toml, string expected)
        => Assert.StartsWith(expected, Assert.Throws<ConfigurationException>(() => UnsafeScopeConfig.Parse(toml, "unsafescope.toml")).Message, StringComparison.Ordinal);

    [Fact]
    public void ATargetWithOnlyFeaturesLeavesTheTargetCfgsUnknown()
    {
        var t = TargetConfiguration.Unspecified.With(["std"], ["x"]);
        Assert.Null(t.Value("unix"));
        Assert.Null(t.Value("target_os=\"linux\""));
        Assert.True(t.Value("feature=\"std\""));
        Assert.False(t.Value("feature=\"alloc\""));
        Assert.True(t.Value("x"));
        Assert.Null(t.Value("y"));
        Assert.Null(TargetConfiguration.Parse("x86_64-unknown-linux-gnu")!.Value("feature=\"std\""));
    }

    [Fact]
    public void AnInvalidTargetFailsTheSetupClearly()
        => Assert.Contains("not a target triple", Assert.Throws<ArgumentException>(() => Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("rules", "US1002-cfg")], Target = "nonsense" })).Message, StringComparison.Ordinal);

    private static UnsafeOperation Op(int at, string cfg)
        => new(OperationKind.UnsafeCall, "f", new Location("a.rs", new TextSpan(at, 1), new LinePositionSpan(new LinePosition(0, at), new LinePosition(0, at + 1)))) { Cfg = cfg };
}
