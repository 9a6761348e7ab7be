using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Syntax.Macros;
using UnsafeScope.Text;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>
/// One item written at the top level of a <c>macro_rules!</c> arm's body (<c>pub fn drive() { … }</c>,
/// <c>impl T for $t {}</c>). rustc checks it in every expansion at the definition's span, so clippy's item lints
/// report it there, once the crate calls the macro.
/// </summary>
/// <param name="Keyword">The item's keyword: fn, impl, trait, struct, enum, union, const, static, mod, type or use.</param>
/// <param name="Name">The name token (null for impls, uses and names written as a metavariable).</param>
/// <param name="Start">The item's first token (its visibility or qualifiers; attributes and docs excluded).</param>
/// <param name="Span">From <paramref name="Start"/> to the item's <c>;</c> or the end of its body.</param>
/// <param name="Visibility"><c>pub</c>, <c>restricted</c> (<c>pub(…)</c>), <c>private</c>, or <c>$</c> when a metavariable decides.</param>
/// <param name="IsUnsafe">Written <c>unsafe fn</c>, <c>unsafe trait</c> or <c>unsafe impl</c>.</param>
/// <param name="IsTraitImpl">An <c>impl … for …</c>.</param>
/// <param name="UnsafeInitializer">A const or static whose value is an <c>unsafe</c> block.</param>
/// <param name="Rule">The index of the macro's rule (arm) whose body writes it.</param>
internal readonly record struct MacroBodyItem(string Keyword, SyntaxNode? Name, SyntaxNode Start, TextSpan Span, string Visibility, bool IsUnsafe, bool IsTraitImpl, bool UnsafeInitializer, int Rule = 0);

/// <summary>The items of local <c>macro_rules!</c> bodies and where the file calls the macro (token level: bodies are not parsed as Rust).</summary>
internal static class MacroBodyItems
{
    /// <summary>The items at the top level of each arm's body of <paramref name="definition"/> (a <c>macro_rules!</c>).</summary>
    public static List<MacroBodyItem> Items(SyntaxNode definition)
    {
        var items = new List<MacroBodyItem>();
        int index = -1;
        foreach (var rule in definition.Children)
        {
            if (rule.Kind != RustSyntaxKind.MacroRule) continue;
            index++;
            if (rule.ChildByField(RustSyntaxField.Right) is not { Kind: RustSyntaxKind.TokenTree } body) continue;
            var tokens = MacroTokens.GetTokens(body);
            for (int i = 1; i < tokens.Length - 1; i++)
                if (tokens[i].Depth == 0 && ItemAt(tokens, i) is { } item) items.Add(item with { Rule = index });
        }
        return items;
    }

    /// <summary>The invocations of the macro later in its file (a <c>macro_rules!</c> is in scope after its definition).</summary>
    public static List<SyntaxNode> Invocations(SyntaxNode definition)
    {
        var calls = new List<SyntaxNode>();
        var name = definition.ChildByField(RustSyntaxField.Name)?.Text ?? "";
        if (name.Length == 0 || definition.Tree.Root is not { } root) return calls;
        foreach (var n in root.Descendants)
            if (n.Kind == RustSyntaxKind.MacroInvocation && n.Span.Start >= definition.Span.End && Extractor.MacroName(n) == name) calls.Add(n);
        return calls;
    }

    /// <summary>
    /// The rule (arm) of <paramref name="definition"/> an invocation expands: its index, -1 when no rule matches the
    /// call's tokens, null when that is not known (the definition or the call does not lex, or the match gives up).
    /// </summary>
    public static int? ExpandedRule(SyntaxNode definition, SyntaxNode invocation) => Match(definition, invocation)?.Rule;

    private static (int Rule, Bindings Bindings)? Match(SyntaxNode definition, SyntaxNode invocation)
    {
        var bytes = definition.Tree.Text.Bytes;
        if (invocation.ChildOfKind(RustSyntaxKind.TokenTree) is not { } args || args.Span.Length < 2
            || MacroLexer.Lex(bytes, definition.Span.Start, definition.Span.End, callSite: false, maxTrees: 4) is not { Count: 4 } trees
            || !trees[3].IsGroup || MacroDefinition.Parse(trees[2].Token.Text, trees[3].Children!) is not { } parsed
            || MacroLexer.Lex(bytes, args.Span.Start + 1, args.Span.End - 1, callSite: true) is not { } input)
            return null;
        return parsed.Match(input);
    }

    /// <summary>
    /// The visibility a call gives an item written <c>$vis fn …</c>: what it binds to the metavariable in the item's
    /// arm (<c>pub</c>, <c>restricted</c> for <c>pub(…)</c>, <c>private</c> for nothing); null when the call takes another
    /// arm or that is not known.
    /// </summary>
    public static string? BoundVisibility(SyntaxNode definition, SyntaxNode invocation, MacroBodyItem item)
    {
        if (item.Visibility != "$" || Match(definition, invocation) is not { } m || m.Rule != item.Rule
            || !m.Bindings.TryGetValue(item.Start.Text.TrimStart('$'), out var bound) || bound is not Binding.Fragment { Kind: "vis" } fragment) return null;
        return fragment.Trees switch
        {
            [] => "private",
            [var only] when only.IsIdent("pub") => "pub",
            [var first, ..] when first.IsIdent("pub") => "restricted",
            _ => null,
        };
    }

    /// <summary>Whether some call expands the item's rule (or may: which rule a call takes is not always known).</summary>
    public static bool Expanded(SyntaxNode definition, MacroBodyItem item, IEnumerable<SyntaxNode> calls, Func<SyntaxNode, bool>? where = null)
    {
        foreach (var call in calls)
        {
            if (where is not null && !where(call)) continue;
            var rule = ExpandedRule(definition, call);
            if (rule is null || rule == item.Rule) return true;
        }
        return false;
    }

    /// <summary>An invocation at item level (not in a function body, impl or trait), where its items are the module's.</summary>
    public static bool AtModuleLevel(SyntaxNode invocation)
    {
        var p = invocation.Parent;
        if (p is { Kind: RustSyntaxKind.ExpressionStatement } statement) p = statement.Parent;
        while (p is { } n)
        {
            if (n.Kind == RustSyntaxKind.SourceFile) return true;
            if (n.Kind != RustSyntaxKind.DeclarationList || n.Parent is not { Kind: RustSyntaxKind.ModItem } module) return false;
            p = module.Parent;
        }
        return false;
    }

    /// <summary>
    /// The <c>///</c> lines and <c>#[doc]</c> attributes above an item of a macro body, or null when a metavariable
    /// (<c>$(#[$meta])*</c>, <c>#[doc = $doc]</c>) writes attributes there: the call decides, unknown here.
    /// </summary>
    public static string? DocAbove(SourceText text, int offset)
    {
        var doc = new System.Text.StringBuilder();
        for (int l = text.GetLineIndex(offset) - 1; l >= 0; l--)
        {
            var span = text.GetLineSpan(l);
            var line = System.Text.Encoding.UTF8.GetString(text.Bytes.Slice(span.Start, span.Length)).Trim();
            if (line.StartsWith("///", StringComparison.Ordinal)) doc.Insert(0, line + "\n");
            else if (line.StartsWith("#[", StringComparison.Ordinal) || line.StartsWith("$(", StringComparison.Ordinal))
            {
                if (line.Contains('$', StringComparison.Ordinal)) return null;
                if (line.StartsWith("#[doc", StringComparison.Ordinal)) doc.Insert(0, line + "\n");
            }
            else if (line.Length > 0 && !line.StartsWith("//", StringComparison.Ordinal)) break;
        }
        return doc.ToString();
    }

    private static MacroBodyItem? ItemAt(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int i)
    {
        var t = tokens[i];
        string keyword;
        switch (t.Kind)
        {
            case RustSyntaxKind.FnKeyword: keyword = "fn"; break;
            case RustSyntaxKind.ImplKeyword: keyword = "impl"; break;
            case RustSyntaxKind.TraitKeyword: keyword = "trait"; break;
            case RustSyntaxKind.StructKeyword: keyword = "struct"; break;
            case RustSyntaxKind.EnumKeyword: keyword = "enum"; break;
            case RustSyntaxKind.StaticKeyword: keyword = "static"; break;
            case RustSyntaxKind.ModKeyword: keyword = "mod"; break;
            case RustSyntaxKind.TypeKeyword: keyword = "type"; break;
            case RustSyntaxKind.UseKeyword: keyword = "use"; break;
            // `const fn`, `const unsafe fn`: a qualifier of the fn that follows.
            case RustSyntaxKind.ConstKeyword when i + 1 < tokens.Length && tokens[i + 1].Kind is RustSyntaxKind.FnKeyword or RustSyntaxKind.UnsafeKeyword
                or RustSyntaxKind.AsyncKeyword or RustSyntaxKind.ExternKeyword: return null;
            case RustSyntaxKind.ConstKeyword: keyword = "const"; break;
            case RustSyntaxKind.Identifier or RustSyntaxKind.UnionKeyword when t.Text == "union" && i + 1 < tokens.Length && tokens[i + 1].Kind == RustSyntaxKind.Identifier: keyword = "union"; break;
            default: return null;
        }
        // Back over the qualifiers and the visibility to the item's first token.
        int first = i;
        bool isUnsafe = false;
        while (first - 1 >= 1 && tokens[first - 1].Depth == 0 && tokens[first - 1].Kind is RustSyntaxKind.UnsafeKeyword or RustSyntaxKind.ConstKeyword
                   or RustSyntaxKind.AsyncKeyword or RustSyntaxKind.ExternKeyword or RustSyntaxKind.StringLiteral or RustSyntaxKind.DefaultKeyword)
        {
            first--;
            isUnsafe |= tokens[first].Kind == RustSyntaxKind.UnsafeKeyword;
        }
        string visibility = "private";
        if (first - 1 >= 1 && tokens[first - 1].Depth == 0 && IsPub(tokens[first - 1])) { first--; visibility = "pub"; }
        else if (first - 1 >= 1 && tokens[first - 1] is { Depth: 1, Kind: RustSyntaxKind.CloseParenToken })
        {
            // `pub(crate)`, `pub(super)`, `pub(in path)`: the group's tokens are one level deeper.
            int j = first - 1;
            while (j >= 1 && tokens[j].Depth > 0) j--;
            if (j >= 1 && IsPub(tokens[j])) { first = j; visibility = "restricted"; }
        }
        else if (first - 1 >= 1 && tokens[first - 1].Depth == 0 && tokens[first - 1].Text.StartsWith('$')) { first--; visibility = "$"; }
        // An item starts its line (the rest of a line is an expression, a type or a path).
        var start = tokens[first];
        var text = start.Node.Tree.Text;
        int lineStart = text.GetLineStart(text.GetLineIndex(start.Span.Start));
        for (int b = lineStart; b < start.Span.Start; b++)
            if (text.Bytes[b] is not ((byte)' ' or (byte)'\t')) return null;
        SyntaxNode? name = i + 1 < tokens.Length && tokens[i + 1].Kind == RustSyntaxKind.Identifier ? tokens[i + 1].Node : null;
        if (keyword == "union") name = tokens[i + 1].Node;
        if (keyword is "impl" or "use") name = null;
        if (keyword is "static" && i + 2 < tokens.Length && tokens[i + 1].Text == "mut" && tokens[i + 2].Kind == RustSyntaxKind.Identifier) name = tokens[i + 2].Node;
        // The end: the `;` at this level, or the end of the first `{ … }` group.
        bool traitImpl = false, unsafeInit = false;
        int end = i;
        for (int k = i + 1; k < tokens.Length - 1; k++)
        {
            var x = tokens[k];
            if (x.Depth == 0 && x.Kind == RustSyntaxKind.ForKeyword) traitImpl = true;
            if (x.Depth == 0 && x.Kind == RustSyntaxKind.EqualsToken && k + 1 < tokens.Length && tokens[k + 1].Kind == RustSyntaxKind.UnsafeKeyword) unsafeInit = true;
            if (x.Depth == 0 && x.Kind == RustSyntaxKind.SemicolonToken) { end = k; break; }
            if (x.Depth == 1 && x.Kind == RustSyntaxKind.OpenBraceToken && keyword is not ("const" or "static"))
            {
                int m = k + 1;
                while (m < tokens.Length - 1 && !(tokens[m].Depth == 1 && tokens[m].Kind == RustSyntaxKind.CloseBraceToken)) m++;
                end = Math.Min(m, tokens.Length - 2);
                break;
            }
            end = k;
        }
        return new MacroBodyItem(keyword, name, start.Node, TextSpan.FromBounds(start.Span.Start, tokens[end].Span.End), visibility,
            isUnsafe, keyword == "impl" && traitImpl, unsafeInit);
    }

    private static bool IsPub(MacroToken t)
        => t.Kind == RustSyntaxKind.PubKeyword || (t.Kind == RustSyntaxKind.VisibilityModifier && t.Text == "pub") || t.Text == "pub";
}
