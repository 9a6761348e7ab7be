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
        if (node.Kind == RustSyntaxKind.UnsafeBlock && node.ChildOfKind(RustSyntaxKind.Block) is { } body && InnerLeadingComment(body, tag) is { } inner) return inner;
        // The same in a macro's tokens: `unsafe` then the `{ … }` token tree.
        if (node.Kind == RustSyntaxKind.UnsafeKeyword && node.NextSibling is { Kind: RustSyntaxKind.TokenTree } tokens && tokens.Utf8Text is [(byte)'{', ..]
            && InnerLeadingComment(tokens, tag) is { } innerTokens) return innerTokens;
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

    /// <summary>
    /// The line of a SAFETY comment that opens the block's body, or null: clippy reads only the first comment after the
    /// brace, and it must start with the tag (`{ // SAFETY: …`), not merely contain it.
    /// </summary>
    private static int? InnerLeadingComment(SyntaxNode block, ReadOnlySpan<byte> tag)
    {
        foreach (var c in block.Children)
        {
            if (c.Kind == RustSyntaxKind.OpenBraceToken) continue;
            if (!c.IsComment) return null;
            var text = c.Utf8Text;
            var rest = text.Length >= 2 ? Trim(text[2..]) : default;
            return rest.Length >= tag.Length && ContainsTagByScan(rest[..tag.Length], tag) ? c.StartLine : null;
        }
        return null;
    }

    internal static int FindAbove(SourceText text, int offset, bool skipAttributes, ReadOnlySpan<byte> tag)
    {
        // Only whole lines above count: a comment before the code on its own line (`/* SAFETY: */ unsafe {}`) does not.
        int line = text.GetLineIndex(offset);
        bool inCodeBlock = false, first = true;
        for (int l = line - 1; l >= 0; l--)
        {
            var span = text.GetLineSpan(l);
            var t = Trim(text.Bytes.Slice(span.Start, span.Length));
            if (t.IsEmpty) continue; // clippy skips blank lines
            bool immediate = first;
            first = false;
            // The line just above may end in a comment after code (`let x = // SAFETY: …` in a macro body): the
            // comment must start with the tag, only blanks between.
            if (immediate && !t.StartsWith("//"u8) && !t.StartsWith("/*"u8) && TrailingCommentStartsWithTag(t, tag)) return l;
            if (t.StartsWith("//"u8))
            {
                // "SAFETY:" in a doc comment's code example (```) is the example's, not this code's.
                var doc = t.StartsWith("///"u8) || t.StartsWith("//!"u8) ? Trim(t[3..]) : t;
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

    private static bool TrailingCommentStartsWithTag(ReadOnlySpan<byte> line, ReadOnlySpan<byte> tag)
    {
        int a = line.IndexOf("//"u8), b = line.IndexOf("/*"u8);
        int start = a < 0 ? b : b < 0 ? a : Math.Min(a, b);
        if (start < 0) return false;
        var rest = Trim(line[(start + 2)..]);
        return rest.Length >= tag.Length && ContainsTagByScan(rest[..tag.Length], tag);
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && s[a] is (byte)' ' or (byte)'\t') a++;
        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t' or (byte)'\r') b--;
        return s[a..b];
    }

    /// <summary>
    /// What the SAFETY comment starting at 0-based <paramref name="line"/> says: from its tag on, through the comment
    /// lines that follow it, at most <paramref name="max"/> characters (the score asks what it covers).
    /// </summary>
    internal static string Text(SourceText text, int line, int max = 300)
    {
        var sb = new System.Text.StringBuilder();
        bool block = false;
        for (int l = line; l < text.LineCount && l < line + 12 && sb.Length < max; l++)
        {
            var span = text.GetLineSpan(l);
            var t = Trim(text.Bytes.Slice(span.Start, span.Length));
            if (l == line)
            {
                int at = IndexOfTag(t, "SAFETY:"u8);
                if (at < 0) return "";
                block = t[..at].IndexOf("/*"u8) >= 0 && t[at..].IndexOf("*/"u8) < 0;
                t = t[(at + 7)..];
            }
            else if (block) block = t.IndexOf("*/"u8) < 0;
            else if (t.StartsWith("//"u8) && !t.StartsWith("///"u8) && !t.StartsWith("//!"u8)) t = t[2..];
            else break;
            int end = t.IndexOf("*/"u8);
            if (end >= 0) t = t[..end];
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(System.Text.Encoding.UTF8.GetString(Trim(t)));
        }
        var s = sb.ToString().Trim();
        return s.Length <= max ? s : s[..max];
    }

    private static int IndexOfTag(ReadOnlySpan<byte> text, ReadOnlySpan<byte> tag)
    {
        for (int i = 0; i + tag.Length <= text.Length; i++)
            if (ContainsTagByScan(text.Slice(i, tag.Length), tag)) return i;
        return -1;
    }

    /// <summary>True when the text contains "SAFETY:" in any letter case.</summary>
    public static bool ContainsSafety(ReadOnlySpan<byte> text) => ContainsTag(text, "SAFETY:"u8);

    /// <summary>
    /// Whether any line of <paramref name="text"/> can hold a SAFETY comment (<see cref="ContainsSafety"/> on the
    /// whole text; one file in twenty in the Debian corpus). Asked per node by rules that only report where a comment
    /// stands, so the answer for the text last asked on this thread is kept.
    /// </summary>
    internal static bool MayHoldSafety(SourceText text)
    {
        // Held weakly: a host's pool thread must not keep the last file it analyzed alive.
        var asked = t_askedText ??= new WeakReference<SourceText?>(null);
        if (!asked.TryGetTarget(out var last) || !ReferenceEquals(last, text))
        {
            t_askedAnswer = ContainsSafety(text.Bytes);
            asked.SetTarget(text);
        }
        return t_askedAnswer;
    }

    [ThreadStatic] private static WeakReference<SourceText?>? t_askedText;
    [ThreadStatic] private static bool t_askedAnswer;

    /// <summary>True when the text contains <paramref name="tag"/> (upper-case ASCII letters and a colon) in any letter case.</summary>
    internal static bool ContainsTag(ReadOnlySpan<byte> text, ReadOnlySpan<byte> tag)
    {
        if (tag.Length < 2 || !IsUpperLetter(tag[^2]) || IsUpperLetter(tag[^1])) return ContainsTagByScan(text, tag);
        // A match ends in the tag's last letter, in either case, and the byte after it (the colon): find those pairs
        // with a vectorized search, then compare what precedes them. Files are asked whole (MayHoldSafety).
        foreach (var letter in (ReadOnlySpan<byte>)[tag[^2], (byte)(tag[^2] | 0x20)])
        {
            ReadOnlySpan<byte> end = [letter, tag[^1]];
            for (int from = 0; ;)
            {
                int i = text[from..].IndexOf(end);
                if (i < 0) break;
                int stop = from + i + 2;
                if (stop >= tag.Length && ContainsTagByScan(text.Slice(stop - tag.Length, tag.Length), tag)) return true;
                from += i + 1;
            }
        }
        return false;
    }

    private static bool IsUpperLetter(byte b) => b is >= (byte)'A' and <= (byte)'Z';

    // The plain search: at every offset, the tag's letters in any case, its other bytes exactly.
    private static bool ContainsTagByScan(ReadOnlySpan<byte> text, ReadOnlySpan<byte> tag)
    {
        for (int i = 0; i + tag.Length <= text.Length; i++)
        {
            int k = 0;
            while (k < tag.Length && (text[i + k] == tag[k] || (IsUpperLetter(tag[k]) && (text[i + k] | 0x20) == (tag[k] | 0x20)))) k++;
            if (k == tag.Length) return true;
        }
        return false;
    }

    /// <summary>True when the doc comments or <c>#[doc]</c> attributes before an item have a <c># Safety</c> section.</summary>
    public static bool HasSafetyDocSection(SyntaxNode item) => SyntaxTrivia.AnyPrecedingTrivia(item, static t =>
        // Most doc comments name no safety heading: decide on the bytes before making a string (every item's docs come here).
        MayNameSafety(t.Utf8Text)
        && (t.IsComment ? SyntaxTrivia.GetCommentKind(t) == CommentKind.OuterDoc : SyntaxTrivia.GetAttributeName(t) == "doc")
        && HasSafetyHeading(t.Text));

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

    // Every heading HasSafetyHeading accepts contains one of these.
    private static bool MayNameSafety(ReadOnlySpan<byte> text) => text.IndexOf("afety"u8) >= 0 || text.IndexOf("AFETY"u8) >= 0;
}
