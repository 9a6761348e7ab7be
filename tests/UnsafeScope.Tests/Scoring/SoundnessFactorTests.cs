using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Scoring;

/// <summary>The score's soundness factors (exposure, unchecked inputs, Rudra's classes) on the fixture corpus/fixtures/soundness.</summary>
public sealed partial class SoundnessFactorTests
{
    private static readonly HashSet<string> s_soundness =
        ["exposed", "unchecked-input", "send-sync-variance", "uninit-exposure", "user-code-in-unsafe", "unbounded-lifetime", "generic-transmute", "vague-safety-comment", "trusts-overridable", "trusts-safe-writer"];

    private static AnalysisResult Analyze(string dir, int jobs = 1) => Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = jobs });

    [GeneratedRegex(@"//~ factors: (.*)$")]
    private static partial Regex Expectation();

    [Theory]
    [InlineData("soundness", 27)]
    [InlineData("soundness-2015", 2)]
    public void EveryRegionHasExactlyTheFactorsItsLineExpects(string fixture, int count)
    {
        var dir = RepoPaths.Fixtures(fixture);
        var lines = File.ReadAllLines(Path.Combine(dir, "src/lib.rs"));
        var regions = Analyze(dir).Files.Single().Inventory!.Regions.Where(r => r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn or RegionKind.UnsafeImpl).ToList();
        Assert.Equal(count, regions.Count);
        foreach (var r in regions)
        {
            var m = Expectation().Match(lines[r.StartLine - 1]);
            var expected = m.Success ? m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList() : [];
            var got = r.ScoreFactors.Select(f => f.Name).Where(s_soundness.Contains).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(got), $"line {r.StartLine} ({r.Item}): expected [{string.Join(", ", expected)}], got [{string.Join(", ", got)}]");
        }
        // Every factor has a case in the main fixture.
        if (fixture == "soundness")
            Assert.Subset(regions.SelectMany(r => r.ScoreFactors).Select(f => f.Name).ToHashSet(), s_soundness);
    }

    [Fact]
    public void FactorsExplainThemselves()
    {
        var regions = Analyze(RepoPaths.Fixtures("soundness")).Files.Single().Inventory!.Regions;
        string Detail(string item, string factor) => regions.First(r => r.Item == item && r.Kind == RegionKind.UnsafeBlock).ScoreFactors.Single(f => f.Name == factor).Detail;
        Assert.Equal("parameter i reaches get_unchecked unchecked (through j)", Detail("Buf::get", "unchecked-input"));
        Assert.Equal("in Buf::get, which safe code of other crates calls", Detail("Buf::get", "exposed"));
        Assert.Equal("reached from Buf::address (exported, safe) through 1 call(s)", Detail("helper", "exposed"));
        Assert.Equal("private unsafe fn reached from first_byte (exported, safe) through 1 call(s)",
            regions.Single(r => r.Item == "first" && r.Kind == RegionKind.UnsafeFn).ScoreFactors.Single(f => f.Name == "exposed").Detail);
        Assert.Equal("Buf::slice returns &'a [T] not bound by its inputs", Detail("Buf::slice", "unbounded-lifetime"));
        Assert.Equal("Buf::fill calls f, user code, while set_len leaves an invariant broken (Rudra's panic safety)", Detail("Buf::fill", "user-code-in-unsafe"));
        Assert.Equal("dup_first calls clone, user code, while read leaves an invariant broken (Rudra's panic safety)", Detail("dup_first", "user-code-in-unsafe"));
        Assert.Equal("its SAFETY comment names none of the operands or preconditions of get_unchecked", Detail("peek", "vague-safety-comment"));
        Assert.Equal("n comes from size_hint(), which a caller's impl supplies, and reaches set_len unchecked", Detail("collect_hinted", "trusts-overridable"));
        Assert.Equal("it.size_hint(), which a caller's impl supplies, is passed unchecked to set_len", Detail("collect_direct", "trusts-overridable"));
        Assert.Equal("the check on line 171 trusts self.message_type_id(), which an impl can override", Detail("dyn Message::downcast_ref", "trusts-overridable"));
        Assert.Equal("self.ptr is set by RawView::new (safe, reachable by safe callers) from its raw-pointer parameter ptr: *const u8, and reaches from_raw_parts unchecked",
            Detail("RawView::as_slice", "trusts-safe-writer"));
        Assert.Equal("self.target is set by Mapped::map (safe, reachable by safe callers) from what its parameter f (code the caller chose) returns, and reaches a dereference unchecked",
            Detail("Mapped::get", "trusts-safe-writer"));
        var impl = regions.First(r => r.Kind == RegionKind.UnsafeImpl);
        Assert.Equal("unsafe impl Send for Buf: T without a Send bound (Rudra's SendSyncVariance)", impl.ScoreFactors.Single(f => f.Name == "send-sync-variance").Detail);
    }

    [Fact]
    public void AThinSafeWrapperSurfacesWithItsPrivateHelpersScore()
    {
        var result = Analyze(RepoPaths.Fixtures("soundness"));
        var crate = Assert.Single(result.Crates);
        var wrapper = Assert.Single(crate.ExposedFunctions, e => e.Item == "Buf::address");
        var helper = result.Files.Single().Inventory!.Regions.Single(r => r.Item == "helper" && r.Kind == RegionKind.UnsafeBlock);
        Assert.Equal(0, wrapper.Exposure);
        Assert.Equal(["src/lib.rs:helper"], wrapper.Reaches.ToArray());
        Assert.Equal(helper.Score, wrapper.Score);
        // Not reached from the exported safe API, and unsafe fns (their callers carry the contract): not listed.
        Assert.DoesNotContain(crate.ExposedFunctions, e => e.Item is "unused" or "deref");
    }

    /// <summary>
    /// Safe code that unsafe code trusts: the safe functions that set a field from their caller's raw pointer, unchecked
    /// integer or closure result, each with the blocks that use it; a checked setter (truncate) and a pointer the crate
    /// made itself (Owned::new) are not listed.
    /// </summary>
    [Fact]
    public void SafeWritersThatUnsafeCodeTrustsAreListed()
    {
        var crate = Assert.Single(Analyze(RepoPaths.Fixtures("soundness")).Crates);
        Assert.Equal(
            [
                "RawView::new self.len from its parameter len: usize, unchecked <- src/lib.rs:205",
                "RawView::new self.ptr from its raw-pointer parameter ptr: *const u8 <- src/lib.rs:205",
                "RawView::set_len self.len from its parameter len: usize, unchecked <- src/lib.rs:205",
                "Mapped::map self.target from what its parameter f (code the caller chose) returns <- src/lib.rs:221",
            ],
            crate.TrustedSafeFunctions.Select(t => $"{t.Item} {t.Field} {t.Source} <- {string.Join(", ", t.TrustedBy)}").ToArray());
        Assert.All(crate.TrustedSafeFunctions, t => Assert.Equal(0, t.Exposure));
    }

    [Fact]
    public void CachedShardedAndParallelRunsGiveTheSameScores()
    {
        var dir = RepoPaths.Fixtures("soundness");
        using var cache = new TempFolder("unsafescope-soundness-cache-");
        var options = new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 2, CacheDirectory = cache.Path };
        var cold = Analysis.Run(options);
        var warm = Analysis.Run(options);
        Assert.True(warm.CacheHits > 0);
        var merged = Analysis.Merge([.. Enumerable.Range(1, 2).Select(i => Analysis.RunPartial(options with { CacheDirectory = null }, new AnalysisShard(i, 2)))], options with { CacheDirectory = null });
        static string Scores(AnalysisResult r) => string.Join("\n", r.Files.SelectMany(f => f.Inventory?.Regions ?? []).Select(x => $"{x.Item}:{x.StartLine} {x.Score} {string.Join(",", x.ScoreFactors)}"))
            + string.Join("\n", r.Crates.SelectMany(c => c.ExposedFunctions).Select(e => e.ToString() + string.Join(",", e.Reaches)))
            + string.Join("\n", r.Crates.SelectMany(c => c.TrustedSafeFunctions).Select(e => e.ToString() + string.Join(",", e.TrustedBy)));
        Assert.Equal(Scores(cold), Scores(warm));
        Assert.Equal(Scores(cold), Scores(merged));
        Assert.Equal(Scores(cold), Scores(Analyze(dir)));
    }

    /// <summary>
    /// A chain of private helpers below one exported safe function, the unsafe block at depth k: the block's exposure
    /// is k calls, whatever order the functions are written in, and an uncalled chain is not exposed.
    /// </summary>
    [Property(MaxTest = 20)]
    public Property ExposureIsTheCallDistanceFromTheExportedApi()
    {
        var gen = from k in Gen.Choose(0, 5)
                  from reversed in Gen.Elements(true, false)
                  from called in Gen.Elements(true, false)
                  select (k, reversed, called);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (k, reversed, called) = t;
            using var dir = new TempFolder("unsafescope-exposure-");
            dir.Write("Cargo.toml", "[package]\nname = \"chain\"\nversion = \"0.1.0\"\n");
            var fns = Enumerable.Range(0, k + 1).Select(i => i == k
                ? $"{(i == 0 && called ? "pub " : "")}fn f{i}(p: *const u8) -> u8 {{\n    // SAFETY: valid.\n    unsafe {{ *p }}\n}}\n"
                : $"{(i == 0 && called ? "pub " : "")}fn f{i}(p: *const u8) -> u8 {{\n    f{i + 1}(p)\n}}\n").ToList();
            if (reversed) fns.Reverse();
            dir.Write("src/lib.rs", string.Join("\n", fns));
            var block = Analyze(dir.Path).Files.Single().Inventory!.Regions.Single(r => r.Kind == RegionKind.UnsafeBlock);
            var exposed = block.ScoreFactors.SingleOrDefault(f => f.Name == "exposed");
            if (!called) return exposed is null;
            return exposed is not null && (k == 0 ? exposed.Detail == "in f0, which safe code of other crates calls" : exposed.Detail == $"reached from f0 (exported, safe) through {k} call(s)");
        });
    }
}
