using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Reports;

/// <summary>Options of the pull-request summary.</summary>
public sealed record PullRequestSummaryOptions
{
    /// <summary>
    /// Prefix of file links (<c>https://github.com/o/r/blob/SHA</c>): a region at <c>src/a.rs</c> line 7 links to
    /// <c>{LinkBase}/src/a.rs#L7</c>. Null: locations are written as plain <c>path:line</c>.
    /// </summary>
    public string? LinkBase { get; init; }

    /// <summary>At most this many of the worst new (or, without a baseline, current) regions are listed.</summary>
    public int WorstRegions { get; init; } = 10;

    /// <summary>At most this many crate rows (crates with changes first); the rest are counted in one line.</summary>
    public int MaxCrates { get; init; } = 50;

    /// <summary>The defaults.</summary>
    public static PullRequestSummaryOptions Default { get; } = new();
}

/// <summary>
/// The unsafe surface of one run, reduced to what a pull-request summary compares: regions keyed without line numbers
/// (so an edit above a region does not make it "new"), their FFI calls and scores, crate scores and active findings.
/// Read from a run's result or from its JSON inventory, so both sides of a comparison go through the same code.
/// </summary>
public sealed class InventorySnapshot
{
    internal InventorySnapshot(ImmutableArray<SnapshotRegion> regions, ImmutableArray<SnapshotCrate> crates, ImmutableArray<SnapshotFinding> findings, bool hasInventory)
    {
        Regions = regions;
        Crates = crates;
        Findings = findings;
        HasInventory = hasInventory;
    }

    internal ImmutableArray<SnapshotRegion> Regions { get; }
    internal ImmutableArray<SnapshotCrate> Crates { get; }

    /// <summary>The crate of each file that holds regions (the first region's, as files belong to one crate).</summary>
    internal IReadOnlyDictionary<string, string> CrateByPath => _crateByPath ??= Regions.GroupBy(r => r.Path, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Crate, StringComparer.Ordinal);

    private Dictionary<string, string>? _crateByPath;

    /// <summary>Unsuppressed findings only (a suppressed finding is neither new nor fixed).</summary>
    internal ImmutableArray<SnapshotFinding> Findings { get; }

    /// <summary>False for a SARIF baseline: it has findings but no regions, crates or scores.</summary>
    public bool HasInventory { get; }

    private const long MaxBaselineBytes = 1L << 30;

    /// <summary>The snapshot of a run's result.</summary>
    public static InventorySnapshot From(AnalysisResult result)
    {
        var regions = ImmutableArray.CreateBuilder<SnapshotRegion>();
        var findings = ImmutableArray.CreateBuilder<SnapshotFinding>();
        foreach (var f in result.Files)
        {
            if (f.Inventory is { } inv)
                foreach (var r in inv.Regions)
                    regions.Add(new SnapshotRegion(f.Path, inv.Crate, RegionKinds.Name(r.Kind), r.Item, r.Name, r.StartLine,
                        Scoring.EncapsulationScore.IsScored(r.Kind) ? r.Score : null, r.Operations.Length, [.. r.FfiCalls.Select(c => (c.Name, c.Risk))]));
            foreach (var d in f.Diagnostics)
                if (!d.IsSuppressed && d.Severity != Diagnostics.DiagnosticSeverity.Hidden)
                    findings.Add(new SnapshotFinding(d.Id, Level(d.Severity), f.Path, d.Location.StartLine, d.Message,
                        d.Fingerprint ?? ""));
        }
        var crates = result.Crates.Select(c => new SnapshotCrate(c.Name, c.Score)).ToImmutableArray();
        return new InventorySnapshot(regions.ToImmutable(), crates, findings.ToImmutable(), hasInventory: true);
    }

    /// <summary>
    /// Reads an earlier <c>--json</c> inventory (regions, crates, findings) or <c>--sarif</c> log (findings only).
    /// Throws <see cref="InvalidDataException"/> with the reason when it is neither.
    /// </summary>
    public static InventorySnapshot Load(string path)
    {
        try
        {
            // A baseline may sit in the analyzed checkout: read it as untrusted (regular file, capped).
            using var doc = JsonDocument.Parse(IO.UntrustedFile.ReadAllBytes(path, MaxBaselineBytes));
            return Read(doc.RootElement, path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path} cannot be read: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // A property of the wrong JSON type or a missing one: not an output of this tool.
            throw new InvalidDataException($"{path} is not an UnsafeScope JSON inventory or SARIF log: {e.Message}", e);
        }
    }

    private static InventorySnapshot Read(JsonElement root, string path)
    {
        var regions = ImmutableArray.CreateBuilder<SnapshotRegion>();
        var findings = ImmutableArray.CreateBuilder<SnapshotFinding>();
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("files", out var files))
        {
            foreach (var f in files.EnumerateArray())
            {
                var file = f.GetProperty("path").GetString() ?? "";
                var crate = f.TryGetProperty("crate", out var c) ? c.GetString() ?? "" : "";
                if (f.TryGetProperty("regions", out var rs))
                    foreach (var r in rs.EnumerateArray())
                        regions.Add(new SnapshotRegion(file, crate, r.GetProperty("kind").GetString() ?? "", r.GetProperty("item").GetString() ?? "",
                            r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", r.GetProperty("startLine").GetInt32(),
                            r.TryGetProperty("score", out var s) ? s.GetInt32() : null, r.GetProperty("operations").GetArrayLength(),
                            [.. r.GetProperty("ffiCalls").EnumerateArray().Select(x => (x.GetProperty("name").GetString() ?? "", x.GetProperty("risk").GetString() ?? ""))]));
                if (f.TryGetProperty("diagnostics", out var ds))
                    foreach (var d in ds.EnumerateArray())
                        if (!d.TryGetProperty("suppressed", out _))
                            findings.Add(new SnapshotFinding(d.GetProperty("ruleId").GetString() ?? "", d.GetProperty("level").GetString() ?? "", file,
                                d.GetProperty("line").GetInt32(), d.GetProperty("message").GetString() ?? "",
                                d.TryGetProperty("fingerprint", out var fp) ? fp.GetString() ?? "" : ""));
            }
            var crates = root.TryGetProperty("crates", out var cs)
                ? cs.EnumerateArray().Select(x => new SnapshotCrate(x.GetProperty("name").GetString() ?? "", x.GetProperty("score").GetInt32())).ToImmutableArray()
                : [];
            return new InventorySnapshot(regions.ToImmutable(), crates, findings.ToImmutable(), hasInventory: true);
        }
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("runs", out var runs))
        {
            foreach (var run in runs.EnumerateArray())
            {
                if (!run.TryGetProperty("results", out var results)) continue;
                foreach (var r in results.EnumerateArray())
                {
                    if (r.TryGetProperty("suppressions", out var sup) && sup.GetArrayLength() > 0) continue;
                    var loc = r.TryGetProperty("locations", out var ls) && ls.GetArrayLength() > 0 ? ls[0].GetProperty("physicalLocation") : default;
                    var file = loc.ValueKind == JsonValueKind.Object && loc.TryGetProperty("artifactLocation", out var a) && a.TryGetProperty("uri", out var u) ? u.GetString() ?? "" : "";
                    var line = loc.ValueKind == JsonValueKind.Object && loc.TryGetProperty("region", out var rg) && rg.TryGetProperty("startLine", out var sl) ? sl.GetInt32() : 0;
                    var fp = r.TryGetProperty("partialFingerprints", out var pf) && pf.TryGetProperty(Diagnostics.Fingerprints.PropertyKey, out var v) ? v.GetString() ?? "" : "";
                    findings.Add(new SnapshotFinding(r.TryGetProperty("ruleId", out var id) ? id.GetString() ?? "" : "",
                        r.TryGetProperty("level", out var lv) ? lv.GetString() ?? "warning" : "warning", Uri.UnescapeDataString(file), line,
                        r.TryGetProperty("message", out var m) && m.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "", fp));
                }
            }
            return new InventorySnapshot([], [], findings.ToImmutable(), hasInventory: false);
        }
        throw new InvalidDataException($"{path} is neither an UnsafeScope JSON inventory nor a SARIF log.");
    }

    internal static string Level(Diagnostics.DiagnosticSeverity s) => s switch
    {
        Diagnostics.DiagnosticSeverity.Error => "error",
        Diagnostics.DiagnosticSeverity.Warning => "warning",
        _ => "note",
    };
}

/// <summary>A region as the summary compares it. Score is null for kinds that are not scored.</summary>
internal sealed record SnapshotRegion(string Path, string Crate, string Kind, string Item, string Name, int Line, int? Score, int Operations, ImmutableArray<(string Name, string Risk)> Ffi)
{
    /// <summary>Identity without line numbers: file, kind, enclosing item and name.</summary>
    public (string, string, string, string) Key => (Path, Kind, Item, Name);
}

internal sealed record SnapshotCrate(string Name, int Score);

internal sealed record SnapshotFinding(string RuleId, string Level, string Path, int Line, string Message, string Fingerprint);

/// <summary>
/// GitHub-flavoured markdown for <c>$GITHUB_STEP_SUMMARY</c>: did this change grow or shrink the unsafe surface?
/// Against a baseline: regions added and removed per crate, FFI calls added by risk, score change, new and fixed
/// findings, and the worst new regions; without one, the current totals. Deterministic for the same inputs.
/// </summary>
public static class PullRequestSummary
{
    private static readonly string[] s_risks = ["high", "medium", "low", "unknown"];

    /// <summary>Writes the summary of <paramref name="current"/> compared with <paramref name="baseline"/> (null: totals only).</summary>
    public static string Render(InventorySnapshot current, InventorySnapshot? baseline, PullRequestSummaryOptions? options = null)
    {
        options ??= PullRequestSummaryOptions.Default;
        var sb = new StringBuilder();
        sb.Append("## UnsafeScope: unsafe surface\n\n");
        if (baseline is null) Totals(sb, current, options);
        else Compare(sb, current, baseline, options);
        return sb.ToString();
    }

    private static void Totals(StringBuilder sb, InventorySnapshot current, PullRequestSummaryOptions options)
    {
        var byCrate = current.Regions.GroupBy(r => r.Crate).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var crateOf = current.CrateByPath;
        var findingsByPath = current.Findings.GroupBy(f => crateOf.GetValueOrDefault(f.Path) ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        sb.Append(Invariant($"{current.Regions.Length} unsafe regions, {FfiByRisk(current.Regions.SelectMany(r => r.Ffi))}, {current.Findings.Length} findings. No baseline given: these are the current totals.\n\n"));
        sb.Append("| Crate | Regions | FFI calls (high/medium/low/unknown) | Score | Findings |\n|---|---:|---|---:|---:|\n");
        var rows = current.Crates.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        foreach (var c in rows.Take(options.MaxCrates))
        {
            var regions = byCrate.GetValueOrDefault(c.Name) ?? [];
            sb.Append(Invariant($"| {Cell(c.Name)} | {regions.Count} | {RiskCells(regions.SelectMany(r => r.Ffi))} | {c.Score} | {findingsByPath.GetValueOrDefault(c.Name)} |\n"));
        }
        if (rows.Count > options.MaxCrates) sb.Append(Invariant($"\n… and {rows.Count - options.MaxCrates} more crates.\n"));
        Worst(sb, "Worst regions", current.Regions, options);
    }

    private static void Compare(StringBuilder sb, InventorySnapshot current, InventorySnapshot baseline, PullRequestSummaryOptions options)
    {
        var baseFingerprints = baseline.Findings.Select(f => f.Fingerprint).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        var currentFingerprints = current.Findings.Select(f => f.Fingerprint).Where(f => f.Length > 0).ToHashSet(StringComparer.Ordinal);
        var newFindings = current.Findings.Where(f => !baseFingerprints.Contains(f.Fingerprint)).ToList();
        var fixedFindings = baseline.Findings.Where(f => !currentFingerprints.Contains(f.Fingerprint)).ToList();

        if (!baseline.HasInventory)
        {
            sb.Append("The baseline is a SARIF log: it holds findings but no regions or scores, so only findings are compared (give an earlier `--json` output as `--baseline` for the region, FFI and score changes).\n\n");
            Findings(sb, newFindings, fixedFindings, options);
            return;
        }

        var (added, removed) = Diff(current.Regions, baseline.Regions);
        var ffiAdded = FfiAdded(current.Regions, baseline.Regions);
        int baseScore = Rollup(baseline.Regions), score = Rollup(current.Regions);
        sb.Append(Invariant($"**{Signed(added.Count - removed.Count)} unsafe regions** ({added.Count} added, {removed.Count} removed), "));
        sb.Append(Invariant($"**{ffiAdded.Count} FFI calls added** ({FfiByRisk(ffiAdded.Select(x => (x.Name, x.Risk)))}), score {baseScore} → {score} ({Signed(score - baseScore)}), "));
        sb.Append(Invariant($"{newFindings.Count} new and {fixedFindings.Count} fixed findings.\n\n"));

        var crateNames = current.Crates.Select(c => c.Name).Concat(baseline.Crates.Select(c => c.Name))
            .Concat(added.Select(r => r.Crate)).Concat(removed.Select(r => r.Crate)).Distinct(StringComparer.Ordinal).ToList();
        // Findings per crate, by the crate of their file's regions (one lookup per finding, not a scan).
        var newByCrate = newFindings.GroupBy(f => current.CrateByPath.GetValueOrDefault(f.Path) ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var fixedByCrate = fixedFindings.GroupBy(f => baseline.CrateByPath.GetValueOrDefault(f.Path) ?? "").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var rows = new List<(bool Changed, string Name, string Row)>();
        foreach (var name in crateNames)
        {
            var before = baseline.Crates.FirstOrDefault(c => c.Name == name);
            var after = current.Crates.FirstOrDefault(c => c.Name == name);
            int a = added.Count(r => r.Crate == name), d = removed.Count(r => r.Crate == name);
            var ffi = ffiAdded.Where(x => x.Crate == name).Select(x => (x.Name, x.Risk)).ToList();
            int nf = newByCrate.GetValueOrDefault(name), ff = fixedByCrate.GetValueOrDefault(name);
            var scoreCell = (before, after) switch
            {
                (null, { } x) => Invariant($"new: {x.Score}"),
                ({ } x, null) => Invariant($"{x.Score} → removed"),
                ({ } x, { } y) => Invariant($"{x.Score} → {y.Score} ({Signed(y.Score - x.Score)})"),
                _ => "",
            };
            bool changed = a + d + ffi.Count + nf + ff > 0 || before?.Score != after?.Score;
            rows.Add((changed, name, Invariant($"| {Cell(name)} | +{a} / −{d} | {RiskCells(ffi)} | {scoreCell} | +{nf} / −{ff} |\n")));
        }
        var shown = rows.Where(r => r.Changed).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        if (shown.Count == 0)
        {
            sb.Append("No crate changed its unsafe surface.\n");
        }
        else
        {
            sb.Append("| Crate | Regions added / removed | FFI calls added (high/medium/low/unknown) | Score | Findings new / fixed |\n|---|---:|---|---|---:|\n");
            foreach (var r in shown.Take(options.MaxCrates)) sb.Append(r.Row);
            if (shown.Count > options.MaxCrates) sb.Append(Invariant($"\n… and {shown.Count - options.MaxCrates} more changed crates.\n"));
            var unchanged = rows.Count - shown.Count;
            if (unchanged > 0) sb.Append(Invariant($"\n{unchanged} other crate(s) unchanged.\n"));
        }
        Worst(sb, "Worst new regions", added, options);
        Findings(sb, newFindings, fixedFindings, options);
    }

    /// <summary>Regions in one snapshot and not the other, matched by key; within a key the later occurrences are the new ones.</summary>
    internal static (List<SnapshotRegion> Added, List<SnapshotRegion> Removed) Diff(ImmutableArray<SnapshotRegion> current, ImmutableArray<SnapshotRegion> baseline)
    {
        static Dictionary<(string, string, string, string), List<SnapshotRegion>> Group(ImmutableArray<SnapshotRegion> rs)
        {
            var map = new Dictionary<(string, string, string, string), List<SnapshotRegion>>();
            foreach (var r in rs.OrderBy(r => r.Line))
            {
                if (!map.TryGetValue(r.Key, out var list)) map[r.Key] = list = [];
                list.Add(r);
            }
            return map;
        }
        var now = Group(current);
        var before = Group(baseline);
        var added = now.SelectMany(kv => kv.Value.Skip(before.GetValueOrDefault(kv.Key)?.Count ?? 0)).ToList();
        var removed = before.SelectMany(kv => kv.Value.Skip(now.GetValueOrDefault(kv.Key)?.Count ?? 0)).ToList();
        return (added, removed);
    }

    /// <summary>FFI calls (name and risk) per region key that the current snapshot has more of than the baseline.</summary>
    private static List<(string Crate, string Name, string Risk)> FfiAdded(ImmutableArray<SnapshotRegion> current, ImmutableArray<SnapshotRegion> baseline)
    {
        static Dictionary<(string, string, string, string, string, string), (string Crate, int Count)> Count(ImmutableArray<SnapshotRegion> rs)
        {
            var map = new Dictionary<(string, string, string, string, string, string), (string, int)>();
            foreach (var r in rs)
                foreach (var (name, risk) in r.Ffi)
                {
                    var key = (r.Path, r.Kind, r.Item, r.Name, name, risk);
                    map[key] = (r.Crate, map.GetValueOrDefault(key).Item2 + 1);
                }
            return map;
        }
        var before = Count(baseline);
        var result = new List<(string, string, string)>();
        foreach (var (key, (crate, count)) in Count(current))
            for (int i = before.GetValueOrDefault(key).Count; i < count; i++) result.Add((crate, key.Item5, key.Item6));
        return result;
    }

    private static void Worst(StringBuilder sb, string title, IEnumerable<SnapshotRegion> regions, PullRequestSummaryOptions options)
    {
        var worst = regions.Where(r => r.Score is not null).OrderBy(r => r.Score).ThenBy(r => r.Path, StringComparer.Ordinal).ThenBy(r => r.Line)
            .Take(options.WorstRegions).ToList();
        if (worst.Count == 0) return;
        sb.Append(Invariant($"\n### {title}\n\n| Score | Region | Item | FFI calls | Where |\n|---:|---|---|---:|---|\n"));
        foreach (var r in worst)
            sb.Append(Invariant($"| {r.Score} | {r.Kind.Replace('_', ' ')} | {Code(r.Item.Length > 0 ? r.Item : "(crate root)")} | {r.Ffi.Length} | {Link(r.Path, r.Line, options)} |\n"));
    }

    private static void Findings(StringBuilder sb, List<SnapshotFinding> added, List<SnapshotFinding> fixedOnes, PullRequestSummaryOptions options)
    {
        if (added.Count == 0 && fixedOnes.Count == 0) return;
        sb.Append(Invariant($"\n### Findings: {added.Count} new, {fixedOnes.Count} fixed\n\n"));
        if (added.Count == 0) return;
        sb.Append("| Level | Rule | Message | Where |\n|---|---|---|---|\n");
        var order = added.OrderBy(f => f.Level switch { "error" => 0, "warning" => 1, _ => 2 })
            .ThenBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.RuleId, StringComparer.Ordinal).ToList();
        foreach (var f in order.Take(options.WorstRegions * 2))
            sb.Append(Invariant($"| {f.Level} | {f.RuleId} | {Cell(f.Message)} | {Link(f.Path, f.Line, options)} |\n"));
        if (order.Count > options.WorstRegions * 2) sb.Append(Invariant($"\n… and {order.Count - options.WorstRegions * 2} more new findings (see code scanning).\n"));
    }


    private static int Rollup(ImmutableArray<SnapshotRegion> regions)
    {
        // The weighting of EncapsulationScore.Rollup (1 + operations), so the total matches the reports' crate scores.
        long total = 0, weight = 0;
        foreach (var r in regions)
        {
            if (r.Score is not { } score) continue;
            total += (long)score * (1 + r.Operations);
            weight += 1 + r.Operations;
        }
        return weight == 0 ? 100 : (int)Math.Round((double)total / weight, MidpointRounding.AwayFromZero);
    }

    private static string FfiByRisk(IEnumerable<(string Name, string Risk)> calls)
    {
        var list = calls.ToList();
        var parts = s_risks.Select(r => (r, list.Count(c => Risk(c.Risk) == r))).Where(p => p.Item2 > 0).Select(p => Invariant($"{p.Item2} {p.r}")).ToList();
        return list.Count == 0 ? "no FFI calls" : Invariant($"{list.Count} FFI calls: ") + string.Join(", ", parts);
    }

    private static string RiskCells(IEnumerable<(string Name, string Risk)> calls)
    {
        var list = calls.ToList();
        return string.Join(" / ", s_risks.Select(r => list.Count(c => Risk(c.Risk) == r).ToString(CultureInfo.InvariantCulture)));
    }

    private static string Risk(string risk) => Array.IndexOf(s_risks, risk) >= 0 ? risk : "unknown";

    private static string Link(string path, int line, PullRequestSummaryOptions options)
    {
        var text = Invariant($"{path}:{line}");
        if (options.LinkBase is not { Length: > 0 } linkBase) return Code(text);
        var href = linkBase.TrimEnd('/') + "/" + string.Join('/', path.Split('/').Select(Uri.EscapeDataString)) + Invariant($"#L{line}");
        return $"[{Cell(text)}]({href})";
    }

    private static string Signed(int n) => n > 0 ? Invariant($"+{n}") : n < 0 ? Invariant($"−{-n}") : "±0";

    private static string Code(string s) => "`" + s.Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal) + "`";

    private static string Cell(string s) => s.Replace("\r", "", StringComparison.Ordinal).Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
