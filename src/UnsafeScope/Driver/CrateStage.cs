using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>
/// The crate stage of a run. Records arrive in any order (from workers, a cache or shards); a crate is linked
/// as soon as its last file arrives when the crate's size is known in advance, else when <see cref="Complete"/>
/// is called. A linked crate keeps its inventories and drops its facts but for what suppression and
/// fingerprints need, so a run holds the facts of a few crates at a time rather than of the whole corpus.
/// Crates are linked side by side (their analyzer actions one crate at a time); the result does not depend on the
/// order they are linked in.
/// </summary>
internal sealed class CrateStage
{
    private readonly AnalysisSession _session;
    private readonly string _baseDirectory;
    private readonly FileResult?[] _results;
    private readonly FileFacts?[] _facts;
    private readonly FinishingFacts?[] _finishing; // what a linked crate's files keep of their facts
    private readonly List<Diagnostic>?[] _diagnostics;
    private readonly Dictionary<string, int> _indexByPath;
    private readonly Dictionary<string, int>? _pending; // crate root -> files not yet arrived, when known up front
    private readonly string[]? _crateOfFile;
    private readonly Dictionary<string, List<int>> _arrived = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CrateInventory Crate, List<ToolNotification> Notes)> _linked = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Lock _actionLock = new();
    private readonly CancellationToken _cancellationToken;
    private readonly DependencySources? _dependencies;
    private readonly CrateLocator _locator;
    private readonly Dictionary<string, Workspace.LintPolicy> _lintPolicies = new(StringComparer.Ordinal);

    // The crate cache, when the run has one and knows each file's crate up front: then a crate's key is built from its
    // files' content keys, and a linked crate is stored with the diagnostics its record and actions gave each file.
    private readonly CrateCache? _crateCache;
    private readonly IReadOnlyList<string> _paths;
    private readonly Dictionary<string, int[]>? _filesOfCrate; // every file of a crate (with facts or not), in output order
    private readonly string?[]? _contentKeys;
    private readonly string?[]? _recordKeys;
    private readonly ImmutableArray<Diagnostic>[]? _recordDiagnostics;

    /// <summary>Diagnostics located in files that are not analyzed sources (Cargo.toml, .cargo/config.toml…), by path.</summary>
    private readonly SortedDictionary<string, List<Diagnostic>> _configurationDiagnostics = new(StringComparer.Ordinal);

    // paths: the files' relative paths in output order; crateOfFile: each file's crate root when known before the
    // records arrive (then a crate is linked as soon as its last file is in).
    public CrateStage(AnalysisSession session, string baseDirectory, IReadOnlyList<string> paths, string[]? crateOfFile, CrateLocator locator, CancellationToken cancellationToken,
        CrateCache? crateCache = null)
    {
        _paths = paths;
        _locator = locator;
        _session = session;
        _baseDirectory = baseDirectory;
        _results = new FileResult?[paths.Count];
        _facts = new FileFacts?[paths.Count];
        _finishing = new FinishingFacts?[paths.Count];
        _diagnostics = new List<Diagnostic>?[paths.Count];
        _indexByPath = new Dictionary<string, int>(paths.Count, StringComparer.Ordinal);
        for (int i = 0; i < paths.Count; i++) _indexByPath[paths[i]] = i;
        _cancellationToken = cancellationToken;
        var options = session.Options;
        if (!options.DependencySources.IsDefaultOrEmpty)
            _dependencies = new DependencySources(options.DependencySources, session.Catalog, options.MaxFileBytes, options.ParseTimeout, cancellationToken);
        if (crateOfFile is not null)
        {
            _crateOfFile = crateOfFile;
            _pending = crateOfFile.GroupBy(c => c, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            if (crateCache is not null)
            {
                _crateCache = crateCache;
                _filesOfCrate = Enumerable.Range(0, paths.Count).GroupBy(i => crateOfFile[i], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
                _contentKeys = new string?[paths.Count];
                _recordKeys = new string?[paths.Count];
                _recordDiagnostics = new ImmutableArray<Diagnostic>[paths.Count];
            }
        }
    }

    /// <summary>The crate cache this stage stores linked crates in and takes them from, if any.</summary>
    public CrateCache? CrateCache => _crateCache;

    /// <summary>Takes the record of file <paramref name="index"/>; links its crate if this was the crate's last file.</summary>
    public void Add(int index, FileRecord record)
    {
        List<int>? ready = null;
        lock (_lock)
        {
            _results[index] = record.Result;
            _facts[index] = record.Facts;
            // Crate actions of a crate linked earlier may already have reported here: those come after.
            _diagnostics[index] = [.. record.Diagnostics, .. _diagnostics[index] ?? []];
            if (_contentKeys is not null)
            {
                _contentKeys[index] = record.ContentKey;
                _recordKeys![index] = record.RecordKey;
                _recordDiagnostics![index] = record.Diagnostics;
            }
            if (record.Facts is { } f)
            {
                if (!_arrived.TryGetValue(f.CrateRoot, out var list)) _arrived[f.CrateRoot] = list = [];
                list.Add(index);
            }
            if (_pending is not null && _crateOfFile is not null)
            {
                var crate = _crateOfFile[index];
                if (--_pending[crate] == 0) ready = _arrived.GetValueOrDefault(crate);
            }
        }
        // Outside the lock: the other workers go on parsing (and linking their own crates) meanwhile.
        if (ready is not null) LinkCrate(ready);
    }

    /// <summary>Links the crates not linked yet, finishes every file's diagnostics and builds the result (the caller sets its elapsed time).</summary>
    public AnalysisResult Complete(ImmutableArray<ToolNotification> runNotifications, DateTimeOffset startTime, int cacheHits, int cacheMisses)
    {
        List<List<int>> unlinked;
        lock (_lock)
            unlinked = [.. _arrived.Where(p => !_linked.ContainsKey(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)];
        // Crates whose size was not known up front (merged shards): linked here, side by side.
        Parallel.ForEach(unlinked, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _session.Options.Jobs), CancellationToken = _cancellationToken }, LinkCrate);
        lock (_lock)
        {
            var (config, options) = (_session.Config, _session.Options);
            if (Array.IndexOf(_results, null) is var missing and >= 0) throw new InvalidOperationException($"No record for file {missing}.");
            // Each file is finished on its own (suppressions, severities, fingerprints from its lines): side by side,
            // since this is the run's tail, where only one core would otherwise be busy.
            var results = new FileResult[_results.Length];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = _cancellationToken }, i =>
            {
                var r = _results[i]!;
                if (_diagnostics[i] is { Count: > 0 } || _finishing[i] is { Suppressions.Count: > 0 })
                    r = r with { Diagnostics = DiagnosticFinisher.Finish(_diagnostics[i] ?? [], _finishing[i], config, r.Inventory, options.Baseline,
                        _finishing[i] is { CrateRoot: var crateRoot } ? _lintPolicies.GetValueOrDefault(crateRoot) : null) };
                results[i] = r;
            });
            var ordered = _linked.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
            // Dependency lookups happen as crates are linked, in no fixed order: sort what they reported.
            var dependencyNotes = _dependencies?.Notifications.OrderBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Message, StringComparer.Ordinal) ?? Enumerable.Empty<ToolNotification>();
            var notifications = runNotifications
                .Concat(ordered.SelectMany(p => p.Value.Notes))
                .Concat(dependencyNotes)
                .Concat(results.SelectMany(r => r.Notifications)).ToImmutableArray();
            var host = _session.Host;
            return new AnalysisResult
            {
                BaseDirectory = _baseDirectory,
                Files = [.. results.Concat(ConfigurationResults(config, options.Baseline)).OrderBy(r => r.Path, StringComparer.Ordinal)],
                Crates = [.. ordered.Select(p => p.Value.Crate).OrderBy(c => c.Root, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)],
                Rules = host.Rules,
                RuleOverrides = host.Rules.Where(r => config.SeverityOf(r) != ReportSeverity.Default).ToImmutableDictionary(r => r.Id, config.SeverityOf),
                Notifications = notifications,
                StartTime = startTime,
                CacheHits = cacheHits,
                CacheMisses = cacheMisses,
                Digests = _crateCache?.Digests,
            };
        }
    }

    // Not under _lock: crates link side by side. A crate's files are complete, so its slots of _results, _facts and
    // _diagnostics belong to this call alone; what all crates share is written under _lock at the end. Analyzer
    // actions run one crate at a time (_actionLock), as the public API promises (per-crate state in fields).
    private void LinkCrate(List<int> indices)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        var host = _session.Host;
        indices.Sort();
        var notes = new List<ToolNotification>();
        var first = _facts[indices[0]]!;
        var crateRoot = first.CrateRoot;
        var package = _locator.PackageAt(crateRoot);
        var linker = new CrateLinker(_session.Catalog, indices.Select(i => _facts[i]!), _dependencies?.ForCrate(package, first.Crate) ?? CrateDependencies.None, _session.Target);
        var counts = InventoryCounts.Zero;
        var inventories = new List<FileInventory>(indices.Count);
        var scoring = new Scoring.ScoringContext(linker.TypesWithPublicRawFields)
        {
            UntestedFunctions = linker.Encapsulating.Where(e => !e.Tested).Select(e => e.Item).ToHashSet(StringComparer.Ordinal),
            Options = _session.Config.Options,
            Soundness = linker.Soundness,
        };
        foreach (var i in indices)
        {
            var inventory = Scoring.EncapsulationScore.Apply(linker.Link(_facts[i]!), scoring);
            inventories.Add(inventory);
            _results[i] = _results[i]! with { Inventory = inventory };
            counts += inventory.Counts;
        }
        // Safe writers that unsafe blocks trust: one answer for the inventory's list and US2013.
        var trusted = linker.Soundness.TrustedWrites(inventories);
        var lintAttributes = CrateAttributes(indices).ToImmutableArray();
        var lintPolicy = Workspace.LintPolicy.For(package, lintAttributes);
        var sourceFiles = indices.Select(i => SourceFile(_facts[i]!)).ToImmutableArray();
        var driver = Workspace.DriverConfiguration.For(package, sourceFiles, _baseDirectory, lintPolicy);
        // What the actions report, kept for the crate cache: per file for file actions, in order for crate actions.
        var fileActionDiagnostics = _crateCache is null ? null : new Dictionary<int, List<Diagnostic>>(indices.Count); // by file index
        var crateReports = _crateCache is null ? null : new List<Diagnostic>();
        Action<Diagnostic> report = crateReports is null ? Report : d =>
        {
            crateReports.Add(d);
            Report(d);
        };
        // Models see the crate's compilation and re-parse their file on demand (the parse's tree is gone by now).
        Semantics.SemanticModel Model(FileInventory file) => new(file, linker.Compilation, () => Reparse(file.Path));
        var root = FileDiscovery.Relative(_baseDirectory, crateRoot) is { Length: > 0 } r ? r : ".";
        lock (_actionLock)
        {
            FileProcessor.RunAnalyzers(() => host.RunCrateStart(first.Crate, root, report, _cancellationToken), "crate start", root, notes);
            for (int k = 0; k < indices.Count; k++)
            {
                var (inventory, list) = (inventories[k], _diagnostics[indices[k]]!);
                Action<Diagnostic> add = list.Add;
                if (fileActionDiagnostics is not null)
                {
                    var kept = fileActionDiagnostics[indices[k]] = [];
                    add = d =>
                    {
                        list.Add(d);
                        kept.Add(d);
                    };
                }
                FileProcessor.RunAnalyzers(() => host.RunFileActions(inventory, add, _cancellationToken, Model), "region and file", inventory.Path, notes);
            }
            FileProcessor.RunAnalyzers(() => host.RunCrateEnd(first.Crate, root, inventories, report, _cancellationToken, driver, Model, trusted), "crate end", root, notes);
        }
        var crate = new CrateInventory(first.Crate, root, indices.Count, counts, first.Edition, Scoring.EncapsulationScore.Rollup(inventories.SelectMany(f => f.Regions)))
        {
            Package = package,
            Driver = driver,
            EncapsulatingFunctions = linker.Encapsulating,
            ExposedFunctions = Scoring.EncapsulationScore.Exposed(linker.Soundness, inventories),
            TrustedSafeFunctions = Scoring.EncapsulationScore.Trusted(trusted),
        };
        lock (_lock)
        {
            // Under the lock: a crate action of a crate linked meanwhile may report into these files.
            foreach (var i in indices)
            {
                var f = _facts[i]!;
                var lines = (_diagnostics[i] ?? []).Select(d => d.Location.LineSpan.Start.Line).Concat(f.Suppressions.Select(s => s.Location.LineSpan.Start.Line));
                _finishing[i] = FinishingFacts.Keep(f, lines, Reload(Path.Combine(_baseDirectory, f.Path), f.Path, _session.Options.MaxFileBytes));
                _facts[i] = null;
            }
            _lintPolicies[crateRoot] = lintPolicy;
            // Only when the crate's size was known up front: then every file of it has been analyzed.
            if (_pending is not null) _session.ForgetMacros(crateRoot);
            _linked[crateRoot] = (crate, notes);
        }
        if (fileActionDiagnostics is not null && notes.Count == 0 && CrateKey(crateRoot) is { } key)
        {
            var files = _filesOfCrate![crateRoot].Select(i => new CachedFile(_results[i]!, [.. _recordDiagnostics![i], .. fileActionDiagnostics.GetValueOrDefault(i) ?? []],
                _finishing[i] is { } f && f.Kept is var (lines, hashes, reloadable) ? new CachedFinishing(f.CrateRoot, f.Suppressions, f.AllowedLints, lines, hashes, reloadable) : null,
                _recordKeys![i] ?? ""));
            _crateCache!.Store(key, new CachedCrate([.. files], crate with { Package = null, Driver = null }, lintAttributes, sourceFiles, [.. crateReports!]));
        }
    }

    /// <summary>
    /// The crate cache's key of a crate whose files all arrived with a content key (none skipped, timed out or
    /// failed: those are analyzed again next time, so the crate is not stored); null otherwise.
    /// </summary>
    private string? CrateKey(string crateRoot)
    {
        if (_filesOfCrate?.GetValueOrDefault(crateRoot) is not { } all) return null;
        var keys = new (string, string)[all.Length];
        for (int k = 0; k < all.Length; k++)
        {
            if (_contentKeys![all[k]] is not { } key) return null;
            keys[k] = (_paths[all[k]], key);
        }
        return _crateCache!.Key(crateRoot, keys);
    }

    /// <summary>
    /// Takes a crate from the crate cache in place of its files' records and its link: its files' results, the
    /// diagnostics its records and actions gave them (its crate actions' reports replayed into whichever file they
    /// name), and its inventory with this run's package and driver configuration. False, and nothing taken, when the
    /// entry does not list the crate's files.
    /// </summary>
    public bool AddCached(string crateRoot, CachedCrate entry)
    {
        if (_filesOfCrate?.GetValueOrDefault(crateRoot) is not { } all || all.Length != entry.Files.Length) return false;
        for (int k = 0; k < all.Length; k++)
            if (entry.Files[k].Result.Path != _paths[all[k]]) return false;
        var package = _locator.PackageAt(crateRoot);
        var lintPolicy = Workspace.LintPolicy.For(package, entry.LintAttributes);
        var driver = Workspace.DriverConfiguration.For(package, entry.SourceFiles, _baseDirectory, lintPolicy);
        lock (_lock)
        {
            for (int k = 0; k < all.Length; k++)
            {
                var (i, file) = (all[k], entry.Files[k]);
                _results[i] = file.Result;
                _diagnostics[i] = [.. file.Diagnostics, .. _diagnostics[i] ?? []];
                if (file.Finishing is { } f)
                    _finishing[i] = FinishingFacts.Restore(f.CrateRoot, f.Suppressions, f.AllowedLints, f.Lines, f.Hashes,
                        f.Reloadable ? Reload(Path.Combine(_baseDirectory, file.Result.Path), file.Result.Path, _session.Options.MaxFileBytes) : null);
            }
            foreach (var d in entry.Reports) ReportLocked(d);
            _lintPolicies[crateRoot] = lintPolicy;
            _linked[crateRoot] = (entry.Crate with { Package = package, Driver = driver }, []);
        }
        return true;
    }

    /// <summary>
    /// Reads a linked file's line hashes again (a finding arrived on a line whose hash was not kept); null when that
    /// fails. Static, so the closure holds the path and not the crate's linker (a lambda in LinkCrate would share its
    /// closure and keep every crate's compilation alive).
    /// </summary>
    private static Func<ulong[]?> Reload(string fullPath, string path, long maxBytes) =>
        () => ReadSource(fullPath, path, maxBytes) is { } text ? Fingerprints.LineHashes(text) : null;

    /// <summary>The file read again through the IO gateway and parsed, with the run's limits; null when that fails.</summary>
    private Syntax.RustSyntaxTree? Reparse(string path)
    {
        var options = _session.Options;
        if (ReadSource(Path.Combine(_baseDirectory, path), path, options.MaxFileBytes) is not { ContainsNul: false } text) return null;
        var tree = Syntax.RustSyntaxTree.Parse(text, Syntax.RustParseOptions.Default with { Timeout = options.ParseTimeout }, _cancellationToken);
        return tree.Status == Syntax.ParseStatus.Ok ? tree : null;
    }

    /// <summary>An analyzed file's text read again through the IO gateway, with the run's size limit; null when that fails.</summary>
    private static Text.SourceText? ReadSource(string fullPath, string path, long maxBytes)
    {
        try
        {
            return Text.SourceText.FromOwned(IO.UntrustedFile.ReadAllBytes(fullPath, maxBytes), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return null;
        }
    }

    /// <summary>The lint levels of the crate roots' <c>#![level(…)]</c> attributes (src/lib.rs, else src/main.rs), in source order.</summary>
    private static Workspace.CrateSourceFile SourceFile(FileFacts f) => new(f.Path, f.ModulePath, f.IsTestTarget, f.MarkerAttributes,
        f.Regions.Any(r => r.Kind == RegionKind.FfiEntry && r.Name == "DriverEntry"));

    private IEnumerable<Workspace.LintSetting> CrateAttributes(List<int> indices)
    {
        var roots = indices.Select(i => _facts[i]!).Where(f => f.ModulePath.Length == 0 && f.CrateLintAttributes.Count > 0)
            .Where(f => f.Path.EndsWith("src/lib.rs", StringComparison.Ordinal) || f.Path.EndsWith("src/main.rs", StringComparison.Ordinal) || f.Path is "lib.rs" or "main.rs")
            .OrderBy(f => f.Path.EndsWith("lib.rs", StringComparison.Ordinal) ? 0 : 1).Take(1);
        foreach (var f in roots)
            foreach (var (level, lint, line) in f.CrateLintAttributes)
                if (Workspace.CargoModelLoader.ParseLevel(level) is { } l)
                    yield return new Workspace.LintSetting(lint, l, 0, new Workspace.ManifestLocation(f.Path, line), "attribute");
    }

    // From crate actions: a diagnostic may land in another crate's file or a configuration file, both shared.
    private void Report(Diagnostic d)
    {
        lock (_lock) ReportLocked(d);
    }

    private void ReportLocked(Diagnostic d)
    {
        if (_indexByPath.TryGetValue(d.Location.Path, out var k)) (_diagnostics[k] ??= []).Add(d);
        else if (d.Location.Path.Length > 0 && !d.Location.Path.EndsWith(".rs", StringComparison.Ordinal))
        {
            if (!_configurationDiagnostics.TryGetValue(d.Location.Path, out var list)) _configurationDiagnostics[d.Location.Path] = list = [];
            list.Add(d);
        }
    }

    /// <summary>
    /// A result for each configuration file that holds diagnostics: they are finished like a source file's (severity,
    /// baseline, fingerprints from the file's lines), so SARIF and the JSON show them next to source findings.
    /// </summary>
    private IEnumerable<FileResult> ConfigurationResults(Configuration.UnsafeScopeConfig config, Baseline? baseline)
    {
        foreach (var (path, found) in _configurationDiagnostics)
        {
            byte[]? bytes = null;
            try
            {
                bytes = IO.UntrustedFile.ReadAllBytes(Path.Combine(_baseDirectory, path), 16 << 20);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Fingerprints then fall back to the rule and message; the finding stays.
            }
            var text = bytes is null ? null : Text.SourceText.From(bytes, path);
            var facts = FinishingFacts.WithAllLines(text is null ? null : Fingerprints.LineHashes(text));
            yield return new FileResult
            {
                Path = path,
                Status = FileStatus.Configuration,
                Bytes = bytes?.Length ?? 0,
                Lines = text?.LineCount ?? 0,
                Diagnostics = DiagnosticFinisher.Finish(found, facts, config, null, baseline, null),
            };
        }
    }
}
