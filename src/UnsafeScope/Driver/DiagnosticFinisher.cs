using System.Collections.Immutable;
using UnsafeScope.Analyzers.Rules.Suppression;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>
/// The last step of a file's diagnostics: configured severities, the crate's lint levels and allow attributes,
/// suppression comments (and unused or malformed ones), the baseline, score properties, output order.
/// </summary>
internal static class DiagnosticFinisher
{
    /// <summary>Applies configured severities and suppression comments, reports unused and malformed suppressions, sorts.</summary>
    internal static ImmutableArray<Diagnostic> Finish(List<Diagnostic> found, FinishingFacts? facts, UnsafeScopeConfig config, FileInventory? inventory, Baseline? baseline,
        Workspace.LintPolicy? lints = null)
    {
        lints ??= Workspace.LintPolicy.None;
        var output = new List<Diagnostic>(found.Count);
        var used = new HashSet<SuppressionComment>();
        // A file without findings needs no region looked up.
        var scored = inventory is null || found.Count == 0 ? null : ScoredRegionsAt(inventory, found);
        foreach (var reported in found)
        {
            var d = reported;
            var severity = config.EffectiveSeverity(d.Descriptor);
            // unsafescope.toml decides when it sets the rule (or its category); else the crate's own lint levels.
            var crateLevel = config.SeverityOf(d.Descriptor) == ReportSeverity.Default && d.Descriptor.Properties.TryGetValue("equivalent", out var lintName)
                ? lints.LevelOf(lintName) : null;
            if (d.Properties.TryGetValue(DiagnosticProperties.LintDefault, out var lintDefault))
            {
                // The lint is allowed by default here (US1007 before edition 2024): reported only when the crate raises it.
                if (config.SeverityOf(d.Descriptor) == ReportSeverity.Default && crateLevel is not { Level: not Workspace.LintLevel.Allow }) continue;
                d = d.WithProperties(d.Properties.Remove(DiagnosticProperties.LintDefault));
            }
            if (crateLevel is { Level: not Workspace.LintLevel.Allow } raised)
                severity = raised.Level == Workspace.LintLevel.Warn ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
            var diagnostic = severity == d.Severity ? d : d.WithSeverity(severity);
            if (scored is not null && scored.TryGetValue(d.Location.SourceSpan.Start, out var region) && !diagnostic.HasProperty("score"))
                diagnostic = diagnostic.WithScoredRegion(region);
            var suppression = facts?.Suppressions.FirstOrDefault(s => s.TargetLine == d.Location.StartLine && s.Ids.Contains(d.Id, StringComparer.Ordinal));
            if (suppression is not null)
            {
                used.Add(suppression);
                diagnostic = diagnostic.WithSuppression(new Suppression("inSource", suppression.Reason.Length > 0 ? suppression.Reason : "(no reason given)"));
            }
            else if (AllowedByAttribute(d, facts) is { } lint)
            {
                // The crate silenced the equivalent compiler/clippy lint here: honor it, visibly.
                diagnostic = diagnostic.WithSuppression(new Suppression("inSource", $"#[allow({lint})] in the source"));
            }
            else if (crateLevel is { Level: Workspace.LintLevel.Allow, Setting: var allowed })
            {
                diagnostic = diagnostic.WithSuppression(new Suppression("external",
                    allowed.Source == "attribute" ? $"#![allow({allowed.Lint})] at {allowed.Location}" : $"{allowed.Lint} = \"allow\" at {allowed.Location}"));
            }
            output.Add(diagnostic);
        }
        foreach (var s in facts?.Suppressions ?? [])
        {
            if (s.Ids.Length == 0 || s.Reason.Length == 0)
            {
                if (config.IsEnabled(SuppressionRulesAnalyzer.Malformed))
                    output.Add(Diagnostic.Create(SuppressionRulesAnalyzer.Malformed, s.Location, null, null,
                        s.Ids.Length == 0 ? "names no rule id (write `unsafescope-ignore: US1001 -- reason`)" : "gives no reason after `--`")
                        .WithSeverity(config.EffectiveSeverity(SuppressionRulesAnalyzer.Malformed)));
            }
            if (s.Ids.Length > 0 && !used.Contains(s) && config.IsEnabled(SuppressionRulesAnalyzer.Unused))
                output.Add(Diagnostic.Create(SuppressionRulesAnalyzer.Unused, s.Location, null, null, string.Join(", ", s.Ids), s.TargetLine)
                    .WithSeverity(config.EffectiveSeverity(SuppressionRulesAnalyzer.Unused)));
        }
        var ordered = output.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Location.SourceSpan.End).ThenBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Message, StringComparer.Ordinal);
        var final = ImmutableArray.CreateBuilder<Diagnostic>(output.Count);
        foreach (var d in Fingerprints.Assign(ordered, facts is null ? _ => 0UL : facts.LineHash))
        {
            bool known = baseline is not null && !d.IsSuppressed && d.Fingerprint is { } fp && baseline.Fingerprints.Contains(fp);
            final.Add(known ? d.WithSuppression(new Suppression("external", $"present in baseline {Path.GetFileName(baseline!.Path)}")) : d);
        }
        return final.MoveToImmutable();
    }

    /// <summary>The allowed lint equivalent to the diagnostic's rule that covers its location, if any.</summary>
    private static string? AllowedByAttribute(Diagnostic d, FinishingFacts? facts)
    {
        if (facts is null || facts.AllowedLints.Count == 0 || !d.Descriptor.Properties.TryGetValue("equivalent", out var equivalent)) return null;
        var lint = equivalent.StartsWith("rustc::", StringComparison.Ordinal) ? equivalent[7..] : equivalent;
        foreach (var (scope, allowed) in facts.AllowedLints)
            if (allowed == lint && scope.Contains(d.Location.SourceSpan.Start)) return lint;
        return null;
    }

    /// <summary>
    /// For each offset, the innermost scored region whose span holds it (the shortest; the first on a tie). One sweep
    /// over offsets and regions in order: scanning every region per diagnostic was quadratic (40,000 unsafe blocks: 19 s).
    /// </summary>
    private static Dictionary<int, UnsafeRegion> ScoredRegionsAt(FileInventory inventory, List<Diagnostic> found)
    {
        // Without LINQ: this runs for every file with findings (sorting through iterators was 4% of a warm run).
        var all = inventory.Regions;
        // Start and index in one key: sorted, they order by start and then by index, as a stable sort would.
        var regions = new List<long>(all.Length);
        for (int i = 0; i < all.Length; i++)
            if (Scoring.EncapsulationScore.IsScored(all[i].Kind)) regions.Add(((long)all[i].Location.SourceSpan.Start << 32) | (uint)i);
        var result = new Dictionary<int, UnsafeRegion>();
        if (regions.Count == 0) return result;
        regions.Sort();
        var offsets = new int[found.Count];
        for (int i = 0; i < offsets.Length; i++) offsets[i] = found[i].Location.SourceSpan.Start;
        Array.Sort(offsets);
        var open = new List<(UnsafeRegion Region, int Index)>(); // regions started at or before the offset, not yet ended
        int next = 0;
        for (int k = 0; k < offsets.Length; k++)
        {
            int offset = offsets[k];
            if (k > 0 && offsets[k - 1] == offset) continue;
            while (next < regions.Count && (int)(regions[next] >> 32) <= offset)
            {
                int index = (int)(uint)regions[next++];
                open.Add((all[index], index));
            }
            open.RemoveAll(x => x.Region.Location.SourceSpan.End <= offset); // offsets only grow: an ended region never holds a later one
            (UnsafeRegion Region, int Index)? best = null;
            foreach (var x in open)
            {
                if (!x.Region.Location.SourceSpan.Contains(offset)) continue;
                int length = x.Region.Location.SourceSpan.Length;
                if (best is not { } b || length < b.Region.Location.SourceSpan.Length || (length == b.Region.Location.SourceSpan.Length && x.Index < b.Index)) best = x;
            }
            if (best is { } bestFound) result[offset] = bestFound.Region;
        }
        return result;
    }
}
