using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Inventory;
using UnsafeScope.Semantics;

namespace UnsafeScope.Tests.Semantics;

public class ScopeIndexProperties
{
    private static TypeScope Scope(int start, int length, int id) => new(start, start + length, "m" + id, "", []);

    // The index answers as a scan of every scope would: the holder of latest start, the last of equal starts.
    [Property(MaxTest = 300)]
    public Property TheIndexFindsWhatAScanFinds() => Prop.ForAll(
        Arb.From(Gen.ListOf(Gen.Choose(0, 200).SelectMany(s => Gen.Choose(0, 80).Select(l => (s, l))))),
        Arb.From(Gen.ListOf(Gen.Choose(-5, 300))),
        (spans, positions) =>
        {
            var scopes = spans.Select((p, i) => Scope(p.s, p.l, i)).ToArray();
            var index = new RustCompilation.ScopeIndex(scopes);
            return positions.All(pos =>
            {
                TypeScope? best = null;
                foreach (var s in scopes)
                    if (s.Start <= pos && pos < s.End && (best is null || s.Start >= best.Start)) best = s;
                return ReferenceEquals(best, index.At(pos));
            });
        });
}
