using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Analyzers;
using UnsafeScope.Analyzers.Rules;
using UnsafeScope.Inventory;
using UnsafeScope.Scoring;

namespace UnsafeScope.Tests.Scoring;

/// <summary>
/// A score factor that mirrors a rule is present exactly when that rule reports the region, under the same rule
/// options: the score and the diagnostics read one predicate per rule, so they cannot disagree.
/// </summary>
[Properties(Arbitrary = [typeof(RegionArbitraries)], MaxTest = 400)]
public class ScoreDiagnosticAgreementProperties
{
    /// <summary>Factor name → the rules whose diagnostics it mirrors.</summary>
    private static readonly (string Factor, string[] Rules)[] s_mirrored =
    [
        ("multiple-operations", ["US1002"]),
        ("no-safety-doc", ["US1003"]),
        ("static-mut", ["US2003"]),
        ("unjustified-send-sync", ["US2004"]),
        ("in-ffi-callback", ["US2005"]),
        ("mmio-outside-type", ["US2006"]),
    ];

    private static readonly ImmutableArray<RustAnalyzer> s_analyzers = BuiltInAnalyzers.Create();

    [Property]
    public Property FactorsAgreeWithDiagnostics(UnsafeRegion generated, PositiveInt maxOperations, bool acceptInvariant, bool strict,
        bool invariantComment, bool exported, bool onRegion)
    {
        var region = generated with
        {
            // Only scored kinds have factors to compare (macro-made unsafe fns, extern items… carry no score).
            Kind = EncapsulationScore.IsScored(generated.Kind) ? generated.Kind : RegionKind.UnsafeBlock,
            HasInvariantComment = invariantComment,
            IsExported = exported,
            SafetyCommentPlacement = generated.HasSafetyComment ? (onRegion ? SafetyCommentPlacement.OnRegion : SafetyCommentPlacement.AboveStatementOrAttributes) : SafetyCommentPlacement.None,
        };
        var byRule = ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty
            .Add("US1002", ImmutableDictionary<string, string>.Empty.Add("max-operations", (maxOperations.Get % 4).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .Add("US1001", ImmutableDictionary<string, string>.Empty.Add("accept-invariant", acceptInvariant ? "true" : "false")
                .Add("accept-comment-above-statement", strict ? "false" : "true"));
        var options = new AnalyzerOptions(byRule);

        var reported = new HashSet<string>(StringComparer.Ordinal);
        var host = new AnalyzerHost(s_analyzers, _ => true, options);
        host.RunFileActions(new FileInventory("a.rs", "c", [region], InventoryCounts.Zero), d => reported.Add(d.Id), CancellationToken.None);

        var factors = EncapsulationScore.Compute(region, ScoringContext.Empty with { Options = options }).Factors.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var disagreements = s_mirrored.Where(m => factors.Contains(m.Factor) != m.Rules.Any(reported.Contains))
            .Select(m => $"{m.Factor} vs {string.Join('/', m.Rules)}").ToList();
        // Undocumented blocks and impls: US1001 outside macro token trees, US2008 inside them.
        if (region.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeImpl
            && factors.Contains("no-safety-comment") != (reported.Contains("US1001") || reported.Contains("US2008")))
            disagreements.Add("no-safety-comment vs US1001/US2008");
        return (disagreements.Count == 0).Label($"{region.Kind} in-macro={region.InMacro}: {string.Join(", ", disagreements)}; factors [{string.Join(", ", factors)}], reported [{string.Join(", ", reported)}]");
    }
}
