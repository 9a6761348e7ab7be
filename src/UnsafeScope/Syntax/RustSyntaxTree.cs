using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.InteropServices;
using UnsafeScope.Syntax.Native;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>How a parse ended.</summary>
public enum ParseStatus
{
    /// <summary>A tree was produced (it may still contain ERROR nodes).</summary>
    Ok,
    /// <summary>The time limit passed; the tree is empty.</summary>
    TimedOut,
    /// <summary>The parser ran out of memory; the tree is empty.</summary>
    OutOfMemory,
}

/// <summary>Options for <see cref="RustSyntaxTree.Parse(SourceText, RustParseOptions?, CancellationToken)"/>.</summary>
public sealed record RustParseOptions
{
    /// <summary>Default options: 30 s time limit, grammar-gap recovery on.</summary>
    public static RustParseOptions Default { get; } = new();

    /// <summary>Time limit for one parse (zero or negative: none).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Recover Rust 2024 <c>unsafe extern "ABI" { … }</c> blocks and <c>safe fn</c> items the grammar cannot parse.</summary>
    public bool RecoverUnsafeExternBlocks { get; init; } = true;

    /// <summary>Queries to run during the parse (see <see cref="RustSyntaxTree.QueryMatches"/>).</summary>
    public ImmutableArray<RustQuery> Queries { get; init; } = [];

    /// <summary>Most in-progress matches a query may keep (bounds the cost of user-supplied queries).</summary>
    public uint QueryMatchLimit { get; init; } = 256;

    /// <summary>Skip queries whose predicates need literal text the file does not contain (off only to test that skipping changes nothing).</summary>
    internal bool SkipUnmatchableQueries { get; init; } = true;

    /// <summary>
    /// The text is blank (spaces and line ends) before this offset: a macro fragment kept at its place in the file.
    /// The parser starts there instead of scanning the blanks; the tree is the same.
    /// </summary>
    internal int BlankPrefix { get; init; }

    /// <summary>
    /// Spans the parser reads as blank (line ends kept): the elements of literal tables (<see cref="InertTables"/>).
    /// The tree's text stays the file's; a parse that meets an error anywhere is made again without blanking, so errors
    /// are always the whole file's.
    /// </summary>
    internal IReadOnlyList<TextSpan>? InertSpans { get; init; }

    /// <summary>
    /// The nodes stay in the native parser's buffer, read in place, and the tree holds the parser until
    /// <see cref="RustSyntaxTree.ReleaseNodes"/>: for the pipeline's trees, whose end it knows. A node read after that
    /// throws instead of reading another tree's.
    /// </summary>
    internal bool NodesInPlace { get; init; }
}

/// <summary>A keyword the grammar cannot place that the parser recovered (see <see cref="RustSyntaxTree.RecoveredKeywords"/>).</summary>
/// <param name="Kind"><see cref="RustSyntaxKind.UnsafeKeyword"/> before <c>extern</c>, or <see cref="RustSyntaxKind.Identifier"/> for <c>safe</c>.</param>
/// <param name="Span">The keyword's bytes in the original text.</param>
/// <param name="Text">The keyword: <c>unsafe</c> or <c>safe</c>.</param>
public readonly record struct RecoveredKeyword(RustSyntaxKind Kind, TextSpan Span, string Text);

/// <summary>
/// An immutable Rust syntax tree: the flattened tree-sitter tree of one <see cref="SourceText"/>.
/// Holds no native resources (only the pipeline's own trees read their nodes in the parser's buffer until it
/// releases them). Thread-safe to read.
/// </summary>
public sealed class RustSyntaxTree
{
    private static readonly ConcurrentBag<NativeParser> s_parsers = [];
    // The nodes: a managed array, or (NodesInPlace) the records in the buffer of the parser the tree holds.
    private NodeRecord[] _nodes;
    private unsafe NodeRecord* _inPlace;
    private NativeParser? _parser;
    private int _nodeCount;
    private bool _releasable;
    internal readonly NativeLanguage.Tables Tables;

    private RustSyntaxTree(SourceText text, NodeRecord[] nodes, ParseStatus status, ImmutableArray<RecoveredKeyword> recovered)
    {
        Text = text;
        _nodes = nodes;
        _nodeCount = nodes.Length;
        Status = status;
        RecoveredKeywords = recovered;
        Tables = NativeLanguage.Get();
    }

    /// <summary>Matches of <see cref="RustParseOptions.Queries"/>, query by query in tree-sitter's order, predicates applied.</summary>
    public ImmutableArray<QueryMatch> QueryMatches { get; private set; } = [];

    /// <summary>True when a query hit <see cref="RustParseOptions.QueryMatchLimit"/> (some matches may be missing).</summary>
    public bool QueryMatchLimitExceeded { get; private set; }

    /// <summary>The source the tree was parsed from.</summary>
    public SourceText Text { get; }

    /// <summary>For the text of a macro expansion: where its spans are in the analyzed file (null: the spans are the file's).</summary>
    internal Func<TextSpan, Location>? LocationMap { get; set; }

    internal Location GetLocation(TextSpan span) => LocationMap is { } map ? map(span) : Text.GetLocation(span);

    /// <summary>The file path, as given to the <see cref="SourceText"/>.</summary>
    public string FilePath => Text.Path;

    /// <summary>How the parse ended.</summary>
    public ParseStatus Status { get; }

    /// <summary>Number of nodes (named and anonymous) in the tree.</summary>
    public int NodeCount => _nodeCount;

    /// <summary>The root (<see cref="RustSyntaxKind.SourceFile"/>), or null when the parse produced no tree.</summary>
    public SyntaxNode? Root => _nodeCount == 0 ? null : new SyntaxNode(this, 0);

    /// <summary>True when the tree has ERROR or MISSING nodes.</summary>
    public bool ContainsErrors => _nodeCount > 0 && (Node(0).Flags & (NodeRecord.FlagHasError | NodeRecord.FlagError)) != 0;

    /// <summary>
    /// Keywords the grammar cannot parse that were recovered: the <c>unsafe</c> of Rust 2024
    /// <c>unsafe extern "C" { … }</c> blocks and the <c>safe</c> of items inside them. Those blocks
    /// appear in the tree as ordinary <see cref="RustSyntaxKind.ForeignModItem"/> nodes.
    /// </summary>
    public ImmutableArray<RecoveredKeyword> RecoveredKeywords { get; }

    /// <summary>All nodes in preorder.</summary>
    public SyntaxNodeRange AllNodes => new(this, 0, _nodeCount);

    private TextSpan[]? _unsafeCode;

    /// <summary>
    /// Where the tree holds unsafe code, by start: its unsafe blocks and the <c>unsafe</c> tokens in macro token trees.
    /// Found in one pass when first asked, so "does this node contain unsafe code" is a binary search.
    /// </summary>
    internal TextSpan[] UnsafeCode => _unsafeCode ??= FindUnsafeCode();

    private TextSpan[] FindUnsafeCode()
    {
        var found = new List<TextSpan>();
        for (int i = 0; i < _nodeCount; i++)
        {
            var kind = KindAt(i);
            if (kind == RustSyntaxKind.UnsafeBlock
                || (kind == RustSyntaxKind.UnsafeKeyword && Node(i).Parent != NodeRecord.None && MacroTokens.IsTokenTree(KindAt((int)Node(i).Parent))))
                found.Add(TextSpan.FromBounds((int)Node(i).StartByte, (int)Node(i).EndByte));
        }
        found.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        return [.. found];
    }

    /// <summary>Every ERROR node and MISSING token, in source order.</summary>
    public IEnumerable<SyntaxNode> GetErrors()
    {
        // The root's error flag covers every ERROR and MISSING node below it: a clean tree is not scanned.
        if (!ContainsErrors) yield break;
        for (int i = 0; i < _nodeCount; i++)
        {
            if ((Node(i).Flags & (NodeRecord.FlagError | NodeRecord.FlagMissing)) != 0)
                yield return new SyntaxNode(this, i);
        }
    }

    /// <summary>True when a recovered keyword lies in <paramref name="span"/>.</summary>
    public bool HasRecoveredKeyword(TextSpan span, string text)
    {
        foreach (var k in RecoveredKeywords)
            if (span.Contains(k.Span) && k.Text == text) return true;
        return false;
    }

    /// <summary>Parses a string.</summary>
    public static RustSyntaxTree Parse(string text, string path = "") => Parse(SourceText.From(text, path));

    // A copy of the bytes with the spans blanked: spaces, line ends kept, so offsets, lines and columns stay.
    private static byte[] Blanked(ReadOnlySpan<byte> bytes, IReadOnlyList<TextSpan> spans)
    {
        var copy = bytes.ToArray();
        foreach (var span in spans)
            foreach (ref var b in copy.AsSpan(span.Start, span.Length))
                if (b is not ((byte)'\n' or (byte)'\r')) b = (byte)' ';
        return copy;
    }

    /// <summary>Parses a source text. Never throws for bad input: see <see cref="Status"/> and <see cref="ContainsErrors"/>.</summary>
    public static unsafe RustSyntaxTree Parse(SourceText text, RustParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= RustParseOptions.Default;
        cancellationToken.ThrowIfCancellationRequested();
        long deadline = options.Timeout > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(options.Timeout.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        if (!s_parsers.TryTake(out var parser))
            parser = new NativeParser();
        int* flag = null;
        CancellationTokenRegistration registration = default;
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                flag = (int*)NativeMemory.AllocZeroed(sizeof(int));
                nint address = (nint)flag;
                registration = cancellationToken.Register(() => Volatile.Write(ref *(int*)address, 1));
            }
            // A query whose every pattern needs text this file lacks can match nothing: do not run it.
            var queries = options.SkipUnmatchableQueries ? options.Queries.RemoveAll(q => !q.CanMatch(text.Bytes)) : options.Queries;
            var handles = queries.Select(q => q.Handle).ToArray();
            MatchRecord[] matches = [];
            CaptureRecord[] captures = [];
            bool exceeded = false;
            bool blanked = options.InertSpans is { Count: > 0 };
            ReadOnlySpan<byte> parsed = blanked ? Blanked(text.Bytes, options.InertSpans!) : text.Bytes;
            NativeParseStatus status;
            NodeRecord* inPlace;
            int count;
            while (true)
            {
                if (options.BlankPrefix > 0) parser.SkipTo(options.BlankPrefix);
                status = queries.IsEmpty
                    ? parser.Parse(parsed, options.Timeout, flag, out inPlace, out count)
                    : parser.ParseWithQueries(parsed, options.Timeout, flag, handles, options.QueryMatchLimit, out inPlace, out count, out matches, out captures, out exceeded);
                // Errors are not what the scanner expects of a file with literal tables: parse it whole, so its errors are its own.
                if (!blanked || status != NativeParseStatus.Ok || count == 0 || (inPlace->Flags & (NodeRecord.FlagHasError | NodeRecord.FlagError)) == 0) break;
                blanked = false;
                parsed = text.Bytes;
            }
            var recovered = ImmutableArray<RecoveredKeyword>.Empty;
            // Rare (a file with errors and `extern`): the recovery reparses with this parser and patches the records,
            // so it works on a copy.
            bool recover = status == NativeParseStatus.Ok && options.RecoverUnsafeExternBlocks
                && GrammarRecovery.MayNeedRecovery(in *inPlace, count, text.Bytes);
            NodeRecord[] nodes = status != NativeParseStatus.Ok ? [] : options.NodesInPlace && !recover ? [] : NativeParser.Copy(inPlace, (uint)count);
            if (recover)
            {
                byte[]? patched;
                (nodes, recovered, patched) = GrammarRecovery.RecoverUnsafeExtern(parser, text, nodes, options.Timeout, flag);
                // The queries must see the recovered tree: run them once more on the patched text.
                if (patched is not null && !queries.IsEmpty
                    && parser.ParseWithQueries(patched, options.Timeout, flag, handles, options.QueryMatchLimit, out var again, out int againCount, out matches, out captures, out exceeded) == NativeParseStatus.Ok)
                {
                    nodes = NativeParser.Copy(again, (uint)againCount);
                    GrammarRecovery.Widen(nodes, recovered, patched);
                }
            }
            // Cancellation and the time limit both stop the parser; the token tells which.
            registration.Dispose();
            registration = default;
            cancellationToken.ThrowIfCancellationRequested();
            var tree = new RustSyntaxTree(text, nodes, status switch
            {
                NativeParseStatus.Ok => ParseStatus.Ok,
                NativeParseStatus.Cancelled => ParseStatus.TimedOut,
                _ => ParseStatus.OutOfMemory,
            }, recovered);
            tree._releasable = options.NodesInPlace;
            if (status == NativeParseStatus.Ok && options.NodesInPlace && !recover)
            {
                // The tree keeps the parser (its buffer holds the nodes) until it is released.
                tree._inPlace = inPlace;
                (tree._nodeCount, tree._parser) = (count, parser);
                parser = null;
            }
            if (status == NativeParseStatus.Ok && !queries.IsEmpty)
            {
                // Predicates run in managed code after the native deadline: they share the time limit too.
                ImmutableArray<QueryMatch>? built;
                try { built = tree.BuildMatches(queries, matches, captures, deadline, cancellationToken); }
                catch
                {
                    tree.ReleaseNodes(); // cancelled: the caller never gets the tree, so its parser goes back here
                    throw;
                }
                if (built is not { } kept)
                {
                    tree.ReleaseNodes();
                    return new RustSyntaxTree(text, [], ParseStatus.TimedOut, []);
                }
                tree.QueryMatches = kept;
                tree.QueryMatchLimitExceeded = exceeded;
            }
            return tree;
        }
        finally
        {
            registration.Dispose();
            if (flag != null) NativeMemory.Free(flag);
            if (parser is not null) GiveBack(parser);
        }
    }

    /// <summary>
    /// Ends a tree parsed with <see cref="RustParseOptions.NodesInPlace"/>: its parser, whose buffer held the nodes,
    /// goes back to the pool, and the tree is empty (a node kept from it throws when read). The few such trees that
    /// were copied after all (the unsafe-extern recovery) are emptied too. Nothing for other trees.
    /// </summary>
    internal unsafe void ReleaseNodes()
    {
        if (!_releasable) return;
        var parser = _parser;
        _inPlace = null;
        (_parser, _nodes, _nodeCount, _unsafeCode, _releasable) = (null, [], 0, null, false);
        if (parser is not null) GiveBack(parser);
    }

    // Parsers nest (a file's tree holds one while its macro fragments are parsed): a few per core are kept.
    private static void GiveBack(NativeParser parser)
    {
        if (s_parsers.Count < Environment.ProcessorCount * 4) s_parsers.Add(parser);
        else parser.Dispose();
    }

    /// <summary>The node record at <paramref name="index"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal unsafe ref readonly NodeRecord Node(int index)
    {
        if (_inPlace == null) return ref _nodes[index];
        if ((uint)index >= (uint)_nodeCount) ThrowOutOfRange();
        return ref _inPlace[index];
    }

    private static void ThrowOutOfRange() => throw new IndexOutOfRangeException("The node is not in the tree (or the tree was released).");

    /// <summary>The matches with predicates applied, or null when <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp) passed.</summary>
    private ImmutableArray<QueryMatch>? BuildMatches(ImmutableArray<RustQuery> queries, MatchRecord[] matches, CaptureRecord[] captures,
        long deadline, CancellationToken cancellationToken)
    {
        var result = ImmutableArray.CreateBuilder<QueryMatch>(matches.Length);
        var list = new List<QueryCapture>();
        foreach (var m in matches)
        {
            // Each test is linear in its capture, but captures nest: a file of deeply nested blocks makes the total quadratic.
            cancellationToken.ThrowIfCancellationRequested();
            if (Stopwatch.GetTimestamp() > deadline) return null;
            var query = queries[(int)m.Query];
            list.Clear();
            for (uint c = m.FirstCapture; c < m.FirstCapture + m.CaptureCount; c++)
            {
                var cap = captures[c];
                if (IndexOf(cap.StartByte, cap.EndByte, (ushort)cap.Symbol) is int index)
                    list.Add(new QueryCapture(query.CaptureNames[(int)cap.Capture], new SyntaxNode(this, index)));
            }
            if (list.Count == m.CaptureCount && query.Accepts((int)m.Pattern, list))
                result.Add(new QueryMatch(query, (int)m.Pattern, [.. list]));
        }
        return result.ToImmutable();
    }

    /// <summary>The node with this span and symbol: start bytes never decrease in preorder, so binary search.</summary>
    private int? IndexOf(uint start, uint end, ushort symbol)
    {
        int lo = 0, hi = _nodeCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (Node(mid).StartByte < start) lo = mid + 1;
            else hi = mid;
        }
        for (int i = lo; i < _nodeCount && Node(i).StartByte == start; i++)
            if (Node(i).EndByte == end && Node(i).Symbol == symbol) return i;
        return null;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal RustSyntaxKind KindAt(int index) => NativeLanguage.KindOf(Node(index).Symbol, Tables);

    internal RustSyntaxField FieldAt(int index)
    {
        var f = Node(index).Field;
        return f < Tables.Fields.Length ? Tables.Fields[f] : RustSyntaxField.None;
    }
}
