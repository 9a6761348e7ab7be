using UnsafeScope.Driver;

namespace UnsafeScope.Sarif;

/// <summary>
/// The <c>primaryLocationLineHash</c> of each result, computed once per file for the lines results start on. A file
/// that cannot be read (missing, outside the source root) gets none; GitHub's upload action then fills it in when it
/// can read the checked-out file.
/// </summary>
internal static class Fingerprints
{
    /// <summary>Maps (path, 1-based line) to its line hash for the given results.</summary>
    public static Dictionary<(string Path, int Line), string> Compute(
        IReadOnlyList<PendingResult> results, AnalysisResult analysis, SarifWriteOptions options)
    {
        var map = new Dictionary<(string, int), string>();
        if (!options.ComputeFingerprints || results.Count == 0) return map;

        var linesByPath = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var r in results)
        {
            if (!linesByPath.TryGetValue(r.Path, out var set)) linesByPath[r.Path] = set = [];
            set.Add(StartLine(r));
        }

        var root = options.SourceRoot ?? analysis.BaseDirectory;
        // Read back through the gateway: regular files only, capped at the default source limit or the size the file
        // had when analyzed (a larger --max-file-size), whichever is larger.
        var cap = new AnalysisOptions().MaxFileBytes;
        var sizes = analysis.Files.GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => Math.Max(cap, g.Max(f => f.Bytes)), StringComparer.Ordinal);
        var paths = linesByPath.Keys.Order(StringComparer.Ordinal).ToArray();
        var hashes = new Dictionary<int, string>?[paths.Length];
        void Hash(int i) => hashes[i] = HashLines(paths[i], linesByPath[paths[i]], root, options, sizes.TryGetValue(paths[i], out var size) ? size : cap, analysis.Digests);
        // Files side by side (reading and hashing every file with results is most of writing SARIF, which the other
        // outputs wait for), unless a host supplies the texts: its callback is not assumed to be thread-safe.
        if (options.SourceTexts is null) Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, Hash);
        else for (int i = 0; i < paths.Length; i++) Hash(i);
        for (int i = 0; i < paths.Length; i++)
            foreach (var (line, hash) in hashes[i] ?? [])
                map[(paths[i], line)] = hash;
        analysis.Digests?.Save(); // the line values just computed, for the next run
        return map;
    }

    /// <summary>The 1-based line a result's fingerprint is taken from (line 1 when it has no region, as the action does).</summary>
    public static int StartLine(PendingResult r) => r.HasRegion ? r.Span.Start.Line + 1 : 1;

    private static Dictionary<int, string>? HashLines(string path, HashSet<int> lines, string root, SarifWriteOptions options, long maxBytes, ContentDigests? memo)
    {
        if (options.SourceTexts?.Invoke(path) is { } source) return LineHash.Compute(LineHash.Decode(source), lines);
        if (path.Length == 0) return null;
        try
        {
            // An analyzed file outside the source root is recorded by its full path: it was read, so it is hashed.
            if (string.IsNullOrEmpty(root) && !Path.IsPathRooted(path)) return null;
            var fullRoot = string.IsNullOrEmpty(root) ? "" : Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
            var full = Path.GetFullPath(IO.UntrustedFile.FullPathOf(fullRoot, path));
            if (!Path.IsPathRooted(path) && !full.StartsWith(fullRoot, StringComparison.Ordinal)) return null;
            if (!File.Exists(full)) return null;
            // A cached run's memo has the values of an unchanged file's lines (they depend only on its bytes).
            if (memo is not null) return memo.LineValues(full, lines, maxBytes, LineHash.Compute);
            // Decoded and hashed in reused buffers: the files' bytes and text were a third of a warm run's allocation.
            return IO.UntrustedFile.UseAllBytes(full, maxBytes, bytes => LineHash.Compute(bytes, lines));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
