using System.Text;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

/// <summary>What an item declaration is (the item skeleton the compilation is built from).</summary>
internal enum ItemKind : byte { Module, Function, Struct, Enum, Union, Variant, TypeAlias, Trait, Impl, Static, Const, Macro, Use, AssociatedType }

[Flags]
internal enum ItemFlags
{
    None = 0,
    Unsafe = 1,
    Const = 2,
    Async = 4,
    Mut = 8,
    Extern = 16,
    /// <summary>Functions: a <c>self</c> parameter by value; with <see cref="SelfRef"/> <c>&amp;self</c>, with both ref flags <c>&amp;mut self</c>.</summary>
    SelfValue = 32,
    SelfRef = 64,
    SelfMut = 128,
    /// <summary>Functions: <c>self: Type</c>.</summary>
    SelfTyped = 256,
    TupleFields = 512,
    DocHidden = 1024,
    /// <summary>Use: a glob (<c>a::*</c>).</summary>
    Glob = 2048,
    HasBody = 4096,
}

/// <summary>
/// One declared item, as written (types stay text until the compilation resolves them in the item's scope).
/// Owner: the index in the file's item list of the impl, trait or enum holding it, else -1.
/// Members: parameters and fields as <c>name\ttype</c> (tuple fields are named 0, 1…), shared through the
/// <see cref="StringTable"/> (<c>self\t&amp;Self</c>-like texts recur thousands of times in a crate).
/// Type: a function's return type, a static's or const's type, an alias's target, an impl's self type, a use's path.
/// </summary>
internal sealed record ItemDeclaration(ItemKind Kind, string Name, string Module, int Owner, string Visibility, Location Location, ItemFlags Flags)
{
    public string Type { get; init; } = "";
    public string Trait { get; init; } = "";
    public string Abi { get; init; } = "";
    public string[] Members { get; init; } = [];
    public string[] Generics { get; init; } = [];

    public bool Equals(ItemDeclaration? other)
        => other is not null && Kind == other.Kind && Name == other.Name && Module == other.Module && Owner == other.Owner && Visibility == other.Visibility
           && Location == other.Location && Flags == other.Flags && Type == other.Type && Trait == other.Trait && Abi == other.Abi
           && Members.SequenceEqual(other.Members) && Generics.SequenceEqual(other.Generics);

    public override int GetHashCode() => HashCode.Combine(Kind, Name, Module, Location, Flags);
}

/// <summary>
/// The scope of a function body where type recipes are evaluated: its module, the impl's self type (text) and the
/// generic parameters of the function and its impl or trait.
/// </summary>
internal sealed record TypeScope(int Start, int End, string Module, string SelfType, string[] Generics)
{
    /// <summary>The trait bounds of the generic parameters, as written (<c>W\tStore&lt;S&gt;</c>), from their lists and where clauses.</summary>
    public string[] Bounds { get; init; } = [];

    public bool Equals(TypeScope? other)
        => other is not null && Start == other.Start && End == other.End && Module == other.Module && SelfType == other.SelfType && Generics.SequenceEqual(other.Generics)
            && Bounds.SequenceEqual(other.Bounds);

    public override int GetHashCode() => HashCode.Combine(Start, End, Module, SelfType);
}

/// <summary>
/// The extractor's collector of the item skeleton and of local type recipes: called for every node the extractor's
/// walk visits (no walk of its own). Items outside function bodies become <see cref="ItemDeclaration"/>s; in unsafe
/// regions, the receivers of method calls and field accesses and the operands of derefs get a type recipe
/// (<see cref="TypeRecipe"/>) that the compilation evaluates once the crate is known.
/// </summary>
internal sealed class ItemCollector(FileFacts facts, Func<string> currentModule, Func<bool> inRegion)
{
    private readonly List<(int End, int Index, ItemKind Kind, string SelfType, string[] Generics, string[] Bounds)> _owners = [];
    private readonly List<FunctionScope> _functions = [];

    /// <summary>
    /// A fragment of a macro that declares each fn of its items <c>unsafe</c> (libc's <c>f!</c>): its free functions are
    /// unsafe to call, as rustc sees the expansion.
    /// </summary>
    public bool FunctionsMadeUnsafe { get; set; }

    /// <summary>A macro fragment's collector inside an item or body of the file: its items are not the module's (left out).</summary>
    public bool Disabled { get; set; }

    /// <summary>Inside an impl, trait, extern block or function body: where a fragment's items would not be the module's.</summary>
    public bool InsideItem => _owners.Count > 0 || _functions.Count > 0;

    private sealed class FunctionScope(int end, TypeScope scope, bool needsLocals)
    {
        public int End { get; } = end;
        /// <summary>Locals are only read by the recipes of operations in unsafe code: a body without any needs none.</summary>
        public bool NeedsLocals { get; } = needsLocals;
        public TypeScope Scope { get; } = scope;
        public LocalBindings Locals { get; } = new();
        /// <summary><c>let x;</c> without a type or value: where its binding starts and ends, until its first assignment types it.</summary>
        public Dictionary<string, (int From, int To)> Deferred { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The local bindings of the innermost function being walked.</summary>
    public LocalBindings? CurrentLocals => _functions.Count > 0 ? _functions[^1].Locals : null;

    /// <summary>Sees one node of the walk (in preorder).</summary>
    public void Visit(SyntaxNode node)
    {
        int start = node.Span.Start;
        while (_owners.Count > 0 && _owners[^1].End <= start) _owners.RemoveAt(_owners.Count - 1);
        while (_functions.Count > 0 && _functions[^1].End <= start) _functions.RemoveAt(_functions.Count - 1);
        if (Disabled) return;
        var fn = _functions.Count > 0 ? _functions[^1] : null;
        switch (node.Kind)
        {
            case RustSyntaxKind.FunctionItem:
                if (fn is null) Declare(node);
                EnterFunction(node);
                return;
            case RustSyntaxKind.ForeignModItem:
                if (fn is null) EnterExternBlock(node, node.ChildOfKind(RustSyntaxKind.ExternModifier)?.ChildOfKind(RustSyntaxKind.StringLiteral)?.Text.Trim('"') ?? "C");
                return;
            case RustSyntaxKind.FunctionSignatureItem or RustSyntaxKind.ModItem or RustSyntaxKind.StructItem or RustSyntaxKind.UnionItem or RustSyntaxKind.EnumItem
                or RustSyntaxKind.TypeItem or RustSyntaxKind.TraitItem or RustSyntaxKind.ImplItem or RustSyntaxKind.StaticItem or RustSyntaxKind.ConstItem
                or RustSyntaxKind.MacroDefinition or RustSyntaxKind.UseDeclaration or RustSyntaxKind.AssociatedType:
                if (fn is null) Declare(node);
                return;
        }
        if (fn is null || !fn.NeedsLocals) return;
        switch (node.Kind)
        {
            case RustSyntaxKind.LetDeclaration:
                BindLet(fn, node);
                break;
            case RustSyntaxKind.AssignmentExpression when fn.Deferred.Count > 0 && node.ChildByField(RustSyntaxField.Left) is { Kind: RustSyntaxKind.Identifier } assigned
                                                          && fn.Deferred.TryGetValue(assigned.Text, out var deferred) && node.ChildByField(RustSyntaxField.Right) is { } assignedValue:
                // `let x; … x = value;`: x has the value's type (one type for every assignment), from here to the let's scope end.
                fn.Deferred.Remove(assigned.Text);
                if (fn.Locals.BindingAt(assigned.Text, assigned.Span.Start) == deferred.From)
                    fn.Locals.Add(assigned.Text, TypeRecipe.Of(assignedValue, fn.Locals), node.Span.End, deferred.To);
                break;
            case RustSyntaxKind.LetCondition when node.ChildByField(RustSyntaxField.Pattern) is { } pattern:
                // `if let` / `while let`: visible after the scrutinee, to the end of the if or while.
                BindPattern(fn.Locals, pattern, node.ChildByField(RustSyntaxField.Value) is { } v ? TypeRecipe.Of(v, fn.Locals) : TypeRecipe.Unknown,
                    node.Span.End, EnclosingBlockEnd(node));
                break;
            case RustSyntaxKind.MatchArm when node.ChildByField(RustSyntaxField.Pattern) is { } pattern:
            {
                var scrutinee = node.Parent is { Kind: RustSyntaxKind.MatchBlock } block && block.Parent is { Kind: RustSyntaxKind.MatchExpression } match
                    && match.ChildByField(RustSyntaxField.Value) is { } mv ? TypeRecipe.Of(mv, fn.Locals) : TypeRecipe.Unknown;
                BindPattern(fn.Locals, pattern, scrutinee, pattern.Span.End, node.Span.End);
                break;
            }
            case RustSyntaxKind.ForExpression when node.ChildByField(RustSyntaxField.Pattern) is { } pattern:
            {
                var iterable = node.ChildByField(RustSyntaxField.Value);
                BindPattern(fn.Locals, pattern, iterable is { } it ? TypeRecipe.OfLoopItem(TypeRecipe.Of(it, fn.Locals)) : TypeRecipe.Unknown,
                    iterable?.Span.End ?? pattern.Span.End, node.Span.End);
                break;
            }
            case RustSyntaxKind.ClosureExpression when node.ChildByField(RustSyntaxField.Parameters) is { } ps:
                int index = 0;
                foreach (var p in PatternElements(ps))
                {
                    if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { Kind: RustSyntaxKind.Identifier } id && p.ChildByField(RustSyntaxField.Type) is { } t)
                        fn.Locals.Add(id.Text, TypeRecipe.OfType(t.Text), ps.Span.End, node.Span.End);
                    else if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { } typedPattern && p.ChildByField(RustSyntaxField.Type) is { } t2)
                        BindPattern(fn.Locals, typedPattern, TypeRecipe.OfType(t2.Text), ps.Span.End, node.Span.End);
                    else if (p.Kind != RustSyntaxKind.Parameter && TypeRecipe.OfClosureParameter(node, index, fn.Locals) is { } passed)
                        BindPattern(fn.Locals, p, passed, ps.Span.End, node.Span.End);
                    else BindUnknown(fn.Locals, p, ps.Span.End, node.Span.End);
                    index++;
                }
                break;
            case RustSyntaxKind.MacroInvocation:
                break;
        }
        if (!inRegion()) return;
        switch (node.Kind)
        {
            case RustSyntaxKind.CallExpression when node.ChildByField(RustSyntaxField.Function) is { } f:
            {
                if (f.Kind == RustSyntaxKind.GenericFunction && f.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.FieldExpression } g) f = g;
                if (f.Kind == RustSyntaxKind.FieldExpression && f.ChildByField(RustSyntaxField.Field) is { } name && f.ChildByField(RustSyntaxField.Value) is { } receiver)
                    Record(name.Span, TypeRecipe.Of(receiver, fn.Locals));
                break;
            }
            case RustSyntaxKind.FieldExpression when node.Field != RustSyntaxField.Function && node.ChildByField(RustSyntaxField.Value) is { } value:
                Record(node.Span, TypeRecipe.Of(value, fn.Locals));
                break;
            case RustSyntaxKind.UnaryExpression when node.HasChild(RustSyntaxKind.AsteriskToken) && node.Children.ToList().LastOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } operand:
                Record(node.Span, TypeRecipe.Of(operand, fn.Locals));
                break;
        }
    }

    private void Record(TextSpan span, string recipe)
    {
        if (recipe != TypeRecipe.Unknown) facts.Receivers[(span.Start, span.Length)] = StringTable.Share(recipe);
    }

    private static int EnclosingBlockEnd(SyntaxNode node)
    {
        for (var n = node.Parent; n is { } p; n = p.Parent)
            if (p.Kind is RustSyntaxKind.Block or RustSyntaxKind.IfExpression or RustSyntaxKind.WhileExpression) return p.Span.End;
        return node.Span.End;
    }

    private static void BindUnknown(LocalBindings fn, SyntaxNode pattern, int from, int to)
    {
        foreach (var d in pattern.DescendantsAndSelf)
            if (d.Kind == RustSyntaxKind.Identifier && d.Parent is { Kind: not (RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.FieldPattern) } || d.Kind == RustSyntaxKind.ShorthandFieldIdentifier)
                fn.Add(d.Text, TypeRecipe.Unknown, from, to);
    }

    /// <summary>
    /// The bindings of a pattern matched against a value of the scrutinee's recipe: each name gets the projection
    /// from the scrutinee to it (tuple elements, tuple-struct, variant and struct fields, <c>&amp;</c> patterns, slice
    /// elements, <c>ref</c>), evaluated with the default binding modes once types are known.
    /// </summary>
    internal static void BindPattern(LocalBindings fn, SyntaxNode pattern, string scrutinee, int from, int to)
    {
        if (scrutinee == TypeRecipe.Unknown) BindUnknown(fn, pattern, from, to);
        else WalkPattern(fn, pattern, scrutinee, "", from, to, 0);
    }

    private static List<SyntaxNode> NamedChildren(SyntaxNode node)
    {
        var list = new List<SyntaxNode>();
        foreach (var c in node.Children)
            if (c.IsNamed && !c.IsComment) list.Add(c);
        return list;
    }

    /// <summary>The element patterns of a tuple, tuple-struct or slice pattern or closure parameter list, <c>_</c> (a token) included.</summary>
    private static List<SyntaxNode> PatternElements(SyntaxNode node)
    {
        var list = new List<SyntaxNode>();
        foreach (var c in node.Children)
            if (!c.IsComment && (c.IsNamed || c.Text == "_")) list.Add(c);
        return list;
    }

    private static string PatternPath(SyntaxNode path) => SyntaxFacts.TextWithoutWhitespace(path);

    private static void WalkPattern(LocalBindings fn, SyntaxNode p, string scrutinee, string steps, int from, int to, int depth)
    {
        if (depth > 16)
        {
            BindUnknown(fn, p, from, to);
            return;
        }
        switch (p.Kind)
        {
            case RustSyntaxKind.Identifier:
                fn.Add(p.Text, TypeRecipe.OfPattern(steps, scrutinee), from, to);
                return;
            case RustSyntaxKind.MatchPattern:
                // The pattern; its guard (`if …`) binds nothing of its own here.
                foreach (var c in NamedChildren(p))
                    if (c.Field != RustSyntaxField.Condition) WalkPattern(fn, c, scrutinee, steps, from, to, depth + 1);
                return;
            case RustSyntaxKind.MutPattern when NamedChildren(p) is [.., var inner] && inner.Kind != RustSyntaxKind.MutableSpecifier:
                WalkPattern(fn, inner, scrutinee, steps, from, to, depth + 1);
                return;
            case RustSyntaxKind.RefPattern when NamedChildren(p) is [.., var inner]:
            {
                bool mut = inner.Kind == RustSyntaxKind.MutPattern;
                if (mut && NamedChildren(inner) is [.., var innermost]) inner = innermost;
                if (inner.Kind == RustSyntaxKind.Identifier) fn.Add(inner.Text, TypeRecipe.OfPattern(steps + (mut ? "q\n" : "r\n"), scrutinee), from, to);
                else BindUnknown(fn, inner, from, to);
                return;
            }
            case RustSyntaxKind.ReferencePattern when NamedChildren(p) is [.., var inner] && inner.Kind != RustSyntaxKind.MutableSpecifier:
                WalkPattern(fn, inner, scrutinee, steps + "&\n", from, to, depth + 1);
                return;
            case RustSyntaxKind.TuplePattern or RustSyntaxKind.TupleStructPattern:
            {
                var type = p.Kind == RustSyntaxKind.TupleStructPattern ? p.ChildByField(RustSyntaxField.Type) : null;
                if (p.Kind == RustSyntaxKind.TupleStructPattern && type is null)
                {
                    BindUnknown(fn, p, from, to);
                    return;
                }
                var elements = PatternElements(p).Where(c => c.Field != RustSyntaxField.Type).ToList();
                int rest = elements.FindIndex(c => c.Kind == RustSyntaxKind.RemainingFieldPattern);
                for (int i = 0; i < elements.Count; i++)
                {
                    if (i == rest) continue;
                    int index = rest >= 0 && i > rest ? i - elements.Count : i;
                    var k = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var step = type is null ? "t" + k : "v" + PatternPath(type.Value) + "#" + k;
                    WalkPattern(fn, elements[i], scrutinee, steps + step + "\n", from, to, depth + 1);
                }
                return;
            }
            case RustSyntaxKind.StructPattern when p.ChildByField(RustSyntaxField.Type) is { } type:
                foreach (var fp in NamedChildren(p))
                {
                    if (fp.Kind != RustSyntaxKind.FieldPattern || fp.ChildByField(RustSyntaxField.Name) is not { } name)
                    {
                        if (fp.Field != RustSyntaxField.Type) BindUnknown(fn, fp, from, to);
                        continue;
                    }
                    var step = steps + "s" + PatternPath(type) + "#" + name.Text + "\n";
                    if (fp.ChildByField(RustSyntaxField.Pattern) is { } sub) WalkPattern(fn, sub, scrutinee, step, from, to, depth + 1);
                    else if (fp.HasChild(RustSyntaxKind.RefKeyword))
                        fn.Add(name.Text, TypeRecipe.OfPattern(step + (fp.HasChild(RustSyntaxKind.MutableSpecifier) ? "q\n" : "r\n"), scrutinee), from, to);
                    else fn.Add(name.Text, TypeRecipe.OfPattern(step, scrutinee), from, to);
                }
                return;
            case RustSyntaxKind.CapturedPattern when NamedChildren(p) is [{ Kind: RustSyntaxKind.Identifier } id, .., var sub]:
                fn.Add(id.Text, TypeRecipe.OfPattern(steps, scrutinee), from, to);
                WalkPattern(fn, sub, scrutinee, steps, from, to, depth + 1);
                return;
            case RustSyntaxKind.SlicePattern:
                foreach (var c in NamedChildren(p))
                    if (c.Kind is RustSyntaxKind.RemainingFieldPattern or RustSyntaxKind.CapturedPattern or RustSyntaxKind.RangePattern) BindUnknown(fn, c, from, to);
                    else WalkPattern(fn, c, scrutinee, steps + "e\n", from, to, depth + 1);
                return;
            case RustSyntaxKind.OrPattern:
                foreach (var c in NamedChildren(p)) WalkPattern(fn, c, scrutinee, steps, from, to, depth + 1);
                return;
            default:
                BindUnknown(fn, p, from, to);
                return;
        }
    }

    private void BindLet(FunctionScope fn, SyntaxNode let)
    {
        if (let.ChildByField(RustSyntaxField.Pattern) is not { } pat) return;
        int from = let.Span.End, to = EnclosingBlockEnd(let);
        var bound = pat.Kind is RustSyntaxKind.MutPattern or RustSyntaxKind.RefPattern ? pat.Children.ToList().LastOrDefault(c => c.IsNamed) : pat;
        if (bound is not { Kind: RustSyntaxKind.Identifier } id)
        {
            // A destructuring let (`let (a, b) = …`, `let Foo { x, .. } = …`, `let Some(x) = … else { … }`).
            var scrutinee = let.ChildByField(RustSyntaxField.Type) is { } annotated ? TypeRecipe.OfType(annotated.Text)
                : let.ChildByField(RustSyntaxField.Value) is { } value ? TypeRecipe.Of(value, fn.Locals) : TypeRecipe.Unknown;
            BindPattern(fn.Locals, pat, scrutinee, from, to);
            return;
        }
        // `let x;` and `let mut x = None;`: the first assignment tells the type.
        if (let.ChildByField(RustSyntaxField.Type) is null && pat.Kind != RustSyntaxKind.RefPattern
            && let.ChildByField(RustSyntaxField.Value) is null or { Kind: RustSyntaxKind.Identifier, Text: "None" })
            fn.Deferred[id.Text] = (from, to);
        else fn.Deferred.Remove(id.Text);
        string recipe = let.ChildByField(RustSyntaxField.Type) is { } t ? TypeRecipe.OfType(t.Text)
            : let.ChildByField(RustSyntaxField.Value) is { } v && let.ChildByField(RustSyntaxField.Alternative) is null ? TypeRecipe.Of(v, fn.Locals) : TypeRecipe.Unknown;
        if (pat.Kind == RustSyntaxKind.RefPattern) recipe = TypeRecipe.Unknown;
        fn.Locals.Add(id.Text, recipe, from, to);
    }

    // Where the file's text says `unsafe` (found once per tree): a function whose text never does holds no unsafe code,
    // and asking per function in O(log n) keeps nested functions linear (a subtree scan per function was quadratic).
    private RustSyntaxTree? _unsafeTree;
    private int[] _unsafeAt = [];

    private bool MentionsUnsafe(SyntaxNode fn)
    {
        if (!ReferenceEquals(_unsafeTree, fn.Tree))
        {
            _unsafeTree = fn.Tree;
            var found = new List<int>();
            var text = fn.Tree.Text.Bytes;
            for (int at = 0, i; (i = text[at..].IndexOf("unsafe"u8)) >= 0; at += i + 6) found.Add(at + i);
            _unsafeAt = [.. found];
        }
        int k = Array.BinarySearch(_unsafeAt, fn.Span.Start);
        if (k < 0) k = ~k;
        return k < _unsafeAt.Length && _unsafeAt[k] < fn.Span.End;
    }

    private void EnterFunction(SyntaxNode node)
    {
        var owner = _owners.Count > 0 && _functions.Count == 0 ? _owners[^1] : default;
        var generics = GenericNames(node).Concat(owner.Generics ?? []).ToArray();
        var selfType = owner.Kind == ItemKind.Impl && owner.SelfType is { } st ? st : owner.Kind == ItemKind.Trait ? "Self" : "";
        var scope = new TypeScope(node.Span.Start, node.Span.End, currentModule(), selfType, generics) { Bounds = [.. GenericBounds(node).Concat(owner.Bounds ?? [])] };
        facts.TypeScopes.Add(scope);
        var f = new FunctionScope(node.Span.End, scope, MentionsUnsafe(node));
        _functions.Add(f);
        if (!f.NeedsLocals || node.ChildByField(RustSyntaxField.Parameters) is not { } ps) return;
        int from = ps.Span.End, to = node.Span.End;
        foreach (var p in ps.Children)
        {
            if (p.Kind == RustSyntaxKind.SelfParameter)
            {
                f.Locals.Add("self", TypeRecipe.OfType(SelfParameterType(p)), from, to);
                continue;
            }
            if (p.Kind != RustSyntaxKind.Parameter || p.ChildByField(RustSyntaxField.Pattern) is not { } pat) continue;
            var bound = pat.Kind == RustSyntaxKind.MutPattern ? pat.Children.ToList().LastOrDefault(c => c.IsNamed) : pat;
            if (bound is { Kind: RustSyntaxKind.Identifier } id && p.ChildByField(RustSyntaxField.Type) is { } t) f.Locals.Add(id.Text, TypeRecipe.OfType(t.Text), from, to);
            else if (bound is { Kind: RustSyntaxKind.Self } && p.ChildByField(RustSyntaxField.Type) is { } st2) f.Locals.Add("self", TypeRecipe.OfType(st2.Text), from, to);
            else BindPattern(f.Locals, pat, p.ChildByField(RustSyntaxField.Type) is { } pt ? TypeRecipe.OfType(pt.Text) : TypeRecipe.Unknown, from, to);
        }
    }

    private static string SelfParameterType(SyntaxNode p)
    {
        var text = p.Text;
        bool reference = text.Contains('&');
        bool mut = p.HasChild(RustSyntaxKind.MutableSpecifier);
        return reference ? (mut ? "&mut Self" : "&Self") : "Self";
    }

    /// <summary><c>T: A + B&lt;X&gt;</c> and <c>where T: C</c> of an item: one <c>T\tA</c> entry per trait bound.</summary>
    private static IEnumerable<string> GenericBounds(SyntaxNode item)
    {
        var lists = new List<(SyntaxNode Name, SyntaxNode Bounds)>();
        if (item.ChildByField(RustSyntaxField.TypeParameters) is { } tps)
            foreach (var c in tps.Children)
                if (c.Kind == RustSyntaxKind.TypeParameter && (c.ChildByField(RustSyntaxField.Name) ?? c.ChildByField(RustSyntaxField.Left)) is { Tree: not null } n
                    && c.ChildByField(RustSyntaxField.Bounds) is { Tree: not null } b)
                    lists.Add((n, b));
        if (item.ChildOfKind(RustSyntaxKind.WhereClause) is { } where)
            foreach (var p in where.Children)
                if (p.Kind == RustSyntaxKind.WherePredicate && p.ChildByField(RustSyntaxField.Left) is { Tree: not null } n
                    && p.ChildByField(RustSyntaxField.Bounds) is { Tree: not null } b)
                    lists.Add((n, b));
        foreach (var (name, bounds) in lists)
            foreach (var t in bounds.Children)
                if (t.IsNamed && !t.IsComment && t.Kind is RustSyntaxKind.TypeIdentifier or RustSyntaxKind.GenericType or RustSyntaxKind.ScopedTypeIdentifier)
                    yield return StringTable.Share(name.Text + "\t" + t.Text);
    }

    /// <summary><c>F: FnOnce(A) -&gt; R</c> (in the list or a where clause) of an item: F's <c>Fn</c> bound as written.</summary>
    // Asked for every function: the map is made only for one that has such a bound.
    private static IReadOnlyDictionary<string, string> ClosureBounds(SyntaxNode item)
    {
        Dictionary<string, string>? found = null;
        void From(SyntaxNode name, SyntaxNode bounds)
        {
            foreach (var t in bounds.Children)
                if (t.Kind == RustSyntaxKind.FunctionType && t.Text.TrimStart() is var text && (text.StartsWith("Fn", StringComparison.Ordinal)))
                    (found ??= new(StringComparer.Ordinal)).TryAdd(name.Text.Trim(), text);
        }
        if (item.ChildByField(RustSyntaxField.TypeParameters) is { } tps)
            foreach (var c in tps.Children)
                if (c.Kind == RustSyntaxKind.TypeParameter && (c.ChildByField(RustSyntaxField.Name) ?? c.ChildByField(RustSyntaxField.Left)) is { Tree: not null } n
                    && c.ChildByField(RustSyntaxField.Bounds) is { Tree: not null } b)
                    From(n, b);
        if (item.ChildOfKind(RustSyntaxKind.WhereClause) is { } where)
            foreach (var p in where.Children)
                if (p.Kind == RustSyntaxKind.WherePredicate && p.ChildByField(RustSyntaxField.Left) is { Tree: not null } n
                    && p.ChildByField(RustSyntaxField.Bounds) is { Tree: not null } b)
                    From(n, b);
        return found ?? (IReadOnlyDictionary<string, string>)System.Collections.Frozen.FrozenDictionary<string, string>.Empty;
    }

    /// <summary>The names of an item's generic parameters (lifetimes left out; const parameters too when <paramref name="typesOnly"/>).</summary>
    // An array, [] without allocating for the many items that have no generics (asked for every declared item).
    internal static string[] GenericNames(SyntaxNode item, bool typesOnly = false)
    {
        if (item.ChildByField(RustSyntaxField.TypeParameters) is not { } tps) return [];
        var names = new List<string>();
        foreach (var c in tps.Children)
        {
            if (c.Kind == RustSyntaxKind.TypeIdentifier) names.Add(c.Text);
            else if (c.Kind == RustSyntaxKind.TypeParameter || (c.Kind == RustSyntaxKind.ConstParameter && !typesOnly))
            {
                var n = c.ChildByField(RustSyntaxField.Name) ?? c.ChildByField(RustSyntaxField.Left) ?? c.Children.ToList().FirstOrDefault(x => x.Kind == RustSyntaxKind.TypeIdentifier);
                if (n is { Tree: not null } nn && nn.Kind == RustSyntaxKind.TypeIdentifier) names.Add(nn.Text);
                else if (n is { Tree: not null } other && other.Kind != RustSyntaxKind.Lifetime) names.Add(other.Text);
            }
        }
        return [.. names];
    }

    private int Add(ItemDeclaration d)
    {
        facts.Items.Add(d);
        return facts.Items.Count - 1;
    }

    private void Declare(SyntaxNode node)
    {
        var name = Extractor.NameOf(node);
        var owner = _owners.Count > 0 ? _owners[^1].Index : -1;
        var ownerKind = _owners.Count > 0 ? _owners[^1].Kind : ItemKind.Module;
        var visibility = SyntaxFacts.Visibility(node);
        var location = node.ChildByField(RustSyntaxField.Name) is { } nameNode ? nameNode.Location : node.Location;
        var module = currentModule();
        var flags = SyntaxTrivia.IsDocHidden(node) ? ItemFlags.DocHidden : ItemFlags.None;
        switch (node.Kind)
        {
            case RustSyntaxKind.FunctionItem or RustSyntaxKind.FunctionSignatureItem:
            {
                var modifiers = node.ChildOfKind(RustSyntaxKind.FunctionModifiers);
                string abi = "";
                if (modifiers is { } m)
                {
                    if (m.HasChild(RustSyntaxKind.UnsafeKeyword)) flags |= ItemFlags.Unsafe;
                    if (m.HasChild(RustSyntaxKind.ConstKeyword)) flags |= ItemFlags.Const;
                    if (m.HasChild(RustSyntaxKind.AsyncKeyword)) flags |= ItemFlags.Async;
                    if (m.ChildOfKind(RustSyntaxKind.ExternModifier) is { } ext) abi = ext.ChildOfKind(RustSyntaxKind.StringLiteral) is { } s ? s.Text.Trim('"') : "C";
                }
                if (FunctionsMadeUnsafe && ownerKind is not (ItemKind.Impl or ItemKind.Trait)) flags |= ItemFlags.Unsafe;
                // An extern block's items: unsafe to call unless declared `safe`.
                if (ownerKind == ItemKind.Module && owner >= 0 && facts.Items[owner].Kind == ItemKind.Module && (facts.Items[owner].Flags & ItemFlags.Extern) != 0)
                {
                    flags |= ItemFlags.Extern;
                    abi = facts.Items[owner].Abi;
                    if (!node.Tree.HasRecoveredKeyword(node.Span, "safe")) flags |= ItemFlags.Unsafe;
                    owner = -1;
                }
                if (node.ChildByField(RustSyntaxField.Body) is not null) flags |= ItemFlags.HasBody;
                var members = new List<string>();
                var fnBounds = ClosureBounds(node);
                if (node.ChildByField(RustSyntaxField.Parameters) is { } ps)
                {
                    foreach (var p in ps.Children)
                    {
                        if (p.Kind == RustSyntaxKind.SelfParameter)
                        {
                            flags |= p.Text.Contains('&') ? ItemFlags.SelfRef | (p.HasChild(RustSyntaxKind.MutableSpecifier) ? ItemFlags.SelfMut : 0) : ItemFlags.SelfValue;
                        }
                        else if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { } pat)
                        {
                            if (pat.Kind == RustSyntaxKind.Self || pat.Text.EndsWith("self", StringComparison.Ordinal) && pat.Text.Replace("mut", "").Trim() == "self") flags |= ItemFlags.SelfTyped;
                            else
                            {
                                // A parameter of a generic type bounded by Fn(..): the closure signature as a third column.
                                var type = p.ChildByField(RustSyntaxField.Type)?.Text ?? "";
                                members.Add(StringTable.Share(pat.Text + "\t" + type + (fnBounds.TryGetValue(type.Trim(), out var sig) ? "\timpl " + sig : "")));
                            }
                        }
                        else if (p.Kind == RustSyntaxKind.VariadicParameter) members.Add("...\t");
                    }
                }
                if (visibility == "private" && ownerKind == ItemKind.Trait) visibility = facts.Items[owner].Visibility;
                if (owner >= 0 && ownerKind == ItemKind.Impl && facts.Items[owner].Trait.Length > 0) visibility = "trait-impl";
                Add(new ItemDeclaration(ItemKind.Function, name, module, owner, visibility, location, flags)
                {
                    Type = node.ChildByField(RustSyntaxField.ReturnType)?.Text ?? "", Abi = abi, Members = [.. members], Generics = GenericNames(node),
                });
                break;
            }
            case RustSyntaxKind.ModItem:
                Add(new ItemDeclaration(ItemKind.Module, name, module, -1, visibility, location, flags | (node.ChildByField(RustSyntaxField.Body) is null ? 0 : ItemFlags.HasBody)));
                break;
            case RustSyntaxKind.StructItem or RustSyntaxKind.UnionItem:
            {
                var fields = Fields(node.ChildByField(RustSyntaxField.Body), out bool tuple);
                Add(new ItemDeclaration(node.Kind == RustSyntaxKind.StructItem ? ItemKind.Struct : ItemKind.Union, name, module, -1, visibility, location, flags | (tuple ? ItemFlags.TupleFields : 0))
                {
                    Members = fields, Generics = GenericNames(node),
                });
                break;
            }
            case RustSyntaxKind.EnumItem:
            {
                int index = Add(new ItemDeclaration(ItemKind.Enum, name, module, -1, visibility, location, flags) { Generics = GenericNames(node) });
                if (node.ChildByField(RustSyntaxField.Body) is { } variants)
                    foreach (var v in variants.Children)
                        if (v.Kind == RustSyntaxKind.EnumVariant)
                        {
                            var fields = Fields(v.ChildByField(RustSyntaxField.Body), out bool tuple);
                            Add(new ItemDeclaration(ItemKind.Variant, Extractor.NameOf(v), module, index, visibility, v.ChildByField(RustSyntaxField.Name)?.Location ?? v.Location,
                                tuple ? ItemFlags.TupleFields : ItemFlags.None) { Members = fields });
                        }
                break;
            }
            case RustSyntaxKind.TypeItem:
                Add(new ItemDeclaration(ItemKind.TypeAlias, name, module, owner, visibility, location, flags) { Type = node.ChildByField(RustSyntaxField.Type)?.Text ?? "", Generics = GenericNames(node) });
                break;
            case RustSyntaxKind.AssociatedType:
                Add(new ItemDeclaration(ItemKind.AssociatedType, name, module, owner, visibility, location, flags) { Type = node.ChildByField(RustSyntaxField.DefaultType)?.Text ?? node.ChildByField(RustSyntaxField.Type)?.Text ?? "" });
                break;
            case RustSyntaxKind.TraitItem:
            {
                if (node.HasChild(RustSyntaxKind.UnsafeKeyword)) flags |= ItemFlags.Unsafe;
                var generics = GenericNames(node);
                int index = Add(new ItemDeclaration(ItemKind.Trait, name, module, -1, visibility, location, flags) { Generics = generics });
                _owners.Add((node.Span.End, index, ItemKind.Trait, "Self", generics, [.. GenericBounds(node)]));
                break;
            }
            case RustSyntaxKind.ImplItem:
            {
                if (node.HasChild(RustSyntaxKind.UnsafeKeyword)) flags |= ItemFlags.Unsafe;
                var self = node.ChildByField(RustSyntaxField.Type)?.Text ?? "";
                var generics = GenericNames(node);
                int index = Add(new ItemDeclaration(ItemKind.Impl, "", module, -1, "private", node.Location, flags)
                {
                    Type = self, Trait = node.ChildByField(RustSyntaxField.Trait)?.Text ?? "", Generics = generics,
                });
                _owners.Add((node.Span.End, index, ItemKind.Impl, self, generics, [.. GenericBounds(node)]));
                break;
            }
            case RustSyntaxKind.StaticItem or RustSyntaxKind.ConstItem:
            {
                if (node.HasChild(RustSyntaxKind.MutableSpecifier)) flags |= ItemFlags.Mut;
                if (owner >= 0 && facts.Items[owner].Kind == ItemKind.Module && (facts.Items[owner].Flags & ItemFlags.Extern) != 0)
                {
                    flags |= ItemFlags.Extern;
                    owner = -1;
                }
                Add(new ItemDeclaration(node.Kind == RustSyntaxKind.StaticItem ? ItemKind.Static : ItemKind.Const, name, module, owner, visibility, location, flags)
                {
                    Type = node.ChildByField(RustSyntaxField.Type)?.Text ?? "",
                });
                break;
            }
            case RustSyntaxKind.MacroDefinition:
                Add(new ItemDeclaration(ItemKind.Macro, name, module, -1, visibility, location, flags));
                break;
            case RustSyntaxKind.UseDeclaration when node.ChildByField(RustSyntaxField.Argument) is { } arg:
                CollectUse(arg, "", module, visibility, node.Location);
                break;
        }
    }

    /// <summary>An extern block: its functions and statics are declared as extern items (an owner the block stands for).</summary>
    private void EnterExternBlock(SyntaxNode node, string abi)
    {
        int index = Add(new ItemDeclaration(ItemKind.Module, "", currentModule(), -1, "private", node.Location, ItemFlags.Extern) { Abi = abi });
        _owners.Add((node.Span.End, index, ItemKind.Module, "", [], []));
    }

    private void CollectUse(SyntaxNode node, string prefix, string module, string visibility, Location location)
    {
        static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "::" + b;
        switch (node.Kind)
        {
            case RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.Crate or RustSyntaxKind.Self or RustSyntaxKind.Super:
            {
                var path = Join(prefix, node.Text);
                var local = Last(path);
                if (local == "self")
                {
                    if (prefix.Length > 0) Add(new ItemDeclaration(ItemKind.Use, Last(prefix), module, -1, visibility, location, ItemFlags.None) { Type = prefix });
                }
                else Add(new ItemDeclaration(ItemKind.Use, local, module, -1, visibility, location, ItemFlags.None) { Type = path });
                break;
            }
            case RustSyntaxKind.UseAsClause when node.ChildByField(RustSyntaxField.Path) is { } p && node.ChildByField(RustSyntaxField.Alias) is { } alias:
            {
                var path = Join(prefix, p.Text);
                if (Last(path) == "self") path = prefix;
                Add(new ItemDeclaration(ItemKind.Use, alias.Text, module, -1, visibility, location, ItemFlags.None) { Type = path });
                break;
            }
            case RustSyntaxKind.UseWildcard:
            {
                var inner = node.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
                Add(new ItemDeclaration(ItemKind.Use, "*", module, -1, visibility, location, ItemFlags.Glob) { Type = Join(prefix, inner.Tree is null ? "" : inner.Text) });
                break;
            }
            case RustSyntaxKind.ScopedUseList:
            {
                var path = node.ChildByField(RustSyntaxField.Path) is { } sp ? Join(prefix, sp.Text) : prefix;
                if (node.ChildByField(RustSyntaxField.List) is { } list) CollectUse(list, path, module, visibility, location);
                break;
            }
            case RustSyntaxKind.UseList:
                foreach (var c in node.Children)
                    if (c.IsNamed && !c.IsComment) CollectUse(c, prefix, module, visibility, location);
                break;
        }
    }

    private static string Last(string path) => path.LastIndexOf("::", StringComparison.Ordinal) is var i and >= 0 ? path[(i + 2)..] : path;

    private static string[] Fields(SyntaxNode? body, out bool tuple)
    {
        tuple = body is { Kind: RustSyntaxKind.OrderedFieldDeclarationList };
        if (body is not { } b) return [];
        var list = new List<string>();
        if (tuple)
        {
            int i = 0;
            foreach (var c in b.Children)
                if (c.Field == RustSyntaxField.Type) list.Add(StringTable.Share((i++).ToString(System.Globalization.CultureInfo.InvariantCulture) + "\t" + c.Text));
        }
        else
        {
            foreach (var c in b.Children)
                if (c.Kind == RustSyntaxKind.FieldDeclaration && c.ChildByField(RustSyntaxField.Name) is { } n)
                    list.Add(StringTable.Share(n.Text + "\t" + (c.ChildByField(RustSyntaxField.Type)?.Text ?? "")));
        }
        return [.. list];
    }
}

/// <summary>
/// Local bindings of one function body, with where each is visible (a later binding of a name shadows earlier ones).
/// </summary>
internal sealed class LocalBindings
{
    private readonly List<(string Name, string Recipe, int From, int To)> _bindings = [];

    public void Add(string name, string recipe, int from, int to) => _bindings.Add((name, recipe, from, to));

    /// <summary>A copy to bind a branch's pattern in ahead of the walk (the type of a match or if let's value).</summary>
    public LocalBindings Fork()
    {
        var copy = new LocalBindings();
        copy._bindings.AddRange(_bindings);
        return copy;
    }

    /// <summary>Where the binding of <paramref name="name"/> visible at <paramref name="position"/> starts, or -1.</summary>
    public int BindingAt(string name, int position)
    {
        for (int i = _bindings.Count - 1; i >= 0; i--)
        {
            var b = _bindings[i];
            if (b.Name == name && b.From <= position && position < b.To) return b.From;
        }
        return -1;
    }

    /// <summary>The recipe of the binding of <paramref name="name"/> visible at <paramref name="position"/>, or null (not a local).</summary>
    public string? Lookup(string name, int position)
    {
        for (int i = _bindings.Count - 1; i >= 0; i--)
        {
            var b = _bindings[i];
            if (b.Name == name && b.From <= position && position < b.To) return b.Recipe;
        }
        return null;
    }
}

/// <summary>
/// A type recipe: how to compute an expression's type once the crate's declarations are known, written as a short
/// prefix string: <c>T&lt;n&gt;:text</c> a written type, <c>C&lt;n&gt;:path</c> the return type of a called path, <c>V&lt;n&gt;:path</c>
/// the type of a value path (a static, a const, a unit struct), <c>F&lt;n&gt;:name</c>+R a field of R, <c>M&lt;n&gt;:name</c>+R
/// the return type of R's method, <c>D</c>+R a deref, <c>R</c>/<c>Q</c>+R a shared/mutable borrow, <c>I</c>+R an index,
/// <c>U</c> unknown.
/// </summary>
internal static class TypeRecipe
{
    public const string Unknown = "U";
    private const int MaxLength = 1024;

    public static string OfType(string typeText) => Atom('T', typeText);

    /// <summary>A pattern binding: the projection steps (one a line) from a scrutinee of that recipe.</summary>
    public static string OfPattern(string steps, string scrutinee)
        => scrutinee == Unknown || steps.Length + scrutinee.Length > MaxLength ? Unknown : Atom('B', steps) + scrutinee;

    /// <summary>The item a <c>for</c> loop binds from an iterable of that recipe.</summary>
    public static string OfLoopItem(string iterable) => iterable == Unknown ? Unknown : "L" + iterable;

    private static string Atom(char op, string text) => op + text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + text;

    /// <summary>
    /// A closure passed to a call (<c>x.m(…, |a| …)</c> or <c>f(…, |a| …)</c>): its parameter's recipe, the type the
    /// called function's <c>impl Fn(..)</c> parameter passes; null when the closure is not a call's argument.
    /// </summary>
    public static string? OfClosureParameter(SyntaxNode closure, int parameter, LocalBindings locals)
    {
        if (closure.Parent is not { Kind: RustSyntaxKind.Arguments } args || args.Parent is not { Kind: RustSyntaxKind.CallExpression } call
            || call.ChildByField(RustSyntaxField.Function) is not { } fn) return null;
        int arg = 0;
        foreach (var a in args.Children)
        {
            if (a == closure) break;
            if (a.IsNamed && !a.IsComment) arg++;
        }
        var at = arg.ToString(System.Globalization.CultureInfo.InvariantCulture) + "," + parameter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (fn.Kind == RustSyntaxKind.GenericFunction && fn.ChildByField(RustSyntaxField.Function) is { } g) fn = g;
        if (fn.Kind == RustSyntaxKind.FieldExpression && fn.ChildByField(RustSyntaxField.Field) is { } m && fn.ChildByField(RustSyntaxField.Value) is { } recv)
        {
            var sb = new StringBuilder(Atom('K', m.Text) + Atom('A', at));
            Build(recv, locals, sb, 1);
            return sb.Length > MaxLength ? null : sb.ToString();
        }
        if (fn.Kind is RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier && locals.Lookup(fn.Text, fn.Span.Start) is null)
            return Atom('J', fn.Text) + Atom('A', at);
        return null;
    }

    /// <summary>The recipe of an expression, with the function's local bindings.</summary>
    public static string Of(SyntaxNode expr, LocalBindings locals)
    {
        var sb = new StringBuilder();
        Build(expr, locals, sb, 0);
        return sb.Length > MaxLength ? Unknown : sb.ToString();
    }

    private static void Build(SyntaxNode e, LocalBindings locals, StringBuilder sb, int depth)
    {
        if (depth > 12 || sb.Length > MaxLength)
        {
            sb.Append('U');
            return;
        }
        switch (e.Kind)
        {
            case RustSyntaxKind.ParenthesizedExpression or RustSyntaxKind.UnsafeBlock or RustSyntaxKind.Block:
            {
                var inner = e.Kind == RustSyntaxKind.UnsafeBlock ? e.ChildOfKind(RustSyntaxKind.Block) is { } b ? LastExpression(b) : null
                    : e.Kind == RustSyntaxKind.Block ? LastExpression(e) : e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
                if (inner is { Tree: not null } i) Build(i, locals, sb, depth + 1);
                else sb.Append('U');
                return;
            }
            case RustSyntaxKind.Identifier:
                if (locals.Lookup(e.Text, e.Span.Start) is { } r) sb.Append(r);
                else sb.Append(Atom('V', e.Text));
                return;
            case RustSyntaxKind.Self:
                sb.Append(locals.Lookup("self", e.Span.Start) ?? Unknown);
                return;
            case RustSyntaxKind.ScopedIdentifier:
                sb.Append(Atom('V', e.Text));
                return;
            case RustSyntaxKind.FieldExpression when e.ChildByField(RustSyntaxField.Field) is { } f && e.ChildByField(RustSyntaxField.Value) is { } v:
                sb.Append(Atom('F', f.Text));
                Build(v, locals, sb, depth + 1);
                return;
            case RustSyntaxKind.CallExpression when e.ChildByField(RustSyntaxField.Function) is { } fn:
            {
                if (fn.Kind == RustSyntaxKind.GenericFunction && fn.ChildByField(RustSyntaxField.Function) is { } g) fn = g;
                if (fn.Kind == RustSyntaxKind.FieldExpression && fn.ChildByField(RustSyntaxField.Field) is { } m && fn.ChildByField(RustSyntaxField.Value) is { } recv)
                {
                    if (ClosureArgument(e, out int index) is { } closure && closure.ChildByField(RustSyntaxField.Body) is { } body)
                    {
                        // The closure's body, with its parameters bound as the walk will bind them there.
                        sb.Append(Atom('N', m.Text)).Append(Atom('A', index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                        var inner = locals.Fork();
                        if (closure.ChildByField(RustSyntaxField.Parameters) is { } ps)
                        {
                            int k = 0;
                            foreach (var p in ps.Children.ToList().FindAll(c => !c.IsComment && (c.IsNamed || c.Text == "_")))
                            {
                                if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { } pp && p.ChildByField(RustSyntaxField.Type) is { } pt)
                                    ItemCollector.BindPattern(inner, pp, OfType(pt.Text), ps.Span.End, closure.Span.End);
                                else if (p.Kind != RustSyntaxKind.Parameter)
                                    ItemCollector.BindPattern(inner, p, OfClosureParameter(closure, k, locals) ?? Unknown, ps.Span.End, closure.Span.End);
                                k++;
                            }
                        }
                        Build(body, inner, sb, depth + 1);
                    }
                    else sb.Append(Atom('M', m.Text));
                    Build(recv, locals, sb, depth + 1);
                }
                else if (fn is { Kind: RustSyntaxKind.Identifier, Text: "Some" } && locals.Lookup("Some", fn.Span.Start) is null && e.ChildByField(RustSyntaxField.Arguments) is { } someArgs
                         && someArgs.Children.ToList().FindAll(c => c.IsNamed && !c.IsComment) is [var wrapped])
                {
                    // std's Some(x): an Option of x's type.
                    sb.Append(Atom('W', "Some"));
                    Build(wrapped, locals, sb, depth + 1);
                }
                else if (fn.Kind == RustSyntaxKind.ScopedIdentifier && e.ChildByField(RustSyntaxField.Arguments) is { } args && PointerConstructor(fn.Text)
                         && args.Children.ToList().FindAll(c => c.IsNamed && !c.IsComment) is [var argument])
                {
                    // std's constructors and readers typed by their pointer argument (Box::from_raw(p), ptr::read(p)).
                    sb.Append(Atom('W', fn.Text));
                    Build(argument, locals, sb, depth + 1);
                }
                else if (fn.Kind is RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier && locals.Lookup(fn.Text, fn.Span.Start) is null)
                    sb.Append(Atom('C', fn.Text));
                else sb.Append('U');
                return;
            }
            case RustSyntaxKind.UnaryExpression when e.Children.ToList().LastOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } operand:
                if (e.HasChild(RustSyntaxKind.AsteriskToken))
                {
                    sb.Append('D');
                    Build(operand, locals, sb, depth + 1);
                }
                else sb.Append('U');
                return;
            case RustSyntaxKind.ReferenceExpression when e.ChildByField(RustSyntaxField.Value) is { } v:
                if (e.HasChild(RustSyntaxKind.RawKeyword))
                {
                    sb.Append(Atom('P', e.HasChild(RustSyntaxKind.MutableSpecifier) ? "mut" : "const"));
                    Build(v, locals, sb, depth + 1);
                    return;
                }
                sb.Append(e.HasChild(RustSyntaxKind.MutableSpecifier) ? 'Q' : 'R');
                Build(v, locals, sb, depth + 1);
                return;
            case RustSyntaxKind.IfExpression when e.ChildByField(RustSyntaxField.Consequence) is { } then:
            {
                // The first branch whose type is known (every branch has the if's type; diverging ones are unknown).
                var otherwise = e.ChildByField(RustSyntaxField.Alternative)?.Children.ToList().FindLast(c => c.IsNamed && !c.IsComment);
                if (otherwise is not { Tree: not null } alt)
                {
                    sb.Append('U');
                    return;
                }
                sb.Append('O');
                // `if let p = v { … }`: the first branch sees p's bindings.
                var thenLocals = locals;
                if (e.ChildByField(RustSyntaxField.Condition) is { Kind: RustSyntaxKind.LetCondition } let && let.ChildByField(RustSyntaxField.Pattern) is { } pattern)
                {
                    thenLocals = locals.Fork();
                    ItemCollector.BindPattern(thenLocals, pattern, let.ChildByField(RustSyntaxField.Value) is { } v ? Of(v, locals) : Unknown, let.Span.End, then.Span.End);
                }
                Build(then, thenLocals, sb, depth + 1);
                Build(alt, locals, sb, depth + 1);
                return;
            }
            case RustSyntaxKind.MatchExpression when e.ChildByField(RustSyntaxField.Body) is { } arms:
            {
                var values = arms.Children.ToList().Where(a => a.Kind == RustSyntaxKind.MatchArm).Select(a => a.ChildByField(RustSyntaxField.Value)).Take(4).ToList();
                if (values.Count == 0 || values.Any(v => v is null))
                {
                    sb.Append('U');
                    return;
                }
                for (int i = 0; i < values.Count - 1; i++) sb.Append('O');
                // Each arm's value sees its pattern's bindings (the walk binds them only when it reaches the arm).
                var scrutinee = e.ChildByField(RustSyntaxField.Value) is { } matched ? Of(matched, locals) : Unknown;
                foreach (var v in values)
                {
                    var armLocals = locals;
                    if (v!.Value.Parent is { Kind: RustSyntaxKind.MatchArm } arm && arm.ChildByField(RustSyntaxField.Pattern) is { } pattern)
                    {
                        armLocals = locals.Fork();
                        ItemCollector.BindPattern(armLocals, pattern, scrutinee, pattern.Span.End, arm.Span.End);
                    }
                    Build(v.Value, armLocals, sb, depth + 1);
                }
                return;
            }
            case RustSyntaxKind.TypeCastExpression when e.ChildByField(RustSyntaxField.Type) is { } t:
                sb.Append(OfType(t.Text));
                return;
            case RustSyntaxKind.StructExpression when e.ChildByField(RustSyntaxField.Name) is { } n:
                sb.Append(OfType(n.Text));
                return;
            case RustSyntaxKind.TryExpression when e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } tried:
                sb.Append('Y');
                Build(tried, locals, sb, depth + 1);
                return;
            case RustSyntaxKind.IndexExpression when e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } indexed:
                sb.Append('I');
                Build(indexed, locals, sb, depth + 1);
                return;
            default:
                sb.Append('U');
                return;
        }
    }

    /// <summary>The only closure among a call's arguments, and its position; null when there is none or several.</summary>
    private static SyntaxNode? ClosureArgument(SyntaxNode call, out int index)
    {
        index = -1;
        SyntaxNode? found = null;
        if (call.ChildByField(RustSyntaxField.Arguments) is not { } args) return null;
        int i = 0;
        foreach (var a in args.Children)
        {
            if (!a.IsNamed || a.IsComment) continue;
            if (a.Kind == RustSyntaxKind.ClosureExpression)
            {
                if (found is not null) return null;
                found = a;
                index = i;
            }
            i++;
        }
        return found;
    }

    private static bool PointerConstructor(string path)
        => path.EndsWith("::from_raw", StringComparison.Ordinal) || path.EndsWith("NonNull::new_unchecked", StringComparison.Ordinal)
           || path.EndsWith("NonNull::new", StringComparison.Ordinal) || path.EndsWith("ptr::read", StringComparison.Ordinal)
           || path.EndsWith("ptr::read_unaligned", StringComparison.Ordinal) || path.EndsWith("ptr::read_volatile", StringComparison.Ordinal);

    private static SyntaxNode? LastExpression(SyntaxNode block)
    {
        SyntaxNode? last = null;
        foreach (var c in block.Children)
            if (c.IsNamed && !c.IsComment) last = c;
        return last is { Kind: not (RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement) } ? last : null;
    }
}
