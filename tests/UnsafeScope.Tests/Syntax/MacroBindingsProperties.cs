using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Syntax.Macros;

namespace UnsafeScope.Tests.Syntax;

public class MacroBindingsProperties
{
    // The matcher's persistent bindings answer as an immutable dictionary given the same SetItem calls would, and
    // an earlier set of bindings is not changed by a later one built on it (the matcher backtracks to it).
    [Property(MaxTest = 300)]
    public Property BindingsActLikeAnImmutableDictionary() => Prop.ForAll(
        Arb.From(Gen.ListOf(Gen.Elements("a", "b", "c", "d", "e").SelectMany(n => Gen.Choose(0, 9).Select(v => (n, v))))),
        sets =>
        {
            var values = Enumerable.Range(0, 10).Select(v => (Binding)new Binding.Fragment([], 0, 0, "tt" + v)).ToArray();
            var bindings = Bindings.Empty;
            var dictionary = ImmutableDictionary<string, Binding>.Empty;
            var history = new List<(Bindings, ImmutableDictionary<string, Binding>)> { (bindings, dictionary) };
            foreach (var (name, v) in sets)
            {
                bindings = bindings.SetItem(name, values[v]);
                dictionary = dictionary.SetItem(name, values[v]);
                history.Add((bindings, dictionary));
            }
            return history.All(h => new[] { "a", "b", "c", "d", "e", "f" }.All(n =>
                h.Item1.TryGetValue(n, out var x) == h.Item2.TryGetValue(n, out var y) && ReferenceEquals(x, y)));
        });

    // A repetition's iterations come back in match order however many there were.
    [Property(MaxTest = 100)]
    public Property IterationsKeepTheirOrder(PositiveInt count)
    {
        var items = Enumerable.Range(0, count.Get % 300).Select(i => Bindings.Empty.SetItem("x", new Binding.Fragment([], 0, 0, "tt" + i))).ToList();
        Iterations? done = null;
        foreach (var b in items) done = new Iterations(b, done);
        return Iterations.ToArray(done).SequenceEqual(items).ToProperty();
    }
}
