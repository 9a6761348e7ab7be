using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Reports;
using UnsafeScope.Scoring;

namespace UnsafeScope.Tests.Inventory;

/// <summary>Which safe functions that encapsulate unsafe code a test reaches (driver readiness: tested wrappers).</summary>
public sealed class TestReachTests
{
    private static AnalysisResult Analyze(string dir) => Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 });

    [Fact]
    public void TheFixtureWorkspaceHasTestedUntestedAndTransitivelyTestedWrappers()
    {
        var result = Analyze(RepoPaths.Fixtures("tested-wrappers"));
        var crate = Assert.Single(result.Crates);
        var got = crate.EncapsulatingFunctions.Select(e => $"{e.Item} {e.Path}:{e.Line} {(e.Tested ? "tested from " + e.ReachedFrom : "untested")}");
        Assert.Equal(
        [
            "Register::new src/lib.rs:17 tested from doctest",          // public method of the wrapper type; the doctest calls it first
            "Register::doc_read src/lib.rs:22 tested from doctest",     // only the crate doc's doctest calls it
            "Register::write src/lib.rs:28 tested from tests::writes",  // a unit test calls r.write(…)
            "Register::base src/lib.rs:34 untested",                    // public method of the wrapper type, no caller
            "raw_sum src/lib.rs:40 tested from tests::writes",          // writes → checksum → helpers::sum → crate::raw_sum
            "untested src/lib.rs:54 untested",
            "ignored_doc src/lib.rs:64 untested",                       // an `ignore` doctest does not run
        ], got);
        Assert.Equal(4, crate.TestedEncapsulatingFunctions);

        // Untested wrappers' regions carry the score factor; tested ones do not.
        var regions = result.Files.SelectMany(f => f.Inventory?.Regions ?? []).ToList();
        var untested = regions.Single(r => r.Item == "untested" && r.Kind == RegionKind.UnsafeBlock);
        var factor = Assert.Single(untested.ScoreFactors, f => f.Name == "untested-wrapper");
        Assert.Equal(-ScoreWeights.UntestedWrapper, factor.Points);
        Assert.Equal("no test reaches untested, the safe function that encapsulates it", factor.Detail);
        Assert.DoesNotContain(regions.Single(r => r.Item == "raw_sum" && r.Kind == RegionKind.UnsafeBlock).ScoreFactors, f => f.Name == "untested-wrapper");
        Assert.DoesNotContain(regions.Single(r => r.Item == "raw" && r.Kind == RegionKind.UnsafeBlock).ScoreFactors, f => f.Name == "untested-wrapper");
        Assert.DoesNotContain(regions.Single(r => r.Item == "tests::fixture" && r.Kind == RegionKind.UnsafeBlock).ScoreFactors, f => f.Name == "untested-wrapper");
    }

    [Fact]
    public void TheJsonInventoryCarriesThePerCrateFigure()
    {
        var result = Analyze(RepoPaths.Fixtures("tested-wrappers"));
        using var stream = new MemoryStream();
        InventoryJsonWriter.Write(result, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var figure = doc.RootElement.GetProperty("crates")[0].GetProperty("encapsulatingFunctions");
        Assert.Equal(4, figure.GetProperty("tested").GetInt32());
        Assert.Equal(7, figure.GetProperty("total").GetInt32());
        var first = figure.GetProperty("functions")[0];
        Assert.Equal("Register::new", first.GetProperty("item").GetString());
        Assert.Equal("doctest", first.GetProperty("reachedFrom").GetString());
        Assert.False(figure.GetProperty("functions")[3].TryGetProperty("reachedFrom", out _));
    }

    [Fact]
    public void CachedAndShardedRunsGiveTheSameFigure()
    {
        var dir = RepoPaths.Fixtures("tested-wrappers");
        using var cache = new TempFolder("unsafescope-reach-cache-");
        var options = new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 2, CacheDirectory = cache.Path };
        var cold = Analysis.Run(options);
        var warm = Analysis.Run(options);
        Assert.True(warm.CacheHits > 0);
        var shards = Enumerable.Range(1, 2).Select(i => Analysis.RunPartial(options with { CacheDirectory = null }, new AnalysisShard(i, 2))).ToList();
        var merged = Analysis.Merge(shards, options with { CacheDirectory = null });
        static IEnumerable<string> Figure(AnalysisResult r) => r.Crates.Single().EncapsulatingFunctions.Select(e => e.ToString());
        Assert.Equal(7, Figure(cold).Count());
        Assert.Equal(Figure(cold), Figure(warm));
        Assert.Equal(Figure(cold), Figure(merged));
    }

    /// <summary>
    /// A chain f0 → f1 → … → fn-1 of safe functions, each with an unsafe block, and one test calling f_k: exactly the
    /// functions from f_k on are tested, whatever the order the files list them in.
    /// </summary>
    [Property(MaxTest = 25)]
    public Property ATestReachesExactlyTheRestOfACallChain()
    {
        var gen = from n in Gen.Choose(1, 8)
                  from k in Gen.Choose(0, n - 1)
                  from reversed in Gen.Elements(true, false)
                  select (n, k, reversed);
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var (n, k, reversed) = t;
            using var dir = new TempFolder("unsafescope-reach-");
            dir.Write("Cargo.toml", "[package]\nname = \"chain\"\nversion = \"0.1.0\"\n");
            var fns = Enumerable.Range(0, n).Select(i =>
                $"pub fn f{i}(p: *const u8) -> u8 {{\n    // SAFETY: valid.\n    let v = unsafe {{ *p }};\n    {(i + 1 < n ? $"f{i + 1}(p)" : "v")}\n}}\n").ToList();
            if (reversed) fns.Reverse();
            dir.Write("src/lib.rs", string.Join("\n", fns) + $"\n#[cfg(test)]\nmod tests {{\n    #[test]\n    fn t() {{\n        super::f{k}(&0u8);\n    }}\n}}\n");
            var crate = Analyze(dir.Path).Crates.Single();
            var tested = crate.EncapsulatingFunctions.Where(e => e.Tested).Select(e => e.Item).Order().ToList();
            var expected = Enumerable.Range(k, n - k).Select(i => $"f{i}").Order().ToList();
            return crate.EncapsulatingFunctions.Length == n && tested.SequenceEqual(expected)
                   && crate.EncapsulatingFunctions.Where(e => e.Tested).All(e => e.ReachedFrom == "tests::t");
        });
    }
}
