using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers;

/// <summary>Where an analyzer registers its actions (see <see cref="RustAnalyzer.Initialize"/>).</summary>
public sealed class AnalysisContext
{
    internal List<(ImmutableArray<RustSyntaxKind> Kinds, Action<SyntaxNodeAnalysisContext> Action)> NodeActions { get; } = [];
    internal List<(ImmutableArray<RegionKind> Kinds, Action<RegionAnalysisContext> Action)> RegionActions { get; } = [];
    internal List<Action<FileAnalysisContext>> FileActions { get; } = [];
    internal List<(RustQuery Query, Action<QueryMatchAnalysisContext> Action)> QueryActions { get; } = [];
    internal List<Action<CrateAnalysisContext>> CrateStartActions { get; } = [];
    internal List<Action<CrateAnalysisContext>> CrateEndActions { get; } = [];

    internal AnalysisContext()
    {
    }

    /// <summary>Runs <paramref name="action"/> for every syntax node of the given kinds, during the one walk of each tree.</summary>
    public void RegisterSyntaxNodeAction(Action<SyntaxNodeAnalysisContext> action, params ImmutableArray<RustSyntaxKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (kinds.IsDefaultOrEmpty) throw new ArgumentException("Name at least one syntax kind.", nameof(kinds));
        NodeActions.Add((kinds, action));
    }

    /// <summary>Runs <paramref name="action"/> for every match of <paramref name="query"/>; the query runs natively during the parse.</summary>
    public void RegisterQueryAction(RustQuery query, Action<QueryMatchAnalysisContext> action)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(action);
        QueryActions.Add((query, action));
    }

    /// <summary>Runs <paramref name="action"/> for every unsafe region of the given kinds (all kinds when none are given), after the crate is linked.</summary>
    public void RegisterRegionAction(Action<RegionAnalysisContext> action, params ImmutableArray<RegionKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(action);
        RegionActions.Add((kinds.IsDefault ? [] : kinds, action));
    }

    /// <summary>Runs <paramref name="action"/> once per analyzed file, with its whole inventory.</summary>
    public void RegisterFileAction(Action<FileAnalysisContext> action) => FileActions.Add(action ?? throw new ArgumentNullException(nameof(action)));

    /// <summary>
    /// Runs <paramref name="action"/> before a crate's region and file actions (per-crate state starts here).
    /// Crates are linked in no fixed order (a crate is linked as soon as all its files are parsed), side by side, but one
    /// crate's actions run at a time: start, its region and file actions, end.
    /// </summary>
    public void RegisterCrateStartAction(Action<CrateAnalysisContext> action) => CrateStartActions.Add(action ?? throw new ArgumentNullException(nameof(action)));

    /// <summary>Runs <paramref name="action"/> after all of a crate's files (per-crate rollups end here).</summary>
    public void RegisterCrateEndAction(Action<CrateAnalysisContext> action) => CrateEndActions.Add(action ?? throw new ArgumentNullException(nameof(action)));
}

/// <summary>Options of the rules, from the configuration file (<c>[rules.US1001]</c> tables).</summary>
public sealed class AnalyzerOptions
{
    /// <summary>No options set.</summary>
    public static AnalyzerOptions Empty { get; } = new(ImmutableDictionary<string, ImmutableDictionary<string, string>>.Empty);

    internal AnalyzerOptions(ImmutableDictionary<string, ImmutableDictionary<string, string>> byRule) => ByRule = byRule;

    /// <summary>Rule id → option name → value (as written).</summary>
    public ImmutableDictionary<string, ImmutableDictionary<string, string>> ByRule { get; }

    /// <summary>A boolean option of a rule, or <paramref name="fallback"/>.</summary>
    public bool GetBool(string ruleId, string option, bool fallback)
        => ByRule.TryGetValue(ruleId, out var o) && o.TryGetValue(option, out var v) && bool.TryParse(v, out var b) ? b : fallback;

    /// <summary>An integer option of a rule, or <paramref name="fallback"/>.</summary>
    public int GetInt(string ruleId, string option, int fallback)
        => ByRule.TryGetValue(ruleId, out var o) && o.TryGetValue(option, out var v) && int.TryParse(v, out var n) ? n : fallback;
}

/// <summary>Reports diagnostics from an action; shared by the action contexts.</summary>
public abstract class ReportingContext
{
    private readonly Action<Diagnostic> _report;

    private protected ReportingContext(AnalyzerOptions options, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        Options = options;
        _report = report;
        CancellationToken = cancellationToken;
    }

    /// <summary>Rule options from the configuration.</summary>
    public AnalyzerOptions Options { get; }

    /// <summary>Cancellation of the run.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Reports a diagnostic.</summary>
    public void ReportDiagnostic(Diagnostic diagnostic) => _report(diagnostic ?? throw new ArgumentNullException(nameof(diagnostic)));
}

/// <summary>The context of a syntax node action.</summary>
public sealed class SyntaxNodeAnalysisContext : ReportingContext
{
    internal SyntaxNodeAnalysisContext(SyntaxNode node, string edition, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken ct)
        : base(options, report, ct)
    {
        Node = node;
        Edition = edition;
    }

    /// <summary>The node.</summary>
    public SyntaxNode Node { get; }

    /// <summary>The tree.</summary>
    public RustSyntaxTree Tree => Node.Tree;

    /// <summary>The crate's Rust edition.</summary>
    public string Edition { get; }
}

/// <summary>The context of a query match action.</summary>
public sealed class QueryMatchAnalysisContext : ReportingContext
{
    internal QueryMatchAnalysisContext(QueryMatch match, string edition, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken ct)
        : base(options, report, ct)
    {
        Match = match;
        Edition = edition;
    }

    /// <summary>The match (captures by name: <c>Match["name"]</c>).</summary>
    public QueryMatch Match { get; }

    /// <summary>The crate's Rust edition.</summary>
    public string Edition { get; }
}

/// <summary>The context of a region action.</summary>
public sealed class RegionAnalysisContext : ReportingContext
{
    internal RegionAnalysisContext(UnsafeRegion region, FileInventory file, Semantics.SemanticModel model, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken ct)
        : base(options, report, ct)
    {
        Region = region;
        File = file;
        SemanticModel = model;
    }

    /// <summary>The region.</summary>
    public UnsafeRegion Region { get; }

    /// <summary>The file's inventory (other regions of the file).</summary>
    public FileInventory File { get; }

    /// <summary>The linked crate's answers about this file: operations, exported items, active code.</summary>
    public Semantics.SemanticModel SemanticModel { get; }
}

/// <summary>The context of a file action.</summary>
public sealed class FileAnalysisContext : ReportingContext
{
    internal FileAnalysisContext(FileInventory file, Semantics.SemanticModel model, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken ct)
        : base(options, report, ct)
    {
        File = file;
        SemanticModel = model;
    }

    /// <summary>The file's inventory.</summary>
    public FileInventory File { get; }

    /// <summary>The linked crate's answers about this file: operations, exported items, active code.</summary>
    public Semantics.SemanticModel SemanticModel { get; }
}

/// <summary>The context of crate start and end actions.</summary>
public sealed class CrateAnalysisContext : ReportingContext
{
    internal CrateAnalysisContext(string crate, string root, IReadOnlyList<FileInventory> files, AnalyzerOptions options, Action<Diagnostic> report, CancellationToken ct,
        Workspace.DriverConfiguration? driver = null)
        : base(options, report, ct)
    {
        Crate = crate;
        Root = root;
        Files = files;
        Driver = driver;
    }

    /// <summary>
    /// At crate end, for a Windows driver package: its configuration (manifest, driver model, profiles, rustflags,
    /// toolchain, lock file, crate root attributes). Diagnostics may be located in those configuration files.
    /// </summary>
    public Workspace.DriverConfiguration? Driver { get; }

    /// <summary>Crate name.</summary>
    public string Crate { get; }

    /// <summary>Crate folder relative to the base directory.</summary>
    public string Root { get; }

    /// <summary>The crate's file inventories (complete at crate end; empty at crate start).</summary>
    public IReadOnlyList<FileInventory> Files { get; }

    /// <summary>The semantic model of one of the crate's files (at crate end, whether any item is exported, say).</summary>
    public Semantics.SemanticModel GetSemanticModel(FileInventory file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Models?.Invoke(file) ?? new(file);
    }

    /// <summary>Builds the models of the linked crate (its compilation, the files' re-parse).</summary>
    internal Func<FileInventory, Semantics.SemanticModel>? Models { get; init; }

    /// <summary>The exported safe functions whose field writes unsafe blocks of the crate trust (<see cref="SoundnessIndex.TrustedWrites"/>).</summary>
    internal System.Collections.Immutable.ImmutableArray<TrustedWrite> TrustedWrites { get; init; } = [];
}
