namespace UnsafeScope.Syntax;

/// <summary>
/// Skipping over Rust source without building tokens: comments (nested), strings, byte and C strings, raw strings,
/// char literals and lifetimes, identifiers (raw ones too) and bracket groups. For scanners that only need to know what
/// is code (<see cref="InertTables"/>, the benchmarks' lean scan); <see cref="Macros.MacroLexer"/> makes tokens.
/// Each method takes the index where its construct starts and returns the index after it (the end at worst).
/// </summary>
internal static class LeanLexer
{
    /// <summary>Whether the identifier <c>s[i..end]</c> is the prefix of a literal: <c>b"</c>, <c>b'</c>, <c>c"</c>, <c>r"</c>, <c>r#</c>, <c>br"</c>, <c>cr#</c>.</summary>
    public static bool IsLiteralPrefix(ReadOnlySpan<byte> s, int i, int end)
        => s[i] is (byte)'b' or (byte)'c' or (byte)'r' && end - i <= 2 && end < s.Length && s[end] is (byte)'"' or (byte)'\'' or (byte)'#';

    public static bool IsIdentStart(byte c) => c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_' or >= 0x80;

    public static int SkipIdent(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && (IsIdentStart(s[i]) || s[i] is >= (byte)'0' and <= (byte)'9')) i++;
        return i;
    }

    public static int SkipSpace(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i++;
        return i;
    }

    /// <summary>Backwards from <paramref name="i"/>: the index of the first byte that is not whitespace (-1 when none).</summary>
    public static int SkipSpaceBack(ReadOnlySpan<byte> s, int i)
    {
        while (i >= 0 && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') i--;
        return i;
    }

    public static int SkipTrivia(ReadOnlySpan<byte> s, int i)
    {
        while (true)
        {
            i = SkipSpace(s, i);
            if (i + 1 < s.Length && s[i] == '/' && s[i + 1] is (byte)'/' or (byte)'*') i = SkipComment(s, i);
            else return i;
        }
    }

    public static int SkipComment(ReadOnlySpan<byte> s, int i)
    {
        if (s[i + 1] == '/')
        {
            int e = s[i..].IndexOf((byte)'\n');
            return e < 0 ? s.Length : i + e;
        }
        int depth = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*') { depth++; i += 2; }
            else if (s[i] == '*' && i + 1 < s.Length && s[i + 1] == '/') { i += 2; if (--depth == 0) return i; }
            else i++;
        }
        return i;
    }

    // At a group's opening bracket: the index after its closing one (strings, chars and comments skipped).
    public static int SkipGroup(ReadOnlySpan<byte> s, int i)
    {
        int depth = 0;
        while (i < s.Length)
        {
            byte c = s[i];
            if (c is (byte)'(' or (byte)'[' or (byte)'{') { depth++; i++; }
            else if (c is (byte)')' or (byte)']' or (byte)'}') { i++; if (--depth == 0) return i; }
            else if (c == '/' && i + 1 < s.Length && s[i + 1] is (byte)'/' or (byte)'*') i = SkipComment(s, i);
            else if (c is (byte)'"' or (byte)'\'') i = SkipLiteral(s, i);
            else if (IsIdentStart(c))
            {
                int end = SkipIdent(s, i);
                i = IsLiteralPrefix(s, i, end) ? SkipPrefixedLiteral(s, i) : end;
            }
            else i++;
        }
        return i;
    }

    // At a quote: a string, a char literal, or a lifetime (skipped as an identifier).
    public static int SkipLiteral(ReadOnlySpan<byte> s, int i)
    {
        if (s[i] == '"')
        {
            i++;
            while (i < s.Length)
            {
                int k = s[i..].IndexOfAny((byte)'"', (byte)'\\');
                if (k < 0) return s.Length;
                i += k;
                if (s[i] == '"') return i + 1;
                i += 2;
            }
            return s.Length;
        }
        int j = i + 1;
        if (j >= s.Length) return s.Length;
        if (s[j] == '\\')
        {
            int k = j + 2 < s.Length ? s[(j + 2)..].IndexOf((byte)'\'') : -1;
            return k < 0 ? s.Length : j + 2 + k + 1;
        }
        int len = s[j] < 0x80 ? 1 : s[j] >= 0xF0 ? 4 : s[j] >= 0xE0 ? 3 : 2;
        if (j + len < s.Length && s[j + len] == '\'') return j + len + 1;
        return IsIdentStart(s[j]) ? SkipIdent(s, j) : j;
    }

    // At b"", b'', c"", r"", r#""#, br"", cr"" (or an identifier such as `r#type`, `b`, `br`).
    public static int SkipPrefixedLiteral(ReadOnlySpan<byte> s, int i)
    {
        int j = i + 1;
        if (s[i] != 'r' && j < s.Length && s[j] == 'r') j++;
        if (s[j - 1] == 'r')
        {
            int k = j, hashes = 0;
            while (k < s.Length && s[k] == '#') { k++; hashes++; }
            if (k < s.Length && s[k] == '"')
            {
                for (int p = k + 1; p < s.Length; p++)
                {
                    if (s[p] != '"') continue;
                    int h = 0;
                    while (h < hashes && p + 1 + h < s.Length && s[p + 1 + h] == '#') h++;
                    if (h == hashes) return p + 1 + h;
                }
                return s.Length;
            }
            if (s[i] == 'r' && hashes == 1 && k < s.Length && IsIdentStart(s[k])) return SkipIdent(s, k); // r#ident
            return SkipIdent(s, i);
        }
        if (j < s.Length && s[j] is (byte)'"' or (byte)'\'') return SkipLiteral(s, j);
        return SkipIdent(s, i);
    }
}
