using UnsafeScope.Analyzers.Rules.Hygiene;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Analyzers;

/// <summary>The items a <c>macro_rules!</c> body writes at its top level, read from its tokens, and where the file calls it.</summary>
public class MacroBodyItemsTests
{
    private const string Source = """
        macro_rules! m {
            ($t:ty, $vis:vis) => {
                /// # Safety
                pub fn drive() -> u32 {
                    let f = |x: u32| x; fn inner() {}
                    f(1)
                }
                pub(crate) const unsafe fn c() {}
                impl T for $t {}
                unsafe impl U for $t {}
                static S: u32 = unsafe { 1 };
                $vis struct W(u32);
                union X { a: u32 }
                use std::mem;
                let not_an_item = 1;
            };
        }

        mod inner {
            m!(u8, pub);
        }

        fn body() {
            m!(u16, );
        }

        m!(u32, pub);
        """;

    private static SyntaxNode Definition(RustSyntaxTree tree)
    {
        foreach (var n in tree.Root!.Value.Descendants)
            if (n.Kind == RustSyntaxKind.MacroDefinition) return n;
        throw new InvalidOperationException("no macro_rules!");
    }

    private static RustSyntaxTree Parse()
        => RustSyntaxTree.Parse(SourceText.From(System.Text.Encoding.UTF8.GetBytes(Source), "src/lib.rs"), RustParseOptions.Default, CancellationToken.None);

    [Fact]
    public void TheTopLevelItemsOfEachArmAreRead()
    {
        var items = MacroBodyItems.Items(Definition(Parse()));
        var seen = items.Select(i => $"{i.Keyword} {i.Name?.Text ?? "-"} {i.Visibility}{(i.IsUnsafe ? " unsafe" : "")}{(i.IsTraitImpl ? " trait-impl" : "")}{(i.UnsafeInitializer ? " unsafe-init" : "")}");
        Assert.Equal(
        [
            "fn drive pub", "fn c restricted unsafe", "impl - private trait-impl", "impl - private unsafe trait-impl",
            "static S private unsafe-init", "struct W $", "union X private", "use - private",
        ], seen);
        // The fn spans its body; the one-line items end on their line.
        var drive = items[0];
        Assert.EndsWith("f(1)\n        }", Source[drive.Span.Start..drive.Span.End].Replace("\r\n", "\n"), StringComparison.Ordinal);
        Assert.Equal("impl T for $t {}", Source[items[2].Span.Start..items[2].Span.End]);
    }

    [Fact]
    public void CallsAreFoundWithWhereTheirItemsLand()
    {
        var calls = MacroBodyItems.Invocations(Definition(Parse()));
        Assert.Equal([true, false, true], calls.Select(MacroBodyItems.AtModuleLevel));
    }

    [Fact]
    public void EachCallExpandsTheArmItsTokensMatch()
    {
        const string source = """
            macro_rules! two {
                (first $t:ty) => {
                    impl A for $t {}
                };
                (second $e:expr) => {
                    const C: u32 = $e;
                };
            }
            two!(second 1 + 2);
            two!(first u8);
            two!(third);
            """;
        var tree = RustSyntaxTree.Parse(SourceText.From(System.Text.Encoding.UTF8.GetBytes(source), "src/lib.rs"), RustParseOptions.Default, CancellationToken.None);
        var definition = Definition(tree);
        var calls = MacroBodyItems.Invocations(definition);
        Assert.Equal([1, 0, -1], calls.Select(call => MacroBodyItems.ExpandedRule(definition, call)));
        var items = MacroBodyItems.Items(definition);
        Assert.Equal([0, 1], items.Select(i => i.Rule));
        Assert.True(MacroBodyItems.Expanded(definition, items[0], calls.Skip(1)));
        Assert.False(MacroBodyItems.Expanded(definition, items[1], calls.Skip(1)));
    }

    [Fact]
    public void AVisibilityMetavariableIsWhatTheCallBinds()
    {
        var tree = Parse();
        var definition = Definition(tree);
        var item = MacroBodyItems.Items(definition).Single(i => i.Keyword == "struct");
        Assert.Equal(["pub", "private", "pub"], MacroBodyItems.Invocations(definition).Select(call => MacroBodyItems.BoundVisibility(definition, call, item)));
    }

    [Fact]
    public void DocsWrittenByMetavariablesAreUnknown()
    {
        var text = SourceText.From("/// # Safety\n#[inline]\nfn a() {}\n$(#[$meta])*\nfn b() {}\n"u8.ToArray(), "x.rs");
        Assert.Equal("/// # Safety\n", MacroBodyItems.DocAbove(text, text.GetLineStart(2)));
        Assert.Null(MacroBodyItems.DocAbove(text, text.GetLineStart(4)));
    }
}
