namespace UnsafeScope.Benchmarks;

/// <summary>
/// The real Rust corpus installed by corpus/install-debian-corpus.sh: every <c>*.rs</c> file under
/// the Debian cargo registry and the rustc 1.63 standard library sources.
/// </summary>
internal static class Corpus
{
    public static readonly string[] Roots = ["/usr/share/cargo/registry", "/usr/src/rustc-1.63.0/library"];

    /// <summary>Every 40th file of the ordinally sorted corpus list, starting with the 40th.</summary>
    public const int SampleStride = 40;

    /// <summary>All corpus files, sorted by ordinal path (the order of <c>LC_ALL=C sort</c>).</summary>
    public static string[] AllFiles()
    {
        var missing = Roots.Where(r => !Directory.Exists(r)).ToList();
        var files = Roots.Where(Directory.Exists)
            .SelectMany(r => Directory.EnumerateFiles(r, "*.rs", new EnumerationOptions
            {
                RecurseSubdirectories = true,
                AttributesToSkip = 0,
                IgnoreInaccessible = true,
                MatchCasing = MatchCasing.CaseSensitive,
            }))
            .ToArray();
        if (missing.Count > 0 || files.Length < 1000)
            throw new InvalidOperationException(
                $"The Rust corpus is not installed (missing: {(missing.Count > 0 ? string.Join(", ", missing) : "none")}; {files.Length} .rs files found). " +
                "Install it with corpus/install-debian-corpus.sh (needs root and apt).");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>The fixed benchmark sample: files SampleStride-1, 2*SampleStride-1, … of <see cref="AllFiles"/>.</summary>
    public static string[] Sample()
    {
        var all = AllFiles();
        var sample = new List<string>();
        for (int i = SampleStride - 1; i < all.Length; i += SampleStride)
            sample.Add(all[i]);
        return [.. sample];
    }
}
