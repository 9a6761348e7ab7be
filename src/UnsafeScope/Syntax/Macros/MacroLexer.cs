using System.Text;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax.Macros;

internal enum TokenKind : byte { Ident, Lifetime, Literal, Punct }

/// <summary>
/// A token of a macro's input or output. Origin: its byte offset in the file being analyzed when it was written at the
/// macro call (code passed to the macro), or -1 when a macro definition wrote it.
/// </summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Origin);

/// <summary>A token tree: one token, or a delimited group (<c>( )</c>, <c>[ ]</c>, <c>{ }</c>) of trees.</summary>
internal sealed class TokenTree
{
    public Token Token { get; init; }
    public Token Close { get; init; }
    public List<TokenTree>? Children { get; init; }
    public bool IsGroup => Children is not null;
    public char Delimiter => IsGroup ? Token.Text[0] : '\0';

    public static TokenTree Leaf(Token t) => new() { Token = t };

    public bool IsPunct(string text) => !IsGroup && Token.Kind == TokenKind.Punct && Token.Text == text;
    public bool IsIdent(string text) => !IsGroup && Token.Kind == TokenKind.Ident && Token.Text == text;

    /// <summary>True when any of the trees, at any depth, is the <c>unsafe</c> keyword.</summary>
    public static bool HoldsUnsafe(List<TokenTree> trees)
    {
        foreach (var t in trees)
            if (t.IsGroup ? HoldsUnsafe(t.Children!) : t.IsIdent("unsafe")) return true;
        return false;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Append(sb);
        return sb.ToString();
    }

    private void Append(StringBuilder sb)
    {
        sb.Append(Token.Text);
        if (Children is null) return;
        foreach (var c in Children) { sb.Append(' '); c.Append(sb); }
        sb.Append(' ').Append(Close.Text);
    }
}

/// <summary>A small Rust lexer for macro definitions and invocations: comments dropped, offsets kept.</summary>
internal static class MacroLexer
{
    private static readonly string[] s_punct =
    [
        "<<=", ">>=", "...", "..=", "::", "=>", "->", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..",
    ];

    public const int MaxNesting = 128;

    /// <summary>Token trees of <paramref name="bytes"/>[start, end); origin = offset when <paramref name="callSite"/>, else -1. Null when delimiters do not balance.</summary>
    /// <remarks>With <paramref name="maxTrees"/>, stops after that many top-level trees (the rest of a file is not read).</remarks>
    public static List<TokenTree>? Lex(ReadOnlySpan<byte> bytes, int start, int end, bool callSite, int maxTrees = int.MaxValue)
    {
        var stack = new List<(Token Open, List<TokenTree> Items)> { (default, []) };
        int i = start;
        while (i < end && !(stack.Count == 1 && stack[0].Items.Count >= maxTrees))
        {
            byte c = bytes[i];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') { i++; continue; }
            if (c == '/' && i + 1 < end && bytes[i + 1] == '/') { while (i < end && bytes[i] != '\n') i++; continue; }
            if (c == '/' && i + 1 < end && bytes[i + 1] == '*')
            {
                int depth = 0;
                while (i < end)
                {
                    if (bytes[i] == '/' && i + 1 < end && bytes[i + 1] == '*') { depth++; i += 2; }
                    else if (bytes[i] == '*' && i + 1 < end && bytes[i + 1] == '/') { i += 2; if (--depth == 0) break; }
                    else i++;
                }
                continue;
            }
            int s = i;
            TokenKind kind;
            if (c is (byte)'(' or (byte)'[' or (byte)'{')
            {
                // Deeper groups are not macro input anyone writes: giving up keeps every walk of the trees shallow.
                if (stack.Count > MaxNesting) return null;
                stack.Add((new Token(TokenKind.Punct, ((char)c).ToString(), callSite ? s : -1), []));
                i++;
                continue;
            }
            if (c is (byte)')' or (byte)']' or (byte)'}')
            {
                if (stack.Count < 2) return null;
                var (open, items) = stack[^1];
                if (open.Text[0] != (c == ')' ? '(' : c == ']' ? '[' : '{')) return null;
                stack.RemoveAt(stack.Count - 1);
                stack[^1].Items.Add(new TokenTree { Token = open, Close = new Token(TokenKind.Punct, ((char)c).ToString(), callSite ? s : -1), Children = items });
                i++;
                continue;
            }
            if (IsRawOrByteStringStart(bytes, i, end, out int afterPrefix))
            {
                i = SkipString(bytes, afterPrefix, end);
                kind = TokenKind.Literal;
            }
            else if (c == '"')
            {
                i = SkipString(bytes, i, end);
                kind = TokenKind.Literal;
            }
            else if (c == '\'')
            {
                // 'a' / '\n' is a char; 'a (no closing quote right after) a lifetime or label.
                // An escape: the escaped character may itself be a quote ('\''), so the closing quote is looked for after it.
                if (i + 3 < end && bytes[i + 1] == '\\') { i += 3; while (i < end && bytes[i] != '\'') i++; i++; kind = TokenKind.Literal; }
                else if (i + 2 < end && bytes[i + 2] == '\'' ) { i += 3; kind = TokenKind.Literal; }
                else if (i + 1 < end && IsIdentStart(bytes[i + 1]))
                {
                    i++;
                    while (i < end && IsIdentPart(bytes[i])) i++;
                    kind = TokenKind.Lifetime;
                }
                else
                {
                    // A non-ASCII char literal: up to the closing quote on this line.
                    i++;
                    while (i < end && bytes[i] != '\'' && bytes[i] != '\n') i++;
                    i++;
                    kind = TokenKind.Literal;
                }
            }
            else if (c is >= (byte)'0' and <= (byte)'9')
            {
                i++;
                while (i < end && (IsIdentPart(bytes[i]) || (bytes[i] == '.' && i + 1 < end && bytes[i + 1] is >= (byte)'0' and <= (byte)'9')))
                    i++;
                kind = TokenKind.Literal;
            }
            else if (IsIdentStart(c))
            {
                if (c == 'r' && i + 2 < end && bytes[i + 1] == '#' && IsIdentStart(bytes[i + 2])) i += 2;
                while (i < end && IsIdentPart(bytes[i])) i++;
                kind = TokenKind.Ident;
            }
            else
            {
                kind = TokenKind.Punct;
                int len = 1;
                foreach (var p in s_punct)
                    if (i + p.Length <= end && Matches(bytes, i, p)) { len = p.Length; break; }
                i += len;
            }
            i = Math.Min(i, end);
            stack[^1].Items.Add(TokenTree.Leaf(new Token(kind, StringTable.FromUtf8(bytes[s..i]), callSite ? s : -1)));
        }
        return stack.Count == 1 ? stack[0].Items : null;
    }

    private static bool Matches(ReadOnlySpan<byte> bytes, int at, string p)
    {
        for (int k = 0; k < p.Length; k++)
            if (bytes[at + k] != p[k]) return false;
        return true;
    }

    private static bool IsIdentStart(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_' or >= 0x80;
    private static bool IsIdentPart(byte b) => IsIdentStart(b) || b is >= (byte)'0' and <= (byte)'9';

    // b"…", r"…", r#"…"#, br"…", c"…": i past the prefix (at the quote or the first #).
    private static bool IsRawOrByteStringStart(ReadOnlySpan<byte> bytes, int i, int end, out int after)
    {
        after = i;
        int j = i;
        if (j < end && bytes[j] is (byte)'b' or (byte)'c') j++;
        if (j < end && bytes[j] == 'r') j++;
        if (j == i || j >= end) return false;
        if (bytes[j] == '"')
        {
            after = j;
            return true;
        }
        if (bytes[j] == '#' && bytes[j - 1] == 'r')
        {
            // r#"…"# is a raw string, r#ident (r#try, r#impl!) a raw identifier: the hashes must lead to a quote.
            int k = j;
            while (k < end && bytes[k] == '#') k++;
            if (k < end && bytes[k] == '"')
            {
                after = j;
                return true;
            }
        }
        if (bytes[i] == 'b' && j == i + 1 && bytes[j] == '\'')
        {
            after = j;
            return true;
        }
        return false;
    }

    // From the opening quote (or the #s of a raw string) to past the closing quote.
    private static int SkipString(ReadOnlySpan<byte> bytes, int i, int end)
    {
        int hashes = 0;
        bool raw = i > 0 && (bytes[i - 1] == 'r' || bytes[i] == '#');
        while (i < end && bytes[i] == '#') { hashes++; i++; }
        if (i >= end) return end;
        byte quote = bytes[i];
        i++;
        while (i < end)
        {
            if (!raw && bytes[i] == '\\') { i += 2; continue; }
            if (bytes[i] == quote)
            {
                int k = 0;
                while (k < hashes && i + 1 + k < end && bytes[i + 1 + k] == '#') k++;
                if (k == hashes) return i + 1 + hashes;
            }
            i++;
        }
        return end;
    }
}
