using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax.Macros;

/// <summary>
/// The <c>macro_rules!</c> macros one crate defines (in any of its files), by name. Several definitions of a name
/// (alternatives under <c>#[cfg]</c>) are tried in order.
/// </summary>
internal sealed class MacroTable
{
    public static readonly MacroTable Empty = new(FrozenDictionary<string, MacroDefinition[]>.Empty, new Lazy<string>(""));

    private readonly FrozenDictionary<string, MacroDefinition[]> _byName;

    // Hashed on first use (a cache asks): SHA-256 loads OpenSSL, which a run without a cache need not pay.
    private readonly Lazy<string> _fingerprint;

    private MacroTable(FrozenDictionary<string, MacroDefinition[]> byName, Lazy<string> fingerprint)
    {
        _byName = byName;
        _fingerprint = fingerprint;
        _unsafeWriters = UnsafeWriters(byName);
        _unsafeWriterLookup = _unsafeWriters.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    // The macros whose expansion may write `unsafe` whatever the call passes: a rule writes it, or names one of them.
    private readonly FrozenSet<string> _unsafeWriters;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _unsafeWriterLookup;

    private static FrozenSet<string> UnsafeWriters(FrozenDictionary<string, MacroDefinition[]> byName)
    {
        var writers = byName.Where(p => p.Value.Any(d => d.WritesUnsafe)).Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        if (writers.Count == 0) return FrozenSet<string>.Empty;
        // Which macros each one's rules name (a nested invocation is expanded only when its name is a macro here).
        var names = byName.ToDictionary(p => p.Key, p => p.Value.SelectMany(d => d.WrittenIdentifiers()).Where(byName.ContainsKey).ToArray(), StringComparer.Ordinal);
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (name, named) in names)
                if (!writers.Contains(name) && named.Any(writers.Contains)) grew = writers.Add(name) | grew;
        }
        return writers.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// False when the expansion of <c>name!</c> with this argument text (nested invocations of this table's macros
    /// included) cannot hold an <c>unsafe</c> token: no rule it may reach writes one, and the text has neither
    /// <c>unsafe</c> nor the name of a macro whose rules do (an argument may name the macro a rule invokes). Comments
    /// and strings are read as text, so this errs towards true.
    /// </summary>
    public bool MayExpandToUnsafe(string name, ReadOnlySpan<byte> arguments)
    {
        if (arguments.IndexOf("unsafe"u8) >= 0 || _unsafeWriters.Contains(name)) return true;
        if (_unsafeWriters.Count == 0) return false;
        Span<char> chars = stackalloc char[64];
        for (int i = 0; i < arguments.Length;)
        {
            if (!IsIdentifierStart(arguments[i])) { i++; continue; }
            int start = i;
            while (i < arguments.Length && (IsIdentifierStart(arguments[i]) || arguments[i] is >= (byte)'0' and <= (byte)'9')) i++;
            // Long or non-ASCII names are rare: taken as a writer's rather than decoded.
            if (i - start > chars.Length) return true;
            for (int k = start; k < i; k++)
            {
                if (arguments[k] >= 0x80) return true;
                chars[k - start] = (char)arguments[k];
            }
            if (_unsafeWriterLookup.Contains(chars[..(i - start)])) return true;
        }
        return false;

        // Non-ASCII bytes count as identifier characters, so a name that holds them is seen whole.
        static bool IsIdentifierStart(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_' or >= 0x80;
    }

    /// <summary>A hash of every definition's text: part of the result-cache key of the crate's files.</summary>
    public string Fingerprint => _fingerprint.Value;

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>True when every definition of the macro drops its arguments (see <see cref="MacroDefinition.DiscardsArguments"/>).</summary>
    public bool DiscardsArguments(string name) => _byName.TryGetValue(name, out var defs) && defs.All(d => d.DiscardsArguments);

    public int Count => _byName.Count;

    /// <summary>Reads the <c>macro_rules!</c> definitions of the given files' bytes (their order decides the order of alternatives).</summary>
    public static MacroTable Build(IEnumerable<byte[]> files)
    {
        var builder = new Builder();
        foreach (var bytes in files) builder.Add(bytes);
        return builder.ToTable();
    }

    /// <summary>
    /// A table built file by file: each file's bytes are read during <see cref="Add"/> only, so a caller can lend a
    /// reused buffer (a crate's files are read again for its table when one of them was edited).
    /// </summary>
    public sealed class Builder
    {
        private readonly Dictionary<string, List<MacroDefinition>> _byName = new(StringComparer.Ordinal);
        private readonly List<string> _texts = []; // each definition's name and rules, hashed when the fingerprint is asked for

        /// <summary>Adds the definitions in one file's bytes, after those of the files added before it.</summary>
        public void Add(ReadOnlySpan<byte> bytes)
        {
            // Only the definitions are lexed, not the whole file: `macro_rules ! name { … }` from each occurrence
            // that starts an item (a doc comment's `/// macro_rules!` or `my_macro_rules` does not).
            for (int from = 0, at; (at = bytes[from..].IndexOf("macro_rules"u8)) >= 0; from += at + "macro_rules".Length)
            {
                if (!StartsItem(bytes, from + at)) continue;
                if (MacroLexer.Lex(bytes, from + at, bytes.Length, callSite: false, maxTrees: 4) is { Count: 4 } trees)
                    Collect(trees, _byName, _texts);
            }
        }

        public MacroTable ToTable()
        {
            if (_byName.Count == 0) return Empty;
            var texts = _texts.ToArray();
            return new MacroTable(_byName.ToFrozenDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal), new(() =>
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                foreach (var text in texts) hash.AppendData(Encoding.UTF8.GetBytes(text));
                return Convert.ToHexStringLower(hash.GetHashAndReset());
            }));
        }
    }

    // Only whitespace since the line's start, or the end of an item, attribute or block before it.
    private static bool StartsItem(ReadOnlySpan<byte> bytes, int at)
    {
        int i = at - 1;
        while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t') i--;
        return i < 0 || bytes[i] is (byte)'\n' or (byte)'\r' or (byte)']' or (byte)'}' or (byte)'{' or (byte)';' or (byte)')';
    }

    // `macro_rules ! name { rules }`; definitions nested in other items or macros (libc's f! in a cfg_if! group)
    // are found by the scan for their own `macro_rules`.
    private static void Collect(List<TokenTree> trees, Dictionary<string, List<MacroDefinition>> into, List<string> texts)
    {
        if (!trees[0].IsIdent("macro_rules") || !trees[1].IsPunct("!") || trees[2].IsGroup || trees[2].Token.Kind != TokenKind.Ident || !trees[3].IsGroup)
            return;
        var name = trees[2].Token.Text;
        if (MacroDefinition.Parse(name, trees[3].Children!) is not { } def) return;
        (into.TryGetValue(name, out var list) ? list : into[name] = []).Add(def);
        texts.Add(name + "\n" + trees[3] + "\n");
    }

    public MacroDefinition[]? Get(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// This table with the macros of other crates (the dependencies' <c>macro_rules!</c>, which its code calls as
    /// <c>dep::name!</c> or through <c>#[macro_use]</c>) whose names it does not define itself.
    /// </summary>
    public MacroTable With(MacroTable others)
    {
        if (others.Count == 0) return this;
        var merged = new Dictionary<string, MacroDefinition[]>(_byName, StringComparer.Ordinal);
        foreach (var (name, defs) in others._byName)
            merged.TryAdd(name, defs);
        return new MacroTable(merged.ToFrozenDictionary(StringComparer.Ordinal),
            new(() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Fingerprint + "\n" + others.Fingerprint)))));
    }
}

/// <summary>An expansion rendered as Rust text, with where each token came from.</summary>
internal sealed class Expansion
{
    private readonly int[] _starts, _ends, _origins, _originEnds;

    private Expansion(byte[] text, int[] starts, int[] ends, int[] origins, int[] originEnds)
    {
        Text = text;
        (_starts, _ends, _origins, _originEnds) = (starts, ends, origins, originEnds);
    }

    public byte[] Text { get; }

    /// <summary>
    /// Renders trees as text (one space between tokens), wrapped in <paramref name="prefix"/> and <paramref name="suffix"/>.
    /// </summary>
    public static Expansion Render(List<TokenTree> trees, string prefix, string suffix)
    {
        // Sized by a first walk, then written straight into arrays of the exact size (a byte array per token, then
        // growing lists of offsets, were 3% and 2% of a run's allocation).
        int tokens = CountTokens(trees);
        var text = new byte[RenderedLength(trees, prefix, suffix)];
        var starts = new int[tokens];
        var ends = new int[tokens];
        var origins = new int[tokens];
        var originEnds = new int[tokens];
        int length = 0, count = 0;
        void Append(string s) => length += Encoding.UTF8.GetBytes(s, text.AsSpan(length));
        void Emit(Token t)
        {
            text[length++] = (byte)' ';
            int start = length;
            Append(t.Text);
            starts[count] = start;
            ends[count] = length;
            origins[count] = t.Origin;
            // A call-site token's text is the file's text at its origin.
            originEnds[count++] = t.Origin >= 0 ? t.Origin + (length - start) : -1;
        }
        void Walk(List<TokenTree> list)
        {
            foreach (var t in list)
            {
                Emit(t.Token);
                if (t.Children is null) continue;
                Walk(t.Children);
                Emit(t.Close);
            }
        }
        Append(prefix);
        Walk(trees);
        text[length++] = (byte)' ';
        Append(suffix);
        return new Expansion(text, starts, ends, origins, originEnds);
    }

    /// <summary>How many tokens the trees hold, a group's delimiters included.</summary>
    internal static int CountTokens(List<TokenTree> trees)
    {
        int n = 0;
        foreach (var t in trees) n += t.Children is null ? 1 : 2 + CountTokens(t.Children);
        return n;
    }

    /// <summary>The length in bytes of <see cref="Render"/>'s text, without rendering it.</summary>
    public static int RenderedLength(List<TokenTree> trees, string prefix, string suffix)
    {
        static int Walk(List<TokenTree> list)
        {
            int n = 0;
            foreach (var t in list)
            {
                n += 1 + Encoding.UTF8.GetByteCount(t.Token.Text);
                if (t.Children is null) continue;
                n += Walk(t.Children) + 1 + Encoding.UTF8.GetByteCount(t.Close.Text);
            }
            return n;
        }
        return Encoding.UTF8.GetByteCount(prefix) + Walk(trees) + 1 + Encoding.UTF8.GetByteCount(suffix);
    }

    /// <summary>
    /// The span in the original file of expansion text [start, end): when the first and last tokens there were written
    /// at the call (code passed to the macro), from the first's origin to the last's end; else null (the macro wrote it).
    /// </summary>
    public TextSpan? Map(TextSpan span)
    {
        int first = Array.BinarySearch(_starts, span.Start);
        if (first < 0) first = ~first;
        int last = Array.BinarySearch(_ends, span.End);
        if (last < 0) last = ~last - 1;
        if (first >= _starts.Length || last < first || _origins[first] < 0 || _origins[last] < 0) return null;
        int end = Math.Max(_originEnds[last], _originEnds[first]);
        return TextSpan.FromBounds(_origins[first], end);
    }
}

/// <summary>Expands an invocation with a crate's table, nested invocations of the table's macros included.</summary>
internal static class MacroExpander
{
    private const int MaxDepth = 24;
    private const int MaxTokens = 50_000;
    private const int MaxNesting = 512;

    /// <summary>The expansion of <c>name!</c> applied to the trees of its argument group; null when no rule matches or a limit is hit.</summary>
    public static List<TokenTree>? Expand(MacroTable table, string name, List<TokenTree> input)
    {
        int budget = MaxTokens;
        return Expand(table, name, input, 0, ref budget);
    }

    private static List<TokenTree>? Expand(MacroTable table, string name, List<TokenTree> input, int depth, ref int budget)
    {
        if (depth > MaxDepth)
        {
            budget = -1; // rustc's recursion limit: the whole expansion fails
            return null;
        }
        if (table.Get(name) is not { } defs) return null;
        foreach (var def in defs)
        {
            if (def.Transcribe(input, out bool gaveUp) is not { } output)
            {
                if (!gaveUp) continue;
                budget = -1; // too costly to match: no expansion rather than a guess
                return null;
            }
            budget -= Expansion.CountTokens(output);
            if (budget < 0) return null;
            return ExpandNested(table, output, depth, 0, ref budget);
        }
        return null;
    }

    // Invocations of the table's macros in an expansion: `name!(…)`, `$crate::name!(…)`, `path::name!{…}`. A list
    // without any (most of them) comes back as it is, not copied: token trees are not changed once made.
    private static List<TokenTree>? ExpandNested(MacroTable table, List<TokenTree> trees, int depth, int nesting, ref int budget)
    {
        // Bounds the nesting of every tree that is rendered (and so the recursion that renders it).
        if (nesting > MaxNesting) return null;
        List<TokenTree>? result = null; // made at the first change, with the trees before it
        for (int i = 0; i < trees.Count; i++)
        {
            var t = trees[i];
            if (!t.IsGroup && t.Token.Kind == TokenKind.Ident && i + 2 < trees.Count && trees[i + 1].IsPunct("!") && trees[i + 2].IsGroup
                && t.Token.Text != "macro_rules" && table.Contains(t.Token.Text))
            {
                var expanded = Expand(table, t.Token.Text, trees[i + 2].Children!, depth + 1, ref budget);
                if (expanded is null)
                {
                    if (budget < 0) return null;
                }
                else
                {
                    result ??= trees.GetRange(0, i);
                    // Drop the path before the name (`$crate::`, `crate::`, `glib::`).
                    while (result.Count >= 2 && result[^1].IsPunct("::") && !result[^2].IsGroup && result[^2].Token.Kind == TokenKind.Ident)
                        result.RemoveRange(result.Count - 2, 2);
                    if (result.Count >= 1 && result[^1].IsPunct("::")) result.RemoveAt(result.Count - 1);
                    result.AddRange(expanded);
                    i += 2;
                    continue;
                }
            }
            if (t.IsGroup)
            {
                var inner = ExpandNested(table, t.Children!, depth, nesting + 1, ref budget);
                if (inner is null) return null;
                if (!ReferenceEquals(inner, t.Children))
                {
                    result ??= trees.GetRange(0, i);
                    result.Add(new TokenTree { Token = t.Token, Close = t.Close, Children = inner });
                    continue;
                }
            }
            result?.Add(t);
        }
        return result ?? trees;
    }
}
