using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Driver;

/// <summary>
/// What finishing a file's diagnostics still needs once its crate is linked: its crate (for the crate's lint levels),
/// its suppression comments, allow attributes, and the line hashes of the lines that hold findings (fingerprints). Kept instead of the file's
/// facts from linking to the end of the run, so a run does not hold every file's line hashes and empty fact
/// collections meanwhile (30–40 MB on the corpus).
/// </summary>
internal sealed class FinishingFacts
{
    private readonly int[] _lines;   // sorted
    private readonly ulong[] _hashes; // of _lines
    private readonly Func<ulong[]?>? _reload;
    private ulong[]? _all;
    private bool _reloaded;

    private FinishingFacts(string crateRoot, List<SuppressionComment> suppressions, List<(TextSpan Scope, string Lint)> allowedLints, int[] lines, ulong[] hashes, ulong[]? all, Func<ulong[]?>? reload)
    {
        CrateRoot = crateRoot;
        Suppressions = suppressions;
        AllowedLints = allowedLints;
        (_lines, _hashes, _all, _reload) = (lines, hashes, all, reload);
    }

    /// <summary>The folder of the file's crate ("" for a configuration file).</summary>
    public string CrateRoot { get; }

    public List<SuppressionComment> Suppressions { get; }

    public List<(TextSpan Scope, string Lint)> AllowedLints { get; }

    /// <summary>
    /// Keeps the hashes of <paramref name="lines"/> (0-based) from the facts' line hashes. A finding reported later
    /// on another line (a crate action of another crate may report here) has its file's hashes computed again by
    /// <paramref name="reload"/>, so fingerprints do not depend on when a finding arrived.
    /// </summary>
    public static FinishingFacts Keep(FileFacts facts, IEnumerable<int> lines, Func<ulong[]?> reload)
    {
        var all = facts.LineHashes;
        if (all is null) return new(facts.CrateRoot, facts.Suppressions, facts.AllowedLints, [], [], null, null);
        var kept = lines.Where(l => l >= 0 && l < all.Length).Distinct().Order().ToArray();
        return new(facts.CrateRoot, facts.Suppressions, facts.AllowedLints, kept, [.. kept.Select(l => all[l])], null, reload);
    }

    /// <summary>The kept lines and their hashes, and whether others can be reloaded: what a cached crate stores.</summary>
    internal (int[] Lines, ulong[] Hashes, bool Reloadable) Kept => (_lines, _hashes, _reload is not null);

    /// <summary>Facts kept by an earlier run (a cached crate), with this run's way to reload the other lines' hashes.</summary>
    internal static FinishingFacts Restore(string crateRoot, List<SuppressionComment> suppressions, List<(TextSpan Scope, string Lint)> allowedLints,
        int[] lines, ulong[] hashes, Func<ulong[]?>? reload) => new(crateRoot, suppressions, allowedLints, lines, hashes, null, reload);

    /// <summary>Every line's hash known (configuration files, which are read once at the end).</summary>
    public static FinishingFacts WithAllLines(ulong[]? lineHashes) => new("", [], [], [], [], lineHashes, null);

    /// <summary>The hash of a 0-based line, 0 when the file's lines are not known (as for a file never read).</summary>
    public ulong LineHash(int line)
    {
        int k = Array.BinarySearch(_lines, line);
        if (k >= 0) return _hashes[k];
        if (_all is null && !_reloaded && _reload is not null)
        {
            _reloaded = true;
            _all = _reload();
        }
        return _all is not null && line >= 0 && line < _all.Length ? _all[line] : 0;
    }
}
