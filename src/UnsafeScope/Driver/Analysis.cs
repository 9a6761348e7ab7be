using System.Collections.Immutable;
using System.Diagnostics;
using UnsafeScope.Analyzers;
using UnsafeScope.Analyzers.Rules.Suppression;
using UnsafeScope.Catalogs;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

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
        var collected = Collect(session, AnalysisShard.All, progress, cancellationToken,
            (baseDirectory, paths, crates, locator) => (stage = new CrateStage(session, baseDirectory, paths, crates, locator, cancellationToken)).Add);
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
        return Collect(AnalysisSession.Create(options), shard, progress, cancellationToken, sink: null);
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

    private const long BigFileBytes = 1 << 20;

    /// <summary>
    /// The per-file stage: every file of the shard, on <see cref="AnalysisOptions.Jobs"/> threads, through the cache
    /// when one is set. With a <paramref name="sink"/> (given the base directory, the paths in output order and each file's crate root),
    /// records go to it as they are made, crate by crate, and are not kept; without one they are kept in the result.
    /// </summary>
    private static PartialAnalysis Collect(AnalysisSession session, AnalysisShard shard, IProgress<AnalysisProgress>? progress, CancellationToken cancellationToken,
        Func<string, IReadOnlyList<string>, string[], CrateLocator, Action<int, FileRecord>>? sink)
    {
        var options = session.Options;
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var baseDirectory = FileDiscovery.ResolveBaseDirectory(options);
        var runNotifications = new List<ToolNotification>();
        var found = FileDiscovery.Find(options, baseDirectory, runNotifications, cancellationToken);
        var files = found.Where(f => shard.Contains(f.RelativePath)).ToList();
        var locator = new CrateLocator(baseDirectory);
        // Every file of a crate may define macros its other files call (also files of other shards).
        session.SetCrateFiles(found.GroupBy(f => locator.Locate(f.FullPath).Root, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.FullPath).ToArray(), StringComparer.Ordinal));
        var sizes = files.Select(f => SafeLength(f.FullPath)).ToArray();
        int[] order;
        Action<int, FileRecord>? emit = null;
        if (sink is null)
        {
            // Largest files first so the last worker is not left with a giant file.
            order = [.. Enumerable.Range(0, files.Count).OrderByDescending(i => sizes[i]).ThenBy(i => i)];
        }
        else
        {
            // Crate by crate (crates with the largest files first, each largest file first), so each crate is
            // complete, linked and its facts released early, and the last workers still get small files.
            var crates = files.Select(f => locator.Locate(f.FullPath).Root).ToArray();
            emit = sink(baseDirectory, [.. files.Select(f => f.RelativePath)], crates, locator);
            order = [.. Enumerable.Range(0, files.Count).GroupBy(i => crates[i], StringComparer.Ordinal)
                .OrderByDescending(g => g.Max(i => sizes[i])).ThenBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => g.OrderByDescending(i => sizes[i]).ThenBy(i => i))];
        }
        var records = sink is null ? new FileRecord[files.Count] : null;
        using var bigFile = new SemaphoreSlim(1);
        int next = -1, done = 0;
        int jobs = Math.Clamp(options.Jobs, 1, Math.Max(1, files.Count));
        var workers = new Thread[jobs];
        Exception? failure = null;
        for (int w = 0; w < jobs; w++)
        {
            workers[w] = new Thread(() =>
            {
                try
                {
                    int k;
                    while ((k = Interlocked.Increment(ref next)) < order.Length && !cancellationToken.IsCancellationRequested)
                    {
                        int i = order[k];
                        FileRecord record;
                        if (sizes[i] < BigFileBytes) record = ProcessFile(files[i], session, locator, cancellationToken);
                        else
                        {
                            // Parsing a file of megabytes takes a few hundred MB of native memory: one at a time.
                            bigFile.Wait(cancellationToken);
                            try { record = ProcessFile(files[i], session, locator, cancellationToken); }
                            finally { bigFile.Release(); }
                        }
                        if (records is not null) records[i] = record;
                        else emit!(i, record);
                        progress?.Report(new AnalysisProgress(Interlocked.Increment(ref done), files.Count));
                    }
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
        return new PartialAnalysis(session.Fingerprint, baseDirectory, shard, found.Count, [.. runNotifications], records is null ? [] : [.. records], start, clock.Elapsed,
            session.Cache?.Hits ?? 0, session.Cache?.Misses ?? 0);
    }

    internal static void RunAnalyzers(Action run, string what, string path, List<ToolNotification> notifications)
    {
        try
        {
            run();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            notifications.Add(new ToolNotification(NotificationIds.AnalyzerFailed, NotificationLevel.Error,
                $"An analyzer failed in its {what} actions ({e.GetType().Name}: {e.Message}); its results there are missing.", path));
        }
    }

    /// <summary>Applies configured severities and suppression comments, reports unused and malformed suppressions, sorts.</summary>
    internal static ImmutableArray<Diagnostic> Finish(List<Diagnostic> found, FileFacts? facts, UnsafeScopeConfig config, FileInventory? inventory, Baseline? baseline,
        Workspace.LintPolicy? lints = null)
    {
        lints ??= Workspace.LintPolicy.None;
        var output = new List<Diagnostic>(found.Count);
        var used = new HashSet<SuppressionComment>();
        var scored = inventory is null ? null : ScoredRegionsAt(inventory, found.Select(d => d.Location.SourceSpan.Start));
        foreach (var reported in found)
        {
            var d = reported;
            var severity = config.EffectiveSeverity(d.Descriptor);
            // unsafescope.toml decides when it sets the rule (or its category); else the crate's own lint levels.
            var crateLevel = config.SeverityOf(d.Descriptor) == ReportSeverity.Default && d.Descriptor.Properties.TryGetValue("equivalent", out var lintName)
                ? lints.LevelOf(lintName) : null;
            if (d.Properties.TryGetValue(DiagnosticProperties.LintDefault, out var lintDefault))
            {
                // The lint is allowed by default here (US1007 before edition 2024): reported only when the crate raises it.
                if (config.SeverityOf(d.Descriptor) == ReportSeverity.Default && crateLevel is not { Level: not Workspace.LintLevel.Allow }) continue;
                d = d.WithProperties(d.Properties.Remove(DiagnosticProperties.LintDefault));
            }
            if (crateLevel is { Level: not Workspace.LintLevel.Allow } raised)
                severity = raised.Level == Workspace.LintLevel.Warn ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error;
            var diagnostic = severity == d.Severity ? d : d.WithSeverity(severity);
            if (scored is not null && scored.TryGetValue(d.Location.SourceSpan.Start, out var region) && !diagnostic.Properties.ContainsKey("score"))
                diagnostic = diagnostic.WithProperties(diagnostic.Properties
                    .SetItem("score", region.Score.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .SetItem("scoreFactors", string.Join("; ", region.ScoreFactors.Select(f => $"{f.Name} {f.Points}")))
                    .SetItem("regionKind", RegionKinds.Name(region.Kind)));
            var suppression = facts?.Suppressions.FirstOrDefault(s => s.TargetLine == d.Location.StartLine && s.Ids.Contains(d.Id, StringComparer.Ordinal));
            if (suppression is not null)
            {
                used.Add(suppression);
                diagnostic = diagnostic.WithSuppression(new Suppression("inSource", suppression.Reason.Length > 0 ? suppression.Reason : "(no reason given)"));
            }
            else if (AllowedByAttribute(d, facts) is { } lint)
            {
                // The crate silenced the equivalent compiler/clippy lint here: honor it, visibly.
                diagnostic = diagnostic.WithSuppression(new Suppression("inSource", $"#[allow({lint})] in the source"));
            }
            else if (crateLevel is { Level: Workspace.LintLevel.Allow, Setting: var allowed })
            {
                diagnostic = diagnostic.WithSuppression(new Suppression("external",
                    allowed.Source == "attribute" ? $"#![allow({allowed.Lint})] at {allowed.Location}" : $"{allowed.Lint} = \"allow\" at {allowed.Location}"));
            }
            output.Add(diagnostic);
        }
        foreach (var s in facts?.Suppressions ?? [])
        {
            if (s.Ids.Length == 0 || s.Reason.Length == 0)
            {
                if (config.IsEnabled(SuppressionRulesAnalyzer.Malformed))
                    output.Add(Diagnostic.Create(SuppressionRulesAnalyzer.Malformed, s.Location, null, null,
                        s.Ids.Length == 0 ? "names no rule id (write `unsafescope-ignore: US1001 -- reason`)" : "gives no reason after `--`")
                        .WithSeverity(config.EffectiveSeverity(SuppressionRulesAnalyzer.Malformed)));
            }
            if (s.Ids.Length > 0 && !used.Contains(s) && config.IsEnabled(SuppressionRulesAnalyzer.Unused))
                output.Add(Diagnostic.Create(SuppressionRulesAnalyzer.Unused, s.Location, null, null, string.Join(", ", s.Ids), s.TargetLine)
                    .WithSeverity(config.EffectiveSeverity(SuppressionRulesAnalyzer.Unused)));
        }
        var ordered = output.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Location.SourceSpan.End).ThenBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Message, StringComparer.Ordinal);
        var final = ImmutableArray.CreateBuilder<Diagnostic>(output.Count);
        foreach (var d in Fingerprints.Assign(ordered, facts?.LineHashes))
        {
            bool known = baseline is not null && !d.IsSuppressed && d.Properties.TryGetValue(Fingerprints.PropertyKey, out var fp) && baseline.Fingerprints.Contains(fp);
            final.Add(known ? d.WithSuppression(new Suppression("external", $"present in baseline {Path.GetFileName(baseline!.Path)}")) : d);
        }
        return final.MoveToImmutable();
    }

    /// <summary>The allowed lint equivalent to the diagnostic's rule that covers its location, if any.</summary>
    private static string? AllowedByAttribute(Diagnostic d, FileFacts? facts)
    {
        if (facts is null || facts.AllowedLints.Count == 0 || !d.Descriptor.Properties.TryGetValue("equivalent", out var equivalent)) return null;
        var lint = equivalent.StartsWith("rustc::", StringComparison.Ordinal) ? equivalent[7..] : equivalent;
        foreach (var (scope, allowed) in facts.AllowedLints)
            if (allowed == lint && scope.Contains(d.Location.SourceSpan.Start)) return lint;
        return null;
    }

    /// <summary>
    /// For each offset, the innermost scored region whose span holds it (the shortest; the first on a tie). One sweep
    /// over offsets and regions in order: scanning every region per diagnostic was quadratic (40,000 unsafe blocks: 19 s).
    /// </summary>
    private static Dictionary<int, UnsafeRegion> ScoredRegionsAt(FileInventory inventory, IEnumerable<int> offsets)
    {
        var regions = inventory.Regions.Select((r, i) => (Region: r, Index: i)).Where(x => Scoring.EncapsulationScore.IsScored(x.Region.Kind))
            .OrderBy(x => x.Region.Location.SourceSpan.Start).ToList();
        var result = new Dictionary<int, UnsafeRegion>();
        var open = new List<(UnsafeRegion Region, int Index)>(); // regions started at or before the offset, not yet ended
        int next = 0;
        foreach (int offset in offsets.Distinct().Order())
        {
            while (next < regions.Count && regions[next].Region.Location.SourceSpan.Start <= offset) open.Add(regions[next++]);
            open.RemoveAll(x => x.Region.Location.SourceSpan.End <= offset); // offsets only grow: an ended region never holds a later one
            (UnsafeRegion Region, int Index)? best = null;
            foreach (var x in open)
            {
                if (!x.Region.Location.SourceSpan.Contains(offset)) continue;
                int length = x.Region.Location.SourceSpan.Length;
                if (best is not { } b || length < b.Region.Location.SourceSpan.Length || (length == b.Region.Location.SourceSpan.Length && x.Index < b.Index)) best = x;
            }
            if (best is { } found) result[offset] = found.Region;
        }
        return result;
    }

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>Reads one file and analyzes it, or takes its record from the cache; every failure becomes a notification.</summary>
    internal static FileRecord ProcessFile(SourceFile file, AnalysisSession session, CrateLocator locator, CancellationToken cancellationToken)
    {
        var options = session.Options;
        var path = file.RelativePath;
        FileRecord Skip(string id, NotificationLevel level, string message, long bytes = 0) => new(new()
        {
            Path = path,
            Status = FileStatus.Skipped,
            Bytes = bytes,
            Notifications = [new ToolNotification(id, level, message, path)],
        }, null, []);

        // Discovery skipped FIFOs and devices; the file may have been swapped for one since.
        if (!IO.UntrustedFile.IsRegularFile(file.FullPath))
            return Skip(NotificationIds.Unreadable, NotificationLevel.Warning, "The file is no longer a regular file (a FIFO, socket or device); it was not read.");
        byte[] bytes;
        try
        {
            using var stream = IO.UntrustedFile.OpenRead(file.FullPath, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > options.MaxFileBytes)
                return Skip(NotificationIds.TooLarge, NotificationLevel.Warning,
                    $"The file is {length:N0} bytes, above the {options.MaxFileBytes:N0}-byte limit; it was not analyzed.", length);
            bytes = ReadAll(stream, options.MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Skip(NotificationIds.Unreadable, NotificationLevel.Warning, $"The file could not be read: {e.Message}");
        }
        catch (InvalidDataException)
        {
            return Skip(NotificationIds.TooLarge, NotificationLevel.Warning,
                $"The file grew above the {options.MaxFileBytes:N0}-byte limit while being read; it was not analyzed.");
        }

        var crate = locator.Locate(file.FullPath);
        var modulePath = CrateLocator.ModulePath(crate.Root, file.FullPath);
        // Integration tests (tests/*.rs) are their own crates that call this one: their functions are test code.
        bool testTarget = Path.GetRelativePath(crate.Root, file.FullPath).Replace('\\', '/').StartsWith("tests/", StringComparison.Ordinal);
        if (session.Cache is not { } cache) return Analyze(path, bytes, crate, modulePath, testTarget, session, cancellationToken);
        var key = ResultCache.Key(session.Fingerprint + " macros " + session.MacrosOf(crate.Root).Fingerprint, path, crate, modulePath, bytes);
        if (cache.TryLoad(key, session.RulesById) is { } cached) return cached;
        var record = Analyze(path, bytes, crate, modulePath, testTarget, session, cancellationToken);
        // Time-outs and internal failures may not recur: analyze those files again next time.
        if (!record.Result.Notifications.Any(n => n.Id is NotificationIds.ParseFailed or NotificationIds.InternalError or NotificationIds.AnalyzerFailed))
            cache.Store(key, record);
        return record;
    }

    /// <summary>Checks, parses and analyzes the bytes of one file.</summary>
    private static FileRecord Analyze(string path, byte[] bytes, CrateInfo crate, string modulePath, bool testTarget, AnalysisSession session, CancellationToken cancellationToken)
    {
        var (options, host) = (session.Options, session.Host);
        var text = SourceText.From(bytes, path);
        if (text.ContainsNul)
            return new(new FileResult
            {
                Path = path,
                Status = FileStatus.Skipped,
                Bytes = bytes.Length,
                Notifications = [new ToolNotification(NotificationIds.Binary, NotificationLevel.Warning, "The file contains NUL bytes and looks binary; it was not analyzed.", path)],
            }, null, []);

        var notes = ImmutableArray.CreateBuilder<ToolNotification>();
        if (!text.IsValidUtf8)
            notes.Add(new ToolNotification(NotificationIds.InvalidUtf8, NotificationLevel.Note,
                "The file is not valid UTF-8; invalid bytes were read as U+FFFD.", path));
        var diagnostics = new List<Diagnostic>();
        try
        {
            // The file's time limit covers its macro code too: fragments and expansions are parsed from what is left.
            var parseBudget = new ParseBudget(options.ParseTimeout, cancellationToken);
            var tree = RustSyntaxTree.Parse(text, RustParseOptions.Default with { Timeout = options.ParseTimeout, Queries = host.Queries }, cancellationToken);
            if (tree.Status != ParseStatus.Ok)
            {
                notes.Add(new ToolNotification(NotificationIds.ParseFailed, NotificationLevel.Warning,
                    tree.Status == ParseStatus.TimedOut
                        ? $"Parsing took longer than {options.ParseTimeout.TotalSeconds:0.#} s and was stopped; the file was not analyzed."
                        : "The parser ran out of memory; the file was not analyzed.", path));
                return new(new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Lines = text.LineCount, Notifications = notes.ToImmutable() }, null, []);
            }
            int errors = 0;
            int firstErrorLine = 0;
            foreach (var e in tree.GetErrors())
            {
                if (errors++ == 0) firstErrorLine = e.StartLine + 1;
            }
            if (errors > 0)
                notes.Add(new ToolNotification(NotificationIds.ParseErrors, NotificationLevel.Note,
                    $"The file has {errors} syntax error(s), the first at line {firstErrorLine}; the rest of the file was analyzed.", path, firstErrorLine));
            var fragments = new List<RustSyntaxTree>();
            var fileFacts = Extractor.Extract(tree, session.Catalog, path, crate.Name, modulePath, fragments, session.MacrosOf(crate.Root), parseBudget);
            if (parseBudget.RanOut)
                notes.Add(new ToolNotification(NotificationIds.ParseFailed, NotificationLevel.Warning,
                    $"The file's {options.ParseTimeout.TotalSeconds:0.#} s parse time limit ran out in its macro code; some macro arguments and expansions were not analyzed.", path));
            fileFacts.CrateRoot = crate.Root;
            fileFacts.IsTestTarget = testTarget;
            fileFacts.Edition = crate.Edition;
            fileFacts.LineHashes = Fingerprints.LineHashes(text);
            try
            {
                host.RunNodeActions(tree, crate.Edition, diagnostics.Add, cancellationToken);
                host.RunQueryActions(tree, crate.Edition, diagnostics.Add, cancellationToken);
                // Items passed to cfg_if!, cfg_net!… are code the compiler checks: the syntax rules check them too.
                foreach (var fragment in fragments)
                    host.RunNodeActions(fragment, crate.Edition, diagnostics.Add, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                diagnostics.Clear();
                notes.Add(new ToolNotification(NotificationIds.AnalyzerFailed, NotificationLevel.Error,
                    $"An analyzer failed on this file ({e.GetType().Name}: {e.Message}); its syntax diagnostics are missing.", path));
            }
            return new(new FileResult
            {
                Path = path,
                Status = FileStatus.Analyzed,
                Bytes = bytes.Length + (text.HadByteOrderMark ? 3 : 0),
                Lines = text.LineCount,
                SyntaxErrors = errors,
                Notifications = notes.ToImmutable(),
            }, fileFacts, [.. diagnostics]);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes.Add(new ToolNotification(NotificationIds.InternalError, NotificationLevel.Error,
                $"Internal error while analyzing the file ({e.GetType().Name}: {e.Message}); other files are unaffected.", path));
            return new(new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Notifications = notes.ToImmutable() }, null, []);
        }
    }

    // Reads to the end, never past the cap (the file may grow while we read).
    private static byte[] ReadAll(FileStream stream, long cap)
    {
        var buffer = new byte[Math.Max(0, (int)Math.Min(stream.Length, cap))];
        int read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                int b = stream.ReadByte();
                if (b < 0) return buffer;
                if (buffer.Length >= cap) throw new InvalidDataException();
                Array.Resize(ref buffer, (int)Math.Min(cap, Math.Max(4096, buffer.Length * 2L)));
                buffer[read++] = (byte)b;
                continue;
            }
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) return read == buffer.Length ? buffer : buffer[..read];
            read += n;
        }
    }
}
