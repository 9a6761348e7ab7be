using UnsafeScope.Inventory;

namespace UnsafeScope.Scoring;

/// <summary>
/// Whether a SAFETY comment says anything about the region it justifies (#17: "a comment is a claim, not a proof"): it
/// covers the region when it names one of the operations or their operands (<c>ptr</c>, <c>get_unchecked</c>, the FFI
/// function), or a precondition such operations have (validity, alignment, bounds, initialization, lifetimes, aliasing,
/// threads). "SAFETY: fine" or "SAFETY: see above" name none.
/// </summary>
internal static class CommentCoverage
{
    /// <summary>Word stems of the preconditions of unsafe operations; a comment word starting with one names a precondition.</summary>
    private static readonly string[] PreconditionStems =
    [
        "valid", "invalid", "align", "null", "dangl", "bound", "index", "indic", "len", "capacit", "size", "layout", "range", "overflow", "offset",
        "initiali", "uninit", "zeroed", "lifetime", "outliv", "live", "alive", "alias", "exclusiv", "unique", "mutabl", "borrow", "own",
        "alloc", "dealloc", "free", "drop", "point", "deref", "contig", "overlap", "disjoint", "empty", "refer", "thread", "sync", "send", "lock", "race", "atomic", "volatile",
        "invariant", "check", "guarantee", "ensure", "verif", "assert", "contract", "precondition", "requir", "promise", "uphold", "caller",
        "utf", "repr", "transmut", "abi", "callback", "interrupt", "irql", "register", "mmio", "hardware", "device", "handle",
    ];

    /// <summary>Null when the comment covers the region; otherwise what it fails to mention, for the factor's detail.</summary>
    public static string? Uncovered(UnsafeRegion r)
    {
        // No text: a region built without it (by an API user, or an old cache record); nothing to weigh.
        if (r.SafetyComment.Length == 0) return null;
        var words = Words(r.SafetyComment);
        if (words.Any(w => PreconditionStems.Any(stem => w.StartsWith(stem, StringComparison.Ordinal)))) return null;
        foreach (var o in r.Operations)
        {
            if (Words(o.Name).Any(n => n.Length >= 3 && n != "self" && words.Contains(n))) return null;
            // `self.ptr` is mentioned as "ptr".
            if (o.Operands.Any(x => x.Name.StartsWith("self.", StringComparison.Ordinal) ? words.Contains(x.Name[5..].ToLowerInvariant())
                    : x.Name.Length >= 2 && x.Name != "self" && words.Contains(x.Name.ToLowerInvariant()))) return null;
        }
        if (r.FfiCalls.Any(f => words.Contains(f.Name.ToLowerInvariant()))) return null;
        var names = r.Operations.Select(o => Extractor.LastSegment(o.Name)).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(3).ToList();
        return names.Count == 0 ? "its operations" : string.Join(", ", names);
    }

    /// <summary>The lower-case identifier-like words of a text (letters, digits, underscores).</summary>
    private static HashSet<string> Words(string text)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool part = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_');
            if (part && start < 0) start = i;
            else if (!part && start >= 0)
            {
                set.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }
        return set;
    }
}
