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
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var baseDirectory = FileDiscovery.ResolveBaseDirectory(options);
        var runNotifications = new List<ToolNotification>();
        var files = FileDiscovery.Find(options, baseDirectory, runNotifications, cancellationToken);

        var catalog = options.Catalog ?? ApiCatalog.Default;
        var config = options.Configuration ?? UnsafeScopeConfig.Empty;
        var analyzers = options.Analyzers ?? BuiltInAnalyzers.Create(catalog);
        // User query packs (options and configuration) run next to the built-in analyzers.
        analyzers = [.. analyzers, .. options.QueryPacks.Concat(config.QueryPacks).Distinct(StringComparer.Ordinal).Select(Analyzers.QueryPacks.QueryPack.Load)];
        config.Validate(analyzers.SelectMany(a => a.SupportedDiagnostics));
        var host = new AnalyzerHost(analyzers, config.IsEnabled, config.Options);
        var diagnostics = new List<Diagnostic>?[files.Count];
        var locator = new CrateLocator();
        var results = new FileResult[files.Count];
        var facts = new FileFacts?[files.Count];
        // Largest files first so the last worker is not left with a giant file; results keep path order.
        var order = Enumerable.Range(0, files.Count).OrderByDescending(i => SafeLength(files[i].FullPath)).ThenBy(i => i).ToArray();
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
                        (results[i], facts[i]) = ProcessFile(files[i], options, catalog, locator, host, diagnostics[i] = [], cancellationToken);
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

        // Link each crate once all its files are extracted: calls resolve against the whole crate (and its dependencies, when given).
        var crates = ImmutableArray.CreateBuilder<CrateInventory>();
        var dependencySources = options.DependencySources.IsDefaultOrEmpty ? null
            : new DependencySources(options.DependencySources, catalog, options.MaxFileBytes, options.ParseTimeout, cancellationToken);
        var indexByPath = Enumerable.Range(0, files.Count).ToDictionary(i => files[i].RelativePath, StringComparer.Ordinal);
        void Report(Diagnostic d)
        {
            if (indexByPath.TryGetValue(d.Location.Path, out var k)) diagnostics[k]!.Add(d);
        }
        foreach (var group in Enumerable.Range(0, files.Count).Where(i => facts[i] is not null)
                     .GroupBy(i => facts[i]!.CrateRoot, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = facts[group.First()]!;
            var linker = new CrateLinker(catalog, group.Select(i => facts[i]!), dependencySources?.ForCrate(group.Key, first.Crate) ?? CrateDependencies.None);
            var counts = InventoryCounts.Zero;
            var crateRoot = FileDiscovery.Relative(baseDirectory, group.Key) is var cr && cr.Length > 0 ? cr : ".";
            RunAnalyzers(() => host.RunCrateStart(first.Crate, crateRoot, Report, cancellationToken), "crate start", crateRoot, runNotifications);
            var inventories = new List<FileInventory>();
            foreach (var i in group)
            {
                var inventory = linker.Link(facts[i]!);
                inventories.Add(inventory);
                results[i] = results[i] with { Inventory = inventory };
                counts += inventory.Counts;
                var list = diagnostics[i]!;
                RunAnalyzers(() => host.RunFileActions(inventory, list.Add, cancellationToken), "region and file", inventory.Path, runNotifications);
            }
            RunAnalyzers(() => host.RunCrateEnd(first.Crate, crateRoot, inventories, Report, cancellationToken), "crate end", crateRoot, runNotifications);
            crates.Add(new CrateInventory(first.Crate, crateRoot, group.Count(), counts, first.Edition, Scoring.EncapsulationScore.Rollup(inventories.SelectMany(f => f.Regions))));
        }

        if (dependencySources is not null) runNotifications.AddRange(dependencySources.Notifications);

        for (int i = 0; i < files.Count; i++)
        {
            if (diagnostics[i] is { Count: > 0 } || facts[i] is { Suppressions.Count: > 0 })
                results[i] = results[i] with { Diagnostics = Finish(diagnostics[i] ?? [], facts[i], config, results[i].Inventory, options.Baseline) };
        }

        var notifications = runNotifications.Concat(results.SelectMany(r => r.Notifications)).ToImmutableArray();
        return new AnalysisResult
        {
            BaseDirectory = baseDirectory,
            Files = [.. results],
            Crates = [.. crates.OrderBy(c => c.Root, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)],
            Rules = host.Rules,
            RuleOverrides = host.Rules.Where(r => config.SeverityOf(r) != ReportSeverity.Default).ToImmutableDictionary(r => r.Id, config.SeverityOf),
            Notifications = notifications,
            Elapsed = clock.Elapsed,
            StartTime = start,
        };
    }

    private static void RunAnalyzers(Action run, string what, string path, List<ToolNotification> notifications)
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
    private static ImmutableArray<Diagnostic> Finish(List<Diagnostic> found, FileFacts? facts, UnsafeScopeConfig config, FileInventory? inventory, Baseline? baseline)
    {
        var output = new List<Diagnostic>(found.Count);
        var used = new HashSet<SuppressionComment>();
        foreach (var d in found)
        {
            var severity = config.EffectiveSeverity(d.Descriptor);
            var diagnostic = severity == d.Severity ? d : d.WithSeverity(severity);
            if (inventory is not null && ScoredRegionAt(inventory, d.Location) is { } region && !diagnostic.Properties.ContainsKey("score"))
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

    /// <summary>The innermost scored region whose span holds the location.</summary>
    private static UnsafeRegion? ScoredRegionAt(FileInventory inventory, Text.Location location)
    {
        UnsafeRegion? best = null;
        foreach (var r in inventory.Regions)
        {
            if (!Scoring.EncapsulationScore.IsScored(r.Kind) || !r.Location.SourceSpan.Contains(location.SourceSpan.Start)) continue;
            if (best is null || r.Location.SourceSpan.Length < best.Location.SourceSpan.Length) best = r;
        }
        return best;
    }

    private static long SafeLength(string path)
    {
        try { return new FileInfo(path).Length; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>Reads, checks, parses and analyzes one file; every failure becomes a notification.</summary>
    internal static (FileResult, FileFacts?) ProcessFile(SourceFile file, AnalysisOptions options, ApiCatalog catalog, CrateLocator locator,
        AnalyzerHost host, List<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var path = file.RelativePath;
        (FileResult, FileFacts?) Skip(string id, NotificationLevel level, string message, long bytes = 0) => (new()
        {
            Path = path,
            Status = FileStatus.Skipped,
            Bytes = bytes,
            Notifications = [new ToolNotification(id, level, message, path)],
        }, null);

        byte[] bytes;
        try
        {
            using var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
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

        var text = SourceText.From(bytes, path);
        if (text.ContainsNul)
            return Skip(NotificationIds.Binary, NotificationLevel.Warning, "The file contains NUL bytes and looks binary; it was not analyzed.", bytes.Length);

        var notes = ImmutableArray.CreateBuilder<ToolNotification>();
        if (!text.IsValidUtf8)
            notes.Add(new ToolNotification(NotificationIds.InvalidUtf8, NotificationLevel.Note,
                "The file is not valid UTF-8; invalid bytes were read as U+FFFD.", path));
        try
        {
            var tree = RustSyntaxTree.Parse(text, RustParseOptions.Default with { Timeout = options.ParseTimeout, Queries = host.Queries }, cancellationToken);
            if (tree.Status != ParseStatus.Ok)
            {
                notes.Add(new ToolNotification(NotificationIds.ParseFailed, NotificationLevel.Warning,
                    tree.Status == ParseStatus.TimedOut
                        ? $"Parsing took longer than {options.ParseTimeout.TotalSeconds:0.#} s and was stopped; the file was not analyzed."
                        : "The parser ran out of memory; the file was not analyzed.", path));
                return (new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Lines = text.LineCount, Notifications = notes.ToImmutable() }, null);
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
            var crate = locator.Locate(file.FullPath);
            var fragments = new List<RustSyntaxTree>();
            var fileFacts = Extractor.Extract(tree, catalog, path, crate.Name, CrateLocator.ModulePath(crate.Root, file.FullPath), fragments);
            fileFacts.CrateRoot = crate.Root;
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
            return (new FileResult
            {
                Path = path,
                Status = FileStatus.Analyzed,
                Bytes = bytes.Length + (text.HadByteOrderMark ? 3 : 0),
                Lines = text.LineCount,
                SyntaxErrors = errors,
                Notifications = notes.ToImmutable(),
            }, fileFacts);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes.Add(new ToolNotification(NotificationIds.InternalError, NotificationLevel.Error,
                $"Internal error while analyzing the file ({e.GetType().Name}: {e.Message}); other files are unaffected.", path));
            return (new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Notifications = notes.ToImmutable() }, null);
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
