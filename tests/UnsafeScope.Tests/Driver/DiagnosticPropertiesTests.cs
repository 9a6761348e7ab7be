using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Analyzers.Rules.Suppression;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Driver;

// A finding keeps its fingerprint as a number and its region's score as a reference to the region; what it shows as
// properties must be what the dictionaries it replaced gave: the rule's own properties, the region's score, factors and
// kind unless the rule set a score, and the fingerprint over anything the rule called that.
public class DiagnosticPropertiesTests
{
    private static readonly string[] Keys = ["score", "scoreFactors", "regionKind", Fingerprints.PropertyKey, "x"];

    private static Diagnostic Finding(ImmutableDictionary<string, string> properties) =>
        Diagnostic.Create(SuppressionRulesAnalyzer.Malformed, new Location("src/lib.rs", new TextSpan(0, 1), default), properties: properties, messageArgs: "m");

    private static UnsafeRegion Region(int score, (string Name, int Points)[] factors) => new()
    {
        Kind = RegionKind.UnsafeBlock,
        Location = Location.None,
        Item = "f",
        Score = score,
        ScoreFactors = [.. factors.Select(f => new ScoreFactor(f.Name, f.Points, ""))],
    };

    [Property]
    public Property PropertiesAreWhatTheDictionariesGave(bool[] present, string?[] values, bool scored, int score, int points, ulong key, byte index, bool fingerprinted)
    {
        var own = ImmutableDictionary<string, string>.Empty;
        for (int i = 0; i < Keys.Length && i < present.Length; i++)
            if (present[i]) own = own.SetItem(Keys[i], values.ElementAtOrDefault(i) ?? "v" + i);
        var region = Region(score, [("no-safety-comment", points), ("raw-pointer", -points)]);

        // The dictionaries as they were built before.
        var expected = own;
        if (scored && !expected.ContainsKey("score"))
            expected = expected.SetItem("score", score.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .SetItem("scoreFactors", string.Join("; ", region.ScoreFactors.Select(f => $"{f.Name} {f.Points}")))
                .SetItem("regionKind", RegionKinds.Name(region.Kind));
        if (fingerprinted) expected = expected.SetItem(Fingerprints.PropertyKey, $"{key:x16}:{index}");

        var d = Finding(own);
        if (scored && !d.HasProperty("score")) d = d.WithScoredRegion(region);
        if (fingerprinted) d = d.WithFingerprint(key, index);
        d = d.WithSeverity(DiagnosticSeverity.Error).WithSuppression(new Suppression("inSource", "r"));

        bool same = d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(expected.OrderBy(p => p.Key, StringComparer.Ordinal));
        bool lookups = Keys.All(k => d.GetProperty(k) == expected.GetValueOrDefault(k) && d.HasProperty(k) == expected.ContainsKey(k));
        return (same && lookups && d.Fingerprint == expected.GetValueOrDefault(Fingerprints.PropertyKey))
            .Label($"got {string.Join(", ", d.Properties.Select(p => p.Key + "=" + p.Value))}");
    }

    [Fact]
    public void FingerprintAndScoreReadAsProperties()
    {
        var d = Finding(ImmutableDictionary<string, string>.Empty.Add("x", "1"))
            .WithScoredRegion(Region(40, [("no-safety-comment", -30), ("size", -30)]))
            .WithFingerprint(0xabcUL, 2);
        Assert.Equal("0000000000000abc:2", d.Fingerprint);
        Assert.Equal("0000000000000abc:2", d.Properties[Fingerprints.PropertyKey]);
        Assert.Equal("40", d.Properties["score"]);
        Assert.Equal("no-safety-comment -30; size -30", d.Properties["scoreFactors"]);
        Assert.Equal("unsafe_block", d.Properties["regionKind"]);
        Assert.Equal("1", d.Properties["x"]);
    }

    [Fact]
    public void WithPropertiesSetsExactlyTheGivenOnes()
    {
        var d = Finding(ImmutableDictionary<string, string>.Empty).WithScoredRegion(Region(90, [])).WithFingerprint(1, 0);
        var replaced = d.WithProperties(d.Properties.Remove(Fingerprints.PropertyKey).Remove("score"));
        Assert.False(replaced.HasProperty(Fingerprints.PropertyKey));
        Assert.Null(replaced.Fingerprint);
        Assert.Equal(["regionKind", "scoreFactors"], replaced.Properties.Keys.Order(StringComparer.Ordinal));
    }
}
