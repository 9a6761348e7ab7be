using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Analyzers.Rules.DriverSafety;
using UnsafeScope.Analyzers.Rules.Hygiene;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Scoring;

/// <summary>What the scorer knows beyond the region itself.</summary>
/// <param name="TypesWithPublicRawFields">Types of the crate that expose a raw pointer in a <c>pub</c> field.</param>
public sealed record ScoringContext(IReadOnlySet<string> TypesWithPublicRawFields)
{
    /// <summary>Item paths of safe functions that encapsulate unsafe code and that no test reaches.</summary>
    public IReadOnlySet<string> UntestedFunctions { get; init; } = new HashSet<string>();

    /// <summary>The rules' options (<c>[rules.US1002] max-operations</c>, …): factors that mirror a rule use them as the rule does.</summary>
    public AnalyzerOptions Options { get; init; } = AnalyzerOptions.Empty;

    /// <summary>The crate's call graph from its exported safe API (the soundness factors); null: those factors are off.</summary>
    internal SoundnessIndex? Soundness { get; init; }

    /// <summary>No crate facts.</summary>
    public static ScoringContext Empty { get; } = new(new HashSet<string>());
}

/// <summary>
/// How well an unsafe region is encapsulated behind safe APIs, 0–100 (docs/scoring.md). Starts at 100
/// and takes off points per factor; each factor only penalizes, so documenting or hiding more never
/// lowers a score. A factor that mirrors a rule asks that rule's own predicate, with the run's rule options, so a
/// score and the diagnostics cannot disagree.
/// </summary>
public static class EncapsulationScore
{
    /// <summary>Scores a region; returns the score and its factors (largest penalty first).</summary>
    public static (int Score, ImmutableArray<ScoreFactor> Factors) Compute(UnsafeRegion r, ScoringContext context) => Compute(r, context, "");

    /// <summary>Scores a region of the file at <paramref name="path"/> (the soundness factors need its place in the crate).</summary>
    internal static (int Score, ImmutableArray<ScoreFactor> Factors) Compute(UnsafeRegion r, ScoringContext context, string path, IReadOnlySet<string>? functionOps = null)
    {
        var factors = new List<ScoreFactor>();
        void Add(string name, int points, string detail)
        {
            if (points < 0) factors.Add(new ScoreFactor(name, points, detail));
        }

        var options = context.Options;
        bool codeRegion = r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn;
        // Factors a rule also reports (US1001/US2008, US1003, US2003, US2004, US1002, US2006, US2005).
        if (r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeImpl
                ? DocumentUnsafeBlocksAnalyzer.Flags(r, options) || DocumentUnsafeInMacrosAnalyzer.Flags(r)
                // Unsafe attributes (US2010 reads the same comment fact) and static muts (no rule asks for a comment).
                : r.Kind is RegionKind.UnsafeAttribute or RegionKind.StaticMut && !r.HasSafetyComment)
            Add("no-safety-comment", -ScoreWeights.NoSafetyComment, "no // SAFETY: comment justifies it");
        // A comment that names neither the operations nor a precondition of theirs justifies nothing; asked only where the
        // comment is what keeps no-safety-comment off, so that writing a comment never lowers a score.
        if (r.HasSafetyComment && r.Kind == RegionKind.UnsafeBlock && r.Operations.Length > 0 && CommentCoverage.Uncovered(r) is { } uncovered
            && r with { HasSafetyComment = false } is var uncommented
            && (DocumentUnsafeBlocksAnalyzer.Flags(uncommented, options) || DocumentUnsafeInMacrosAnalyzer.Flags(uncommented)))
            Add("vague-safety-comment", -ScoreWeights.Unfitted, $"its SAFETY comment names none of the operands or preconditions of {uncovered}");
        if (DocumentUnsafeFunctionSafetyAnalyzer.Flags(r, options))
            Add("no-safety-doc", -ScoreWeights.Unfitted, r.Kind == RegionKind.UnsafeTrait ? "its docs have no # Safety section" : "exported, and its docs have no # Safety section");
        if (AvoidStaticMutAnalyzer.Flags(r))
            Add("static-mut", -ScoreWeights.StaticMut, $"static mut {r.Name}: unsynchronized global state");
        if (JustifyUnsafeSendSyncAnalyzer.Flags(r))
            Add("unjustified-send-sync", -ScoreWeights.UnjustifiedSendSync, $"unsafe impl {r.Name} without justification");
        if (SplitUnsafeBlocksAnalyzer.Excess(r, options) > 0)
            Add("multiple-operations", -ScoreWeights.MultipleOperations, $"{Semantics.CfgAlternatives.Counted(r.Operations).Count} unsafe operations in one region");
        if (EncapsulateMmioAnalyzer.Flagged(r).Any())
            Add("mmio-outside-type", -ScoreWeights.MmioOutsideType, "hardware access outside a register type");
        if (WrapUnsafeInCallbacksAnalyzer.Flags(r))
            Add("in-ffi-callback", -ScoreWeights.InFfiCallback, $"calls FFI directly inside an extern \"{r.EnclosingAbi}\" callback");

        if (codeRegion)
        {
            int ffi = 0;
            foreach (var f in r.FfiCalls)
                ffi += f.Risk switch { "high" => ScoreWeights.FfiHigh, "medium" => ScoreWeights.FfiMedium, "low" => ScoreWeights.FfiLow, _ => ScoreWeights.FfiUnknown };
            if (ffi > 0)
                Add("ffi-risk", -Math.Min(ScoreWeights.FfiMax, ffi), string.Join(", ", r.FfiCalls.Select(f => $"{f.Name} ({f.Risk})").Distinct()));
            if (r.Operations.Any(o => o.Kind == OperationKind.StaticMutAccess))
                Add("static-mut-access", -ScoreWeights.StaticMutAccess, "reads or writes a static mut");
            if (r.OwnerType.Length == 0 && !r.InUnsafeFunction && r.Visibility == "pub" && r.Kind == RegionKind.UnsafeBlock)
                Add("safe-pub-free-function", -ScoreWeights.Unfitted, "inside a safe pub free function rather than a method of a wrapper type");
            if (r.OwnerType.Length > 0 && context.TypesWithPublicRawFields.Contains(r.OwnerType))
                Add("raw-fields-public", -ScoreWeights.Unfitted, $"{r.OwnerType} exposes raw pointers in pub fields");
            if (r.Kind == RegionKind.UnsafeBlock && !r.InUnsafeFunction && context.UntestedFunctions.Contains(r.Item))
                Add("untested-wrapper", -ScoreWeights.UntestedWrapper, $"no test reaches {r.Item}, the safe function that encapsulates it");
            int lines = r.EndLine - r.StartLine + 1;
            if (lines > ScoreWeights.LongRegionLines) Add("long-region", -ScoreWeights.Unfitted, $"{lines} lines");
        }
        SoundnessFactors.Add(r, path, context, functionOps, Add);
        if (r.InMacro)
            Add("in-macro", -ScoreWeights.InMacro, "inside a macro token tree, invisible to compiler lints");

        int score = Math.Clamp(100 + factors.Sum(f => f.Points), 0, 100);
        return (score, [.. factors.OrderBy(f => f.Points).ThenBy(f => f.Name, StringComparer.Ordinal)]);
    }

    /// <summary>The crate's exposed functions, each scored by the lowest region score it holds or reaches.</summary>
    internal static ImmutableArray<ExposedFunction> Exposed(SoundnessIndex index, IReadOnlyList<FileInventory> inventories)
    {
        var scores = new Dictionary<(string File, string Item), int>();
        foreach (var f in inventories)
            foreach (var r in f.Regions)
                if (IsScored(r.Kind) && r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn)
                    scores[(f.Path, r.Item)] = Math.Min(scores.GetValueOrDefault((f.Path, r.Item), 100), r.Score);
        var result = new List<ExposedFunction>();
        foreach (var (body, file, exposure, through, reaches) in index.ExposedFunctions())
        {
            int score = reaches.Select(x => scores.GetValueOrDefault(x, 100)).DefaultIfEmpty(100).Min();
            result.Add(new ExposedFunction(body.Item, file, body.Location.StartLine, body.EndLine, exposure, through, score, [.. reaches.Select(x => StringTable.Share(x.File + ":" + x.Item))]));
        }
        return [.. result];
    }

    /// <summary>The crate's safe functions that unsafe blocks trust (<see cref="SoundnessIndex.TrustedWrites"/>), as the inventory lists them.</summary>
    internal static ImmutableArray<TrustedSafeFunction> Trusted(ImmutableArray<TrustedWrite> writes)
        => [.. writes.Select(t => new TrustedSafeFunction(t.Writer.Function, t.File, t.Writer.Body.Location.StartLine, t.Writer.Body.EndLine, t.Writer.Exposure, t.Writer.ExposedThrough,
            t.Field, t.Why, [.. t.By.Select(b => b.Path + ":" + b.Region.StartLine.ToString(System.Globalization.CultureInfo.InvariantCulture))]))];

    /// <summary>Weighted mean of region scores (weight 1 + operations); 100 when there are no scored regions.</summary>
    public static int Rollup(IEnumerable<UnsafeRegion> regions) => RegionScores.Rollup(regions);

    /// <summary>Region kinds that carry a score (declarations such as extern fns do not).</summary>
    public static bool IsScored(RegionKind kind) => RegionScores.IsScored(kind);

    /// <summary>The file's inventory with each scored region's score and factors set.</summary>
    public static FileInventory Apply(FileInventory file, ScoringContext context)
    {
        ArgumentNullException.ThrowIfNull(file);
        // Each function's operations over all its regions (the soundness factors ask about the function).
        var opsByItem = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var r in file.Regions)
            if (r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn)
            {
                if (!opsByItem.TryGetValue(r.Item, out var ops)) opsByItem[r.Item] = ops = new(StringComparer.Ordinal);
                foreach (var o in r.Operations) ops.Add(Extractor.LastSegment(o.Name));
            }
        var regions = file.Regions.Select(r =>
        {
            if (!IsScored(r.Kind)) return r;
            var (score, factors) = Compute(r, context, file.Path, opsByItem.GetValueOrDefault(r.Item));
            return r with { Score = score, ScoreFactors = factors };
        });
        return file with { Regions = [.. regions] };
    }
}
