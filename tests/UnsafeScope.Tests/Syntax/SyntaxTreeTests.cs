using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Syntax;

public class SyntaxTreeTests
{
    private static SyntaxNode First(RustSyntaxTree tree, RustSyntaxKind kind)
        => tree.AllNodes.Cast().First(n => n.Kind == kind);

    [Theory]
    [InlineData("pub fn f() {}", "pub")]
    [InlineData("pub(crate) fn f() {}", "pub(crate)")]
    [InlineData("pub ( crate ) fn f() {}", "pub(crate)")]
    [InlineData("pub(in crate::a) fn f() {}", "pub(incrate::a)")]
    [InlineData("pub(\n  super\t) fn f() {}", "pub(super)")]
    [InlineData("fn f() {}", "private")]
    public void VisibilityIsTheModifierWithoutWhitespace(string source, string expected)
        => Assert.Equal(expected, SyntaxFacts.Visibility(First(RustSyntaxTree.Parse(source), RustSyntaxKind.FunctionItem)));

    /// <summary>The tree's index of unsafe code answers "does this node hold unsafe code" as a scan of the subtree would, for every node of every rule fixture.</summary>
    [Fact]
    public void TheUnsafeCodeIndexAgreesWithASubtreeScanOnEveryNode()
    {
        int files = 0, nodes = 0, yes = 0;
        foreach (var path in Directory.EnumerateFiles(RepoPaths.Fixtures("rules"), "*.rs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var tree = RustSyntaxTree.Parse(UnsafeScope.Text.SourceText.From(File.ReadAllBytes(path), path));
            files++;
            foreach (var node in tree.AllNodes.Cast())
            {
                bool scan = node.DescendantsAndSelf.Cast().Any(n => n.Kind is RustSyntaxKind.UnsafeBlock
                    || (n.Kind == RustSyntaxKind.UnsafeKeyword && n.Parent is { } p && MacroTokens.IsTokenTree(p.Kind)));
                Assert.True(scan == SyntaxFacts.ContainsUnsafe(node), $"{path}: {node.Kind} at {node.Span}");
                nodes++;
                if (scan) yes++;
            }
        }
        Assert.True(files > 50 && yes > 500 && nodes - yes > 5000, $"{files} files, {nodes} nodes, {yes} with unsafe code");
    }

    [Fact]
    public void UnsafeFormsHaveTheirKindsAndTokens()
    {
        var tree = RustSyntaxTree.Parse("""
            unsafe fn f(p: *const u8) -> u8 { unsafe { *p } }
            unsafe impl Send for S {}
            unsafe trait T {}
            static mut G: u32 = 0;
            extern "C" { fn abs(x: i32) -> i32; }
            union U { a: u32, b: f32 }
            """);
        Assert.False(tree.ContainsErrors);
        var fn = First(tree, RustSyntaxKind.FunctionItem);
        Assert.True(fn.ChildOfKind(RustSyntaxKind.FunctionModifiers)!.Value.HasChild(RustSyntaxKind.UnsafeKeyword));
        Assert.Equal("f", fn.ChildByField(RustSyntaxField.Name)!.Value.Text);
        Assert.True(First(tree, RustSyntaxKind.ImplItem).HasChild(RustSyntaxKind.UnsafeKeyword));
        Assert.True(First(tree, RustSyntaxKind.TraitItem).HasChild(RustSyntaxKind.UnsafeKeyword));
        Assert.True(First(tree, RustSyntaxKind.StaticItem).HasChild(RustSyntaxKind.MutableSpecifier));
        Assert.Equal("*p", First(tree, RustSyntaxKind.UnsafeBlock).ChildOfKind(RustSyntaxKind.Block)!.Value
            .Children.ToList().Single(c => c.IsNamed).Text);
        Assert.Single(tree.AllNodes.Cast(), n => n.Kind == RustSyntaxKind.ForeignModItem);
        Assert.Single(tree.AllNodes.Cast(), n => n.Kind == RustSyntaxKind.UnionItem);
    }

    [Fact]
    public void NavigationIsConsistent()
    {
        var tree = RustSyntaxTree.Parse("fn a() { let x = 1; let y = 2; }\nfn b() {}");
        var root = tree.Root!.Value;
        var items = root.Children.ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal(items[1], items[0].NextSibling);
        Assert.Equal(items[0], items[1].PreviousSibling);
        Assert.Null(items[1].NextSibling);
        Assert.Null(root.Parent);
        Assert.Equal(root, items[0].Parent);
        var lets = items[0].ChildByField(RustSyntaxField.Body)!.Value.Children.ToList().Where(c => c.Kind == RustSyntaxKind.LetDeclaration).ToList();
        Assert.Equal(["let x = 1;", "let y = 2;"], lets.Select(l => l.Text));
        Assert.Equal(1, items[1].StartLine);
        Assert.Equal(2, items[1].Location.StartLine);
    }

    [Fact]
    public void ErrorsAndMissingNodesAreExposed()
    {
        var tree = RustSyntaxTree.Parse("fn f( { let = ; }\nfn ok() { unsafe { g() } }");
        Assert.True(tree.ContainsErrors);
        Assert.NotEmpty(tree.GetErrors());
        // Recovery is local: the later unsafe block is still an unsafe block.
        Assert.Contains(tree.AllNodes.Cast(), n => n.Kind == RustSyntaxKind.UnsafeBlock);
    }

    [Fact]
    public void PrecedingCommentsMergeContiguousLineRunsAndSkipAttributes()
    {
        var tree = RustSyntaxTree.Parse("""
            fn f() {
                // SAFETY: the pointer is valid
                // for the whole call.
                #[allow(unused)]
                /* block */
                let _x = unsafe { g() };
            }
            """);
        var let = First(tree, RustSyntaxKind.LetDeclaration);
        var comments = SyntaxTrivia.GetPrecedingComments(let);
        Assert.Equal(2, comments.Length);
        Assert.Equal(CommentKind.Line, comments[0].Kind);
        Assert.StartsWith("// SAFETY: the pointer is valid", comments[0].Text);
        Assert.EndsWith("for the whole call.", comments[0].Text);
        Assert.Equal((1, 2), (comments[0].StartLine, comments[0].EndLine));
        Assert.Equal(CommentKind.Block, comments[1].Kind);
        var attrs = SyntaxTrivia.GetPrecedingAttributes(let);
        Assert.Equal("allow", SyntaxTrivia.GetAttributeName(Assert.Single(attrs)));
    }

    [Fact]
    public void DocCommentsAreClassified()
    {
        var tree = RustSyntaxTree.Parse("//! crate doc\n/// # Safety\n/// p must be valid\n//// not doc\npub unsafe fn f() {}");
        var fn = First(tree, RustSyntaxKind.FunctionItem);
        var comments = SyntaxTrivia.GetPrecedingComments(fn);
        Assert.Equal([CommentKind.InnerDoc, CommentKind.OuterDoc, CommentKind.Line], comments.Select(c => c.Kind));
        Assert.Contains("# Safety", comments[1].Text);
    }

    [Fact]
    public void MacroArgumentsAreSplitAtTopLevelCommas()
    {
        var tree = RustSyntaxTree.Parse("fn f() { unsafe { call_unsafe_wdf_function_binding!(WdfDeviceCreate, &mut init, f(a, b), &mut dev) } }");
        var mac = First(tree, RustSyntaxKind.MacroInvocation);
        var args = MacroTokens.GetArguments(mac);
        Assert.Equal(4, args.Length);
        Assert.Equal("WdfDeviceCreate", Assert.Single(args[0]).Text);
        Assert.Equal(["&", "mut", "init"], args[1].Select(t => t.Text));
        Assert.Equal(["f", "(", "a", ",", "b", ")"], args[2].Select(t => t.Text));
        Assert.Equal([0, 1, 1, 1, 1, 1], args[2].Select(t => t.Depth));
    }

    [Fact]
    public void UnsafeBlocksInsideTokenTreesAreFound()
    {
        var tree = RustSyntaxTree.Parse("""
            macro_rules! paged_code {
                () => { unsafe { KeGetCurrentIrql() } };
            }
            cfg_if::cfg_if! { if #[cfg(x)] { fn g() { unsafe /* c */ { h() } } } }
            fn real() { unsafe { k() } }
            """);
        var found = MacroTokens.FindUnsafeBlocks(tree.Root!.Value).ToList();
        Assert.Equal(2, found.Count);
        Assert.Equal("{ KeGetCurrentIrql() }", found[0].Body.Text);
        Assert.Equal("{ h() }", found[1].Body.Text);
        Assert.Single(tree.AllNodes.Cast(), n => n.Kind == RustSyntaxKind.UnsafeBlock);
    }

    [Fact]
    public void Rust2024UnsafeExternBlocksAreRecovered()
    {
        var tree = RustSyntaxTree.Parse("""
            // SAFETY: declarations match ntddk.h
            unsafe extern "system" {
                fn KeBugCheckEx(code: u32, p1: usize) -> !;
                pub safe fn KeGetCurrentIrql() -> u8;
                unsafe fn RtlZeroMemory(d: *mut u8, n: usize);
                safe static KdDebuggerEnabled: u8;
            }
            fn main() {}
            """);
        Assert.False(tree.ContainsErrors);
        var block = First(tree, RustSyntaxKind.ForeignModItem);
        Assert.StartsWith("unsafe extern \"system\"", block.Text);
        Assert.True(tree.HasRecoveredKeyword(block.Span, "unsafe"));
        var decls = block.ChildByField(RustSyntaxField.Body)!.Value.Children.ToList().Where(c => c.IsNamed && !c.IsComment).ToList();
        Assert.Equal([RustSyntaxKind.FunctionSignatureItem, RustSyntaxKind.FunctionSignatureItem, RustSyntaxKind.FunctionSignatureItem, RustSyntaxKind.StaticItem],
            decls.Select(d => d.Kind));
        Assert.True(tree.HasRecoveredKeyword(decls[1].Span, "safe"));
        Assert.True(tree.HasRecoveredKeyword(decls[3].Span, "safe"));
        Assert.StartsWith("safe static", decls[3].Text);
        Assert.False(tree.HasRecoveredKeyword(decls[0].Span, "safe"));
        Assert.Equal(3, tree.RecoveredKeywords.Length);
        Assert.Single(SyntaxTrivia.GetPrecedingComments(block));
    }

    [Fact]
    public void UnsafeExternFnIsNotMistakenForABlock()
    {
        var tree = RustSyntaxTree.Parse("pub unsafe extern \"C\" fn cb(p: *mut u8) {}\nfn bad( {");
        Assert.Empty(tree.RecoveredKeywords);
    }

    [Fact]
    public void PathologicalNestingDoesNotOverflow()
    {
        var src = "fn f() { let x = " + new string('(', 20000) + "1" + new string(')', 20000) + "; }";
        var tree = RustSyntaxTree.Parse(src);
        Assert.Equal(RustSyntaxKind.SourceFile, tree.Root!.Value.Kind);
        int count = 0;
        foreach (var n in tree.AllNodes) count += n.Parent is null ? 1 : 0;
        Assert.Equal(1, count);
        // Walking up from the deepest leaf is iterative too.
        var deepest = tree.AllNodes.Cast().First(n => n.Kind == RustSyntaxKind.IntegerLiteral);
        Assert.NotNull(deepest.FirstAncestorOfKind(RustSyntaxKind.FunctionItem));
    }

    [Fact]
    public void CancellationStopsAParse()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => RustSyntaxTree.Parse(UnsafeScope.Text.SourceText.From("fn f() {}"), null, cts.Token));
    }

    [Fact]
    public void TimeLimitStopsAParse()
    {
        var big = string.Concat(Enumerable.Repeat("fn f() { let x = [1, 2, 3]; unsafe { g(&x) } }\n", 100_000));
        var tree = RustSyntaxTree.Parse(UnsafeScope.Text.SourceText.From(big), new RustParseOptions { Timeout = TimeSpan.FromTicks(10) });
        Assert.Equal(ParseStatus.TimedOut, tree.Status);
        Assert.Null(tree.Root);
    }

    [Fact]
    public void EveryGrammarKindMapsToTheGeneratedEnum()
    {
        // A file touching many constructs: no node may come out Unknown.
        var tree = RustSyntaxTree.Parse("""
            #![allow(x)]
            use a::{b as c, d::*};
            mod m { pub(crate) struct S<'a, T: Copy> where T: Clone { f: &'a T } }
            impl<T> m::S<'_, T> { async fn g(&self) -> Option<u8> { let v = [0u8; 4]; match v { [a, ..] => Some(a), } } }
            const C: &str = r#"raw"#;
            fn h() { let c = 'c'; let _ = |x: u8| x as u32 + 1; loop { break; } for i in 0..10 { continue; } }
            macro_rules! m2 { ($x:expr) => { $x }; }
            """);
        Assert.DoesNotContain(tree.AllNodes.Cast(), n => n.Kind == RustSyntaxKind.Unknown);
    }
}

internal static class SyntaxNodeRangeExtensions
{
    public static List<SyntaxNode> Cast(this SyntaxNodeRange range)
    {
        var list = new List<SyntaxNode>(range.Count);
        foreach (var n in range) list.Add(n);
        return list;
    }
}
