using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers;

/// <summary>
/// Holds the initialized analyzers of a run and dispatches to them: node actions through a kind-indexed
/// table during one walk of each tree, region/file actions after the crate link, crate actions around a crate.
/// Rules turned off by configuration are never run.
/// </summary>
internal sealed class AnalyzerHost
{
    private readonly Action<SyntaxNodeAnalysisContext>[][] _nodeActionsByKind;
    private readonly List<(ImmutableArray<RegionKind> Kinds, Action<RegionAnalysisContext> Action)> _regionActions = [];
    private readonly List<Action<FileAnalysisContext>> _fileActions = [];
    private readonly List<Action<CrateAnalysisContext>> _crateStart = [];
    private readonly List<Action<CrateAnalysisContext>> _crateEnd = [];
    private readonly Dictionary<RustQuery, List<Action<QueryMatchAnalysisContext>>> _queryActions = new(ReferenceEqualityComparer.Instance);

    public AnalyzerHost(IEnumerable<RustAnalyzer> analyzers, Func<DiagnosticDescriptor, bool> isEnabled, AnalyzerOptions options)
    {
        Options = options;
        var rules = new SortedDictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        var byKind = new List<Action<SyntaxNodeAnalysisContext>>[Enum.GetValues<RustSyntaxKind>().Max(k => (int)k) + 1];
        foreach (var analyzer in analyzers)
        {
            var supported = analyzer.SupportedDiagnostics.Where(isEnabled).ToList();
            if (supported.Count == 0) continue;
            foreach (var d in supported)
            {
                if (rules.TryGetValue(d.Id, out var existing) && !ReferenceEquals(existing, d))
                    throw new InvalidOperationException($"Two analyzers declare rule {d.Id} ({existing.Name}, {d.Name}).");
                rules[d.Id] = d;
            }
            var context = new AnalysisContext();
            analyzer.Initialize(context);
            foreach (var (kinds, action) in context.NodeActions)
                foreach (var k in kinds)
                    (byKind[(int)k] ??= []).Add(action);
            _regionActions.AddRange(context.RegionActions);
            _fileActions.AddRange(context.FileActions);
            _crateStart.AddRange(context.CrateStartActions);
            _crateEnd.AddRange(context.CrateEndActions);
            foreach (var (query, action) in context.QueryActions)
            {
                if (!_queryActions.TryGetValue(query, out var list)) _queryActions[query] = list = [];
                list.Add(action);
            }
        }
        _nodeActionsByKind = byKind.Select(l => l?.ToArray() ?? []).ToArray();
        Rules = [.. rules.Values];
        HasNodeActions = _nodeActionsByKind.Any(a => a.Length > 0);
        NodeActionKinds = [.. Enumerable.Range(0, _nodeActionsByKind.Length).Where(k => _nodeActionsByKind[k].Length > 0).Select(k => (RustSyntaxKind)k)];
        Queries = [.. _queryActions.Keys];
    }

    /// <summary>The queries the parser must run for the analyzers.</summary>
    public ImmutableArray<RustQuery> Queries { get; }

    /// <summary>Calls the actions registered for each query match of the tree.</summary>
    public void RunQueryActions(RustSyntaxTree tree, string edition, Action<Diagnostic> report, CancellationToken ct)
    {
        foreach (var match in tree.QueryMatches)
        {
            if (!_queryActions.TryGetValue(match.Query, out var actions)) continue;
            var context = new QueryMatchAnalysisContext(match, edition, Options, report, ct);
            foreach (var a in actions) a(context);
        }
    }

    public ImmutableArray<DiagnosticDescriptor> Rules { get; }

    public AnalyzerOptions Options { get; }

    public bool HasNodeActions { get; }

    /// <summary>The node kinds some analyzer has an action for.</summary>
    public System.Collections.Immutable.ImmutableHashSet<RustSyntaxKind> NodeActionKinds { get; }

    /// <summary>
    /// The node actions as a callback for a walk that already goes over every node (the extractor's): each node's
    /// kind selects its actions. An action that throws stops the callback for the rest of the file, and
    /// <see cref="NodeDispatcher.Failure"/> says why, so a broken analyzer never stops the walk that feeds the inventory.
    /// </summary>
    public NodeDispatcher CreateNodeDispatcher(string edition, Action<Diagnostic> report, CancellationToken ct)
        => new(_nodeActionsByKind, edition, Options, report, ct);

    internal sealed class NodeDispatcher(Action<SyntaxNodeAnalysisContext>[][] table, string edition, AnalyzerOptions options,
        Action<Diagnostic> report, CancellationToken ct)
    {
        /// <summary>The exception an action threw, which stopped the dispatch; null while all is well.</summary>
        public Exception? Failure { get; private set; }

        public void Visit(SyntaxNode node)
        {
            if (Failure is not null) return;
            var actions = table[(int)node.Kind];
            if (actions.Length == 0) return;
            try
            {
                var context = new SyntaxNodeAnalysisContext(node, edition, options, report, ct);
                foreach (var a in actions) a(context);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                Failure = e;
            }
        }
    }

    public void RunFileActions(FileInventory file, Action<Diagnostic> report, CancellationToken ct, Func<FileInventory, Semantics.SemanticModel>? models = null)
    {
        var model = models?.Invoke(file) ?? new Semantics.SemanticModel(file);
        foreach (var region in file.Regions)
        {
            if (!region.IsActive) continue; // not compiled for the configured target: inventoried, never reported
            RegionAnalysisContext? context = null;
            foreach (var (kinds, action) in _regionActions)
            {
                if (!kinds.IsEmpty && !kinds.Contains(region.Kind)) continue;
                action(context ??= new RegionAnalysisContext(region, file, model, Options, report, ct));
            }
        }
        if (_fileActions.Count == 0) return;
        var fileContext = new FileAnalysisContext(file, model, Options, report, ct);
        foreach (var a in _fileActions) a(fileContext);
    }

    public void RunCrateStart(string crate, string root, Action<Diagnostic> report, CancellationToken ct)
    {
        if (_crateStart.Count == 0) return;
        var c = new CrateAnalysisContext(crate, root, [], Options, report, ct);
        foreach (var a in _crateStart) a(c);
    }

    public void RunCrateEnd(string crate, string root, IReadOnlyList<FileInventory> files, Action<Diagnostic> report, CancellationToken ct, Workspace.DriverConfiguration? driver = null,
        Func<FileInventory, Semantics.SemanticModel>? models = null, ImmutableArray<TrustedWrite> trustedWrites = default)
    {
        if (_crateEnd.Count == 0) return;
        var c = new CrateAnalysisContext(crate, root, files, Options, report, ct, driver) { Models = models, TrustedWrites = trustedWrites.IsDefault ? [] : trustedWrites };
        foreach (var a in _crateEnd) a(c);
    }
}
