namespace UnsafeScope.Syntax;

/// <summary>Small syntax questions the inventory and the rules both ask.</summary>
internal static class SyntaxFacts
{
    /// <summary>
    /// The name of an unsafe field (<c>unsafe name: T</c>, the unstable unsafe_fields syntax, which the grammar reads as
    /// a field named <c>unsafe</c> followed by an error holding the real name), or null.
    /// </summary>
    internal static string? UnsafeFieldName(SyntaxNode field)
    {
        if (field.Kind != RustSyntaxKind.FieldDeclaration || field.ChildByField(RustSyntaxField.Name) is not { } name || !name.TextEquals("unsafe")) return null;
        foreach (var c in field.Children)
            if (c.Kind == RustSyntaxKind.Error)
                foreach (var id in c.Children)
                    if (id.Kind == RustSyntaxKind.Identifier) return id.Text;
        return null;
    }

    public static bool IsUnsafeFunction(SyntaxNode fn)
        => fn.ChildOfKind(RustSyntaxKind.FunctionModifiers) is { } m && m.HasChild(RustSyntaxKind.UnsafeKeyword);

    /// <summary><c>pub</c>, <c>pub(crate)</c>, … (whitespace removed), or <c>private</c>.</summary>
    public static string Visibility(SyntaxNode item)
        => item.ChildOfKind(RustSyntaxKind.VisibilityModifier) is { } v
            ? v.TextEquals("pub") ? "pub" : v.TextEquals("pub(crate)") ? "pub(crate)" : TextWithoutWhitespace(v)
            : "private";

    /// <summary>
    /// The node's text with its whitespace removed (paths and visibilities as the inventory names them). One string,
    /// and none beyond the node's text when it has no whitespace: this was asked of every item and call.
    /// </summary>
    public static string TextWithoutWhitespace(SyntaxNode node)
    {
        var text = node.Text;
        if (!text.AsSpan().ContainsAny(s_whitespace)) return text;
        var kept = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
            if (!char.IsWhiteSpace(c)) kept.Append(c);
        return kept.ToString();
    }

    // Every char.IsWhiteSpace character, derived rather than listed so the two cannot disagree.
    private static readonly System.Buffers.SearchValues<char> s_whitespace = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(char.IsWhiteSpace)]);

    /// <summary>The impl or trait that directly holds an item, if any.</summary>
    public static SyntaxNode? Owner(SyntaxNode item)
        => item.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { Kind: RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem } owner ? owner : null;

    public static bool IsInTraitImpl(SyntaxNode item)
        => Owner(item) is { Kind: RustSyntaxKind.ImplItem } impl && impl.ChildByField(RustSyntaxField.Trait) is not null;

    /// <summary>True when the node is inside a macro token tree (the compiler never sees it as code).</summary>
    /// <summary>
    /// A Rust 2024 unsafe attribute: <c>#[unsafe(no_mangle)]</c>, <c>#[unsafe(export_name = …)]</c>,
    /// <c>#[unsafe(link_section = …)]</c>, also inside <c>#[cfg_attr(…, unsafe(…))]</c>.
    /// </summary>
    public static bool IsUnsafeAttribute(SyntaxNode attributeItem)
    {
        var name = SyntaxTrivia.GetAttributeName(attributeItem);
        if (name == "unsafe") return true;
        if (name != "cfg_attr") return false;
        foreach (var n in attributeItem.Descendants)
            if (n.Kind == RustSyntaxKind.UnsafeKeyword) return true;
        return false;
    }

    /// <summary>True when one of the attributes written before <paramref name="item"/> is an unsafe attribute.</summary>
    public static bool HasUnsafeAttribute(SyntaxNode item)
    {
        for (var s = item.PreviousSibling; s is { } n; s = n.PreviousSibling)
        {
            if (n.IsComment) continue;
            if (n.Kind != RustSyntaxKind.AttributeItem) return false;
            if (IsUnsafeAttribute(n)) return true;
        }
        return false;
    }

    public static bool InTokenTree(SyntaxNode node)
        => node.FirstAncestor(a => MacroTokens.IsTokenTree(a.Kind)) is not null;

    /// <summary>The node holds an unsafe block, or an <c>unsafe</c> token in a macro's token tree (the tree's index, no subtree scan).</summary>
    public static bool ContainsUnsafe(SyntaxNode node)
    {
        var code = node.Tree.UnsafeCode;
        var span = node.Span;
        int lo = 0, hi = code.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (code[mid].Start < span.Start) lo = mid + 1; else hi = mid;
        }
        // Inside the node: starts in it and ends by its end (a block starting where its own `unsafe` token does is not inside that token).
        for (int k = lo; k < code.Length && code[k].Start < span.End; k++)
            if (code[k].End <= span.End) return true;
        return false;
    }

    /// <summary>The expression inside any parentheses.</summary>
    public static SyntaxNode Strip(SyntaxNode e)
    {
        while (e.Kind == RustSyntaxKind.ParenthesizedExpression && e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } inner) e = inner;
        return e;
    }
}
