using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Syntax;

/// <summary>Generators: arbitrary bytes, and Rust-shaped text built from real fragments.</summary>
public static class RustArbitraries
{
    private static readonly string[] s_fragments =
    [
        "fn ", "f", "(", ")", "{", "}", "unsafe ", "unsafe { ", " }", "extern \"C\" ", "impl ", "trait ", "static mut ",
        "let x = ", ";", "*p", "&raw const ", "// SAFETY: ok\n", "/* c */", "\"s\"", "'a", "'c'", "é", "😀", "\n", "\r\n",
        "macro_rules! m { () => { unsafe { g() } } }", "m!(", ",", "safe fn ", "unsafe extern \"system\" {", "#[no_mangle]",
        "r#\"raw\"#", "::", "<", ">", "->", "/*", "\"", "\t", "\0", "\uFFFD",
    ];

    public static Arbitrary<RustSource> RustSource()
        => Gen.ListOf(Gen.Elements(s_fragments)).Select(parts => new RustSource(string.Concat(parts))).ToArbitrary();
}

public sealed record RustSource(string Text)
{
    public override string ToString() => Text;
}

[Properties(Arbitrary = [typeof(RustArbitraries)], MaxTest = 300)]
public class SyntaxProperties
{
    [Property]
    public void ArbitraryBytesParseWithSpansInBoundsAndConsistentLinks(byte[] bytes)
        => CheckTree(RustSyntaxTree.Parse(SourceText.From(bytes)));

    [Property]
    public void RustShapedTextParsesWithConsistentLinks(RustSource source)
        => CheckTree(RustSyntaxTree.Parse(source.Text));

    [Property]
    public bool SameInputGivesTheSameTree(RustSource source)
    {
        var a = RustSyntaxTree.Parse(source.Text);
        var b = RustSyntaxTree.Parse(source.Text);
        return a.NodeCount == b.NodeCount
               && a.AllNodes.Cast().Zip(b.AllNodes.Cast()).All(p => p.First.Kind == p.Second.Kind && p.First.Span == p.Second.Span && p.First.Field == p.Second.Field);
    }

    /// <summary>
    /// The pipeline's trees read their nodes in place, in the native parser's buffer, instead of a managed copy: the
    /// same tree (kinds, spans, fields, parents, errors, recovered keywords), also while a second tree is parsed in
    /// place and released (a macro fragment inside a file's walk), and nothing readable once released.
    /// </summary>
    [Property]
    public bool NodesReadInPlaceAreTheCopiedTree(RustSource outer, RustSource inner)
    {
        var copied = RustSyntaxTree.Parse(outer.Text);
        var inPlace = RustSyntaxTree.Parse(SourceText.From(outer.Text), RustParseOptions.Default with { NodesInPlace = true });
        var nested = RustSyntaxTree.Parse(SourceText.From(inner.Text), RustParseOptions.Default with { NodesInPlace = true });
        bool nestedSame = SameTree(nested, RustSyntaxTree.Parse(inner.Text));
        nested.ReleaseNodes();
        bool same = SameTree(inPlace, copied) && nestedSame;
        var kept = inPlace.Root;
        inPlace.ReleaseNodes();
        bool released = inPlace.Root is null && inPlace.NodeCount == 0 && !inPlace.AllNodes.Cast().Any();
        bool throws = false;
        try { _ = kept!.Value.Kind; }
        catch (IndexOutOfRangeException) { throws = true; }
        return same && released && throws;
    }

    private static bool SameTree(RustSyntaxTree a, RustSyntaxTree b)
        => a.NodeCount == b.NodeCount && a.ContainsErrors == b.ContainsErrors && a.RecoveredKeywords.SequenceEqual(b.RecoveredKeywords)
           && a.AllNodes.Cast().Zip(b.AllNodes.Cast()).All(p => p.First.Kind == p.Second.Kind && p.First.Span == p.Second.Span
               && p.First.Field == p.Second.Field && p.First.Parent?.Span == p.Second.Parent?.Span && p.First.IsMissing == p.Second.IsMissing);

    /// <summary>
    /// The byte precheck that lets a file with syntax errors skip the unsafe-extern recovery may only say no when no
    /// <c>extern</c> token follows an <c>unsafe</c> token (comments between them skipped, as the recovery's scan does).
    /// </summary>
    [Property]
    public bool TheUnsafeExternPrecheckPassesEveryTextWithUnsafeBeforeExtern(RustSource source)
    {
        var bytes = Encoding.UTF8.GetBytes(source.Text);
        var tree = RustSyntaxTree.Parse(SourceText.From(bytes), RustParseOptions.Default with { RecoverUnsafeExternBlocks = false });
        static bool InComment(SyntaxNode n)
        {
            for (SyntaxNode? a = n; a is not null; a = a.Value.Parent)
                if (a.Value.Kind is RustSyntaxKind.LineComment or RustSyntaxKind.BlockComment) return true;
            return false;
        }
        var tokens = tree.AllNodes.Cast().Where(n => n.IsLeaf && !InComment(n)).Select(n => n.Kind).ToList();
        bool unsafeBeforeExtern = tokens.Zip(tokens.Skip(1)).Any(p => p is (RustSyntaxKind.UnsafeKeyword, RustSyntaxKind.ExternKeyword));
        return !unsafeBeforeExtern || GrammarRecovery.MayHoldUnsafeExtern(bytes);
    }

    [Property]
    public bool Utf16ColumnsAgreeWithStringIndexing(NonNull<string> s)
    {
        // Drop lone surrogates: they have no UTF-8 form, so there is nothing to agree with.
        var text = new string(s.Get.Where((c, i) => !char.IsSurrogate(c) || (char.IsHighSurrogate(c) && i + 1 < s.Get.Length && char.IsLowSurrogate(s.Get[i + 1])) || (char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(s.Get[i - 1]))).ToArray());
        var source = SourceText.From(text);
        int lineStartChar = 0, line = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i > 0 && text[i - 1] == '\n')
            {
                line++;
                lineStartChar = i;
            }
            if (i < text.Length && char.IsLowSurrogate(text[i])) continue; // not a character boundary
            int byteOffset = Encoding.UTF8.GetByteCount(text.AsSpan(0, i));
            if (source.GetLinePosition(byteOffset) != new LinePosition(line, i - lineStartChar)) return false;
        }
        return true;
    }

    private static void CheckTree(RustSyntaxTree tree)
    {
        Assert.Equal(ParseStatus.Ok, tree.Status);
        var nodes = tree.AllNodes.Cast();
        Assert.True(nodes[0].Kind is RustSyntaxKind.SourceFile or RustSyntaxKind.Error); // garbage can make the root an ERROR
        foreach (var n in nodes)
        {
            Assert.InRange(n.Span.Start, 0, tree.Text.Length);
            Assert.InRange(n.Span.End, n.Span.Start, tree.Text.Length);
            if (n.Parent is { } p)
            {
                Assert.True(p.Contains(n));
                Assert.Contains(n, p.Children.ToList());
                Assert.True(n.Span.Start >= p.Span.Start && n.Span.End <= p.Span.End, $"{n} outside {p}");
            }
            if (n.NextSibling is { } next)
            {
                Assert.Equal(n, next.PreviousSibling);
                Assert.Equal(n.Parent, next.Parent);
                Assert.True(next.Span.Start >= n.Span.End);
            }
            _ = n.Location; // line/column mapping never throws inside the text
            _ = n.Text;
        }
    }
}
