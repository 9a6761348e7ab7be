using System.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// `inert-tables [ROOTS…]`: what the literal-table scanner (InertTables.Find) costs and finds on the corpus: its time
/// over every file's bytes (read first, so only the scan is timed), and the tables and bytes it would blank.
/// </summary>
internal static class InertTablesScan
{
    public static int Run(string[] args)
    {
        var roots = args.Length > 0 ? args : ["/usr/share/cargo/registry", "/usr/src/rustc-1.63.0/library"];
        var files = roots.SelectMany(r => Directory.EnumerateFiles(r, "*.rs", SearchOption.AllDirectories)).Order(StringComparer.Ordinal)
            .Select(f => (Path: f, Bytes: File.ReadAllBytes(f))).ToList();
        long total = files.Sum(f => (long)f.Bytes.Length);
        for (int round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            int tables = 0, withTables = 0;
            long blank = 0;
            foreach (var (_, bytes) in files)
            {
                if (InertTables.Find(bytes) is not { } spans) continue;
                withTables++;
                tables += spans.Count;
                blank += spans.Sum(s => (long)s.Length);
            }
            Console.WriteLine($"round {round + 1}: {files.Count} files, {total / 1048576.0:F1} MiB scanned in {clock.Elapsed.TotalMilliseconds:F0} ms; " +
                $"{tables} tables in {withTables} files, {blank / 1048576.0:F2} MiB of elements not parsed");
        }
        return 0;
    }
}
