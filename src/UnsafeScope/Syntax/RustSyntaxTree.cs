using System.Collections.Concurrent;
using System.Collections.Immutable;
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
}

/// <summary>A keyword the grammar cannot place that the parser recovered (see <see cref="RustSyntaxTree.RecoveredKeywords"/>).</summary>
/// <param name="Kind"><see cref="RustSyntaxKind.UnsafeKeyword"/> before <c>extern</c>, or <see cref="RustSyntaxKind.Identifier"/> for <c>safe</c>.</param>
/// <param name="Span">The keyword's bytes in the original text.</param>
/// <param name="Text">The keyword: <c>unsafe</c> or <c>safe</c>.</param>
public readonly record struct RecoveredKeyword(RustSyntaxKind Kind, TextSpan Span, string Text);

/// <summary>
/// An immutable Rust syntax tree: the flattened tree-sitter tree of one <see cref="SourceText"/>.
/// Holds no native resources. Thread-safe to read.
/// </summary>
public sealed class RustSyntaxTree
{
    private static readonly ConcurrentBag<NativeParser> s_parsers = [];
    internal readonly NodeRecord[] Nodes;
    internal readonly NativeLanguage.Tables Tables;

    private RustSyntaxTree(SourceText text, NodeRecord[] nodes, ParseStatus status, ImmutableArray<RecoveredKeyword> recovered)
    {
        Text = text;
        Nodes = nodes;
        Status = status;
        RecoveredKeywords = recovered;
        Tables = NativeLanguage.Get();
    }

    /// <summary>The source the tree was parsed from.</summary>
    public SourceText Text { get; }

    /// <summary>The file path, as given to the <see cref="SourceText"/>.</summary>
    public string FilePath => Text.Path;

    /// <summary>How the parse ended.</summary>
    public ParseStatus Status { get; }

    /// <summary>Number of nodes (named and anonymous) in the tree.</summary>
    public int NodeCount => Nodes.Length;

    /// <summary>The root (<see cref="RustSyntaxKind.SourceFile"/>), or null when the parse produced no tree.</summary>
    public SyntaxNode? Root => Nodes.Length == 0 ? null : new SyntaxNode(this, 0);

    /// <summary>True when the tree has ERROR or MISSING nodes.</summary>
    public bool ContainsErrors => Nodes.Length > 0 && (Nodes[0].Flags & (NodeRecord.FlagHasError | NodeRecord.FlagError)) != 0;

    /// <summary>
    /// Keywords the grammar cannot parse that were recovered: the <c>unsafe</c> of Rust 2024
    /// <c>unsafe extern "C" { … }</c> blocks and the <c>safe</c> of items inside them. Those blocks
    /// appear in the tree as ordinary <see cref="RustSyntaxKind.ForeignModItem"/> nodes.
    /// </summary>
    public ImmutableArray<RecoveredKeyword> RecoveredKeywords { get; }

    /// <summary>All nodes in preorder.</summary>
    public SyntaxNodeRange AllNodes => new(this, 0, Nodes.Length);

    /// <summary>Every ERROR node and MISSING token, in source order.</summary>
    public IEnumerable<SyntaxNode> GetErrors()
    {
        for (int i = 0; i < Nodes.Length; i++)
        {
            if ((Nodes[i].Flags & (NodeRecord.FlagError | NodeRecord.FlagMissing)) != 0)
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

    /// <summary>Parses a source text. Never throws for bad input: see <see cref="Status"/> and <see cref="ContainsErrors"/>.</summary>
    public static unsafe RustSyntaxTree Parse(SourceText text, RustParseOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= RustParseOptions.Default;
        cancellationToken.ThrowIfCancellationRequested();
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
            var status = parser.Parse(text.Bytes, options.Timeout, flag, out var nodes);
            var recovered = ImmutableArray<RecoveredKeyword>.Empty;
            if (status == NativeParseStatus.Ok && options.RecoverUnsafeExternBlocks)
                (nodes, recovered) = GrammarRecovery.RecoverUnsafeExtern(parser, text, nodes, options.Timeout, flag);
            // Cancellation and the time limit both stop the parser; the token tells which.
            registration.Dispose();
            registration = default;
            cancellationToken.ThrowIfCancellationRequested();
            return new RustSyntaxTree(text, nodes, status switch
            {
                NativeParseStatus.Ok => ParseStatus.Ok,
                NativeParseStatus.Cancelled => ParseStatus.TimedOut,
                _ => ParseStatus.OutOfMemory,
            }, recovered);
        }
        finally
        {
            registration.Dispose();
            if (flag != null) NativeMemory.Free(flag);
            if (s_parsers.Count < Environment.ProcessorCount * 2) s_parsers.Add(parser);
            else parser.Dispose();
        }
    }

    internal RustSyntaxKind KindAt(int index) => NativeLanguage.KindOf(Nodes[index].Symbol, Tables);

    internal RustSyntaxField FieldAt(int index)
    {
        var f = Nodes[index].Field;
        return f < Tables.Fields.Length ? Tables.Fields[f] : RustSyntaxField.None;
    }
}
