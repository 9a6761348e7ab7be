using System.Collections.Immutable;
using UnsafeScope.Text;

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
public sealed record EncapsulatingFunction(string Item, string Path, int Line, bool Tested, string ReachedFrom)
{
    /// <summary>Its item path: equal paths share one instance.</summary>
    public string Item { get; init; } = StringTable.Share(Item);

    /// <summary>The test that reaches it first; one test reaches many functions.</summary>
    public string ReachedFrom { get; init; } = StringTable.Share(ReachedFrom);
}

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
    public static ImmutableArray<EncapsulatingFunction> Compute(IReadOnlyList<FileFacts> files) => Compute(files, new CallGraph(files));

    public static ImmutableArray<EncapsulatingFunction> Compute(IReadOnlyList<FileFacts> files, CallGraph graph)
    {
        var all = graph.Functions;
        if (all.Count == 0) return [];

        var wrapperTypes = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < all.Count; i++)
            if (!graph.IsTestCode(i) && all[i].Body is { IsUnsafe: false, UnsafeBlocks: > 0, OwnerType.Length: > 0 } b) wrapperTypes.Add(b.OwnerType);
        var encapsulating = new List<int>();
        for (int i = 0; i < all.Count; i++)
        {
            var b = all[i].Body;
            if (graph.IsTestCode(i) || b.IsUnsafe) continue;
            bool publicMethod = b.Visibility is "pub" or "trait-impl" && wrapperTypes.Contains(b.OwnerType);
            if (b.UnsafeBlocks > 0 || publicMethod) encapsulating.Add(i);
        }
        if (encapsulating.Count == 0) return [];

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
            foreach (var i in graph.Callees(call, ""))
                Reach(i, "doctest");
        for (int i = 0; i < all.Count; i++)
            if (all[i].Body.IsTest || all[i].File.IsTestTarget) Reach(i, all[i].Body.Item);
        // What a test reaches, it reaches for that test: keep the root's name, not the intermediate function's.
        while (queue.TryDequeue(out var i))
            foreach (var j in graph.Callees(i))
                Reach(j, via[i]!);

        return [.. encapsulating.Select(i => new EncapsulatingFunction(all[i].Body.Item, all[i].File.Path, all[i].Body.Location.StartLine, via[i] is not null, via[i] ?? ""))];
    }
}
