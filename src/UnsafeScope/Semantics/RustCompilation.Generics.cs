using System.Collections.Immutable;
using System.Globalization;

namespace UnsafeScope.Semantics;

// Generic arguments, Deref, iterator items and pattern bindings: the parts of local types that follow what a
// declaration says once its generic parameters are known (`Foo<T>::get() -> &T` on a `Foo<*mut u8>`). Nothing here
// guesses: a parameter whose argument is not written stays a parameter, a type that does not match stays unknown.
public sealed partial class RustCompilation
{
    /// <summary>The type with generic parameters replaced by their arguments (those the map holds).</summary>
    internal static RustType Substitute(RustType type, IReadOnlyDictionary<string, RustType> map, int depth = 0)
    {
        if (map.Count == 0 || depth > 24) return type;
        switch (type)
        {
            case GenericParameterType g when g.Name != "Self" && map.TryGetValue(g.Name, out var arg):
                return arg;
            case PathType p when !p.TypeArguments.IsEmpty:
                return new PathType(p.Path, [.. p.TypeArguments.Select(a => Substitute(a, map, depth + 1))], p.Symbol);
            case RawPointerType r:
                return new RawPointerType(r.IsMutable, Substitute(r.Pointee, map, depth + 1));
            case ReferenceType r:
                return new ReferenceType(r.IsMutable, r.Lifetime, Substitute(r.Referent, map, depth + 1));
            case SliceType s:
                return new SliceType(Substitute(s.Element, map, depth + 1), s.Length);
            case TupleType t when !t.Elements.IsEmpty:
                return new TupleType([.. t.Elements.Select(e => Substitute(e, map, depth + 1))]);
            case FunctionPointerType f:
                return new FunctionPointerType(f.IsUnsafe, f.Abi, [.. f.ParameterTypes.Select(a => Substitute(a, map, depth + 1))], Substitute(f.ReturnType, map, depth + 1));
            default:
                return type;
        }
    }

    /// <summary>
    /// Matches a declared type (an impl's self type, with its generic parameters) against an actual type and records
    /// what each parameter stands for. Parts that do not match record nothing.
    /// </summary>
    internal static void Unify(RustType declared, RustType actual, Dictionary<string, RustType> map, int depth = 0)
    {
        if (depth > 24 || actual.Kind == RustTypeKind.Unknown) return;
        switch (declared)
        {
            case GenericParameterType g when g.Name != "Self":
                map.TryAdd(g.Name, actual);
                return;
            case PathType d when actual is PathType a && d.TypeArguments.Length == a.TypeArguments.Length
                                 && (d.Symbol is not null ? d.Symbol == a.Symbol : a.Symbol is null && d.Name == a.Name):
                for (int i = 0; i < d.TypeArguments.Length; i++) Unify(d.TypeArguments[i], a.TypeArguments[i], map, depth + 1);
                return;
            case RawPointerType d when actual is RawPointerType a:
                Unify(d.Pointee, a.Pointee, map, depth + 1);
                return;
            case ReferenceType d when actual is ReferenceType a:
                Unify(d.Referent, a.Referent, map, depth + 1);
                return;
            case SliceType d when actual is SliceType a:
                Unify(d.Element, a.Element, map, depth + 1);
                return;
            case TupleType d when actual is TupleType a && d.Elements.Length == a.Elements.Length:
                for (int i = 0; i < d.Elements.Length; i++) Unify(d.Elements[i], a.Elements[i], map, depth + 1);
                return;
        }
    }

    /// <summary>A type's generic parameters mapped to the arguments a path type writes (none when the counts differ).</summary>
    private static Dictionary<string, RustType> TypeArgumentMap(NamedTypeSymbol type, PathType actual)
    {
        var map = new Dictionary<string, RustType>(StringComparer.Ordinal);
        if (type.TypeParameters.Length == actual.TypeArguments.Length)
            for (int i = 0; i < type.TypeParameters.Length; i++) map[type.TypeParameters[i]] = actual.TypeArguments[i];
        return map;
    }

    /// <summary>What an impl's generic parameters stand for when its self type is <paramref name="receiver"/>.</summary>
    private static Dictionary<string, RustType> ImplArguments(ImplSymbol impl, RustType receiver)
    {
        var map = new Dictionary<string, RustType>(StringComparer.Ordinal);
        Unify(impl.SelfType, receiver, map);
        return map;
    }

    /// <summary>
    /// The type <c>*x</c> reaches for a type of the crate (or a <c>--deps</c> dependency) that implements
    /// <c>Deref</c>: its <c>Target</c>, with the impl's generic parameters substituted; null when none is declared.
    /// </summary>
    internal RustType? DerefTarget(RustType type)
    {
        if (type is not PathType { Symbol: NamedTypeSymbol named } p) return null;
        foreach (var impl in ImplsOf(named))
        {
            if (!impl.IsTraitImpl || LastSegment(StripGenerics(impl.TraitPath)) != "Deref") continue;
            if (impl.ItemList.OfType<TypeAliasSymbol>().FirstOrDefault(a => a.Name == "Target") is not { } target) continue;
            var t = Substitute(target.Target, ImplArguments(impl, p));
            return t.Kind == RustTypeKind.Unknown ? null : t;
        }
        return null;
    }

    /// <summary>
    /// The method <c>receiver.name()</c> calls and what its impl's generic parameters stand for: the receiver's own
    /// methods (inherent, then of traits it implements), then through <c>Box</c>/<c>Rc</c>/<c>Arc</c> and the crate's
    /// <c>Deref</c> impls, as auto-deref goes.
    /// </summary>
    internal (FunctionSymbol Method, Dictionary<string, RustType> Arguments)? FindMethodWithArguments(RustType receiver, string name)
    {
        var t = receiver.StripReferences();
        for (int step = 0; step < 6; step++)
        {
            // Auto-deref through Box/Rc/Arc, unless the pointer's own method (or a trait's it implements) comes first.
            if (!s_smartPointerMethods.Contains(name)) t = SmartPointee(t, name);
            if (t is not PathType { Symbol: NamedTypeSymbol named } p) return null;
            foreach (var impl in ImplsOf(named).OrderBy(i => i.IsTraitImpl))
                if (impl.ItemList.FirstOrDefault(s => s.Name == name) is { } item)
                    return item is FunctionSymbol f ? (f, ImplArguments(impl, p)) : null;
            foreach (var impl in ImplsOf(named).Where(i => i.IsTraitImpl))
                if (_scopes.GetValueOrDefault(impl) is { } scope && Resolve(Segments(impl.TraitPath), scope.Module, "", 0).Symbol is TraitSymbol trait
                    && trait.ItemList.FirstOrDefault(s => s.Name == name) is FunctionSymbol d) return (d, ImplArguments(impl, p));
            if (DerefTarget(p) is not { } target) return null;
            t = target.StripReferences();
        }
        return null;
    }

    /// <summary>The type of field <paramref name="name"/> of a value of type <paramref name="owner"/> (auto-deref included), or unknown.</summary>
    internal RustType FieldType(RustType owner, string name)
    {
        var t = owner.StripReferences();
        for (int step = 0; step < 6; step++)
        {
            t = SmartPointee(t);
            if (t is PathType { Symbol: NamedTypeSymbol n } p && n.GetField(name) is { } field) return Substitute(field.Type, TypeArgumentMap(n, p));
            if (t is TupleType tuple && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k < tuple.Elements.Length) return tuple.Elements[k];
            if (DerefTarget(t) is not { } target) return RustType.Unknown;
            t = target.StripReferences();
        }
        return RustType.Unknown;
    }

    /// <summary>
    /// The item type a <c>for</c> loop binds from an iterable: std's slices, arrays, vectors (by reference and by
    /// value), their <c>iter()</c>/<c>iter_mut()</c>/<c>into_iter()</c>, <c>Option</c>; the crate's types by their
    /// <c>Iterator</c> or <c>IntoIterator</c> impl's <c>Item</c>. Unknown otherwise.
    /// </summary>
    internal RustType IteratorItem(RustType iterable, bool onlyIterators = false)
    {
        switch (iterable)
        {
            case ReferenceType { Referent: SliceType s } r:
                return new ReferenceType(r.IsMutable, "", s.Element);
            case ReferenceType { Referent: PathType { Symbol: null, Name: "Vec", TypeArguments.Length: 1 } v } r:
                return new ReferenceType(r.IsMutable, "", v.TypeArguments[0]);
            case SliceType { Length: not null } a:
                return a.Element;
            case PathType { Symbol: null, TypeArguments.Length: 1 } p:
                return p.Path switch
                {
                    "Vec" or "std::vec::Vec" or "alloc::vec::Vec" or "std::vec::IntoIter" or "Option" or "std::option::Option" => p.TypeArguments[0],
                    "std::slice::Iter" => new ReferenceType(false, "", p.TypeArguments[0]),
                    "std::slice::IterMut" => new ReferenceType(true, "", p.TypeArguments[0]),
                    _ => RustType.Unknown,
                };
            case ReferenceType { IsMutable: true, Referent: PathType { Symbol: NamedTypeSymbol } iterator }:
                // `for x in &mut it`: the iterator's own items (IntoIterator for &mut I where I: Iterator).
                return IteratorItem(iterator, onlyIterators: true);
            case PathType { Symbol: NamedTypeSymbol named } p:
                foreach (var traitName in onlyIterators ? (string[])["Iterator"] : ["Iterator", "IntoIterator"])
                    foreach (var impl in ImplsOf(named))
                    {
                        if (!impl.IsTraitImpl || LastSegment(StripGenerics(impl.TraitPath)) != traitName) continue;
                        if (impl.ItemList.OfType<TypeAliasSymbol>().FirstOrDefault(a => a.Name == "Item") is not { } item) continue;
                        return Substitute(item.Target, ImplArguments(impl, p));
                    }
                return RustType.Unknown;
            default:
                return RustType.Unknown;
        }
    }

    /// <summary>
    /// The first closure parameter of std's adapters on <c>Option</c> and iterators (<c>o.map(|x| …)</c>,
    /// <c>it.for_each(|x| …)</c>): the item, or a reference to it for those that lend it (<c>filter</c>, <c>find</c>…).
    /// Unknown for other methods and receivers that are not known iterators or options.
    /// </summary>
    private RustType AdapterItem(RustType receiver, string name)
    {
        bool lends = name is "filter" or "find" or "inspect" or "take_while" or "skip_while";
        if (!lends && name is not ("map" or "for_each" or "filter_map" or "find_map" or "flat_map" or "and_then" or "any" or "all" or "position" or "map_while" or "is_some_and"))
            return RustType.Unknown;
        var t = receiver is ReferenceType { IsMutable: true, Referent: PathType { Symbol: NamedTypeSymbol } inner } ? inner : receiver;
        if (t is ReferenceType or SliceType || t is PathType { Symbol: null, Name: "Vec" }) return RustType.Unknown; // not iterators themselves
        var item = IteratorItem(t, onlyIterators: true);
        return item.Kind == RustTypeKind.Unknown || !lends ? item : new ReferenceType(false, "", item);
    }

    private enum BindingMode { Move, Ref, RefMut }

    /// <summary>
    /// The type a pattern binds at the end of a projection path from the scrutinee (see <c>TypeRecipe.OfPattern</c>),
    /// with the default binding modes of matching through references. Unknown when a step does not fit the type.
    /// </summary>
    private RustType Project(string steps, RustType scrutinee, ItemScope scope)
    {
        var t = scrutinee;
        var mode = BindingMode.Move;
        foreach (var step in steps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (t.Kind == RustTypeKind.Unknown) return t;
            char op = step[0];
            var arg = step[1..];
            if (op is 'r' or 'q') return new ReferenceType(op == 'q', "", t);
            if (op == '&')
            {
                if (t is not ReferenceType r) return RustType.Unknown;
                t = r.Referent;
                mode = BindingMode.Move;
                continue;
            }
            // A non-reference pattern against a reference: matched through it, bindings become references.
            for (int i = 0; i < 16 && t is ReferenceType r; i++)
            {
                mode = r.IsMutable && mode != BindingMode.Ref ? BindingMode.RefMut : BindingMode.Ref;
                t = r.Referent;
            }
            t = op switch
            {
                't' => TupleElement(t, arg),
                'e' => t is SliceType s ? s.Element : RustType.Unknown,
                'v' or 's' => PatternField(t, arg, op == 'v', scope),
                _ => RustType.Unknown,
            };
        }
        if (t.Kind == RustTypeKind.Unknown) return t;
        return mode switch
        {
            BindingMode.Ref => new ReferenceType(false, "", t),
            BindingMode.RefMut => new ReferenceType(true, "", t),
            _ => t,
        };
    }

    private static RustType TupleElement(RustType t, string index)
    {
        if (t is not TupleType tuple || !int.TryParse(index, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var k)) return RustType.Unknown;
        if (k < 0) k += tuple.Elements.Length;
        return k >= 0 && k < tuple.Elements.Length ? tuple.Elements[k] : RustType.Unknown;
    }

    /// <summary>
    /// A field of a tuple-struct, struct or variant pattern (<c>path#field</c>, tuple positions from the end negative)
    /// against a value of type <paramref name="t"/>: the pattern's path must name that type (or one of its variants);
    /// std's <c>Some</c>, <c>Ok</c> and <c>Err</c> on <c>Option</c> and <c>Result</c>.
    /// </summary>
    private RustType PatternField(RustType t, string arg, bool positional, ItemScope scope)
    {
        int hash = arg.LastIndexOf('#');
        if (hash <= 0 || t is not PathType p) return RustType.Unknown;
        var path = arg[..hash];
        var field = arg[(hash + 1)..];
        var info = Resolve(Segments(path), scope.Module, scope.SelfType, 0);
        ImmutableArray<FieldSymbol> fields;
        NamedTypeSymbol owner;
        switch (info.Symbol)
        {
            case VariantSymbol { ContainingSymbol: NamedTypeSymbol e } v:
                fields = v.Fields;
                owner = e;
                break;
            case NamedTypeSymbol { Kind: RustSymbolKind.Struct } s:
                fields = s.Fields;
                owner = s;
                break;
            case null when info.Resolution != ResolutionKind.Resolved && positional && field == "0" && p.Symbol is null:
            {
                // std's Option and Result variants (unless the crate declares a name of its own).
                var last = LastSegment(StripGenerics(path));
                return (last, p.Name, p.TypeArguments.Length) switch
                {
                    ("Some", "Option", 1) => p.TypeArguments[0],
                    ("Ok", "Result", >= 1) => p.TypeArguments[0],
                    ("Err", "Result", 2) => p.TypeArguments[1],
                    _ => RustType.Unknown,
                };
            }
            default:
                return RustType.Unknown;
        }
        if (p.Symbol != owner) return RustType.Unknown;
        FieldSymbol? f;
        if (positional)
        {
            if (!int.TryParse(field, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var k)) return RustType.Unknown;
            if (k < 0) k += fields.Length;
            f = k >= 0 && k < fields.Length ? fields[k] : null;
        }
        else f = fields.FirstOrDefault(x => x.Name == field);
        return f is null ? RustType.Unknown : Substitute(f.Type, TypeArgumentMap(owner, p));
    }
}
