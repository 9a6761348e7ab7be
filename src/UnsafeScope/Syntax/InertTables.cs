using System.Collections.Frozen;
using UnsafeScope.Text;
using static UnsafeScope.Syntax.LeanLexer;

namespace UnsafeScope.Syntax;

/// <summary>
/// Literal tables: a <c>static</c> or <c>const</c> item (not <c>static mut</c>) whose value is an array of literals
/// only (integers, strings, chars, booleans, tuples and arrays of them), written outside any macro. Their elements
/// cannot make a region, an operation, a call or a finding, yet a table such as encoding_rs's 2.5 MB of code points
/// was the longest parse of the corpus and its biggest native tree. The parser is given the file with each such table's
/// elements blanked (line ends kept), so the array parses empty at the same offsets, lines and columns; the tree's text
/// stays the file's. A table is blanked only when the scanner has checked that its elements parse without error and
/// hold no comment, and only when no analyzer looks at the kinds of nodes inside (<see cref="InteriorKinds"/>,
/// <see cref="QueryMayLookInside"/>); <c>--parse all</c> blanks nothing, and the corpus outputs of the two are identical.
/// </summary>
internal static class InertTables
{
    /// <summary>Smaller tables are left to the parser: blanking them saves nothing measurable.</summary>
    public const int MinLength = 4096;

    private const int MaxNesting = 16;

    /// <summary>The elements (between the brackets) of the file's literal tables of at least <paramref name="minLength"/> bytes; null when none.</summary>
    public static List<TextSpan>? Find(ReadOnlySpan<byte> s, int minLength = MinLength)
    {
        // A table needs a few kilobytes of literals after `= [` or `= &[`: most files are ruled out by their size or by
        // checking those lists, which fails at their first non-literal; only the others are scanned token by token.
        if (s.Length < minLength || !HasLongLiteralList(s, minLength)) return null;
        List<TextSpan>? found = null;
        bool atStart = true; // at the start of a statement or item: after `;`, `{`, `}` or the file's start
        int i = 0;
        while (i < s.Length)
        {
            byte c = s[i];
            if (c is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') { i++; continue; }
            if (c == '/' && i + 1 < s.Length && s[i + 1] is (byte)'/' or (byte)'*') { i = SkipComment(s, i); continue; }
            if (c == '#')
            {
                // An attribute (`#[…]`, `#![…]`) keeps the statement's start.
                int j = SkipTrivia(s, i + 1);
                if (j < s.Length && s[j] == '!') j = SkipTrivia(s, j + 1);
                if (j < s.Length && s[j] == '[') { i = SkipGroup(s, j); continue; }
                atStart = false;
                i++;
                continue;
            }
            if (c is (byte)';' or (byte)'{' or (byte)'}') { atStart = true; i++; continue; }
            if (c == '"' || c == '\'') { i = SkipLiteral(s, i); atStart = false; continue; }
            if (IsIdentStart(c))
            {
                int end = SkipIdent(s, i);
                if (IsLiteralPrefix(s, i, end))
                {
                    i = SkipPrefixedLiteral(s, i);
                    atStart = false;
                    continue;
                }
                if (atStart && TryTable(s, i, out int after, out var elements))
                {
                    if (elements.Length >= minLength) (found ??= []).Add(elements);
                    i = after;
                    atStart = true;
                    continue;
                }
                // A macro's input is tokens, not code: `name! (…)`, `name! […]`, `name! {…}`, `macro_rules! name {…}`.
                int k = SkipTrivia(s, end);
                if (k < s.Length && s[k] == '!' && (k + 1 >= s.Length || s[k + 1] != '='))
                {
                    k = SkipTrivia(s, k + 1);
                    if (k < s.Length && IsIdentStart(s[k])) k = SkipTrivia(s, SkipIdent(s, k));
                    if (k < s.Length && s[k] is (byte)'(' or (byte)'[' or (byte)'{')
                    {
                        bool braces = s[k] == '{';
                        i = SkipGroup(s, k);
                        atStart = braces;
                        continue;
                    }
                }
                atStart = false;
                i = end;
                continue;
            }
            if (c is >= (byte)'0' and <= (byte)'9') { i = SkipIdent(s, i); atStart = false; continue; }
            atStart = false;
            i++;
        }
        return found;
    }

    private static bool HasLongLiteralList(ReadOnlySpan<byte> s, int minLength)
    {
        for (int at = 0, k; (k = s[at..].IndexOf((byte)'[')) >= 0; at += k + 1)
        {
            int open = at + k, j = SkipSpaceBack(s, open - 1);
            if (j >= 0 && s[j] == '&') j = SkipSpaceBack(s, j - 1);
            if (j < 0 || s[j] != '=' || j > 0 && s[j - 1] is (byte)'=' or (byte)'!' or (byte)'<' or (byte)'>') continue;
            if (ListEnd(s, open) is var close and >= 0 && close - open - 1 >= minLength) return true;
        }
        return false;
    }

    // At an identifier at a statement's start: `[pub[(…)]] (static|const) NAME: TYPE = [&][ literals ];`.
    private static bool TryTable(ReadOnlySpan<byte> s, int i, out int after, out TextSpan elements)
    {
        (after, elements) = (i, default);
        var word = Word(s, i, out int j);
        if (word.SequenceEqual("pub"u8))
        {
            j = SkipTrivia(s, j);
            if (j < s.Length && s[j] == '(') j = SkipGroup(s, j);
            j = SkipTrivia(s, j);
            if (j >= s.Length || !IsIdentStart(s[j])) return false;
            word = Word(s, j, out j);
        }
        if (!word.SequenceEqual("static"u8) && !word.SequenceEqual("const"u8)) return false;
        j = SkipTrivia(s, j);
        if (j >= s.Length || !IsIdentStart(s[j])) return false;
        var name = Word(s, j, out j);
        if (name.SequenceEqual("mut"u8) || name.SequenceEqual("fn"u8) || name.SequenceEqual("unsafe"u8) || name.SequenceEqual("async"u8)
            || name.SequenceEqual("extern"u8) || name.SequenceEqual("ref"u8))
            return false;
        j = SkipTrivia(s, j);
        if (j >= s.Length || s[j] != ':') return false;
        // The type, up to `=` outside its brackets: `[u16; 589]`, `&[(u32, &str)]`, `&'static [u8]`.
        j++;
        int depth = 0;
        for (; j < s.Length; j++)
        {
            byte c = s[j];
            if (c is (byte)'(' or (byte)'[') depth++;
            else if (c is (byte)')' or (byte)']' && --depth < 0) return false;
            else if (c == '=' && depth == 0) break;
            else if (c == ';' && depth == 0 || c is (byte)'{' or (byte)'}' or (byte)'"' or (byte)'/' or (byte)'#') return false; // no value, or not a plain type
        }
        if (j >= s.Length || j + 1 < s.Length && s[j + 1] is (byte)'=' or (byte)'>') return false;
        j = SkipSpace(s, j + 1);
        if (j < s.Length && s[j] == '&') j = SkipSpace(s, j + 1);
        if (j >= s.Length || s[j] != '[') return false;
        int open = j;
        int close = ListEnd(s, open);
        if (close < 0) return false;
        int semicolon = SkipSpace(s, close + 1);
        if (semicolon >= s.Length || s[semicolon] != ';') return false;
        (after, elements) = (semicolon + 1, TextSpan.FromBounds(open + 1, close));
        return true;
    }

    private static ReadOnlySpan<byte> Word(ReadOnlySpan<byte> s, int i, out int end)
    {
        end = SkipIdent(s, i);
        return s[i..end];
    }

    // At `[` or `(`: the index of the bracket closing a list of literals, or -1 when the elements are anything else.
    // Elements: integer literals (decimal, hex, octal, binary; `_` separators; an integer suffix), `-` before one,
    // strings and byte strings with the common escapes, chars and byte chars, true, false, and tuples and arrays of
    // these; separated by commas, one trailing comma allowed; whitespace between, no comments.
    private static int ListEnd(ReadOnlySpan<byte> s, int open, int depth = 0)
    {
        if (depth > MaxNesting) return -1; // a table is flat; deep nesting would only cost stack
        byte closer = s[open] == '[' ? (byte)']' : (byte)')';
        int i = SkipSpace(s, open + 1);
        if (i < s.Length && s[i] == closer) return i;
        while (i < s.Length)
        {
            i = ElementEnd(s, i, depth);
            if (i < 0) return -1;
            i = SkipSpace(s, i);
            if (i >= s.Length) return -1;
            if (s[i] == closer) return i;
            if (s[i] != ',') return -1;
            i = SkipSpace(s, i + 1);
            if (i < s.Length && s[i] == closer) return i;
        }
        return -1;
    }

    private static int ElementEnd(ReadOnlySpan<byte> s, int i, int depth)
    {
        if (i >= s.Length) return -1;
        byte c = s[i];
        if (c is (byte)'[' or (byte)'(') return ListEnd(s, i, depth + 1) is var e and >= 0 ? e + 1 : -1;
        if (c == '-') return i + 1 < s.Length && s[i + 1] is >= (byte)'0' and <= (byte)'9' ? IntegerEnd(s, i + 1) : -1;
        if (c is >= (byte)'0' and <= (byte)'9') return IntegerEnd(s, i);
        if (c == 'b' && i + 1 < s.Length && s[i + 1] is (byte)'"' or (byte)'\'') i++;
        else if (c is (byte)'t' or (byte)'f')
        {
            var word = Word(s, i, out int end);
            return word.SequenceEqual("true"u8) || word.SequenceEqual("false"u8) ? end : -1;
        }
        if (s[i] == '"') return StringEnd(s, i + 1);
        if (s[i] == '\'') return CharEnd(s, i + 1);
        return -1;
    }

    private static int IntegerEnd(ReadOnlySpan<byte> s, int i)
    {
        int start = i;
        if (s[i] == '0' && i + 1 < s.Length && s[i + 1] is (byte)'x' or (byte)'o' or (byte)'b')
        {
            byte radix = s[i + 1];
            i += 2;
            int digits = i;
            while (i < s.Length && (IsDigit(s[i], radix) || s[i] == '_')) i++;
            if (!s[digits..i].ContainsAnyExcept((byte)'_')) return -1;
        }
        else
        {
            while (i < s.Length && (s[i] is >= (byte)'0' and <= (byte)'9' or (byte)'_')) i++;
        }
        if (i < s.Length && s[i] is (byte)'u' or (byte)'i')
        {
            var suffix = Word(s, i, out int end);
            if (!IsIntegerSuffix(suffix)) return -1;
            i = end;
        }
        // A float, a range, a method call, a cast or a path: not a literal table.
        if (i < s.Length && (IsIdentStart(s[i]) || s[i] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'\'' or (byte)'"')) return -1;
        return i > start ? i : -1;
    }

    private static bool IsDigit(byte c, byte radix) => radix switch
    {
        (byte)'x' => char.IsAsciiHexDigit((char)c),
        (byte)'o' => c is >= (byte)'0' and <= (byte)'7',
        _ => c is (byte)'0' or (byte)'1',
    };

    private static bool IsIntegerSuffix(ReadOnlySpan<byte> w)
        => w.SequenceEqual("u8"u8) || w.SequenceEqual("u16"u8) || w.SequenceEqual("u32"u8) || w.SequenceEqual("u64"u8) || w.SequenceEqual("u128"u8) || w.SequenceEqual("usize"u8)
           || w.SequenceEqual("i8"u8) || w.SequenceEqual("i16"u8) || w.SequenceEqual("i32"u8) || w.SequenceEqual("i64"u8) || w.SequenceEqual("i128"u8) || w.SequenceEqual("isize"u8);

    // After the opening quote: the index after the closing one, or -1 (an escape the scanner does not check, the end).
    private static int StringEnd(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length)
        {
            int k = s[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (k < 0) return -1;
            i += k;
            if (s[i] == '"') return i + 1;
            if (i + 1 < s.Length && s[i + 1] == '\n') { i += 2; continue; } // a line continuation
            i = EscapeEnd(s, i);
            if (i < 0) return -1;
        }
        return -1;
    }

    private static int CharEnd(ReadOnlySpan<byte> s, int i)
    {
        if (i >= s.Length || s[i] is (byte)'\'' or (byte)'\n' or (byte)'\r') return -1;
        if (s[i] == '\\') i = EscapeEnd(s, i);
        else i += s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;
        return i > 0 && i < s.Length && s[i] == '\'' ? i + 1 : -1;
    }

    // At a backslash: \n \r \t \\ \0 \' \" \xHH \u{H…}.
    private static int EscapeEnd(ReadOnlySpan<byte> s, int i)
    {
        if (i + 1 >= s.Length) return -1;
        switch (s[i + 1])
        {
            case (byte)'n' or (byte)'r' or (byte)'t' or (byte)'\\' or (byte)'0' or (byte)'\'' or (byte)'"':
                return i + 2;
            case (byte)'x':
                return i + 3 < s.Length && char.IsAsciiHexDigit((char)s[i + 2]) && char.IsAsciiHexDigit((char)s[i + 3]) ? i + 4 : -1;
            case (byte)'u':
                if (i + 2 >= s.Length || s[i + 2] != '{') return -1;
                int j = i + 3;
                while (j < s.Length && j - (i + 3) < 6 && char.IsAsciiHexDigit((char)s[j])) j++;
                return j > i + 3 && j < s.Length && s[j] == '}' ? j + 1 : -1;
            default:
                return -1;
        }
    }

    /// <summary>
    /// The node kinds the parser makes inside a literal table (and the array itself): the kinds of a sample that holds
    /// every element form <see cref="Find"/> accepts. An analyzer with a node action for one of them sees what blanking
    /// hides, so none is blanked in its runs.
    /// </summary>
    public static FrozenSet<RustSyntaxKind> InteriorKinds => s_interior.Value.Kinds;

    private static readonly Lazy<(FrozenSet<RustSyntaxKind> Kinds, FrozenSet<string> Names)> s_interior = new(() =>
    {
        const string sample = "static X: T = [1, -2, 0x3_u8, 0o7, 0b1_0, 4usize, \"s\\n\\x41\\u{1F600}\\\\\\\"\", b\"y\\0\", 'c', '\\'', 'é', b'x', true, false, (1, 2), (3,), (4), [5, [6]], [], (), \"a\\\nb\",];";
        var tree = RustSyntaxTree.Parse(sample);
        var kinds = new HashSet<RustSyntaxKind>();
        foreach (var node in tree.Root!.Value.DescendantsAndSelf)
        {
            if (node.Kind != RustSyntaxKind.ArrayExpression) continue;
            foreach (var inside in node.DescendantsAndSelf) kinds.Add(inside.Kind);
            break;
        }
        var names = RustSyntaxKindTable.Entries.Where(e => kinds.Contains(e.Kind)).Select(e => e.Name)
            // Supertypes a query may name: an array element is an expression and a literal.
            .Concat(["_expression", "expression", "_literal", "literal"]).ToFrozenSet(StringComparer.Ordinal);
        return (kinds.ToFrozenSet(), names);
    });

    /// <summary>
    /// Whether a pattern of the query could match a node inside a literal table, or depend on one: it names a kind of
    /// <see cref="InteriorKinds"/> (or an expression or literal supertype), an anonymous node of them (<c>","</c>), or
    /// has a wildcard at its root, under another wildcard, or under one of those kinds.
    /// </summary>
    public static bool QueryMayLookInside(string source)
    {
        var names = s_interior.Value.Names;
        // A frame per open bracket: a node pattern's kind ("_" for a wildcard), or null for a group, an alternation or a predicate.
        var frames = new List<(string? Kind, bool Predicate)>();
        string? Parent()
        {
            for (int f = frames.Count - 1; f >= 0; f--)
                if (frames[f].Kind is { } k) return k;
            return null;
        }
        bool Inert(string kind) => kind.Split('/').Any(names.Contains);
        bool InPredicate() => frames.Any(f => f.Predicate);
        bool Looks(string kind) => kind == "_" ? Parent() is not { } p || p == "_" || Inert(p) : Inert(kind);

        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == ';') { i = source.IndexOf('\n', i) is var e and >= 0 ? e : source.Length; continue; }
            if (c == '"')
            {
                int j = i + 1;
                var text = new System.Text.StringBuilder();
                while (j < source.Length && source[j] != '"')
                {
                    if (source[j] == '\\' && j + 1 < source.Length) j++;
                    text.Append(source[j++]);
                }
                i = j + 1;
                if (!InPredicate() && names.Contains(text.ToString())) return true; // an anonymous node: `"["`, `","`
                continue;
            }
            if (c == '(')
            {
                int j = i + 1;
                while (j < source.Length && char.IsWhiteSpace(source[j])) j++;
                if (j < source.Length && source[j] == '#') { frames.Add((null, true)); i = j; continue; }
                if (j < source.Length && (char.IsLetter(source[j]) || source[j] == '_'))
                {
                    int end = j;
                    while (end < source.Length && (char.IsLetterOrDigit(source[end]) || source[end] is '_' or '/' or '.' or '-')) end++;
                    var kind = source[j..end];
                    if (!InPredicate() && Looks(kind)) return true;
                    frames.Add((kind, false));
                    i = end;
                    continue;
                }
                frames.Add((null, false)); // a group of sibling patterns
                i++;
                continue;
            }
            if (c == '[') { frames.Add((null, false)); i++; continue; }
            if (c is ')' or ']') { if (frames.Count > 0) frames.RemoveAt(frames.Count - 1); i++; continue; }
            if (c == '@' || c == '!' || c == '#')
            {
                i++;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] is '_' or '.' or '-' or '?' or '!')) i++;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int end = i;
                while (end < source.Length && (char.IsLetterOrDigit(source[end]) || source[end] is '_' or '/' or '-')) end++;
                bool field = end < source.Length && source[end] == ':';
                // A bare `_` is a wildcard node; a field name is no node.
                if (!field && !InPredicate() && source[i..end] == "_" && Looks("_")) return true;
                i = end + (field ? 1 : 0);
                continue;
            }
            i++;
        }
        return false;
    }
}
