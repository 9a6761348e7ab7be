using System.Globalization;
using System.Text;

namespace UnsafeScope.Driver;

/// <summary>
/// One of <see cref="Count"/> parts of a run (<c>--shard i/n</c>, 1-based as in Jest and Playwright). A file
/// belongs to the shard its relative path hashes to, so every machine computes the same partition from the
/// same paths, and adding a file moves no other file.
/// </summary>
/// <param name="Index">1-based shard number.</param>
/// <param name="Count">Number of shards.</param>
public readonly record struct AnalysisShard(int Index, int Count)
{
    /// <summary>The whole run as one shard.</summary>
    public static AnalysisShard All { get; } = new(1, 1);

    /// <summary>Parses <c>i/n</c> with 1 ≤ i ≤ n ≤ 10,000.</summary>
    public static bool TryParse(string text, out AnalysisShard shard)
    {
        shard = default;
        var slash = text.IndexOf('/');
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || n < 1 || n > 10_000 || i < 1 || i > n)
            return false;
        shard = new AnalysisShard(i, n);
        return true;
    }

    /// <summary>True when the file with this relative path (forward slashes) belongs to the shard.</summary>
    public bool Contains(string relativePath)
    {
        if (Count <= 1) return true;
        // FNV-1a over UTF-8: stable across processes and platforms, unlike string.GetHashCode.
        ulong hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
            hash = (hash ^ b) * 1099511628211UL;
        return (int)(hash % (ulong)Count) == Index - 1;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}
