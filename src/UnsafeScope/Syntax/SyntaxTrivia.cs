using System.Collections.Immutable;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>What a comment is.</summary>
public enum CommentKind
{
    /// <summary><c>// …</c> (a contiguous run of them is one comment).</summary>
    Line,
    /// <summary><c>/* … */</c>.</summary>
    Block,
    /// <summary><c>/// …</c> or <c>/** … */</c>: documents the next item.</summary>
    OuterDoc,
    /// <summary><c>//! …</c> or <c>/*! … */</c>: documents the enclosing item.</summary>
    InnerDoc,
}

/// <summary>A comment, or a run of same-kind <c>//</c> comments on consecutive lines, read as one.</summary>
/// <param name="Kind">The comment kind.</param>
/// <param name="Span">From the first comment's start to the last one's end.</param>
/// <param name="Text">The source text of the whole run (including the comment markers).</param>
/// <param name="StartLine">0-based first line.</param>
/// <param name="EndLine">0-based last line.</param>
public sealed record Comment(CommentKind Kind, TextSpan Span, string Text, int StartLine, int EndLine);

/// <summary>Reads comments and attributes around nodes. tree-sitter attaches neither to the node they
/// annotate: they are preceding siblings, which these helpers collect.</summary>
public static class SyntaxTrivia
{
    /// <summary>Classifies a comment node.</summary>
    public static CommentKind GetCommentKind(SyntaxNode comment)
    {
        var t = comment.Utf8Text;
        if (t.StartsWith("//"u8))
            return t.StartsWith("////"u8) ? CommentKind.Line : t.StartsWith("///"u8) ? CommentKind.OuterDoc : t.StartsWith("//!"u8) ? CommentKind.InnerDoc : CommentKind.Line;
        if (t.StartsWith("/**"u8) && !t.StartsWith("/***"u8) && !t.StartsWith("/**/"u8)) return CommentKind.OuterDoc;
        return t.StartsWith("/*!"u8) ? CommentKind.InnerDoc : CommentKind.Block;
    }

    /// <summary>
    /// The comments and attribute items directly before <paramref name="node"/> among its siblings,
    /// nearest last. Stops at the first sibling that is neither.
    /// </summary>
    public static ImmutableArray<SyntaxNode> GetPrecedingTrivia(SyntaxNode node)
    {
        // Asked several times for every item of every file; most have neither: no builder for them.
        ImmutableArray<SyntaxNode>.Builder? list = null;
        for (var s = node.PreviousSibling; s is { } n && IsTrivia(n); s = n.PreviousSibling)
            (list ??= ImmutableArray.CreateBuilder<SyntaxNode>()).Add(n);
        if (list is null) return [];
        list.Reverse();
        return list.ToImmutable();
    }

    // What GetPrecedingTrivia collects: a comment or an attribute item.
    private static bool IsTrivia(SyntaxNode n) => n.IsComment || n.Kind == RustSyntaxKind.AttributeItem;

    /// <summary>Whether the item carries <c>#[doc(hidden)]</c> among the attributes directly before it.</summary>
    internal static bool IsDocHidden(SyntaxNode item) => AnyPrecedingAttribute(item, static n =>
        n.Utf8Text.IndexOf("hidden"u8) >= 0 && GetAttributeName(n) == "doc"
        && n.Text.Replace(" ", "", StringComparison.Ordinal).Contains("doc(hidden)", StringComparison.Ordinal));

    /// <summary>
    /// Whether one of the comments and attribute items directly before <paramref name="node"/> (as in
    /// <see cref="GetPrecedingTrivia"/>) satisfies <paramref name="test"/>. Walks the siblings nearest first without
    /// collecting them: for questions asked of every item whose answer does not depend on order.
    /// </summary>
    internal static bool AnyPrecedingTrivia(SyntaxNode node, Func<SyntaxNode, bool> test)
    {
        for (var s = node.PreviousSibling; s is { } n && IsTrivia(n); s = n.PreviousSibling)
            if (test(n)) return true;
        return false;
    }

    /// <summary><see cref="AnyPrecedingTrivia"/> over the attribute items only.</summary>
    internal static bool AnyPrecedingAttribute(SyntaxNode node, Func<SyntaxNode, bool> test)
    {
        for (var s = node.PreviousSibling; s is { } n && IsTrivia(n); s = n.PreviousSibling)
            if (n.Kind == RustSyntaxKind.AttributeItem && test(n)) return true;
        return false;
    }

    /// <summary>The attribute items (<c>#[…]</c>) directly before <paramref name="node"/>, in source order.</summary>
    public static ImmutableArray<SyntaxNode> GetPrecedingAttributes(SyntaxNode node)
    {
        var trivia = GetPrecedingTrivia(node);
        int count = 0;
        foreach (var n in trivia)
            if (n.Kind == RustSyntaxKind.AttributeItem) count++;
        if (count == trivia.Length) return trivia;
        if (count == 0) return [];
        var attributes = ImmutableArray.CreateBuilder<SyntaxNode>(count);
        foreach (var n in trivia)
            if (n.Kind == RustSyntaxKind.AttributeItem) attributes.Add(n);
        return attributes.MoveToImmutable();
    }

    /// <summary>
    /// The comments directly before <paramref name="node"/> (interleaved attributes are skipped), in source
    /// order, with contiguous runs of same-kind <c>//</c> lines merged into one <see cref="Comment"/>.
    /// </summary>
    public static ImmutableArray<Comment> GetPrecedingComments(SyntaxNode node)
        => Group([.. GetPrecedingTrivia(node).Where(n => n.IsComment)]);

    /// <summary>Groups comment nodes into comments: same-kind line comments on consecutive lines merge.</summary>
    public static ImmutableArray<Comment> Group(IReadOnlyList<SyntaxNode> comments)
    {
        var result = ImmutableArray.CreateBuilder<Comment>();
        int i = 0;
        while (i < comments.Count)
        {
            var first = comments[i];
            var kind = GetCommentKind(first);
            int j = i;
            bool isLine = first.Kind == RustSyntaxKind.LineComment;
            while (isLine && j + 1 < comments.Count
                   && comments[j + 1].Kind == RustSyntaxKind.LineComment
                   && GetCommentKind(comments[j + 1]) == kind
                   && comments[j + 1].StartLine == comments[j].EndLine + 1)
                j++;
            var last = comments[j];
            var span = TextSpan.FromBounds(first.Span.Start, last.Span.End);
            result.Add(new Comment(kind, span, first.Tree.Text.GetText(span), first.StartLine, last.EndLine));
            i = j + 1;
        }
        return result.ToImmutable();
    }

    /// <summary>The attribute's path text (<c>no_mangle</c>, <c>unsafe</c>, <c>cfg_attr</c>, …) of an attribute item, or null.</summary>
    public static string? GetAttributeName(SyntaxNode attributeItem)
    {
        var attr = attributeItem.Kind == RustSyntaxKind.Attribute ? attributeItem : attributeItem.ChildOfKind(RustSyntaxKind.Attribute);
        if (attr is not { } a) return null;
        foreach (var c in a.Children)
            if (c.IsNamed && !c.IsComment) return c.Text;
        return null;
    }
}
