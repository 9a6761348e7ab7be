using System.Collections.Immutable;
using UnsafeScope.Syntax.Native;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>
/// Recovers Rust 2024 forms tree-sitter-rust 0.24 cannot parse. <c>unsafe extern "ABI" { … }</c> and
/// <c>safe fn</c> / <c>safe static</c> inside it come out as ERROR noise. The fix is byte-preserving:
/// blank those keywords with spaces in a copy, reparse (all offsets stay valid for the original text),
/// then widen the recovered items' spans back over the keyword and remember it.
/// </summary>
internal static unsafe class GrammarRecovery
{
    /// <summary>
    /// Whether a tree (its <paramref name="count"/> records from <paramref name="root"/>) may hold the misparse: only
    /// trees with errors can, and only in a file with <c>extern</c> after <c>unsafe</c> (a sixth of the corpus's files
    /// have errors, nearly all elsewhere). Most files skip the recovery, and its copy of the records, on this.
    /// </summary>
    internal static bool MayNeedRecovery(in NodeRecord root, int count, ReadOnlySpan<byte> text)
        => count > 0 && (root.Flags & NodeRecord.FlagHasError) != 0 && MayHoldUnsafeExtern(text);

    /// <summary>The recovery of a tree that <see cref="MayNeedRecovery"/> let through (its records copied: they are patched).</summary>
    internal static (NodeRecord[] Nodes, ImmutableArray<RecoveredKeyword> Recovered, byte[]? Patched) RecoverUnsafeExtern(
        NativeParser parser, SourceText text, NodeRecord[] nodes, TimeSpan timeout, int* cancel)
    {
        var tables = NativeLanguage.Get();
        var recovered = new List<RecoveredKeyword>();
        var blockOpenings = new HashSet<int>(); // '{' offsets of blocks known to be `unsafe extern`
        byte[]? patched = null;
        // Each reparse can expose more of the block (e.g. `safe static` hidden in the first ERROR), so repeat.
        for (int round = 0; round < 3 && (nodes[0].Flags & NodeRecord.FlagHasError) != 0; round++)
        {
            int before = recovered.Count;
            Scan(Tokens(nodes, tables), patched ?? text.Bytes.ToArray(), recovered, blockOpenings);
            if (recovered.Count == before) break;
            patched = text.Bytes.ToArray();
            foreach (var k in recovered)
                patched.AsSpan(k.Span.Start, k.Span.Length).Fill((byte)' ');
            if (parser.Parse(patched, timeout, cancel, out var reparsed) != NativeParseStatus.Ok)
                return (nodes, ImmutableArray<RecoveredKeyword>.Empty, null);
            nodes = reparsed;
        }
        if (recovered.Count == 0)
            return (nodes, ImmutableArray<RecoveredKeyword>.Empty, null);
        recovered.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
        var result = recovered.ToImmutableArray();
        Widen(nodes, result, patched!);
        return (nodes, result, patched);
    }

    /// <summary>
    /// False when no <c>extern</c> in the bytes can follow an <c>unsafe</c> token: the first round of the scan then
    /// recovers nothing and the file needs no token list or copy (a sixth of the corpus's files have errors, nearly
    /// all elsewhere). Conservative: an <c>extern</c> after a comment (<c>*/</c>, or a line holding <c>//</c>) counts.
    /// </summary>
    internal static bool MayHoldUnsafeExtern(ReadOnlySpan<byte> bytes)
    {
        for (int from = 0, at; (at = bytes[from..].IndexOf("extern"u8)) >= 0; from += at + 6)
        {
            int i = from + at - 1;
            while (i >= 0 && bytes[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i--;
            if (i < 0) continue;
            if (bytes[..(i + 1)].EndsWith("unsafe"u8) || bytes[i] == (byte)'/') return true;
            int lineStart = bytes[..(i + 1)].LastIndexOf((byte)'\n') + 1;
            if (bytes[lineStart..(i + 1)].IndexOf("//"u8) >= 0) return true;
        }
        return false;
    }

    /// <summary>Gives the recovered keywords back to the items that follow them.</summary>
    internal static void Widen(NodeRecord[] nodes, ImmutableArray<RecoveredKeyword> recovered, byte[] patched)
    {
        var tables = NativeLanguage.Get();
        foreach (var k in recovered)
            WidenItemOver(nodes, tables, k.Span, patched);
    }

    private static void Scan(List<Token> tokens, byte[] bytes, List<RecoveredKeyword> recovered, HashSet<int> blockOpenings)
    {
        for (int t = 0; t + 1 < tokens.Count; t++)
        {
            if (tokens[t].Kind != RustSyntaxKind.ExternKeyword) continue;
            int open = t + 1;
            if (tokens[open].Kind is RustSyntaxKind.StringLiteral or RustSyntaxKind.RawStringLiteral) open++;
            if (open >= tokens.Count || tokens[open].Kind != RustSyntaxKind.OpenBraceToken) continue;
            bool unsafeBefore = t > 0 && tokens[t - 1].Kind == RustSyntaxKind.UnsafeKeyword;
            if (!unsafeBefore && !blockOpenings.Contains(tokens[open].Span.Start)) continue;
            if (unsafeBefore)
            {
                recovered.Add(new RecoveredKeyword(RustSyntaxKind.UnsafeKeyword, tokens[t - 1].Span, "unsafe"));
                blockOpenings.Add(tokens[open].Span.Start);
            }
            // `safe` before `fn` / `static` at depth 1 of the block.
            int depth = 0;
            for (int i = open; i < tokens.Count; i++)
            {
                var k = tokens[i].Kind;
                if (k == RustSyntaxKind.OpenBraceToken) depth++;
                else if (k == RustSyntaxKind.CloseBraceToken && --depth == 0) break;
                else if (depth == 1 && k == RustSyntaxKind.Identifier && i + 1 < tokens.Count
                         && tokens[i + 1].Kind is RustSyntaxKind.FnKeyword or RustSyntaxKind.StaticKeyword
                         && bytes.AsSpan(tokens[i].Span.Start, tokens[i].Span.Length).SequenceEqual("safe"u8)
                         && !recovered.Any(r => r.Span == tokens[i].Span))
                    recovered.Add(new RecoveredKeyword(RustSyntaxKind.Identifier, tokens[i].Span, "safe"));
            }
        }
    }

    // The item that now starts at the first token after the blanked keyword gets the keyword back.
    private static void WidenItemOver(NodeRecord[] nodes, NativeLanguage.Tables tables, TextSpan keyword, byte[] patched)
    {
        int next = keyword.End;
        while (next < patched.Length && patched[next] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') next++;
        for (int i = 0; i < nodes.Length; i++)
        {
            if (nodes[i].StartByte != next) continue;
            var kind = NativeLanguage.KindOf(nodes[i].Symbol, tables);
            if (kind is RustSyntaxKind.ForeignModItem or RustSyntaxKind.FunctionSignatureItem or RustSyntaxKind.StaticItem)
            {
                // Ancestors that started at the same token (the root, for a first item) widen too.
                for (uint n = (uint)i; n != NodeRecord.None && nodes[n].StartByte > keyword.Start; n = nodes[n].Parent)
                    nodes[n].StartByte = (uint)keyword.Start;
                return;
            }
        }
    }

    private readonly record struct Token(RustSyntaxKind Kind, TextSpan Span);

    // Leaf tokens in order; literals and comments count as one token each.
    private static List<Token> Tokens(NodeRecord[] nodes, NativeLanguage.Tables tables)
    {
        var list = new List<Token>();
        int i = 0;
        while (i < nodes.Length)
        {
            var kind = NativeLanguage.KindOf(nodes[i].Symbol, tables);
            bool atom = kind is RustSyntaxKind.StringLiteral or RustSyntaxKind.RawStringLiteral or RustSyntaxKind.CharLiteral;
            bool comment = kind is RustSyntaxKind.LineComment or RustSyntaxKind.BlockComment;
            if (comment)
            {
                i = (int)nodes[i].SubtreeEnd;
                continue;
            }
            if (atom || nodes[i].SubtreeEnd == i + 1)
            {
                list.Add(new Token(kind, TextSpan.FromBounds((int)nodes[i].StartByte, (int)nodes[i].EndByte)));
                i = (int)nodes[i].SubtreeEnd;
                continue;
            }
            i++;
        }
        return list;
    }
}
