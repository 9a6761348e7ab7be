namespace UnsafeScope.Inventory;

/// <summary>
/// The crate's functions with bodies and who calls whom, by name without types (what <see cref="FunctionBody.Calls"/>
/// records): <c>T::f</c> to T's items (<c>Self::f</c> to the caller's type), <c>x.m()</c> to methods named m, <c>f()</c>
/// to free functions named f, falling back to any function of that name; a path into a type the crate does not
/// declare reaches nothing. The one call resolution the test reach and the exposure of the score share.
/// </summary>
internal sealed class CallGraph
{
    private readonly Dictionary<string, List<int>> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), List<int>> _byOwner = [];
    private readonly HashSet<string> _owners = new(StringComparer.Ordinal);

    /// <summary>The functions in file and source order.</summary>
    public IReadOnlyList<(FunctionBody Body, FileFacts File)> Functions { get; }

    public CallGraph(IReadOnlyList<FileFacts> files)
    {
        var all = new List<(FunctionBody, FileFacts)>();
        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            foreach (var b in f.FunctionBodies.OrderBy(b => b.Location.SourceSpan.Start))
                all.Add((b, f));
        Functions = all;
        for (int i = 0; i < all.Count; i++)
        {
            var b = all[i].Item1;
            Add(_byName, b.Name, i);
            if (b.OwnerType.Length > 0)
            {
                Add(_byOwner, (b.OwnerType, b.Name), i);
                _owners.Add(b.OwnerType);
            }
        }
    }

    /// <summary>Test code: a test, a function of a <c>#[cfg(test)]</c> module or of an integration test.</summary>
    public bool IsTestCode(int i) => Functions[i].Body is { } b && (b.IsTest || b.InTestModule || Functions[i].File.IsTestTarget);

    /// <summary>The functions a call written in a function of <paramref name="callerOwner"/> may reach.</summary>
    public IEnumerable<int> Callees(string call, string callerOwner)
    {
        if (call.StartsWith('.'))
        {
            var methods = _byName.GetValueOrDefault(call[1..]) ?? [];
            var owned = methods.Where(i => Functions[i].Body.OwnerType.Length > 0).ToList();
            return owned.Count > 0 ? owned : methods;
        }
        var sep = call.LastIndexOf("::", StringComparison.Ordinal);
        if (sep < 0)
        {
            var named = _byName.GetValueOrDefault(call) ?? [];
            var free = named.Where(i => Functions[i].Body.OwnerType.Length == 0).ToList();
            return free.Count > 0 ? free : named;
        }
        var (owner, name) = (call[..sep], call[(sep + 2)..]);
        if (owner == "Self") owner = callerOwner;
        if (_byOwner.TryGetValue((owner, name), out var items)) return items;
        // A type (or a trait) the crate does not own, e.g. Vec::new: not a call into this crate.
        if (owner.Length > 0 && char.IsUpper(owner[0]) && !_owners.Contains(owner)) return [];
        // A module path (ffi::f, crate::m::f, super::f): the free functions of that name.
        return (_byName.GetValueOrDefault(name) ?? []).Where(i => Functions[i].Body.OwnerType.Length == 0).ToList();
    }

    /// <summary>What function i calls, in a fixed order (resolved once: the test reach and the exposure walks ask again).</summary>
    public int[] Callees(int i) => Resolved(ref _callees, i, unique: false);

    /// <summary>
    /// What function i calls where the name alone picks one function (<c>Self::f</c>, a free fn declared once): the
    /// calls whose target is known rather than guessed among every method of that name.
    /// </summary>
    public int[] UniqueCallees(int i) => Resolved(ref _unique, i, unique: true);

    private int[]?[]? _callees, _unique;

    private int[] Resolved(ref int[]?[]? cache, int i, bool unique)
    {
        cache ??= new int[]?[Functions.Count];
        if (cache[i] is { } known) return known;
        var b = Functions[i].Body;
        var list = new List<int>();
        foreach (var call in b.Calls.Order(StringComparer.Ordinal))
        {
            var targets = Targets(call, b.OwnerType);
            if (!unique) list.AddRange(targets);
            else if (targets is [var only]) list.Add(only);
        }
        return cache[i] = [.. list];
    }

    // The targets of a call text, found once per crate: the same call texts (`.len`, `Vec::new`, `f`) recur across a
    // crate's bodies, and each lookup filtered every function of that name. Only `Self::f` depends on the caller.
    private readonly Dictionary<string, int[]> _targets = new(StringComparer.Ordinal);

    private int[] Targets(string call, string callerOwner)
    {
        if (call.StartsWith("Self::", StringComparison.Ordinal)) return [.. Callees(call, callerOwner)];
        if (!_targets.TryGetValue(call, out var targets)) _targets[call] = targets = [.. Callees(call, callerOwner)];
        return targets;
    }

    private static void Add<TKey>(Dictionary<TKey, List<int>> map, TKey key, int i) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(i);
    }
}
