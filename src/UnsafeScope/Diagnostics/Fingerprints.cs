using UnsafeScope.Text;

namespace UnsafeScope.Diagnostics;

/// <summary>
/// Stable finding identities for baselines: rule id, path and the whitespace-free text of the primary
/// line, plus an occurrence index among identical keys in the file. Line numbers are not part of it, so
/// a finding keeps its fingerprint when unrelated edits move it.
/// </summary>
public static class Fingerprints
{
    /// <summary>The property key holding a diagnostic's fingerprint.</summary>
    public const string PropertyKey = "fingerprint";

    /// <summary>Hash of each line's text with spaces, tabs and CR removed (FNV-1a, 64-bit).</summary>
    public static ulong[] LineHashes(SourceText text)
    {
        var hashes = new ulong[text.LineCount];
        var bytes = text.Bytes;
        for (int line = 0; line < hashes.Length; line++)
        {
            var span = text.GetLineSpan(line);
            ulong h = 14695981039346656037UL;
            foreach (var b in bytes.Slice(span.Start, span.Length))
            {
                if (b is (byte)' ' or (byte)'\t' or (byte)'\r') continue;
                h = (h ^ b) * 1099511628211UL;
            }
            hashes[line] = h;
        }
        return hashes;
    }

    /// <summary>Assigns fingerprints to a file's diagnostics (in their final order).</summary>
    public static IEnumerable<Diagnostic> Assign(IEnumerable<Diagnostic> diagnostics, ulong[]? lineHashes) =>
        Assign(diagnostics, line => lineHashes is not null && line < lineHashes.Length ? lineHashes[line] : 0);

    /// <summary>As <see cref="Assign(IEnumerable{Diagnostic}, ulong[])"/>, with each 0-based line's hash (0 when unknown) from <paramref name="lineHash"/>.</summary>
    internal static IEnumerable<Diagnostic> Assign(IEnumerable<Diagnostic> diagnostics, Func<int, ulong> lineHash)
    {
        var seen = new Dictionary<ulong, int>();
        foreach (var d in diagnostics)
        {
            ulong hash = lineHash(d.Location.LineSpan.Start.Line);
            ulong h = 14695981039346656037UL;
            foreach (var c in $"{d.Id}|{d.Location.Path}|{hash:x16}")
                h = (h ^ c) * 1099511628211UL;
            seen[h] = seen.TryGetValue(h, out var n) ? n + 1 : 0;
            yield return d.WithFingerprint(h, seen[h]);
        }
    }
}
