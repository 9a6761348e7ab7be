using System.Text.RegularExpressions;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using Xunit;

namespace UnsafeScope.Tests.Scoring;

/// <summary>
/// The driver weights against their calibration pairs (corpus/fixtures/driver-calibration, corpus/driver/README.md):
/// each <c>//~ pair: NAME bad</c> region scores at least the margin below its <c>good</c> counterpart.
/// corpus/driver/calibrate.py finds the smallest weights that do so; this keeps the shipped ones above them.
/// </summary>
public sealed partial class DriverCalibrationTests
{
    private const int Margin = 5;

    [GeneratedRegex(@"pair: (\S+) (bad|good)")]
    private static partial Regex Pair();

    [Fact]
    public void EveryBadFormScoresTheMarginBelowItsGoodForm()
    {
        var dir = RepoPaths.Fixtures("driver-calibration");
        var lines = File.ReadAllLines(Path.Combine(dir, "src/lib.rs"));
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 });
        var pairs = new SortedDictionary<string, Dictionary<string, UnsafeRegion>>(StringComparer.Ordinal);
        foreach (var r in result.Files.Single().Inventory!.Regions)
        {
            int marker = lines[r.StartLine - 1].IndexOf("//~", StringComparison.Ordinal);
            if (marker < 0) continue;
            foreach (Match m in Pair().Matches(lines[r.StartLine - 1][marker..]))
                (pairs.TryGetValue(m.Groups[1].Value, out var p) ? p : pairs[m.Groups[1].Value] = [])[m.Groups[2].Value] = r;
        }
        Assert.Equal(["callback", "global-access", "global-anchor", "global-item", "mmio", "mmio-private", "tier-high", "tier-medium", "tier-unknown"], pairs.Keys);
        foreach (var (name, p) in pairs)
        {
            var (bad, good) = (p["bad"], p["good"]);
            Assert.True(good.Score - bad.Score >= Margin,
                $"{name}: {bad.Item} (line {bad.StartLine}) scores {bad.Score}, {good.Item} (line {good.StartLine}) {good.Score}: less than {Margin} apart");
        }
    }
}
