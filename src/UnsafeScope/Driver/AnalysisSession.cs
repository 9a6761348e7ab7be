using UnsafeScope.IO;
using System.Collections.Frozen;
using UnsafeScope.Analyzers;
using UnsafeScope.Analyzers.QueryPacks;
using UnsafeScope.Catalogs;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Driver;

/// <summary>What one run (or one shard, or one merge) is set up with: catalog, configuration, analyzers, and their fingerprint.</summary>
internal sealed class AnalysisSession
{
    private AnalysisSession(AnalysisOptions options, ApiCatalog catalog, UnsafeScopeConfig config, IReadOnlyList<RustAnalyzer> analyzers)
    {
        Options = options;
        Catalog = catalog;
        Config = config;
        Host = new AnalyzerHost(analyzers, config.IsEnabled, config.Options);
        // Only to find the dependencies' folders for their macros: the crate stage's own instance parses and reports.
        _macroDependencies = new(() => options.DependencySources.IsDefaultOrEmpty ? null
            : new Inventory.DependencySources(options.DependencySources, catalog, options.MaxFileBytes, options.ParseTimeout, CancellationToken.None));
        RulesById = Host.Rules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
        // Hashed on first use (a cache, shards): SHA-256 loads OpenSSL, which a plain run need not pay at start-up.
        _fingerprint = new(() => ContentHash.Of([
            "format " + FileRecordFormat.Version,
            // The build, not the version number: a rebuilt tool may analyze differently.
            "tool " + typeof(AnalysisSession).Module.ModuleVersionId,
            "catalog " + catalog.Fingerprint,
            "config " + config.Fingerprint,
            .. analyzers.Select(a => a is QueryPack q
                ? "pack " + q.Fingerprint
                : $"analyzer {a.GetType().AssemblyQualifiedName} {a.GetType().Module.ModuleVersionId}"),
            $"limits {options.MaxFileBytes} {options.ParseTimeout.Ticks}",
            // Records of one parse mode never stand in for the other's: --parse all checks what the lazy run skips.
            "parse " + options.Parse,
            "excluded " + string.Join('/', options.ExcludedDirectoryNames),
            // Shards linked together must agree on which cfgs hold.
            "target " + options.Target + " " + config.Target.Describe(),
        ]));
        Cache = options.CacheDirectory is { } dir ? new ResultCache(dir) : null;
        // Lazily: the check parses a sample, and a run that parses nothing need not load the parser for it.
        _blanksLiteralTables = new(() => options.Parse == ParseMode.Lazy
            && !Host.NodeActionKinds.Overlaps(Syntax.InertTables.InteriorKinds)
            && !Host.Queries.Any(q => Syntax.InertTables.QueryMayLookInside(q.Source)));
    }

    public AnalysisOptions Options { get; }

    public ApiCatalog Catalog { get; }

    /// <summary>The configured target, or null (cfgs are alternatives).</summary>
    public Semantics.TargetConfiguration? Target { get; private init; }

    public UnsafeScopeConfig Config { get; }

    public AnalyzerHost Host { get; }

    /// <summary>The rules that may report, by id: reading cached or shard records maps ids back to descriptors.</summary>
    public FrozenDictionary<string, DiagnosticDescriptor> RulesById { get; }

    /// <summary>A hash of everything besides a file's own bytes and place that its record depends on.</summary>
    public string Fingerprint => _fingerprint.Value;

    private readonly Lazy<string> _fingerprint;

    public ResultCache? Cache { get; }

    /// <summary>
    /// Whether the elements of literal tables are left unparsed (<see cref="Syntax.InertTables"/>): in the lazy mode, when
    /// no analyzer's node action or query can look at a node inside one. Decided once per run, on first use.
    /// </summary>
    public bool BlanksLiteralTables => _blanksLiteralTables.Value;

    private readonly Lazy<bool> _blanksLiteralTables;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Syntax.Macros.MacroTable>> _macros = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string[]> _crateFiles = new Dictionary<string, string[]>();

    private Func<string, Workspace.CargoPackage?>? _packageAt;
    private readonly Lazy<Inventory.DependencySources?> _macroDependencies;

    /// <summary>
    /// The files of each crate (root → full paths) found by this run, whose macro_rules! its files may call, and its
    /// package (whose dependencies' macros, from the <c>--deps</c> sources, it may call too).
    /// </summary>
    public void SetCrateFiles(IReadOnlyDictionary<string, string[]> filesByCrateRoot, Func<string, Workspace.CargoPackage?>? packageAt = null)
    {
        _crateFiles = filesByCrateRoot;
        _packageAt = packageAt;
    }

    /// <summary>
    /// The macro_rules! defined in a crate's files, then those of its dependencies' library sources (given with
    /// <c>--deps</c>) that it does not define itself, read once per run (files too large or unreadable are left out).
    /// </summary>
    public Syntax.Macros.MacroTable MacrosOf(string crateRoot) => _macros.GetOrAdd(crateRoot, root => new(() =>
    {
        if (!_crateFiles.TryGetValue(root, out var files)) return Syntax.Macros.MacroTable.Empty;
        var own = Build(files.Order(StringComparer.Ordinal));
        if (_macroDependencies.Value is not { } sources || _packageAt?.Invoke(root) is not { } package) return own;
        var dependencyFiles = sources.ForCrate(package, package.Name).Direct().Select(d => d.Directory).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).SelectMany(Inventory.DependencySources.LibraryFiles);
        return own.With(Build(dependencyFiles));
    })).Value;

    /// <summary>Drops a linked crate's macro table: no file of it is analyzed after its crate is linked.</summary>
    public void ForgetMacros(string crateRoot) => _macros.TryRemove(crateRoot, out _);

    // One file at a time in this thread's reused buffer, so a crate's files are never all in memory and their bytes
    // are not allocated again (a warm run builds the table of each edited crate, reading all of its files); files too
    // large or unreadable are left out: the file's own analysis reports them.
    private Syntax.Macros.MacroTable Build(IEnumerable<string> paths)
    {
        var builder = new Syntax.Macros.MacroTable.Builder();
        foreach (var path in paths)
        {
            try
            {
                IO.UntrustedFile.UseAllBytes(path, Options.MaxFileBytes, bytes =>
                {
                    builder.Add(bytes);
                    return true;
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return builder.ToTable();
    }

    public static AnalysisSession Create(AnalysisOptions options)
    {
        var catalog = options.Catalog ?? ApiCatalog.Default;
        var config = options.Configuration ?? UnsafeScopeConfig.Empty;
        var analyzers = options.Analyzers ?? BuiltInAnalyzers.Create(catalog);
        // User query packs (options and configuration) run next to the built-in analyzers.
        var declared = analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var pack in options.QueryPacks.Concat(config.QueryPacks).Distinct(StringComparer.Ordinal).Select(QueryPack.Load))
        {
            if (pack.SupportedDiagnostics.FirstOrDefault(d => !declared.Add(d.Id)) is { } clash)
                throw new QueryPackException(pack.File, 1, $"declares rule {clash.Id}, which another analyzer or pack already declares (a built-in pack needs no --queries)");
            analyzers = analyzers.Add(pack);
        }
        config.Validate(analyzers.SelectMany(a => a.SupportedDiagnostics));
        // --target overrides the configuration's triple; its features and cfgs still hold.
        var triple = options.Target ?? config.Target.Triple;
        var target = triple is not null
            ? Semantics.TargetConfiguration.Parse(triple) ?? throw new ArgumentException($"'{triple}' is not a target triple (arch-vendor-os[-env]).", nameof(options))
            : config.Target.IsEmpty ? null : Semantics.TargetConfiguration.Unspecified;
        target = target?.With(config.Target.Features, config.Target.Cfgs);
        return new AnalysisSession(options, catalog, config, analyzers) { Target = target };
    }
}
