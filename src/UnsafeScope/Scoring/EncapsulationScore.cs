using System.Collections.Immutable;
using UnsafeScope.Inventory;

namespace UnsafeScope.Scoring;

/// <summary>One reason a score is below 100.</summary>
/// <param name="Name">Stable factor name (<c>no-safety-comment</c>, <c>ffi-risk</c>, …; see docs/scoring.md).</param>
/// <param name="Points">Points taken off (negative).</param>
/// <param name="Detail">What in the code caused it.</param>
public sealed record ScoreFactor(string Name, int Points, string Detail);

/// <summary>What the scorer knows beyond the region itself.</summary>
/// <param name="TypesWithPublicRawFields">Types of the crate that expose a raw pointer in a <c>pub</c> field.</param>
public sealed record ScoringContext(IReadOnlySet<string> TypesWithPublicRawFields)
{
    /// <summary>Item paths of safe functions that encapsulate unsafe code and that no test reaches.</summary>
    public IReadOnlySet<string> UntestedFunctions { get; init; } = new HashSet<string>();

    /// <summary>No crate facts.</summary>
    public static ScoringContext Empty { get; } = new(new HashSet<string>());
}

/// <summary>
/// How well an unsafe region is encapsulated behind safe APIs, 0–100 (docs/scoring.md). Starts at 100
/// and takes off points per factor; each factor only penalizes, so documenting or hiding more never
/// lowers a score. Uses only inventory facts, so the score agrees with the diagnostics.
/// </summary>
public static class EncapsulationScore
{
    /// <summary>Scores a region; returns the score and its factors (largest penalty first).</summary>
    public static (int Score, ImmutableArray<ScoreFactor> Factors) Compute(UnsafeRegion r, ScoringContext context)
    {
        var factors = new List<ScoreFactor>();
        void Add(string name, int points, string detail)
        {
            if (points < 0) factors.Add(new ScoreFactor(name, points, detail));
        }

        bool codeRegion = r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn;
        switch (r.Kind)
        {
            case RegionKind.UnsafeBlock or RegionKind.UnsafeImpl or RegionKind.UnsafeAttribute or RegionKind.StaticMut when !r.HasSafetyComment:
                Add("no-safety-comment", -25, "no // SAFETY: comment justifies it");
                break;
            case RegionKind.UnsafeFn or RegionKind.UnsafeTrait when !r.HasSafetyDoc && r.Visibility.StartsWith("pub", StringComparison.Ordinal):
                Add("no-safety-doc", -20, "public, and its docs have no # Safety section");
                break;
        }
        if (r.Kind == RegionKind.StaticMut)
            Add("static-mut", -40, $"static mut {r.Name}: unsynchronized global state");
        if (r.Kind == RegionKind.UnsafeImpl && !r.HasSafetyComment && r.Name.Split(" for ")[0].Split("::")[^1] is "Send" or "Sync")
            Add("unjustified-send-sync", -15, $"unsafe impl {r.Name} without justification");

        if (codeRegion)
        {
            // The count US1002 reports: operations under cfgs that exclude each other are alternatives.
            int operations = Semantics.CfgAlternatives.Counted(r.Operations).Count;
            if (operations > 1)
                Add("multiple-operations", -Math.Min(24, 8 * (operations - 1)), $"{operations} unsafe operations in one region");
            int ffi = 0;
            foreach (var f in r.FfiCalls)
                ffi += f.Risk switch { "high" => 12, "medium" => 6, "low" => 2, _ => 4 };
            if (ffi > 0)
                Add("ffi-risk", -Math.Min(36, ffi), string.Join(", ", r.FfiCalls.Select(f => $"{f.Name} ({f.Risk})").Distinct()));
            if (r.Operations.Any(o => o.Kind == OperationKind.StaticMutAccess))
                Add("static-mut-access", -15, "reads or writes a static mut");
            if (r.Mmio.Any(m => m.Kind is not ("map" or "unmap")) && r.OwnerType.Length == 0)
                Add("mmio-outside-type", -10, "hardware access outside a register type");
            if (r.OwnerType.Length == 0 && !r.InUnsafeFunction && r.Visibility == "pub" && r.Kind == RegionKind.UnsafeBlock)
                Add("safe-pub-free-function", -10, "inside a safe pub free function rather than a method of a wrapper type");
            if (r.OwnerType.Length > 0 && context.TypesWithPublicRawFields.Contains(r.OwnerType))
                Add("raw-fields-public", -15, $"{r.OwnerType} exposes raw pointers in pub fields");
            if (r.Kind == RegionKind.UnsafeBlock && !r.InUnsafeFunction && context.UntestedFunctions.Contains(r.Item))
                Add("untested-wrapper", -10, $"no test reaches {r.Item}, the safe function that encapsulates it");
            if (r.EnclosingAbi.Length > 0 && !r.FfiCalls.IsEmpty)
                Add("in-ffi-callback", -10, $"calls FFI directly inside an extern \"{r.EnclosingAbi}\" callback");
            int lines = r.EndLine - r.StartLine + 1;
            if (lines > 30) Add("long-region", -10, $"{lines} lines");
            else if (lines > 10) Add("long-region", -5, $"{lines} lines");
        }
        if (r.InMacro)
            Add("in-macro", -10, "inside a macro token tree, invisible to compiler lints");

        int score = Math.Clamp(100 + factors.Sum(f => f.Points), 0, 100);
        return (score, [.. factors.OrderBy(f => f.Points).ThenBy(f => f.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Weighted mean of region scores (weight 1 + operations); 100 when there are no scored regions.</summary>
    public static int Rollup(IEnumerable<UnsafeRegion> regions)
    {
        long total = 0, weight = 0;
        foreach (var r in regions)
        {
            if (!IsScored(r.Kind)) continue;
            int w = 1 + r.Operations.Length;
            total += (long)r.Score * w;
            weight += w;
        }
        return weight == 0 ? 100 : (int)Math.Round((double)total / weight, MidpointRounding.AwayFromZero);
    }

    /// <summary>Region kinds that carry a score (declarations such as extern fns do not).</summary>
    public static bool IsScored(RegionKind kind) => kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn or RegionKind.UnsafeImpl
        or RegionKind.UnsafeTrait or RegionKind.StaticMut or RegionKind.UnsafeAttribute;
}
