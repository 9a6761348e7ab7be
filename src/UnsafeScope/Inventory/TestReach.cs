using System.Collections.Immutable;

namespace UnsafeScope.Inventory;

/// <summary>
/// A safe function that encapsulates unsafe code, and whether any test reaches it: the early adopters' "heavily
/// tested unsafe modules" made measurable.
/// </summary>
/// <param name="Item">The function's item path (<c>module::Type::method</c>), as its regions name their item.</param>
/// <param name="Path">Its file, relative to the base directory.</param>
/// <param name="Line">The line of its name.</param>
/// <param name="Tested">True when a test reaches it, directly or through the crate's calls.</param>
/// <param name="ReachedFrom">The test that reaches it first (<c>tests::roundtrip</c>, <c>doctest</c>), or empty.</param>
public sealed record EncapsulatingFunction(string Item, string Path, int Line, bool Tested, string ReachedFrom);

/// <summary>
/// Which encapsulating functions of a crate tests reach. Encapsulating: a safe function (not test code) with an
/// unsafe block in its body, and the public safe methods of a type that has such a method (a wrapper type). Tests:
/// <c>#[test]</c> functions (also <c>#[tokio::test]</c>…), every function of an integration test (<c>tests/</c>), and the
/// runnable code of doc comments. Calls are resolved by name without types: <c>T::f</c> to T's items (<c>Self::f</c> to
/// the caller's type), <c>x.m()</c> to methods named m, <c>f()</c> to free functions named f, falling back to any
/// function of that name; a path into another type or crate the crate does not declare reaches nothing.
/// </summary>
internal static class TestReach
{
    public static ImmutableArray<EncapsulatingFunction> Compute(IReadOnlyList<FileFacts> files)
    {
        var all = new List<(FunctionBody Body, FileFacts File)>();
        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            foreach (var b in f.FunctionBodies.OrderBy(b => b.Location.SourceSpan.Start))
                all.Add((b, f));
        if (all.Count == 0) return [];
        static bool IsTestCode(FunctionBody b, FileFacts f) => b.IsTest || b.InTestModule || f.IsTestTarget;

        var wrapperTypes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (b, f) in all)
            if (!IsTestCode(b, f) && !b.IsUnsafe && b.UnsafeBlocks > 0 && b.OwnerType.Length > 0) wrapperTypes.Add(b.OwnerType);
        var encapsulating = new List<int>();
        for (int i = 0; i < all.Count; i++)
        {
            var (b, f) = all[i];
            if (IsTestCode(b, f) || b.IsUnsafe) continue;
            bool publicMethod = b.Visibility is "pub" or "trait-impl" && wrapperTypes.Contains(b.OwnerType);
            if (b.UnsafeBlocks > 0 || publicMethod) encapsulating.Add(i);
        }
        if (encapsulating.Count == 0) return [];

        var byName = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byOwner = new Dictionary<(string, string), List<int>>();
        var owners = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < all.Count; i++)
        {
            var b = all[i].Body;
            Add(byName, b.Name, i);
            if (b.OwnerType.Length > 0)
            {
                Add(byOwner, (b.OwnerType, b.Name), i);
                owners.Add(b.OwnerType);
            }
        }

        IEnumerable<int> Callees(string call, string callerOwner)
        {
            if (call.StartsWith('.'))
            {
                var methods = byName.GetValueOrDefault(call[1..]) ?? [];
                var owned = methods.Where(i => all[i].Body.OwnerType.Length > 0).ToList();
                return owned.Count > 0 ? owned : methods;
            }
            var sep = call.LastIndexOf("::", StringComparison.Ordinal);
            if (sep < 0)
            {
                var named = byName.GetValueOrDefault(call) ?? [];
                var free = named.Where(i => all[i].Body.OwnerType.Length == 0).ToList();
                return free.Count > 0 ? free : named;
            }
            var (owner, name) = (call[..sep], call[(sep + 2)..]);
            if (owner == "Self") owner = callerOwner;
            if (byOwner.TryGetValue((owner, name), out var items)) return items;
            // A type (or a trait) the crate does not own, e.g. Vec::new: not a call into this crate.
            if (owner.Length > 0 && char.IsUpper(owner[0]) && !owners.Contains(owner)) return [];
            // A module path (ffi::f, crate::m::f, super::f): the free functions of that name.
            var byModule = (byName.GetValueOrDefault(name) ?? []).Where(i => all[i].Body.OwnerType.Length == 0).ToList();
            return byModule;
        }

        var via = new string?[all.Count];
        var queue = new Queue<int>();
        void Reach(int i, string from)
        {
            if (via[i] is not null) return;
            via[i] = from;
            queue.Enqueue(i);
        }
        // Doctests first (they test the public API directly), then test functions in file and line order.
        var docCalls = files.SelectMany(f => f.DocTestCalls).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var call in docCalls)
            foreach (var i in Callees(call, ""))
                Reach(i, "doctest");
        for (int i = 0; i < all.Count; i++)
            if (all[i].Body.IsTest || all[i].File.IsTestTarget) Reach(i, all[i].Body.Item);
        while (queue.TryDequeue(out var i))
        {
            var b = all[i].Body;
            // What a test reaches, it reaches for that test: keep the root's name, not the intermediate function's.
            foreach (var call in b.Calls.Order(StringComparer.Ordinal))
                foreach (var j in Callees(call, b.OwnerType))
                    Reach(j, via[i]!);
        }

        return [.. encapsulating.Select(i => new EncapsulatingFunction(all[i].Body.Item, all[i].File.Path, all[i].Body.Location.StartLine, via[i] is not null, via[i] ?? ""))];
    }

    private static void Add<TKey>(Dictionary<TKey, List<int>> map, TKey key, int i) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(i);
    }
}
