using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using UnsafeScope.Syntax.Native;

namespace UnsafeScope.Syntax;

/// <summary>A tree-sitter query that does not compile, or uses an unsupported predicate.</summary>
public sealed class QueryException(string file, int line, int column, string problem)
    : Exception($"{(file.Length > 0 ? file : "<query>")}:{line}:{column}: {problem}")
{
    /// <summary>The query file (or empty).</summary>
    public string File { get; } = file;

    /// <summary>1-based line in the query source.</summary>
    public int Line { get; } = line;

    /// <summary>1-based column.</summary>
    public int Column { get; } = column;

    /// <summary>What is wrong.</summary>
    public string Problem { get; } = problem;
}

/// <summary>A text predicate of a query pattern (<c>#eq?</c>, <c>#match?</c>, <c>#any-of?</c> and their <c>not-</c> forms).</summary>
internal sealed record QueryPredicate(string Operator, string Capture, string? OtherCapture, ImmutableArray<string> Values, Regex? Regex, bool Negated)
{
    /// <summary>The values as UTF-8, compared with node bytes without allocating.</summary>
    public ImmutableArray<byte[]> Utf8Values { get; } = [.. Values.Select(Encoding.UTF8.GetBytes)];

    /// <summary>For a regex anchored with ^ and starting with literal text: that text, a cheap first test.</summary>
    public byte[]? RegexPrefix { get; } = Regex is null ? null : LiteralPrefix(Regex.ToString());

    private static byte[]? LiteralPrefix(string pattern)
    {
        if (!pattern.StartsWith('^')) return null;
        var sb = new StringBuilder();
        for (int i = 1; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (char.IsLetterOrDigit(c) || c == '_') sb.Append(c);
            else if (c is '?' or '*' or '{') { if (sb.Length > 0) sb.Length--; break; } // the last char was optional
            else break;
        }
        return sb.Length > 0 ? Encoding.UTF8.GetBytes(sb.ToString()) : null;
    }
}

/// <summary>
/// A compiled tree-sitter query over the Rust grammar, with the <c>#eq?</c>/<c>#match?</c>/<c>#any-of?</c>
/// predicates evaluated by UnsafeScope. Thread-safe; holds one native query until disposed (or finalized).
/// Pass it in RustParseOptions.Queries: it runs during the parse, before the native tree is freed.
/// </summary>
public sealed unsafe class RustQuery : IDisposable
{
    /// <summary>Queries longer than this are refused (queries may come from an analyzed repository's configuration).</summary>
    public const int MaxSourceLength = 64 * 1024;

    private nint _handle;
    private readonly ImmutableArray<ImmutableArray<QueryPredicate>> _predicates;

    // Per pattern, texts a file must contain for a match to pass the predicates: every clause needs one of its
    // alternatives. A pattern with no clauses can match any file.
    private readonly ImmutableArray<ImmutableArray<byte[][]>> _requiredText;

    private RustQuery(nint handle, string source, string file)
    {
        _handle = handle;
        Source = source;
        File = file;
        var captures = NativeMethods.QueryCaptureCount(handle);
        CaptureNames = [.. Enumerable.Range(0, (int)captures).Select(i => Utf8(handle, i, capture: true))];
        PatternCount = (int)NativeMethods.QueryPatternCount(handle);
        var starts = new int[PatternCount];
        var bytes = Encoding.UTF8.GetBytes(source);
        for (int p = 0; p < PatternCount; p++)
        {
            int start = (int)NativeMethods.QueryStartByteForPattern(handle, (uint)p);
            starts[p] = 1 + bytes.AsSpan(0, Math.Min(start, bytes.Length)).Count((byte)'\n');
        }
        PatternLines = [.. starts];
        try
        {
            _predicates = [.. Enumerable.Range(0, PatternCount).Select(p => ReadPredicates(p))];
            _requiredText = [.. Enumerable.Range(0, PatternCount).Select(RequiredText)];
        }
        catch
        {
            // The caller frees the handle; a half-built object is still finalized, which would free it twice.
            _handle = 0;
            GC.SuppressFinalize(this);
            throw;
        }
    }

    /// <summary>A capture name or string literal of the query, by id.</summary>
    private static string Utf8(nint handle, int id, bool capture)
    {
        uint length;
        var p = capture ? NativeMethods.QueryCaptureName(handle, (uint)id, &length) : NativeMethods.QueryStringValue(handle, (uint)id, &length);
        return Encoding.UTF8.GetString(p, (int)length);
    }

    /// <summary>The query text.</summary>
    public string Source { get; }

    /// <summary>The file it came from (for messages), or empty.</summary>
    public string File { get; }

    /// <summary>Capture names, by capture id (without the <c>@</c>).</summary>
    public ImmutableArray<string> CaptureNames { get; }

    /// <summary>Number of patterns.</summary>
    public int PatternCount { get; }

    /// <summary>1-based line in <see cref="Source"/> where each pattern starts.</summary>
    public ImmutableArray<int> PatternLines { get; }

    internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(RustQuery));

    /// <summary>Compiles a query; throws <see cref="QueryException"/> naming the line, column and problem.</summary>
    public static RustQuery Create(string source, string file = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Length > MaxSourceLength)
            throw new QueryException(file, 1, 1, $"the query is {source.Length:N0} characters; the limit is {MaxSourceLength:N0}");
        NativeLanguage.Get();
        var bytes = Encoding.UTF8.GetBytes(source);
        uint offset;
        int type;
        nint handle;
        fixed (byte* p = bytes)
        {
            byte empty = 0;
            handle = NativeMethods.QueryNew(p == null ? &empty : p, (uint)bytes.Length, &offset, &type);
        }
        if (handle == 0)
        {
            int at = (int)Math.Min(offset, (uint)bytes.Length);
            int line = 1 + bytes.AsSpan(0, at).Count((byte)'\n');
            int lineStart = bytes.AsSpan(0, at).LastIndexOf((byte)'\n') + 1;
            int column = 1 + Encoding.UTF8.GetCharCount(bytes, lineStart, at - lineStart);
            var rest = Encoding.UTF8.GetString(bytes, at, Math.Min(24, bytes.Length - at)).Split('\n')[0];
            var problem = type switch
            {
                1 => $"syntax error near '{rest}'",
                2 => $"unknown node type '{Word(rest)}' in the Rust grammar",
                3 => $"unknown field '{Word(rest)}'",
                4 => $"undefined capture '{rest.Split(' ', ')')[0]}'",
                5 => $"impossible pattern structure near '{rest}'",
                _ => "the query does not fit the Rust grammar",
            };
            throw new QueryException(file, line, column, problem);
        }
        try
        {
            return new RustQuery(handle, source, file);
        }
        catch
        {
            NativeMethods.QueryDelete(handle);
            throw;
        }
    }

    private static string Word(string s) => new([.. s.TakeWhile(c => char.IsLetterOrDigit(c) || c == '_')]);

    /// <summary>
    /// False when no match of any pattern can pass its predicates in this text, because a positive
    /// <c>#eq?</c>, <c>#any-of?</c> or <c>#match?</c> on a capture every match has needs literal text the file
    /// lacks (the capture's text is part of the file). The cheap pre-check ast-grep and Semgrep also make.
    /// </summary>
    internal bool CanMatch(ReadOnlySpan<byte> text)
    {
        foreach (var clauses in _requiredText)
        {
            bool all = true;
            foreach (var alternatives in clauses)
            {
                bool any = false;
                foreach (var a in alternatives)
                    if (text.IndexOf(a) >= 0) { any = true; break; }
                if (!any) { all = false; break; }
            }
            if (all) return true;
        }
        return false;
    }

    private ImmutableArray<byte[][]> RequiredText(int pattern)
    {
        var clauses = ImmutableArray.CreateBuilder<byte[][]>();
        foreach (var p in _predicates[pattern])
        {
            int capture = CaptureNames.IndexOf(p.Capture);
            // Quantifier 3 is "one", 4 "one or more": the capture is in every match, so its predicate always applies.
            if (p.Negated || p.OtherCapture is not null || capture < 0 || NativeMethods.QueryCaptureQuantifier(_handle, (uint)pattern, (uint)capture) is not (3 or 4))
                continue;
            byte[][]? alternatives = p.Operator switch
            {
                "eq?" or "any-of?" => [.. p.Utf8Values],
                "match?" when p.Regex is { } regex && RegexLiteral.Required(regex.ToString()) is { } literal => [Encoding.UTF8.GetBytes(literal)],
                _ => null,
            };
            if (alternatives is { Length: > 0 } && alternatives.All(a => a.Length > 0)) clauses.Add(alternatives);
        }
        return clauses.ToImmutable();
    }

    private ImmutableArray<QueryPredicate> ReadPredicates(int pattern)
    {
        uint count;
        var steps = NativeMethods.QueryPredicates(_handle, (uint)pattern, &count);
        var result = ImmutableArray.CreateBuilder<QueryPredicate>();
        var current = new List<PredicateStep>();
        for (int i = 0; i < count; i++)
        {
            if (steps[i].Type != 0)
            {
                current.Add(steps[i]);
                continue;
            }
            if (current.Count > 0) result.Add(ToPredicate(current, pattern));
            current.Clear();
        }
        return result.ToImmutable();
    }

    private QueryPredicate ToPredicate(List<PredicateStep> steps, int pattern)
    {
        string Str(PredicateStep s) => Utf8(_handle, (int)s.ValueId, capture: s.Type == 1);
        var name = Str(steps[0]);
        bool negated = name.StartsWith("not-", StringComparison.Ordinal);
        var op = negated ? name[4..] : name;
        QueryException Bad(string problem) => new(File, PatternLines[pattern], 1, $"#{name}: {problem}");
        if (steps.Count < 2 || steps[1].Type != 1) throw Bad("the first argument must be a capture");
        var capture = Str(steps[1]);
        switch (op)
        {
            case "eq?":
                if (steps.Count != 3) throw Bad("takes a capture and a capture or string");
                return new QueryPredicate(op, capture, steps[2].Type == 1 ? Str(steps[2]) : null, steps[2].Type == 2 ? [Str(steps[2])] : [], null, negated);
            case "match?":
                if (steps.Count != 3 || steps[2].Type != 2) throw Bad("takes a capture and a regular expression string");
                try
                {
                    // Linear time in the text, whatever the pattern (a pack may come from the analyzed repository):
                    // a backtracking pattern like ^(a+)+$ would cost its whole timeout on every node it is tested on.
                    // No per-match timeout: linear time needs none, the file's time limit bounds the total, and a
                    // timeout would make the result depend on the machine's load (a #not-match? turning true).
                    return new QueryPredicate(op, capture, null, [], new Regex(Str(steps[2]), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, Regex.InfiniteMatchTimeout), negated);
                }
                catch (ArgumentException e)
                {
                    throw Bad($"bad regular expression: {e.Message}");
                }
                catch (NotSupportedException)
                {
                    throw Bad("backreferences, lookarounds and atomic groups are not supported (regular expressions run in linear time, like tree-sitter's own)");
                }
            case "any-of?":
                if (steps.Count < 3 || steps.Skip(2).Any(s => s.Type != 2)) throw Bad("takes a capture and strings");
                return new QueryPredicate(op, capture, null, [.. steps.Skip(2).Select(Str)], null, negated);
            default:
                throw Bad("unsupported predicate (supported: eq?, match?, any-of? and their not- forms)");
        }
    }

    /// <summary>
    /// True when a match satisfies its pattern's predicates. Runs for every match tree-sitter returns (it leaves
    /// text predicates to the host), so it compares UTF-8 bytes and allocates only for a regex that needs a string.
    /// </summary>
    internal bool Accepts(int pattern, IReadOnlyList<QueryCapture> captures)
    {
        foreach (var p in _predicates[pattern])
        {
            bool any = false, ok = true;
            for (int i = 0; i < captures.Count && ok; i++)
            {
                if (captures[i].Name != p.Capture) continue;
                any = true;
                ok = Holds(p, captures[i].Node.Utf8Text, captures);
            }
            if (!any) continue;
            if (ok == p.Negated) return false;
        }
        return true;
    }

    private static bool Holds(QueryPredicate p, ReadOnlySpan<byte> text, IReadOnlyList<QueryCapture> captures)
    {
        switch (p.Operator)
        {
            case "eq?" when p.OtherCapture is { } other:
                foreach (var c in captures)
                    if (c.Name == other && !c.Node.Utf8Text.SequenceEqual(text)) return false;
                return true;
            case "eq?":
                return text.SequenceEqual(p.Utf8Values[0]);
            case "any-of?":
                foreach (var v in p.Utf8Values)
                    if (text.SequenceEqual(v)) return true;
                return false;
            default: // match?
                if (p.RegexPrefix is { } prefix && !text.StartsWith(prefix)) return false;
                return p.Regex!.IsMatch(Encoding.UTF8.GetString(text));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) NativeMethods.QueryDelete(h);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the native query.</summary>
    ~RustQuery()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) NativeMethods.QueryDelete(h);
    }
}

/// <summary>A captured node of a query match.</summary>
/// <param name="Name">Capture name without <c>@</c>.</param>
/// <param name="Node">The node.</param>
public readonly record struct QueryCapture(string Name, SyntaxNode Node);

/// <summary>A match of a query pattern in a tree (predicates already applied).</summary>
/// <param name="Query">The query.</param>
/// <param name="Pattern">Pattern index in the query.</param>
/// <param name="Captures">The captures, in the order tree-sitter gives them.</param>
public sealed record QueryMatch(RustQuery Query, int Pattern, ImmutableArray<QueryCapture> Captures)
{
    /// <summary>The first capture with this name, or null.</summary>
    public SyntaxNode? this[string name] => Captures.FirstOrDefault(c => c.Name == name) is { Node.Tree: not null } c ? c.Node : null;
}
