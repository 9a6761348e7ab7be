using System.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>How far a run is: files done of the files found.</summary>
/// <param name="Done">Files analyzed (or skipped) so far.</param>
/// <param name="Total">Files found.</param>
public readonly record struct AnalysisProgress(int Done, int Total);

/// <summary>The one entry point that runs an analysis over files and folders.</summary>
public static class Analysis
{
    /// <summary>
    /// Analyzes every <c>*.rs</c> file under <see cref="AnalysisOptions.Paths"/> on
    /// <see cref="AnalysisOptions.Jobs"/> threads. Bad files never stop the run: they become notifications.
    /// The result does not depend on the thread count.
    /// </summary>
    public static AnalysisResult Run(AnalysisOptions options, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var session = AnalysisSession.Create(options);
        CrateStage? stage = null;
        var collected = FileWorkers.Collect(session, AnalysisShard.All, progress, cancellationToken,
            (baseDirectory, paths, crates, locator) => stage = new CrateStage(session, baseDirectory, paths, crates, locator, cancellationToken,
                CrateCache.For(session, baseDirectory, locator)));
        var result = stage!.Complete(collected.RunNotifications, collected.StartTime, collected.CacheHits, collected.CacheMisses);
        return result with { Elapsed = clock.Elapsed };
    }

    /// <summary>
    /// Runs the per-file stage over one shard of the files (<c>--shard i/n</c>): parse, extract, node and query
    /// actions. Crates are not linked; <see cref="Merge"/> links the shards' records into the result a single run
    /// would give. Every shard must run with the same options and paths.
    /// </summary>
    public static PartialAnalysis RunPartial(AnalysisOptions options, AnalysisShard shard, IProgress<AnalysisProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return FileWorkers.Collect(AnalysisSession.Create(options), shard, progress, cancellationToken, sink: null);
    }

    /// <summary>
    /// Links the shards of one run (all <c>n</c> of them, each once) into the result of a single-machine run with
    /// <paramref name="options"/>, which must match the options the shards ran with (the paths are not needed).
    /// Throws <see cref="InvalidDataException"/> naming the problem when the shards do not fit together.
    /// </summary>
    public static AnalysisResult Merge(IEnumerable<PartialAnalysis> parts, AnalysisOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(options);
        var list = parts.OrderBy(p => p.Shard.Index).ToList();
        if (list.Count == 0) throw new InvalidDataException("There are no shard outputs to merge.");
        var session = AnalysisSession.Create(options);
        var first = list[0];
        foreach (var p in list)
        {
            if (p.Fingerprint != session.Fingerprint)
                throw new InvalidDataException($"Shard {p.Shard} was produced by another build of UnsafeScope or with other options (configuration, catalogs, query packs, analyzers, limits) than this merge.");
            if (p.Shard.Count != first.Shard.Count || p.BaseDirectory != first.BaseDirectory || p.TotalFiles != first.TotalFiles)
                throw new InvalidDataException($"Shard {p.Shard} does not belong to the same run as shard {first.Shard} (shard count, base directory or files found differ).");
        }
        var duplicate = list.GroupBy(p => p.Shard.Index).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"Shard {duplicate.First().Shard} is given {duplicate.Count()} times.");
        var missing = Enumerable.Range(1, first.Shard.Count).Except(list.Select(p => p.Shard.Index)).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"Shard(s) {string.Join(", ", missing.Select(i => $"{i}/{first.Shard.Count}"))} are missing.");
        if (list.Sum(p => p.FileCount) != first.TotalFiles)
            throw new InvalidDataException($"The shards hold {list.Sum(p => p.FileCount)} files; the run found {first.TotalFiles}.");
        var clock = Stopwatch.StartNew();
        foreach (var p in list) p.Decode(session.RulesById);
        var records = list.SelectMany(p => p.Records).OrderBy(r => r.Result.Path, StringComparer.Ordinal).ToList();
        var stage = new CrateStage(session, first.BaseDirectory, [.. records.Select(r => r.Result.Path)], crateOfFile: null, new CrateLocator(first.BaseDirectory), cancellationToken);
        for (int i = 0; i < records.Count; i++) stage.Add(i, records[i]);
        var startTime = list.Min(p => p.StartTime);
        var shardsDone = list.Max(p => p.StartTime + p.Elapsed) - startTime;
        var result = stage.Complete(first.RunNotifications, startTime, list.Sum(p => p.CacheHits), list.Sum(p => p.CacheMisses));
        return result with { Elapsed = shardsDone + clock.Elapsed };
    }
}
