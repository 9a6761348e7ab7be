using UnsafeScope.Syntax;
using UnsafeScope.Text;

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

    /// <summary>A dereference, or an unsafe call of <see cref="InputSensitive"/>: its operands decide which memory is touched.</summary>
    internal static bool IsInputSensitive(UnsafeOperation op) => op.Kind == OperationKind.RawPointerDeref || InputSensitive.Contains(Extractor.LastSegment(op.Name));

    /// <summary>Operations whose operands decide which memory is touched: unchecked, a caller picks the address or length.</summary>
    internal static readonly HashSet<string> InputSensitive = new(StringComparer.Ordinal)
    {
        "get_unchecked", "get_unchecked_mut", "from_raw_parts", "from_raw_parts_mut", "set_len", "offset", "add", "sub", "byte_add", "byte_offset",
        "copy", "copy_nonoverlapping", "write_bytes", "transmute", "transmute_copy", "from_utf8_unchecked", "from_utf8_unchecked_mut", "unreachable_unchecked",
        "read", "write", "read_unaligned", "write_unaligned", "from_raw", "new_unchecked", "swap", "replace", "slice_unchecked", "get_unchecked_slice",
    };

    /// <summary>Those of <see cref="InputSensitive"/> that take a length, index or offset.</summary>
    internal static readonly HashSet<string> IndexSensitive = new(StringComparer.Ordinal)
    {
        "get_unchecked", "get_unchecked_mut", "from_raw_parts", "from_raw_parts_mut", "set_len", "offset", "add", "sub", "byte_add", "byte_offset",
        "copy", "copy_nonoverlapping", "write_bytes", "slice_unchecked", "get_unchecked_slice",
    };

    private static readonly HashSet<string> IntegerTypes = new(StringComparer.Ordinal) { "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128" };

    private static Dictionary<string, (string Kind, string Type)> Kinds(FunctionBody body) => body.ParameterKinds ??= new(StringComparer.Ordinal);

    /// <summary>The signature facts, when the walk enters a function with a body.</summary>
    public static void Signature(SyntaxNode fn, FunctionBody body)
    {
        SyntaxNode? impl = fn.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { Kind: RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem } owner ? owner : null;
        var generics = new HashSet<string>(ItemCollector.GenericNames(fn, typesOnly: true), StringComparer.Ordinal);
        if (impl is { } implNode) generics.UnionWith(ItemCollector.GenericNames(implNode, typesOnly: true));
        body.Generic = generics.Count > 0;
        // `self` of a trait's provided method or of `impl dyn Trait` is whatever type implements the trait: its other
        // methods are the implementor's code.
        if (impl is { Kind: RustSyntaxKind.TraitItem } trait)
            Kinds(body)["self"] = ("dyn", trait.ChildByField(RustSyntaxField.Name)?.Text ?? "Self");
        else if (impl is { } ownerImpl && ownerImpl.ChildByField(RustSyntaxField.Trait) is null && ownerImpl.ChildByField(RustSyntaxField.Type) is { } selfType)
        {
            if (selfType.Kind == RustSyntaxKind.DynamicType) Kinds(body)["self"] = ("dyn", selfType.Text);
            // `impl Fail { … }` in edition 2015 is `impl dyn Fail` when Fail is a trait: the crate's link decides.
            else if (selfType.Kind == RustSyntaxKind.TypeIdentifier) Kinds(body)["self"] = ("named", selfType.Text);
        }
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
                if (type.Kind == RustSyntaxKind.PointerType) Kinds(body)[id.Text] = ("raw", type.Text);
                else if (type.Kind == RustSyntaxKind.PrimitiveType && IntegerTypes.Contains(type.Text)) Kinds(body)[id.Text] = ("int", type.Text);
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

    /// <summary>
    /// A node inside a function's body: checks (assert!, an early exit under a condition), let flows, writes of the
    /// function's own fields, and values of a caller's impl that reach an operation without a let.
    /// </summary>
    public static void Visit(SyntaxNode node, FunctionBody body)
    {
        switch (node.Kind)
        {
            case RustSyntaxKind.CallExpression:
                TrustedArgument(node, body);
                break;
            // `self.len = n` and `self.len += n`; not `self.data /= n` (arithmetic on data, not a length).
            case RustSyntaxKind.AssignmentExpression or RustSyntaxKind.CompoundAssignmentExpr
                when (node.Kind == RustSyntaxKind.AssignmentExpression || node.ChildByField(RustSyntaxField.Operator)?.Text is "+=" or "-=")
                     && node.ChildByField(RustSyntaxField.Left) is { Kind: RustSyntaxKind.FieldExpression } left
                     && left.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Self } && left.ChildByField(RustSyntaxField.Field) is { } field
                     && node.ChildByField(RustSyntaxField.Right) is { } right:
                FieldWrite(field.Text, right, node, body);
                break;
            case RustSyntaxKind.StructExpression when body.OwnerType.Length > 0 && IsOwnType(node, body) && node.ChildByField(RustSyntaxField.Body) is { } inits:
                foreach (var init in inits.Children)
                {
                    if (init.Kind == RustSyntaxKind.ShorthandFieldInitializer && init.ChildOfKind(RustSyntaxKind.Identifier) is { } shorthand)
                        FieldWrite(shorthand.Text, shorthand, node, body);
                    else if (init.Kind == RustSyntaxKind.FieldInitializer && init.ChildByField(RustSyntaxField.Field) is { } f && init.ChildByField(RustSyntaxField.Value) is { } v)
                        FieldWrite(f.Text, v, node, body);
                }
                break;
            case RustSyntaxKind.MacroInvocation when node.ChildByField(RustSyntaxField.Macro) is { } m && CheckMacros.Contains(m.Text):
                AddChecked(node, $"{node.Location.StartLine}", body);
                break;
            case RustSyntaxKind.IfExpression when node.ChildByField(RustSyntaxField.Condition) is { } condition:
                // An early exit guards what follows; otherwise the condition guards the branches (`if end > len { Err } else { … }`).
                AddChecked(condition, ExitsEarly(node) ? $"{node.Location.StartLine}" : $"{node.Location.StartLine}-{node.Location.EndLine}", body);
                if (node.ChildByField(RustSyntaxField.Consequence) is { } then) TypeIdGuard(condition, then, body);
                break;
            case RustSyntaxKind.WhileExpression when node.ChildByField(RustSyntaxField.Condition) is { } condition:
                AddChecked(condition, $"{node.Location.StartLine}-{node.Location.EndLine}", body);
                break;
            case RustSyntaxKind.LetDeclaration when node.ChildByField(RustSyntaxField.Pattern) is { } pattern && node.ChildByField(RustSyntaxField.Value) is { } value:
            {
                var target = pattern.Kind == RustSyntaxKind.MutPattern ? pattern.Children.ToList().LastOrDefault(c => c.IsNamed) : pattern;
                if (target is not { Kind: RustSyntaxKind.Identifier } t) break;
                foreach (var source in Names(value))
                    if (source != t.Text) body.Flows.Add(StringTable.Share(t.Text + "\t" + source));
                // A value a method of a caller's impl computed (`iter.size_hint()`): `@method` as its source.
                foreach (var d in value.DescendantsAndSelf)
                    if (OverridableCall(d, body) is { } call)
                        body.Flows.Add(t.Text + "\t@" + call.Method);
                break;
            }
        }
    }

    /// <summary>
    /// <c>x.size_hint()</c>: a method of <see cref="Overridable"/> called on a parameter of a generic, impl-Trait or
    /// dyn-Trait type, whose impl the caller supplies; null for anything else (<c>buffer.deref()</c> on a crate's own
    /// type is not user code).
    /// </summary>
    private static (string Receiver, string Method)? OverridableCall(SyntaxNode node, FunctionBody body)
        => node.Kind == RustSyntaxKind.CallExpression && body.HasUserCodeParameters
           && node.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.FieldExpression } f
           && f.ChildByField(RustSyntaxField.Field) is { } method && Overridable.Contains(method.Text)
           && f.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Identifier } receiver && body.UserCodeParameters.Contains(receiver.Text)
            ? (receiver.Text, method.Text) : null;

    /// <summary>A call of <c>min</c> or <c>clamp</c> (a method or a path): its result is bounded.</summary>
    private static bool IsClamp(SyntaxNode node)
        => node.Kind == RustSyntaxKind.CallExpression && node.ChildByField(RustSyntaxField.Function) is { } f
           && Extractor.LastSegment(f.Kind == RustSyntaxKind.FieldExpression ? f.ChildByField(RustSyntaxField.Field)?.Text ?? "" : f.Text) is "min" or "clamp";

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

    private static void AddChecked(SyntaxNode scope, string lines, FunctionBody body)
    {
        foreach (var name in Names(scope)) body.Checks.Add(StringTable.Share(lines + "\t" + name));
    }

    /// <summary>
    /// A check names one of the sources, or a local derived from one, and covers that line: an assert! or early exit on or before it
    /// (<c>line\tname</c>), or the condition of an if or while around it (<c>start-end\tname</c>).
    /// </summary>
    internal static bool IsChecked(int line, IReadOnlySet<string> sources, FunctionBody body)
    {
        HashSet<string>? derived = null;
        foreach (var c in body.Checks)
        {
            int tab = c.IndexOf('\t');
            var name = c[(tab + 1)..];
            // A check of a value derived from a source checks it too (`let end = self.pos + n; if end > len { … }`).
            if (!sources.Contains(name) && !(derived ??= Derived(sources, body)).Contains(name)) continue;
            int dash = c.IndexOf('-');
            bool covers = dash > 0 && dash < tab
                ? int.Parse(c.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture) <= line && line <= int.Parse(c.AsSpan(dash + 1, tab - dash - 1), System.Globalization.CultureInfo.InvariantCulture)
                : int.Parse(c.AsSpan(0, tab), System.Globalization.CultureInfo.InvariantCulture) <= line;
            if (covers) return true;
        }
        return false;
    }

    /// <summary>The locals that lets derive from any of <paramref name="sources"/> (the other direction of <see cref="Sources"/>).</summary>
    private static HashSet<string> Derived(IReadOnlySet<string> sources, FunctionBody body)
    {
        var derived = new HashSet<string>(StringComparer.Ordinal);
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var flow in body.Flows)
            {
                int tab = flow.IndexOf('\t');
                var from = flow[(tab + 1)..];
                if ((sources.Contains(from) || derived.Contains(from)) && derived.Add(flow[..tab])) grew = true;
            }
        }
        return derived;
    }

    /// <summary>The plain names an expression (or a macro's token tree) mentions, fields and methods left out.</summary>
    private static IEnumerable<string> Names(SyntaxNode node)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in node.DescendantsAndSelf)
        {
            // `self.len` names the field as well as self: unsafe code that reads it trusts whoever wrote it.
            if (d.Kind == RustSyntaxKind.FieldExpression && SelfField(d) is { } sf && seen.Add(sf)) yield return sf;
            if (d.Kind is not (RustSyntaxKind.Identifier or RustSyntaxKind.Self)) continue;
            // `x.len` and `x.len()` name x, not len; `a::b` names no local.
            if (d.Parent is { Kind: RustSyntaxKind.FieldExpression } f && f.ChildByField(RustSyntaxField.Field) is { } field && field.Span == d.Span) continue;
            if (d.Parent is { Kind: RustSyntaxKind.ScopedIdentifier }) continue;
            if (seen.Add(d.Text)) yield return d.Text;
        }
    }

    /// <summary><c>self.field</c> for a field expression on <c>self</c>, else null.</summary>
    internal static string? SelfField(SyntaxNode e)
        => e.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Self } && e.ChildByField(RustSyntaxField.Field) is { Kind: RustSyntaxKind.FieldIdentifier } f
            ? "self." + f.Text : null;

    /// <summary>The local and every name it was derived from through lets (<see cref="FunctionBody.Flows"/>).</summary>
    internal static HashSet<string> Sources(string local, FunctionBody body)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { local };
        var stack = new Stack<string>([local]);
        while (stack.TryPop(out var at))
            foreach (var flow in body.Flows)
                if (flow.StartsWith(at + "\t", StringComparison.Ordinal) && seen.Add(flow[(at.Length + 1)..])) stack.Push(flow[(at.Length + 1)..]);
        return seen;
    }

    private static bool IsOwnType(SyntaxNode structExpression, FunctionBody body)
    {
        var name = structExpression.ChildByField(RustSyntaxField.Name);
        if (name is { Kind: RustSyntaxKind.GenericTypeWithTurbofish } g) name = g.ChildByField(RustSyntaxField.Type);
        if (name is not { } n) return false;
        var text = n.Text;
        int sep = text.LastIndexOf("::", StringComparison.Ordinal);
        if (sep >= 0) text = text[(sep + 2)..];
        return text == "Self" || text == body.OwnerType;
    }

    /// <summary>
    /// <c>self.field</c> set from <paramref name="value"/> (<see cref="FunctionBody.FieldWrites"/>): one entry per
    /// parameter the value derives from, with what kind of value that parameter is.
    /// </summary>
    private static void FieldWrite(string field, SyntaxNode value, SyntaxNode at, FunctionBody body)
    {
        if (body.Parameters.Count == 0 || body.IsUnsafe) return;
        var sources = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in Names(value)) sources.UnionWith(Sources(n, body));
        foreach (var p in body.Parameters)
        {
            if (p == "self" || !sources.Contains(p)) continue;
            string kind = "other";
            if (body.ParameterKinds?.GetValueOrDefault(p) is { Kind: "raw" } raw) kind = "raw\t" + p + ": " + raw.Type;
            // An integer stored as it is (or by arithmetic): a length or index; inside a call it is data (Box::new(v)).
            else if (body.ParameterKinds?.GetValueOrDefault(p) is { Kind: "int" } integer && IsArithmetic(value) && !Guarded(at, value, sources, body)) kind = "int\t" + p + ": " + integer.Type;
            else if (body.HasUserCodeParameters && body.UserCodeParameters.Contains(p) && CallsLocal(value, p)) kind = "user\t" + p;
            body.FieldWrites.Add(kind == "other" ? field + "\tother\t" + p : field + "\t" + kind);
        }
    }

    /// <summary>A check covers <paramref name="at"/> (<see cref="IsChecked"/>), a match arm's guard around it names a source, or the value is clamped (<c>min</c>, <c>clamp</c>).</summary>
    private static bool Guarded(SyntaxNode at, SyntaxNode value, HashSet<string> sources, FunctionBody body)
    {
        if (IsChecked(at.Location.StartLine, sources, body)) return true;
        // A match arm's pattern and guard (`Some(n) if n < cap =>`).
        for (var up = at.Parent; up is { } p && p.Kind is not (RustSyntaxKind.FunctionItem or RustSyntaxKind.ClosureExpression); up = p.Parent)
            if (p.Kind == RustSyntaxKind.MatchArm && p.ChildByField(RustSyntaxField.Pattern) is { } arm && Names(arm).Any(sources.Contains)) return true;
        foreach (var d in value.DescendantsAndSelf)
            if (IsClamp(d)) return true;
        return false;
    }

    private static bool IsArithmetic(SyntaxNode value)
    {
        foreach (var d in value.DescendantsAndSelf)
            if (d.Kind is not (RustSyntaxKind.Identifier or RustSyntaxKind.BinaryExpression or RustSyntaxKind.TypeCastExpression or RustSyntaxKind.ParenthesizedExpression
                or RustSyntaxKind.IntegerLiteral or RustSyntaxKind.PrimitiveType) && d.IsNamed && !d.IsComment) return false;
        return true;
    }

    private static bool CallsLocal(SyntaxNode value, string local)
    {
        foreach (var d in value.DescendantsAndSelf)
            if (d.Kind == RustSyntaxKind.CallExpression && d.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.Identifier } f && f.Text == local) return true;
        return false;
    }

    /// <summary>
    /// <c>it.size_hint()</c> (a method of <see cref="Overridable"/> on a parameter of a caller's type) passed straight,
    /// without a let, as an argument of a call: the call trusts it (<see cref="FunctionBody.Trusts"/>).
    /// </summary>
    private static void TrustedArgument(SyntaxNode call, FunctionBody body)
    {
        if (OverridableCall(call, body) is not { } trusted) return;
        for (var up = call.Parent; up is { } p; up = p.Parent)
        {
            // Bound by a let (the flows say so), or clamped on the way (`it.size_hint().0.min(cap)`): not passed straight in.
            if (p.Kind is RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement or RustSyntaxKind.Block or RustSyntaxKind.ClosureExpression or RustSyntaxKind.FunctionItem || IsClamp(p)) return;
            if (p.Kind != RustSyntaxKind.Arguments || p.Parent is not { Kind: RustSyntaxKind.CallExpression } outer || outer.ChildByField(RustSyntaxField.Function) is not { } callee) continue;
            if (IsClamp(outer)) return;
            var name = Extractor.LastSegment(callee.Kind == RustSyntaxKind.FieldExpression ? callee.ChildByField(RustSyntaxField.Field)?.Text ?? "" : callee.Text);
            int line = outer.Location.StartLine;
            body.Trusts.Add($"{line}\t{line}\t{name}\t{trusted.Receiver}.{trusted.Method}(), which a caller's impl supplies, is passed unchecked to {name}");
            return;
        }
    }

    /// <summary>
    /// An <c>if</c> whose condition compares a <c>type_id</c>-like method of <c>self</c> (a trait's provided method, or
    /// <c>impl dyn Trait</c>) or of a parameter of a caller's type: the operations in its branch trust an answer the
    /// implementor can override (a downcast). Not std's <c>Any</c> (its blanket impl cannot be overridden) and not a
    /// method that takes an argument (std's <c>Error::type_id(private::Internal)</c> is sealed that way).
    /// </summary>
    private static void TypeIdGuard(SyntaxNode condition, SyntaxNode then, FunctionBody body)
    {
        foreach (var d in condition.DescendantsAndSelf)
        {
            if (d.Kind != RustSyntaxKind.CallExpression || d.ChildByField(RustSyntaxField.Function) is not { Kind: RustSyntaxKind.FieldExpression } f
                || f.ChildByField(RustSyntaxField.Field) is not { } method || !method.Text.Contains("type_id", StringComparison.Ordinal)
                || d.ChildByField(RustSyntaxField.Arguments) is not { } args || args.Children.ToList().Any(c => c.IsNamed && !c.IsComment)) continue;
            var receiver = f.ChildByField(RustSyntaxField.Value);
            var self = body.ParameterKinds?.GetValueOrDefault("self");
            (string Who, string Operation)? trusted = receiver switch
            {
                { Kind: RustSyntaxKind.Self } when self is { Kind: "dyn" } s && !IsAny(s.Type) => ("self", "*"),
                // Only if the crate declares a trait of that name (SoundnessIndex.IsTrait): `*?Name`.
                { Kind: RustSyntaxKind.Self } when self is { Kind: "named" } s && s.Type != "Any" => ("self", "*?" + s.Type),
                { Kind: RustSyntaxKind.Identifier } id when body.HasUserCodeParameters && body.UserCodeParameters.Contains(id.Text) => (id.Text, "*"),
                _ => null,
            };
            if (trusted is not { } t) continue;
            body.Trusts.Add($"{then.Location.StartLine}\t{then.Location.EndLine}\t{t.Operation}\tthe check on line {condition.Location.StartLine} trusts {t.Who}.{method.Text}(), which an impl can override");
            return;
        }
    }

    private static bool IsAny(string dynType)
        => (dynType.StartsWith("dyn ", StringComparison.Ordinal) ? dynType[4..] : dynType).Split('+').Any(b => b.Trim() is "Any" or "core::any::Any" or "std::any::Any");

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
