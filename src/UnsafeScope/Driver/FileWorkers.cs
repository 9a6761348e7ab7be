using System.Diagnostics;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>
/// The worker pool of the per-file stage: a shard's files on <see cref="AnalysisOptions.Jobs"/> threads, largest first
/// (or crate by crate when records stream to a sink), one multi-megabyte file at a time.
/// </summary>
internal static class FileWorkers
{
    private const long BigFileBytes = 1 << 20;

    /// <summary>
    /// The per-file stage: every file of the shard, on <see cref="AnalysisOptions.Jobs"/> threads, through the cache
    /// when one is set. With a <paramref name="sink"/> (given the base directory, the paths in output order and each file's crate root),
    /// records go to it as they are made, crate by crate, and are not kept; without one they are kept in the result.
    /// </summary>
    internal static PartialAnalysis Collect(AnalysisSession session, AnalysisShard shard, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken,
        Func<string, IReadOnlyList<string>, string[], CrateLocator, CrateStage>? sink)
    {
        var options = session.Options;
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var baseDirectory = FileDiscovery.ResolveBaseDirectory(options);
        var runNotifications = new List<ToolNotification>();
        var found = FileDiscovery.Find(options, baseDirectory, runNotifications, cancellationToken);
        var inShard = Enumerable.Range(0, found.Count).Where(i => shard.Contains(found[i].RelativePath)).ToArray();
        var files = inShard.Select(i => found[i]).ToList();
        var locator = new CrateLocator(baseDirectory);
        // Every file of a crate may define macros its other files call (also files of other shards).
        var crateOfFound = locator.LocateAll([.. found.Select(f => f.FullPath)], options.Jobs);
        session.SetCrateFiles(Enumerable.Range(0, found.Count).GroupBy(i => crateOfFound[i].Root, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(i => found[i].FullPath).ToArray(), StringComparer.Ordinal), locator.PackageAt);
        var sizes = files.Select(f => f.Length >= 0 ? f.Length : SafeLength(f.FullPath)).ToArray();
        int[] order;
        CrateStage? stage = null;
        Func<int, bool> cached = _ => false;
        string?[]? probedKeys = null; // each file's content key as its crate's lookup read it, when that missed
        if (sink is null)
        {
            // Largest files first so the last worker is not left with a giant file.
            order = [.. Enumerable.Range(0, files.Count).OrderByDescending(i => sizes[i]).ThenBy(i => i)];
        }
        else
        {
            // Crate by crate, so each crate is complete, linked and its facts released early: first the crates
            // holding a big file, smallest crate first (a big parse's native memory then stacks on few live
            // facts: a giant crate's files all stay in memory until it is linked), then the others with the
            // largest files first so the last workers still get small files; each crate's largest file first.
            var crates = inShard.Select(i => crateOfFound[i].Root).ToArray();
            stage = sink(baseDirectory, [.. files.Select(f => f.RelativePath)], crates, locator);
            if (stage.CrateCache is { } crateCache)
            {
                // Every crate is looked up in the crate cache before any file is analyzed, crates side by side, the
                // largest first so the last lookups are small; a cached crate's files are then not read again,
                // analyzed or linked. (Looked up by the first worker to reach a crate, the other workers waited for
                // the answer: an unedited warm run kept 1.3 of 2 cores busy while it looked crates up.)
                var filesOf = Enumerable.Range(0, files.Count).GroupBy(i => crates[i], StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
                var hits = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
                probedKeys = new string?[files.Count];
                var roots = filesOf.OrderByDescending(c => c.Value.Sum(i => sizes[i])).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Key);
                // One crate at a time per thread: the default partitioning hands out growing chunks, so one thread
                // could hold several big crates while the other ran out (an edited run kept 1.2 of 2 cores busy).
                Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(roots, System.Collections.Concurrent.EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = cancellationToken }, root =>
                {
                    bool hit = false;
                    var indices = filesOf[root];
                    var keys = new string?[indices.Length];
                    if (crateCache.Probe(root, [.. indices.Select(i => files[i])], keys, out bool renewed) is { } entry && stage.AddCached(root, entry))
                    {
                        crateCache.TakeHits(entry, renewed);
                        session.ForgetMacros(root);
                        hit = true;
                    }
                    else
                    {
                        // A missed crate's files are looked up one by one with the keys just computed, without reading them
                        // again: a warm run with edits reads only the edited files twice.
                        for (int k = 0; k < indices.Length; k++) probedKeys[indices[k]] = keys[k];
                    }
                    hits[root] = hit;
                });
                crateCache.SaveDigests();
                cached = i => hits[crates[i]];
            }
            order = [.. Enumerable.Range(0, files.Count).GroupBy(i => crates[i], StringComparer.Ordinal)
                .Select(g => (Files: g, Largest: g.Max(i => sizes[i]), Total: g.Sum(i => sizes[i])))
                .OrderBy(c => c.Largest >= BigFileBytes ? (0, c.Total) : (1, -c.Largest))
                .ThenBy(c => c.Files.Key, StringComparer.Ordinal)
                .SelectMany(c => c.Files.OrderByDescending(i => sizes[i]).ThenBy(i => i))];
        }
        var records = sink is null ? new FileRecord[files.Count] : null;
        using var bigFile = new SemaphoreSlim(1);
        // Big files another worker's big file holds back: taken up as soon as it is done, so the waiting worker
        // parses small files meanwhile instead of idling (stdarch's two largest files are next to each other).
        var deferred = new System.Collections.Concurrent.ConcurrentQueue<int>();
        int next = -1, done = 0;
        int jobs = Math.Clamp(options.Jobs, 1, Math.Max(1, files.Count));
        var workers = new Thread[jobs];
        Exception? failure = null;
        for (int w = 0; w < jobs; w++)
        {
            workers[w] = new Thread(() =>
            {
                // A big file's parse (not its cached record, nor a parse its literal tables made small) is preceded by
                // giving the heap's free memory back.
                void Process(int i)
                {
                    var record = FileProcessor.ProcessFile(files[i], session, locator, cancellationToken, probedKeys?[i],
                        sizes[i] >= BigFileBytes ? static parsed => { if (parsed >= BigFileBytes) GiveBackFreeHeap(); } : null);
                    if (records is not null) records[i] = record;
                    else stage!.Add(i, record);
                    progress?.Report(new AnalysisProgress(Interlocked.Increment(ref done), files.Count));
                }
                // A deferred big file, when no other is being parsed (or, with wait, once none is).
                bool TakeDeferred(bool wait)
                {
                    if (deferred.IsEmpty) return false;
                    if (wait) bigFile.Wait(cancellationToken);
                    else if (!bigFile.Wait(0)) return false;
                    try
                    {
                        if (!deferred.TryDequeue(out var d)) return false;
                        Process(d);
                        return true;
                    }
                    finally { bigFile.Release(); }
                }
                try
                {
                    while (!cancellationToken.IsCancellationRequested)
                    {
                        if (TakeDeferred(wait: false)) continue;
                        int k = Interlocked.Increment(ref next);
                        if (k >= order.Length) break;
                        int i = order[k];
                        if (cached(i)) progress?.Report(new AnalysisProgress(Interlocked.Increment(ref done), files.Count));
                        else if (sizes[i] < BigFileBytes) Process(i);
                        else if (bigFile.Wait(0))
                        {
                            // Parsing a file of megabytes takes a few hundred MB of native memory: one at a time.
                            try
                            {
                                Process(i);
                            }
                            finally { bigFile.Release(); }
                        }
                        else deferred.Enqueue(i);
                    }
                    // What this worker deferred is done by the time it stops (another may take it first).
                    while (!cancellationToken.IsCancellationRequested && TakeDeferred(wait: true)) { }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }, 16 * 1024 * 1024) { IsBackground = true, Name = $"unsafescope-worker-{w}" };
            workers[w].Start();
        }
        foreach (var t in workers) t.Join();
        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null) throw new InvalidOperationException("An analysis worker failed.", failure);
        // Manifests were read while locating crates: a broken one is one notification, its crate analyzed with defaults.
        runNotifications.AddRange(locator.Cargo.Notifications);
        return new PartialAnalysis(new Lazy<string>(() => session.Fingerprint), baseDirectory, shard, found.Count, [.. runNotifications], records is null ? [] : [.. records], start, clock.Elapsed,
            session.Cache?.Hits ?? 0, session.Cache?.Misses ?? 0);
    }

    /// <summary>
    /// Before a big file's parse (one to two hundred MB of native memory): a blocking, compacting collection that
    /// returns the managed heap's free memory to the system, which the collector otherwise keeps committed at about
    /// twice the live heap, so the parse does not stack on top of it. A few big files per corpus: ~0.1 s each.
    /// Only when the process asks for it (the command does, in its runtimeconfig): a host embedding the library
    /// decides for itself whether collections are forced.
    /// </summary>
    private static void GiveBackFreeHeap()
    {
        if (s_giveBackFreeHeap) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static readonly bool s_giveBackFreeHeap = AppContext.TryGetSwitch(GiveBackFreeHeapSwitch, out var on) && on;

    /// <summary>The AppContext switch (a runtimeconfig knob) under which a big file's parse is preceded by <see cref="GiveBackFreeHeap"/>.</summary>
    internal const string GiveBackFreeHeapSwitch = "UnsafeScope.Memory.CollectBeforeBigFiles";

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }
}
