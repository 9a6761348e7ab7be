using System.Collections.Immutable;

namespace UnsafeScope.Inventory;

/// <summary>
/// What a region's soundness factors know about the function around it (docs/scoring.md): how far it is from the
/// crate's exported safe API, the function's signature and body facts (<see cref="SoundnessCollector"/>).
/// </summary>
/// <param name="Function">The enclosing function's item path.</param>
/// <param name="Exposure">Calls from an exported safe function: 0 = it is one; -1 = not reachable from one.</param>
/// <param name="ExposedThrough">The exported safe function that reaches it first (itself at 0), or empty.</param>
/// <param name="Body">The function's facts.</param>
internal sealed record FunctionSoundness(string Function, int Exposure, string ExposedThrough, FunctionBody Body);

/// <summary>An exported safe function that sets <paramref name="Field"/> from its caller's value, <paramref name="Why"/>, and the unsafe blocks that trust it.</summary>
internal sealed record TrustedWrite(FunctionSoundness Writer, string File, string Field, string Why, ImmutableArray<TrustingBlock> By);

/// <summary>An unsafe block of <paramref name="Function"/> in the file at <paramref name="Path"/> that uses a trusted field in <paramref name="Operation"/>.</summary>
internal sealed record TrustingBlock(string Path, UnsafeRegion Region, string Function, string Operation);

/// <summary>
/// The crate's call graph seen from its exported safe API: which functions safe callers of other crates can reach,
/// and through what. One per crate, built by the linker (it decides exportedness).
/// </summary>
internal sealed class SoundnessIndex
{
    private readonly CallGraph _graph;
    private readonly int[] _distance;
    private readonly int[] _root;
    // The functions of each file by item path: a region asks for its own item, so a file of thousands of intrinsics
    // does not scan every function for every region.
    private readonly Dictionary<(string File, string Item), List<int>> _byItem = [];
    private readonly Dictionary<(string File, int Line), string> _variance = [];
    private readonly Dictionary<(string Owner, string Field), List<(int Function, string Kind, string Why)>> _writers = [];
    private readonly HashSet<string> _traits = new(StringComparer.Ordinal);

    /// <summary>The crate declares a trait of that name (an edition-2015 <c>impl Name { … }</c> is then <c>impl dyn Name</c>).</summary>
    public bool IsTrait(string name) => _traits.Contains(name);

    public SoundnessIndex(IReadOnlyList<FileFacts> files, CallGraph graph, Func<FunctionBody, FileFacts, bool> exported)
    {
        _graph = graph;
        var all = graph.Functions;
        _distance = new int[all.Count];
        _root = new int[all.Count];
        Array.Fill(_distance, -1);
        var queue = new Queue<int>();
        for (int i = 0; i < all.Count; i++)
        {
            if (!_byItem.TryGetValue((all[i].File.Path, all[i].Body.Item), out var list)) _byItem[(all[i].File.Path, all[i].Body.Item)] = list = [];
            list.Add(i);
            var b = all[i].Body;
            if (b.IsUnsafe || graph.IsTestCode(i) || !exported(b, all[i].File)) continue;
            _distance[i] = 0;
            _root[i] = i;
            queue.Enqueue(i);
        }
        // Breadth first from every root at once: each function gets its shortest distance and the first root in
        // file and source order that achieves it. Safe code reaches through safe functions only: an unsafe fn's
        // caller takes on its contract in its own unsafe block, which is where a safe caller's input turns into UB.
        while (queue.TryDequeue(out var i))
            foreach (var j in graph.Callees(i))
            {
                if (_distance[j] >= 0 || graph.IsTestCode(j)) continue;
                _distance[j] = _distance[i] + 1;
                _root[j] = _root[i];
                if (!all[j].Body.IsUnsafe) queue.Enqueue(j);
            }
        // Safe writers of each type's fields that safe callers reach, in function order (the first explains a trust).
        for (int i = 0; i < all.Count; i++)
        {
            var b = all[i].Body;
            // Exported itself: a helper's parameters are filled by the crate's own code (what the exported caller passes
            // on is the dataflow across calls that is not modelled).
            if (!b.HasFieldWrites || b.IsUnsafe || b.OwnerType.Length == 0 || _distance[i] != 0 || graph.IsTestCode(i)) continue;
            foreach (var (field, kind, why) in UntrustedWrites(b))
            {
                if (!_writers.TryGetValue((b.OwnerType, field), out var list)) _writers[(b.OwnerType, field)] = list = [];
                list.Add((i, kind, why));
            }
        }
        foreach (var f in files)
        {
            foreach (var item in f.Items)
                if (item.Kind == ItemKind.Trait) _traits.Add(item.Name);
            foreach (var v in f.SendSyncVariance)
            {
                int tab = v.IndexOf('\t');
                _variance[(f.Path, int.Parse(v[..tab], System.Globalization.CultureInfo.InvariantCulture))] = v[(tab + 1)..];
            }
        }
    }

    /// <summary>The function holding a region of that file at that line (the innermost whose lines contain it), or null.</summary>
    public FunctionSoundness? For(string file, string item, int line)
    {
        if (!_byItem.TryGetValue((file, item), out var list)) return null;
        int best = -1;
        foreach (var i in list)
        {
            var b = _graph.Functions[i].Body;
            // The name's line: attributes and the visibility of an unsafe fn's own region may start a few lines above it.
            if (line < b.Location.StartLine - 20 || line > b.EndLine) continue;
            if (best < 0 || b.Location.StartLine > _graph.Functions[best].Body.Location.StartLine) best = i;
        }
        return best < 0 ? null : Describe(best);
    }

    private FunctionSoundness Describe(int i)
        => new(_graph.Functions[i].Body.Item, _distance[i], _distance[i] >= 0 ? _graph.Functions[_root[i]].Body.Item : "", _graph.Functions[i].Body);

    /// <summary>
    /// The exported safe functions that set <c>self.field</c> of type <paramref name="owner"/> from a
    /// value those callers choose (<see cref="FunctionBody.FieldWrites"/>), with how, in function order.
    /// </summary>
    public IEnumerable<(FunctionSoundness Writer, string File, string Kind, string Why)> Writers(string owner, string field)
    {
        if (!_writers.TryGetValue((owner, field), out var list)) yield break;
        foreach (var (i, kind, why) in list) yield return (Describe(i), _graph.Functions[i].File.Path, kind, why);
    }

    /// <summary>
    /// A field of <c>self</c> among the operands of an input-sensitive operation of an unsafe block in a safe method
    /// (directly, or through lets) that an exported safe function of the same type sets from a value its caller chooses
    /// (<see cref="Writers"/>), unchecked before the operation: the block trusts that writer. Every such writer, in
    /// operation, operand and function order (the score's <c>trusts-safe-writer</c> names the first; US2013 and
    /// <c>crates[].trustedSafeFunctions</c> all).
    /// </summary>
    public IEnumerable<(string Operand, string Operation, FunctionSoundness Writer, string WriterFile, string Why)> TrustedWriters(UnsafeRegion r, FunctionSoundness fn)
    {
        var body = fn.Body;
        if (body.OwnerType.Length == 0 || body.IsUnsafe || r.Kind != RegionKind.UnsafeBlock || r.InUnsafeFunction) yield break;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var op in r.Operations)
        {
            if (!SoundnessCollector.IsInputSensitive(op)) continue;
            var operation = op.Kind == OperationKind.RawPointerDeref ? "a dereference" : Extractor.LastSegment(op.Name);
            foreach (var operand in op.Operands)
            {
                var sources = SoundnessCollector.Sources(operand.Name, body);
                foreach (var field in sources.Where(x => x.StartsWith("self.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                    // Once per field: the first operation that uses it unchecked.
                    if (!seen.Contains(field) && !SoundnessCollector.IsChecked(op.Line, sources, body) && seen.Add(field))
                        foreach (var w in Writers(body.OwnerType, field[5..]))
                            // An integer field is trusted as a length, index or offset, not as data a read or write passes on (a file descriptor).
                            if (w.Kind != "int" || SoundnessCollector.IndexSensitive.Contains(operation))
                                yield return (field, operation, w.Writer, w.File, w.Why);
            }
        }
    }

    /// <summary>
    /// Every exported safe writer that unsafe blocks of the crate trust (<see cref="TrustedWriters"/>), one entry per
    /// writer and field with the trusting blocks, in file and line order: what <c>crates[].trustedSafeFunctions</c> lists
    /// and US2013 reports.
    /// </summary>
    public ImmutableArray<TrustedWrite> TrustedWrites(IReadOnlyList<FileInventory> files)
    {
        var found = new Dictionary<(string File, int Line, string Item, string Field), (FunctionSoundness Writer, string Why, List<TrustingBlock> By)>();
        foreach (var f in files)
            foreach (var r in f.Regions)
            {
                if (r.Kind != RegionKind.UnsafeBlock || r.InUnsafeFunction || For(f.Path, r.Item, r.StartLine) is not { } fn) continue;
                foreach (var t in TrustedWriters(r, fn))
                {
                    var key = (t.WriterFile, t.Writer.Body.Location.StartLine, t.Writer.Function, t.Operand);
                    if (!found.TryGetValue(key, out var entry)) found[key] = entry = (t.Writer, t.Why, []);
                    entry.By.Add(new TrustingBlock(f.Path, r, fn.Function, t.Operation));
                }
            }
        return [.. found.OrderBy(kv => kv.Key.File, StringComparer.Ordinal).ThenBy(kv => kv.Key.Line).ThenBy(kv => kv.Key.Item, StringComparer.Ordinal).ThenBy(kv => kv.Key.Field, StringComparer.Ordinal)
            .Select(kv => new TrustedWrite(kv.Value.Writer, kv.Key.File, kv.Key.Field, kv.Value.Why,
                [.. kv.Value.By.OrderBy(b => b.Path, StringComparer.Ordinal).ThenBy(b => b.Region.StartLine)]))];
    }

    /// <summary>
    /// The writes a safe caller controls: a raw-pointer parameter, what a closure or generic parameter returned, or an
    /// integer parameter unchecked, unless another field is set from the same parameter too (a constructor that sizes
    /// an allocation by it keeps the two consistent).
    /// </summary>
    private static IEnumerable<(string Field, string Kind, string Why)> UntrustedWrites(FunctionBody b)
    {
        var entries = b.FieldWrites.Order(StringComparer.Ordinal).Select(e => e.Split('\t')).ToList();
        foreach (var e in entries)
        {
            switch (e[1])
            {
                case "raw":
                    yield return (e[0], "raw", $"from its raw-pointer parameter {e[2]}");
                    break;
                case "user":
                    yield return (e[0], "user", $"from what its parameter {e[2]} (code the caller chose) returns");
                    break;
                case "int":
                    var p = e[2][..e[2].IndexOf(':')];
                    if (!entries.Any(o => o[0] != e[0] && (o[2] == p || o[2].StartsWith(p + ":", StringComparison.Ordinal))))
                        yield return (e[0], "int", $"from its parameter {e[2]}, unchecked");
                    break;
            }
        }
    }

    /// <summary>Rudra's SendSyncVariance at an <c>unsafe impl</c> of that file and line, or empty.</summary>
    public string Variance(string file, int line) => _variance.GetValueOrDefault((file, line)) ?? "";

    /// <summary>
    /// Safe functions that safe callers of other crates reach (exported, or called from one) whose own body or whose
    /// non-exported callees hold unsafe code: the functions an advisory would name. For each, the regions' files and
    /// items it covers (its own, and those of the private helpers its calls name unambiguously, to depth 3).
    /// </summary>
    public IEnumerable<(FunctionBody Body, string File, int Exposure, string ExposedThrough, ImmutableArray<(string File, string Item)> Reaches)> ExposedFunctions()
    {
        var all = _graph.Functions;
        for (int i = 0; i < all.Count; i++)
        {
            if (_distance[i] < 0 || all[i].Body.IsUnsafe) continue;
            var reached = new List<(string, string)>();
            var seen = new HashSet<int> { i };
            var queue = new Queue<(int Node, int Depth)>();
            queue.Enqueue((i, 0));
            while (queue.TryDequeue(out var at))
            {
                if (all[at.Node].Body.UnsafeBlocks > 0 || all[at.Node].Body.IsUnsafe) reached.Add((all[at.Node].File.Path, all[at.Node].Body.Item));
                if (at.Depth == 3) continue;
                // Calls whose target the name alone decides: following every method of a name (.len(), .get()) would
                // make each function "reach" hundreds of unrelated regions of a large crate.
                foreach (var j in _graph.UniqueCallees(at.Node))
                    // Private helpers only: an exported callee is a function of its own, scored as such.
                    if (_distance[j] != 0 && !_graph.IsTestCode(j) && seen.Add(j)) queue.Enqueue((j, at.Depth + 1));
            }
            if (reached.Count > 0) yield return (all[i].Body, all[i].File.Path, _distance[i], all[_root[i]].Body.Item, [.. reached]);
        }
    }
}
