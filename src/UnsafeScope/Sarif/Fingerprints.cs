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
        foreach (var path in linesByPath.Keys.Order(StringComparer.Ordinal))
        {
            var text = ReadText(path, root, options);
            if (text is null) continue;
            foreach (var (line, hash) in LineHash.Compute(text, linesByPath[path]))
                map[(path, line)] = hash;
        }
        return map;
    }

    /// <summary>The 1-based line a result's fingerprint is taken from (line 1 when it has no region, as the action does).</summary>
    public static int StartLine(PendingResult r) => r.HasRegion ? r.Span.Start.Line + 1 : 1;

    private static string? ReadText(string path, string root, SarifWriteOptions options)
    {
        if (options.SourceTexts?.Invoke(path) is { } source) return LineHash.Decode(source);
        if (string.IsNullOrEmpty(root) || path.Length == 0) return null;
        try
        {
            var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
            var full = Path.GetFullPath(Path.Combine(fullRoot, path));
            if (!full.StartsWith(fullRoot, StringComparison.Ordinal) || !File.Exists(full)) return null;
            return LineHash.Decode(File.ReadAllBytes(full));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }
}
