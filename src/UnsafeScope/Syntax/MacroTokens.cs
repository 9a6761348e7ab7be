using System.Collections.Immutable;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>One token inside a macro token tree. Literals and comments are single tokens.</summary>
/// <param name="Node">The token's node (a leaf, or an atomic literal).</param>
/// <param name="Depth">Nesting depth of delimiters around it inside the outermost token tree (0 = the delimiters of the tree itself).</param>
public readonly record struct MacroToken(SyntaxNode Node, int Depth)
{
    /// <summary>The token kind (<see cref="RustSyntaxKind.UnsafeKeyword"/>, <see cref="RustSyntaxKind.Identifier"/>, …).</summary>
    public RustSyntaxKind Kind => Node.Kind;

    /// <summary>The token's span.</summary>
    public TextSpan Span => Node.Span;

    /// <summary>The token's text.</summary>
    public string Text => Node.Text;
}

/// <summary>
/// A token-level view of macro token trees. The grammar cannot parse macro arguments or
/// <c>macro_rules!</c> bodies as Rust, so <c>unsafe { … }</c> there is an <c>unsafe</c> token followed by a
/// <c>{…}</c> token tree; this view finds such shapes and splits macro arguments.
/// </summary>
public static class MacroTokens
{
    /// <summary>The tokens of a token tree (or of every token tree below <paramref name="node"/>), in order.</summary>
    public static ImmutableArray<MacroToken> GetTokens(SyntaxNode node)
    {
        // Collected in this thread's buffer, then copied once into an array of the exact size (a growing builder
        // and its final copy were 5% of what a run allocated).
        var buffer = t_buffer ??= new MacroToken[256];
        int count = 0;
        var tree = node.Tree;
        int i = node.Index, end = node.Index + node.DescendantsAndSelf.Count;
        // The ends of the token trees entered on the way down from node: a token's depth is how many hold it, less
        // one (walking up from every token to count them was 1% of a run).
        Span<int> open = stackalloc int[64];
        List<int>? deep = null;
        int depth = 0;
        while (i < end)
        {
            while (depth > 0 && (depth <= open.Length ? open[depth - 1] : deep![depth - 1 - open.Length]) <= i) depth--;
            var n = new SyntaxNode(tree, i);
            var kind = n.Kind;
            if (n.IsLeaf || kind is RustSyntaxKind.StringLiteral or RustSyntaxKind.RawStringLiteral or RustSyntaxKind.CharLiteral
                           or RustSyntaxKind.LineComment or RustSyntaxKind.BlockComment)
            {
                if (!n.IsMissing && n.Span.Length > 0)
                {
                    if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    buffer[count++] = new MacroToken(n, depth - 1);
                }
                i += n.DescendantsAndSelf.Count;
                continue;
            }
            if (kind is RustSyntaxKind.TokenTree or RustSyntaxKind.TokenRepetition or RustSyntaxKind.TokenTreePattern or RustSyntaxKind.TokenRepetitionPattern)
            {
                int treeEnd = i + n.DescendantsAndSelf.Count;
                if (depth < open.Length) open[depth] = treeEnd;
                else
                {
                    deep ??= [];
                    if (deep.Count > depth - open.Length) deep[depth - open.Length] = treeEnd;
                    else deep.Add(treeEnd);
                }
                depth++;
            }
            i++;
        }
        var tokens = ImmutableArray.Create(buffer.AsSpan(0, count));
        Array.Clear(buffer, 0, count); // the buffer must not keep the tree alive
        t_buffer = buffer.Length <= 1 << 16 ? buffer : null; // a giant macro's buffer is not kept
        return tokens;
    }

    [ThreadStatic]
    private static MacroToken[]? t_buffer;

    /// <summary>
    /// The arguments of a macro invocation (or of a token tree), split at top-level commas, without
    /// the outer delimiters. <c>f!(A, &amp;mut b, c)</c> gives three token lists.
    /// </summary>
    public static ImmutableArray<ImmutableArray<MacroToken>> GetArguments(SyntaxNode macroOrTokenTree)
    {
        var tt = macroOrTokenTree.Kind == RustSyntaxKind.TokenTree ? macroOrTokenTree : macroOrTokenTree.ChildOfKind(RustSyntaxKind.TokenTree);
        if (tt is not { } treeNode) return [];
        var tokens = GetTokens(treeNode);
        var args = ImmutableArray.CreateBuilder<ImmutableArray<MacroToken>>();
        var current = ImmutableArray.CreateBuilder<MacroToken>();
        for (int i = 1; i < tokens.Length - 1; i++) // skip the outer delimiters
        {
            var t = tokens[i];
            if (t.Depth == 0 && t.Kind == RustSyntaxKind.CommaToken)
            {
                args.Add(current.ToImmutable());
                current.Clear();
            }
            else if (!t.Node.IsComment)
            {
                current.Add(t);
            }
        }
        if (current.Count > 0) args.Add(current.ToImmutable());
        return args.ToImmutable();
    }

    /// <summary>
    /// <c>unsafe { … }</c> shapes inside token trees below <paramref name="root"/>: the <c>unsafe</c> token and
    /// the brace token tree after it. Comments between them are allowed.
    /// </summary>
    public static IEnumerable<(SyntaxNode UnsafeKeyword, SyntaxNode Body)> FindUnsafeBlocks(SyntaxNode root)
    {
        foreach (var n in root.DescendantsAndSelf)
        {
            if (n.Kind != RustSyntaxKind.UnsafeKeyword || n.Parent is not { } p || !IsTokenTree(p.Kind))
                continue;
            if (n.NextNonTriviaSibling is { } body && IsTokenTree(body.Kind) && body.Utf8Text.Length > 0 && body.Utf8Text[0] == (byte)'{')
                yield return (n, body);
        }
    }

    /// <summary>True for token-tree kinds (macro arguments, macro_rules bodies and their patterns).</summary>
    public static bool IsTokenTree(RustSyntaxKind kind)
        => kind is RustSyntaxKind.TokenTree or RustSyntaxKind.TokenRepetition or RustSyntaxKind.TokenTreePattern or RustSyntaxKind.TokenRepetitionPattern;
}
