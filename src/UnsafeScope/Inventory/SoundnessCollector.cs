using UnsafeScope.Syntax;

namespace UnsafeScope.Inventory;

/// <summary>
/// What the soundness factors of the score need from a function (docs/scoring.md): its parameters and which of them
/// carry user code (closures, generic values), whether it is generic, a returned lifetime its inputs do not bound,
/// the checks in its body and how locals flow from each other. Fed by the extractor's one walk, like
/// <see cref="ItemCollector"/>; it reads a function's signature once when the walk enters it, and otherwise only the
/// node the walk is at.
/// </summary>
internal static class SoundnessCollector
{
    /// <summary>Macros whose failure stops the function in release builds too (<c>debug_assert!</c> does not count).</summary>
    private static readonly HashSet<string> CheckMacros = new(StringComparer.Ordinal) { "assert", "assert_eq", "assert_ne", "assert_matches" };

    /// <summary>
    /// Methods of std traits (Clone, Iterator, Read, PartialOrd, Hash, Deref, …) that a type parameter's own impl
    /// supplies: called in a generic function, they run code the caller chose, as a called closure does (Rudra's
    /// "unresolvable generic call"). In order: the first one a function calls names it.
    /// </summary>
    internal static readonly string[] UserImplMethods =
    [
        "clone", "clone_from", "next", "next_back", "size_hint", "read", "read_exact", "read_to_end", "fmt", "eq", "ne", "cmp",
        "partial_cmp", "lt", "le", "gt", "ge", "hash", "into_iter", "extend", "deref", "deref_mut", "borrow", "borrow_mut",
    ];

    /// <summary>
    /// Those of <see cref="UserImplMethods"/> whose results unsafe code is tempted to trust (#17: "safe code that unsafe
    /// code trusts"): an iterator's length hint, an ordering, a hash, a deref target; and <c>type_id</c>. Not <c>len</c>:
    /// std's collections have it too.
    /// </summary>
    internal static readonly HashSet<string> Overridable = new(StringComparer.Ordinal) { "size_hint", "type_id", "cmp", "partial_cmp", "hash", "deref", "deref_mut" };

    /// <summary>The signature facts, when the walk enters a function with a body.</summary>
    public static void Signature(SyntaxNode fn, FunctionBody body)
    {
        SyntaxNode? impl = fn.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { Kind: RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem } owner ? owner : null;
        var generics = new HashSet<string>(ItemCollector.GenericNames(fn, typesOnly: true), StringComparer.Ordinal);
        if (impl is { } implNode) generics.UnionWith(ItemCollector.GenericNames(implNode, typesOnly: true));
        body.Generic = generics.Count > 0;
        if (fn.ChildByField(RustSyntaxField.Parameters) is not { } ps) return;
        var inputLifetimes = new HashSet<string>(StringComparer.Ordinal);
        bool referenceInput = false, mutableInput = false;
        foreach (var p in ps.Children)
        {
            if (p.Kind == RustSyntaxKind.SelfParameter)
            {
                body.Parameters.Add("self");
                if (p.HasChild(RustSyntaxKind.AmpersandToken))
                {
                    referenceInput = true;
                    mutableInput |= p.HasChild(RustSyntaxKind.MutableSpecifier);
                    if (p.ChildOfKind(RustSyntaxKind.Lifetime) is { } l) inputLifetimes.Add(l.Text);
                }
                else if (impl is { Kind: RustSyntaxKind.ImplItem } implItem && implItem.ChildByField(RustSyntaxField.Type) is { } selfType)
                {
                    // `self` by value of a type with lifetime parameters (Ref<'a, T>) carries them.
                    foreach (var d in selfType.DescendantsAndSelf)
                        if (d.Kind == RustSyntaxKind.Lifetime) { inputLifetimes.Add(d.Text); referenceInput = true; }
                }
                continue;
            }
            if (p.Kind != RustSyntaxKind.Parameter || p.ChildByField(RustSyntaxField.Type) is not { } type) continue;
            var pattern = p.ChildByField(RustSyntaxField.Pattern);
            var name = pattern is { Kind: RustSyntaxKind.MutPattern } mp ? mp.Children.ToList().LastOrDefault(c => c.IsNamed) : pattern;
            bool userCode = false;
            foreach (var d in type.DescendantsAndSelf)
            {
                switch (d.Kind)
                {
                    case RustSyntaxKind.ReferenceType:
                        referenceInput = true;
                        mutableInput |= d.HasChild(RustSyntaxKind.MutableSpecifier);
                        break;
                    case RustSyntaxKind.Lifetime:
                        inputLifetimes.Add(d.Text);
                        referenceInput = true;
                        break;
                    case RustSyntaxKind.AbstractType or RustSyntaxKind.DynamicType:
                        userCode = true;
                        break;
                    case RustSyntaxKind.TypeIdentifier when generics.Contains(d.Text):
                        userCode = true;
                        break;
                }
            }
            if (name is { Kind: RustSyntaxKind.Identifier } id)
            {
                body.Parameters.Add(id.Text);
                if (userCode) body.UserCodeParameters.Add(id.Text);
            }
        }
        if (fn.ChildByField(RustSyntaxField.ReturnType) is not { } ret) return;
        foreach (var d in ret.DescendantsAndSelf)
        {
            if (d.Kind != RustSyntaxKind.ReferenceType) continue;
            var lifetime = d.ChildOfKind(RustSyntaxKind.Lifetime)?.Text;
            bool mutable = d.HasChild(RustSyntaxKind.MutableSpecifier);
            // A reference the inputs do not bound: 'static, a named lifetime no input has, or no reference input at all.
            if (lifetime == "'static" || (lifetime is { } l && l != "'_" && !inputLifetimes.Contains(l)) || (lifetime is null && !referenceInput))
            {
                body.LifetimeRisk = $"returns {d.Text} not bound by its inputs";
                return;
            }
            if (mutable && referenceInput && !mutableInput)
            {
                body.LifetimeRisk = $"returns {d.Text} from shared inputs";
                return;
            }
        }
    }

    /// <summary>A node inside a function's body: checks (assert!, an early exit under a condition) and let flows.</summary>
    public static void Visit(SyntaxNode node, FunctionBody body)
    {
        switch (node.Kind)
        {
            case RustSyntaxKind.MacroInvocation when node.ChildByField(RustSyntaxField.Macro) is { } m && CheckMacros.Contains(m.Text):
                AddChecked(node, node.Location.StartLine, body);
                break;
            case RustSyntaxKind.IfExpression when node.ChildByField(RustSyntaxField.Condition) is { } condition && ExitsEarly(node):
                AddChecked(condition, node.Location.StartLine, body);
                break;
            case RustSyntaxKind.LetDeclaration when node.ChildByField(RustSyntaxField.Pattern) is { } pattern && node.ChildByField(RustSyntaxField.Value) is { } value:
            {
                var target = pattern.Kind == RustSyntaxKind.MutPattern ? pattern.Children.ToList().LastOrDefault(c => c.IsNamed) : pattern;
                if (target is not { Kind: RustSyntaxKind.Identifier } t) break;
                foreach (var source in Names(value))
                    if (source != t.Text) body.Flows.Add(t.Text + "\t" + source);
                // A value a method of a caller's impl computed (`iter.size_hint()` on a parameter of a generic or impl-Trait
                // type): `@method` as its source. Only such receivers: `buffer.deref()` on a crate's own type is not user code.
                foreach (var d in value.DescendantsAndSelf)
                    if (d.Kind == RustSyntaxKind.CallExpression && d.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.FieldExpression } f
                        && f.ChildByField(RustSyntaxField.Field) is { } method && Overridable.Contains(method.Text)
                        && f.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Identifier } receiver && body.UserCodeParameters.Contains(receiver.Text))
                        body.Flows.Add(t.Text + "\t@" + method.Text);
                break;
            }
        }
    }

    /// <summary>
    /// A branch of the if returns, breaks, continues, panics or asserts as one of its statements: the condition guards
    /// what follows. Only the branches' own statements are read, not nested blocks.
    /// </summary>
    private static bool ExitsEarly(SyntaxNode ifExpression)
    {
        static bool Exits(SyntaxNode? block)
        {
            if (block is not { } b) return false;
            foreach (var s in b.Children)
            {
                var e = s.Kind == RustSyntaxKind.ExpressionStatement ? s.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) : s;
                if (e.Tree is null) continue;
                if (e.Kind is RustSyntaxKind.ReturnExpression or RustSyntaxKind.BreakExpression or RustSyntaxKind.ContinueExpression) return true;
                if (e.Kind == RustSyntaxKind.MacroInvocation && e.ChildByField(RustSyntaxField.Macro)?.Text is "panic" or "unreachable" or "assert" or "todo" or "unimplemented") return true;
            }
            return false;
        }
        if (Exits(ifExpression.ChildByField(RustSyntaxField.Consequence))) return true;
        return ifExpression.ChildByField(RustSyntaxField.Alternative) is { } alt && Exits(alt.ChildOfKind(RustSyntaxKind.Block));
    }

    private static void AddChecked(SyntaxNode scope, int line, FunctionBody body)
    {
        foreach (var name in Names(scope)) body.Checks.Add(line + "\t" + name);
    }

    /// <summary>The plain names an expression (or a macro's token tree) mentions, fields and methods left out.</summary>
    private static IEnumerable<string> Names(SyntaxNode node)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in node.DescendantsAndSelf)
        {
            if (d.Kind is not (RustSyntaxKind.Identifier or RustSyntaxKind.Self)) continue;
            // `x.len` and `x.len()` name x, not len; `a::b` names no local.
            if (d.Parent is { Kind: RustSyntaxKind.FieldExpression } f && f.ChildByField(RustSyntaxField.Field) is { } field && field.Span == d.Span) continue;
            if (d.Parent is { Kind: RustSyntaxKind.ScopedIdentifier }) continue;
            if (seen.Add(d.Text)) yield return d.Text;
        }
    }

    /// <summary>
    /// Rudra's SendSyncVariance: <c>unsafe impl&lt;T&gt; Send for X&lt;T&gt;</c> (or Sync) where a type parameter lacks the
    /// same bound. Returns the parameters without it, or empty.
    /// </summary>
    public static string SendSyncVariance(SyntaxNode impl)
    {
        if (impl.ChildByField(RustSyntaxField.Trait) is not { } trait) return "";
        var traitName = trait.Text.Split("::")[^1].Trim();
        if (traitName is not ("Send" or "Sync")) return "";
        if (impl.ChildByField(RustSyntaxField.TypeParameters) is not { } tps) return "";
        var bounded = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var c in tps.Children)
        {
            if (c.Kind == RustSyntaxKind.TypeIdentifier) bounded[c.Text] = false;
            else if (c.Kind == RustSyntaxKind.TypeParameter && (c.ChildByField(RustSyntaxField.Name) ?? c.ChildByField(RustSyntaxField.Left)) is { Kind: RustSyntaxKind.TypeIdentifier } n)
                bounded[n.Text] = c.ChildByField(RustSyntaxField.Bounds) is { } b && Mentions(b, traitName);
        }
        if (impl.ChildOfKind(RustSyntaxKind.WhereClause) is { } where)
            foreach (var p in where.Children)
                if (p.Kind == RustSyntaxKind.WherePredicate && p.ChildByField(RustSyntaxField.Left) is { } left && bounded.ContainsKey(left.Text)
                    && p.ChildByField(RustSyntaxField.Bounds) is { } b && Mentions(b, traitName))
                    bounded[left.Text] = true;
        var missing = bounded.Where(kv => !kv.Value).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        return missing.Count == 0 ? "" : $"{string.Join(", ", missing)} without a {traitName} bound";
    }

    private static bool Mentions(SyntaxNode bounds, string trait)
    {
        foreach (var d in bounds.DescendantsAndSelf)
            if (d.Kind is RustSyntaxKind.TypeIdentifier && d.Text == trait) return true;
        return false;
    }
}
