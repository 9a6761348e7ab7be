using UnsafeScope.Inventory;

namespace UnsafeScope.Scoring;

/// <summary>
/// The factors that ask "can a safe caller reach undefined behaviour here, and how directly?" (docs/scoring.md):
/// exposure to the exported safe API through the call graph, parameters that reach unsafe operations unchecked, and
/// Rudra's bug classes (SendSyncVariance, uninitialized memory exposed to user code, user code called while an
/// invariant is broken, lifetimes not bound by the inputs, transmute of generic types).
/// </summary>
internal static class SoundnessFactors
{
    /// <summary>Operations that leave memory uninitialized or claim it initialized.</summary>
    private static readonly HashSet<string> Uninit = new(StringComparer.Ordinal) { "set_len", "assume_init", "uninitialized", "assume_init_mut", "assume_init_ref", "assume_init_read" };

    /// <summary>Operations after which a value exists twice or a buffer is half-built until the region ends.</summary>
    private static readonly HashSet<string> InvariantBreaking = new(StringComparer.Ordinal)
    {
        "read", "read_unaligned", "copy", "copy_nonoverlapping", "set_len", "from_raw_parts", "from_raw_parts_mut", "write", "drop_in_place",
        "get_unchecked_mut", "assume_init", "offset", "add",
    };

    /// <summary>Calls by path of the same trait methods (<see cref="SoundnessCollector.UserImplMethods"/>).</summary>
    private static readonly string[] UserImplPaths = ["Clone::clone", "Default::default", "Iterator::next", "Read::read"];

    /// <summary>Adds the soundness factors of region <paramref name="r"/> of the file at <paramref name="path"/> through <paramref name="add"/>; none without the crate's <paramref name="context"/> soundness index.</summary>
    /// <param name="r">The region.</param>
    /// <param name="path">Its file.</param>
    /// <param name="context">The crate's facts.</param>
    /// <param name="add">Takes a factor's name, points and detail.</param>
    /// <param name="functionOps">The operation names (last segments) of every unsafe region of the region's function in
    /// its file: Rudra's dataflow classes pair an invariant one block breaks with user code called anywhere in the
    /// function. Null: the region's own.</param>
    public static void Add(UnsafeRegion r, string path, ScoringContext context, IReadOnlySet<string>? functionOps, Action<string, int, string> add)
    {
        if (context.Soundness is not { } index) return;
        if (r.Kind == RegionKind.UnsafeImpl)
        {
            if (index.Variance(path, r.StartLine) is { Length: > 0 } variance)
                add("send-sync-variance", -ScoreWeights.SendSyncVariance, $"unsafe impl {r.Name}: {variance} (Rudra's SendSyncVariance)");
            return;
        }
        if (r.Kind is not (RegionKind.UnsafeBlock or RegionKind.UnsafeFn)) return;
        if (index.For(path, r.Item, r.StartLine) is not { } fn) return;
        var body = fn.Body;
        var names = functionOps ?? r.Operations.Select(o => Extractor.LastSegment(o.Name)).ToHashSet(StringComparer.Ordinal);

        bool safeCode = r.Kind == RegionKind.UnsafeBlock && !r.InUnsafeFunction;
        if (safeCode && fn.Exposure == 0)
            add("exposed", -ScoreWeights.Exposed, $"in {fn.Function}, which safe code of other crates calls");
        else if (safeCode && fn.Exposure > 0)
            add("exposed", -ScoreWeights.Exposed, $"reached from {fn.ExposedThrough} (exported, safe) through {fn.Exposure} call(s)");
        // A private unsafe fn has no caller outside the crate to keep its contract: what a safe caller passes in
        // through the exported function reaches its operations (users' `members`, atty's `msys_tty_on`).
        else if (!safeCode && fn.Exposure > 0 && body.Visibility != "pub" && body.Visibility != "trait-impl")
            add("exposed", -ScoreWeights.Exposed, $"private unsafe fn reached from {fn.ExposedThrough} (exported, safe) through {fn.Exposure} call(s)");

        if (safeCode && fn.Exposure >= 0 && UncheckedInput(r, body) is { } input)
            add("unchecked-input", -ScoreWeights.UncheckedInput, input);
        if (r.Kind == RegionKind.UnsafeBlock && Trusted(r, body, index) is { } trusted)
            add("trusts-overridable", -ScoreWeights.Unfitted, trusted);
        if (safeCode && index.TrustedWriters(r, fn).FirstOrDefault() is { Writer: not null } writer)
            add("trusts-safe-writer", -ScoreWeights.TrustsSafeWriter, $"{writer.Operand} is set by {writer.Writer.Function} (safe, reachable by safe callers) {writer.Why}, and reaches {writer.Operation} unchecked");
        if (names.Overlaps(Uninit) && (body.Generic || body.UserCodeParameters.Count > 0 || body.Calls.Contains(".read")))
            add("uninit-exposure", -ScoreWeights.UninitExposure, $"{string.Join(", ", names.Intersect(Uninit).Order(StringComparer.Ordinal))} where generic or user code can observe the memory (Rudra's UninitExposure)");
        if (names.Overlaps(InvariantBreaking) && UserCode(body) is { } user)
            add("user-code-in-unsafe", -ScoreWeights.UserCodeInUnsafe, $"{fn.Function} calls {user}, user code, while {string.Join(", ", names.Intersect(InvariantBreaking).Order(StringComparer.Ordinal))} leaves an invariant broken (Rudra's panic safety)");
        if (body.LifetimeRisk.Length > 0 && r.Operations.Any(o => o.Kind == OperationKind.RawPointerDeref || Extractor.LastSegment(o.Name) is "from_raw_parts" or "from_raw_parts_mut" or "transmute" or "as_ref" or "as_mut"))
            add("unbounded-lifetime", -ScoreWeights.Unfitted, $"{fn.Function} {body.LifetimeRisk}");
        if (body.Generic && names.Overlaps(["transmute", "transmute_copy"]))
            add("generic-transmute", -ScoreWeights.Unfitted, $"transmute in generic {fn.Function}");
    }

    /// <summary>What in the function runs code its caller chose: a closure or generic parameter it calls, or (generic
    /// functions) a method of a std trait the type parameter implements; null if nothing does.</summary>
    private static string? UserCode(FunctionBody body)
    {
        foreach (var p in body.UserCodeParameters.Order(StringComparer.Ordinal))
            if (body.Calls.Contains(p) || body.Calls.Contains("." + p)) return p;
        if (!body.Generic) return null;
        foreach (var method in SoundnessCollector.UserImplMethods)
            if (body.Calls.Contains("." + method)) return method;
        return UserImplPaths.FirstOrDefault(body.Calls.Contains);
    }

    /// <summary>
    /// A parameter of the function (or a local a let derives from one) among the operands of an input-sensitive
    /// operation, with no check of it (an assert!, or the condition of an if that exits early) on an earlier line.
    /// </summary>
    private static string? UncheckedInput(UnsafeRegion r, FunctionBody body)
    {
        var parameters = body.Parameters.Where(p => p != "self").ToHashSet(StringComparer.Ordinal);
        if (parameters.Count == 0) return null;
        foreach (var op in r.Operations)
        {
            if (!SoundnessCollector.IsInputSensitive(op)) continue;
            foreach (var operand in op.Operands)
            {
                var sources = SoundnessCollector.Sources(operand.Name, body);
                var from = sources.Where(parameters.Contains).Order(StringComparer.Ordinal).FirstOrDefault();
                if (from is null) continue;
                if (!SoundnessCollector.IsChecked(op.Line, sources, body))
                    return from == operand.Name
                        ? $"parameter {from} reaches {Extractor.LastSegment(op.Name)} unchecked"
                        : $"parameter {from} reaches {Extractor.LastSegment(op.Name)} unchecked (through {operand.Name})";
            }
        }
        return null;
    }

    /// <summary>
    /// An operand of an input-sensitive operation whose value the function took from a method that a parameter's impl
    /// (a generic or impl-Trait parameter) supplies (<c>let n = iter.size_hint().0; … set_len(n)</c>), unchecked before it; null if none.
    /// </summary>
    private static string? Trusted(UnsafeRegion r, FunctionBody body, SoundnessIndex index)
    {
        foreach (var op in r.Operations)
        {
            if (!SoundnessCollector.IsInputSensitive(op)) continue;
            // The operand the method's value was bound to first (`n` of `v.set_len(n)`), then any derived from it (`v`).
            foreach (var operand in op.Operands.OrderBy(o => body.Flows.Any(f => f.StartsWith(o.Name + "\t@", StringComparison.Ordinal)) ? 0 : 1))
            {
                var sources = SoundnessCollector.Sources(operand.Name, body);
                var method = sources.Where(x => x.StartsWith('@')).Order(StringComparer.Ordinal).FirstOrDefault();
                if (method is null || SoundnessCollector.IsChecked(op.Line, sources, body)) continue;
                return $"{operand.Name} comes from {method[1..]}(), which a caller's impl supplies, and reaches {Extractor.LastSegment(op.Name)} unchecked";
            }
            // Passed straight in, or under a type_id check (the collector's Trusts).
            if (!body.HasTrusts) continue;
            foreach (var t in body.Trusts.Order(StringComparer.Ordinal))
            {
                var parts = t.Split('\t', 4);
                if (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) <= op.Line && op.Line <= int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)
                    && (parts[2] == "*" || parts[2] == Extractor.LastSegment(op.Name) || parts[2].StartsWith("*?", StringComparison.Ordinal) && index.IsTrait(parts[2][2..])))
                    return parts[3];
            }
        }
        return null;
    }

}
