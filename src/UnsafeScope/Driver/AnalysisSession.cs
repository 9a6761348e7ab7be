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
        RulesById = Host.Rules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);
        Fingerprint = ContentHash.Of([
            "format " + FileRecordFormat.Version,
            // The build, not the version number: a rebuilt tool may analyze differently.
            "tool " + typeof(AnalysisSession).Module.ModuleVersionId,
            "catalog " + catalog.Fingerprint,
            "config " + config.Fingerprint,
            .. analyzers.Select(a => a is QueryPack q
                ? "pack " + q.Fingerprint
                : $"analyzer {a.GetType().AssemblyQualifiedName} {a.GetType().Module.ModuleVersionId}"),
            $"limits {options.MaxFileBytes} {options.ParseTimeout.Ticks}",
            "excluded " + string.Join('/', options.ExcludedDirectoryNames),
        ]);
        Cache = options.CacheDirectory is { } dir ? new ResultCache(dir) : null;
    }

    public AnalysisOptions Options { get; }

    public ApiCatalog Catalog { get; }

    public UnsafeScopeConfig Config { get; }

    public AnalyzerHost Host { get; }

    /// <summary>The rules that may report, by id: reading cached or shard records maps ids back to descriptors.</summary>
    public FrozenDictionary<string, DiagnosticDescriptor> RulesById { get; }

    /// <summary>A hash of everything besides a file's own bytes and place that its record depends on.</summary>
    public string Fingerprint { get; }

    public ResultCache? Cache { get; }

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
        return new AnalysisSession(options, catalog, config, analyzers);
    }
}
