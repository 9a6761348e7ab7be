namespace UnsafeScope.Syntax;

/// <summary>Small syntax questions the inventory and the rules both ask.</summary>
internal static class SyntaxFacts
{
    public static bool IsUnsafeFunction(SyntaxNode fn)
        => fn.ChildOfKind(RustSyntaxKind.FunctionModifiers) is { } m && m.HasChild(RustSyntaxKind.UnsafeKeyword);

    /// <summary><c>pub</c>, <c>pub(crate)</c>, … (whitespace removed), or <c>private</c>.</summary>
    public static string Visibility(SyntaxNode item)
        => item.ChildOfKind(RustSyntaxKind.VisibilityModifier) is { } v ? string.Concat(v.Text.Where(c => !char.IsWhiteSpace(c))) : "private";

    /// <summary>The impl or trait that directly holds an item, if any.</summary>
    public static SyntaxNode? Owner(SyntaxNode item)
        => item.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { Kind: RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem } owner ? owner : null;

    public static bool IsInTraitImpl(SyntaxNode item)
        => Owner(item) is { Kind: RustSyntaxKind.ImplItem } impl && impl.ChildByField(RustSyntaxField.Trait) is not null;

    /// <summary>True when the node is inside a macro token tree (the compiler never sees it as code).</summary>
    public static bool InTokenTree(SyntaxNode node)
        => node.FirstAncestor(a => MacroTokens.IsTokenTree(a.Kind)) is not null;

    public static bool ContainsUnsafe(SyntaxNode node)
    {
        foreach (var n in node.DescendantsAndSelf)
            if (n.Kind is RustSyntaxKind.UnsafeBlock || (n.Kind == RustSyntaxKind.UnsafeKeyword && n.Parent is { } p && MacroTokens.IsTokenTree(p.Kind)))
                return true;
        return false;
    }

    /// <summary>The expression inside any parentheses.</summary>
    public static SyntaxNode Strip(SyntaxNode e)
    {
        while (e.Kind == RustSyntaxKind.ParenthesizedExpression && e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } inner) e = inner;
        return e;
    }
}
