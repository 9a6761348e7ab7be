using System.Diagnostics;
using System.Globalization;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// <c>corpus-walk --jobs N --list FILE [--no-recovery] [--no-timeout]</c>: the managed counterpart of
/// benchmarks/baseline/baseline.c. Reads every listed file into a <see cref="SourceText"/> first
/// (untimed), then times <see cref="RustSyntaxTree.Parse(SourceText, RustParseOptions?, CancellationToken)"/>
/// plus a walk over every node (kind and span) on N threads that take files largest first from a
/// shared counter. Prints one key=value line in the baseline's format, plus GC figures.
/// </summary>
internal static class CorpusWalk
{
    public static int Run(string[] args)
    {
        int jobs = 1;
        string? list = null;
        var options = RustParseOptions.Default;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--jobs" when i + 1 < args.Length:
                    jobs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--list" when i + 1 < args.Length:
                    list = args[++i];
                    break;
                case "--no-recovery":
                    options = options with { RecoverUnsafeExternBlocks = false };
                    break;
                case "--no-timeout":
                    options = options with { Timeout = TimeSpan.Zero };
                    break;
                default:
                    return Usage($"unknown argument '{args[i]}'");
            }
        }
        if (list is null || jobs < 1 || jobs > 256)
            return Usage("--list is required and --jobs must be 1..256");

        var load = Stopwatch.StartNew();
        var texts = File.ReadLines(list)
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0)
            .Select(p => SourceText.From(File.ReadAllBytes(p), p))
            .ToArray();
        // Largest first; ties by path so the order is deterministic (as in baseline.c).
        Array.Sort(texts, (a, b) => a.Length != b.Length ? b.Length.CompareTo(a.Length) : string.CompareOrdinal(a.Path, b.Path));
        long bytes = texts.Sum(t => (long)t.Length);
        double loadSeconds = load.Elapsed.TotalSeconds;

        // Load the native library, check it and build the kind tables before the clock starts.
        ParseBenchmarks.Walk(RustSyntaxTree.Parse("fn main() {}"));
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        int next = -1;
        long nodes = 0, failed = 0, checksum = 0;
        using var ready = new Barrier(jobs + 1);
        var threads = new Thread[jobs];
        for (int w = 0; w < jobs; w++)
        {
            threads[w] = new Thread(() =>
            {
                long n = 0, f = 0, sum = 0;
                ready.SignalAndWait();
                for (int i; (i = Interlocked.Increment(ref next)) < texts.Length;)
                {
                    var tree = RustSyntaxTree.Parse(texts[i], options);
                    if (tree.Status != ParseStatus.Ok) f++;
                    n += tree.NodeCount;
                    sum += ParseBenchmarks.Walk(tree);
                }
                Interlocked.Add(ref nodes, n);
                Interlocked.Add(ref failed, f);
                Interlocked.Add(ref checksum, sum);
            }) { IsBackground = true, Name = $"corpus-walk {w}" };
            threads[w].Start();
        }

        long gc0 = GC.CollectionCount(0), gc1 = GC.CollectionCount(1), gc2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var pause = GC.GetTotalPauseDuration();
        ready.SignalAndWait();
        var clock = Stopwatch.StartNew();
        foreach (var t in threads) t.Join();
        double seconds = clock.Elapsed.TotalSeconds;

        var line = string.Create(CultureInfo.InvariantCulture,
            $"mode=managed-walk jobs={jobs} files={texts.Length} bytes={bytes} seconds={seconds:F6} mbps={bytes / 1e6 / seconds:F3} " +
            $"nodes={nodes} failed={failed} peak_rss_kb={PeakRssKb()} " +
            $"load_seconds={loadSeconds:F3} alloc_mb={(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6:F1} " +
            $"gc0={GC.CollectionCount(0) - gc0} gc1={GC.CollectionCount(1) - gc1} gc2={GC.CollectionCount(2) - gc2} " +
            $"gc_pause_s={(GC.GetTotalPauseDuration() - pause).TotalSeconds:F3} server_gc={System.Runtime.GCSettings.IsServerGC.ToString().ToLowerInvariant()} " +
            $"recovery={options.RecoverUnsafeExternBlocks.ToString().ToLowerInvariant()} timeout_s={options.Timeout.TotalSeconds:F0} checksum={checksum}");
        Console.WriteLine(line);
        return failed == 0 ? 0 : 2;
    }

    private static int Usage(string error)
    {
        Console.Error.WriteLine($"corpus-walk: {error}");
        Console.Error.WriteLine("usage: corpus-walk --jobs N --list FILE [--no-recovery] [--no-timeout]");
        return 1;
    }

    /// <summary>Peak resident set (VmHWM) of this process in KiB, or -1 where /proc is not available.</summary>
    private static long PeakRssKb()
    {
        try
        {
            foreach (var l in File.ReadLines("/proc/self/status"))
                if (l.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(l["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException) { }
        return -1;
    }
}
