using System.Text;

namespace UnsafeScope.Syntax;

/// <summary>The longest run of literal text every match of a regex contains, found conservatively.</summary>
internal static class RegexLiteral
{
    /// <summary>
    /// A word (letters, digits, <c>_</c>) that every string the regex matches contains, or null when none is
    /// certain. Gives up on alternation outside groups, inline options (<c>(?i)</c>), and escapes that are not
    /// plain classes; skips groups and character classes whole; drops a character a quantifier makes optional.
    /// </summary>
    public static string? Required(string pattern)
    {
        var runs = new List<string>();
        var run = new StringBuilder();
        void End()
        {
            if (run.Length > 0) runs.Add(run.ToString());
            run.Clear();
        }
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (char.IsLetterOrDigit(c) || c == '_')
            {
                run.Append(c);
                continue;
            }
            switch (c)
            {
                case '|':
                    return null;
                case '\\':
                    if (i + 1 >= pattern.Length) return null;
                    char e = pattern[++i];
                    // \d \w \s \b and their negations are classes or anchors; any other letter or digit escape
                    // (\x41, \p{L}, \1, \u…) could stand for anything.
                    if (char.IsLetterOrDigit(e) && "dwsbDWSB".IndexOf(e) < 0) return null;
                    if (i + 1 < pattern.Length && pattern[i + 1] is '?' or '*' or '{') i++; // an optional escape
                    End();
                    break;
                case '?' or '*' or '{':
                    if (run.Length > 0) run.Length--; // the previous character may be absent
                    End();
                    if (c == '{')
                    {
                        i = pattern.IndexOf('}', i); // {m,n}: its digits are not text
                        if (i < 0) return null;
                    }
                    break;
                case '(':
                    if (i + 1 < pattern.Length && pattern[i + 1] == '?') return null; // options, lookarounds, named groups
                    End();
                    i = SkipGroup(pattern, i);
                    if (i < 0) return null;
                    break;
                case '[':
                    End();
                    i = SkipClass(pattern, i);
                    if (i < 0) return null;
                    break;
                default: // . ^ $ + and other punctuation end a run; after '+' the character stays required
                    End();
                    break;
            }
        }
        End();
        return runs.Count == 0 ? null : runs.MaxBy(r => r.Length) is { Length: >= 2 } longest ? longest : null;
    }

    // Index of the ')' closing the group opened at start, or -1.
    private static int SkipGroup(string p, int start)
    {
        int depth = 0;
        for (int i = start; i < p.Length; i++)
        {
            switch (p[i])
            {
                case '\\': i++; break;
                case '[': i = SkipClass(p, i); if (i < 0) return -1; break;
                case '(': depth++; break;
                case ')': if (--depth == 0) return i; break;
            }
        }
        return -1;
    }

    // Index of the ']' closing the class opened at start, or -1.
    private static int SkipClass(string p, int start)
    {
        int i = start + 1;
        if (i < p.Length && p[i] == '^') i++;
        if (i < p.Length && p[i] == ']') i++; // a leading ] is literal
        for (; i < p.Length; i++)
        {
            if (p[i] == '\\') i++;
            else if (p[i] == ']') return i;
        }
        return -1;
    }
}
