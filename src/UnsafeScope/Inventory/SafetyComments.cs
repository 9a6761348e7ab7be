using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

/// <summary>Where a SAFETY comment may stand (clippy's <c>undocumented_unsafe_blocks</c> options).</summary>
/// <param name="AcceptAboveStatement">Accept the comment above the statement that contains the block (clippy default: true).</param>
/// <param name="AcceptAboveAttributes">Accept the comment above the attributes of the item or statement (clippy default: true).</param>
public sealed record SafetyCommentOptions(bool AcceptAboveStatement = true, bool AcceptAboveAttributes = true)
{
    /// <summary>clippy's defaults.</summary>
    public static SafetyCommentOptions Default { get; } = new();
}

/// <summary>
/// Finds <c>// SAFETY:</c> justifications the way clippy does: line-based, upward from the unsafe code
/// (or its statement), skipping blank lines, reading a run of <c>//</c> lines or one block comment, with
/// "SAFETY:" matched case-insensitively.
/// </summary>
public static class SafetyComments
{
    /// <summary>The 0-based line of the SAFETY comment justifying <paramref name="node"/>, or -1.</summary>
    public static int FindLine(SyntaxNode node, SafetyCommentOptions? options = null) => FindLine(node, options, "SAFETY:"u8);

    /// <summary>
    /// Like <see cref="FindLine(SyntaxNode, SafetyCommentOptions?)"/> for another justification tag (the Linux kernel's
    /// <c>INVARIANT:</c>), matched the same way.
    /// </summary>
    internal static int FindLine(SyntaxNode node, SafetyCommentOptions? options, ReadOnlySpan<byte> tag)
    {
        options ??= SafetyCommentOptions.Default;
        int line = FindAbove(node.Tree.Text, node.Span.Start, options.AcceptAboveAttributes, tag);
        if (line >= 0) return line;
        // clippy also accepts the comment as the first thing inside the block: `unsafe {\n // SAFETY: …`.
        if (node.Kind == RustSyntaxKind.UnsafeBlock && InnerLeadingComment(node, tag) is { } inner) return inner;
        if (options.AcceptAboveStatement && EnclosingStatement(node) is { } statement && statement != node)
            return FindAbove(node.Tree.Text, statement.Span.Start, options.AcceptAboveAttributes, tag);
        return -1;
    }

    /// <summary>True when a SAFETY comment justifies <paramref name="node"/>.</summary>
    public static bool Has(SyntaxNode node, SafetyCommentOptions? options = null) => FindLine(node, options) >= 0;

    /// <summary>
    /// The statement or item whose start the comment may precede: let, expression statement, const/static.
    /// Like clippy, the search climbs through closures and calls but not out of a block or a match arm.
    /// </summary>
    public static SyntaxNode? EnclosingStatement(SyntaxNode node)
    {
        for (var p = node.Parent; p is { } n; p = n.Parent)
        {
            switch (n.Kind)
            {
                case RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement or RustSyntaxKind.ConstItem or RustSyntaxKind.StaticItem:
                    return n;
                case RustSyntaxKind.FunctionItem or RustSyntaxKind.SourceFile or RustSyntaxKind.DeclarationList or RustSyntaxKind.MatchArm:
                    return null;
                case RustSyntaxKind.Block when n.Parent is not { Kind: RustSyntaxKind.ClosureExpression }:
                    return null;
            }
        }
        return null;
    }

    /// <summary>The line of a SAFETY comment that opens the block's body, or null.</summary>
    private static int? InnerLeadingComment(SyntaxNode unsafeBlock, ReadOnlySpan<byte> tag)
    {
        if (unsafeBlock.ChildOfKind(RustSyntaxKind.Block) is not { } block) return null;
        foreach (var c in block.Children)
        {
            if (c.Kind == RustSyntaxKind.OpenBraceToken) continue;
            if (!c.IsComment) return null;
            if (ContainsTag(c.Utf8Text, tag)) return c.StartLine;
        }
        return null;
    }

    private static int FindAbove(SourceText text, int offset, bool skipAttributes, ReadOnlySpan<byte> tag)
    {
        int line = text.GetLineIndex(offset);
        // A block comment on the same line before the code: `/* SAFETY: … */ unsafe { … }`.
        var before = text.Bytes[text.GetLineStart(line)..offset];
        int open = before.IndexOf("/*"u8);
        if (open >= 0 && ContainsTag(before[open..], tag)) return line;

        bool inCodeBlock = false;
        for (int l = line - 1; l >= 0; l--)
        {
            var span = text.GetLineSpan(l);
            var t = Trim(text.Bytes.Slice(span.Start, span.Length));
            if (t.IsEmpty) continue; // clippy skips blank lines
            if (t.StartsWith("//"u8))
            {
                // "SAFETY:" in a doc comment's code example (```) is the example's, not this code's.
                var doc = t.StartsWith("///"u8) ? Trim(t[3..]) : t;
                if (doc.StartsWith("```"u8)) inCodeBlock = !inCodeBlock;
                else if (!inCodeBlock && ContainsTag(t, tag)) return l;
                continue;
            }
            if (skipAttributes && t.StartsWith("#["u8)) continue;
            if (t.EndsWith("*/"u8))
            {
                // One block comment: from its opening line down to here.
                for (int k = l; k >= 0; k--)
                {
                    var s = text.GetLineSpan(k);
                    var u = text.Bytes.Slice(s.Start, s.Length);
                    if (ContainsTag(u, tag)) return k;
                    if (Trim(u).StartsWith("/*"u8)) break;
                }
                return -1;
            }
            return -1;
        }
        return -1;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && s[a] is (byte)' ' or (byte)'\t') a++;
        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r') b--;
        return s[a..b];
    }

    /// <summary>True when the text contains "SAFETY:" in any letter case.</summary>
    public static bool ContainsSafety(ReadOnlySpan<byte> text) => ContainsTag(text, "SAFETY:"u8);

    /// <summary>True when the text contains <paramref name="tag"/> (upper-case ASCII letters and a colon) in any letter case.</summary>
    internal static bool ContainsTag(ReadOnlySpan<byte> text, ReadOnlySpan<byte> tag)
    {
        for (int i = 0; i + tag.Length <= text.Length; i++)
        {
            int k = 0;
            while (k < tag.Length && (text[i + k] == tag[k] || (tag[k] is >= (byte)'A' and <= (byte)'Z' && (text[i + k] | 0x20) == (tag[k] | 0x20)))) k++;
            if (k == tag.Length) return true;
        }
        return false;
    }

    /// <summary>True when the doc comments or <c>#[doc]</c> attributes before an item have a <c># Safety</c> section.</summary>
    public static bool HasSafetyDocSection(SyntaxNode item)
    {
        foreach (var t in SyntaxTrivia.GetPrecedingTrivia(item))
        {
            if (t.IsComment && SyntaxTrivia.GetCommentKind(t) == CommentKind.OuterDoc && HasSafetyHeading(t.Text))
                return true;
            if (t.Kind == RustSyntaxKind.AttributeItem && SyntaxTrivia.GetAttributeName(t) == "doc" && HasSafetyHeading(t.Text))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether doc text holds a heading clippy takes for the safety section: exactly <c>Safety</c>, <c>SAFETY</c>,
    /// <c>Implementation safety</c> or <c>Implementation Safety</c> (any heading level).
    /// </summary>
    internal static bool HasSafetyHeading(string doc)
    {
        foreach (var raw in doc.Split('\n'))
        {
            var line = raw.Trim().TrimStart('/', '*', '!').Trim();
            if (line.StartsWith("#[doc", StringComparison.Ordinal))
                line = line.Trim('#', '[', ']', ' ').Replace("doc", "", StringComparison.Ordinal).Trim(' ', '=', '"');
            if (line.StartsWith('#') && line.TrimStart('#').Trim() is "Safety" or "SAFETY" or "Implementation safety" or "Implementation Safety")
                return true;
        }
        return false;
    }
}
