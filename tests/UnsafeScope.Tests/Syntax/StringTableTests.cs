using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Syntax;

public class StringTableTests
{
    [Property]
    public Property DecodingThroughTheTableEqualsPlainDecoding(byte[] bytes, bool twice)
    {
        // Any bytes, valid UTF-8 or not, ASCII or not, short or long: the table only ever hands back equal text.
        if (twice) StringTable.FromUtf8(bytes);
        return (StringTable.FromUtf8(bytes) == Encoding.UTF8.GetString(bytes)).ToProperty();
    }

    [Property]
    public Property SharingKeepsTheValue(string? text, string? other)
    {
        text ??= "";
        other ??= "";
        StringTable.Share(other);
        return (StringTable.Share(text) == text && StringTable.Share(other) == other).ToProperty();
    }

    [Fact]
    public void RecentAsciiTextComesBackAsTheSameInstance()
    {
        var first = StringTable.FromUtf8("transmute"u8);
        Assert.Same(first, StringTable.FromUtf8("transmute"u8));
        var shared = StringTable.Share(new string("unsafe block missing a safety comment".AsSpan()));
        Assert.Same(shared, StringTable.Share(new string("unsafe block missing a safety comment".AsSpan())));
        Assert.Same("", StringTable.FromUtf8(""u8));
    }

    [Fact]
    public void NonAsciiTextIsDecodedAndLongTextIsNotKept()
    {
        Assert.Equal("größe", StringTable.FromUtf8("größe"u8));

        // Long text (bodies, comments) rarely repeats: it is not kept, so it cannot evict the names that do.
        var longText = Encoding.ASCII.GetBytes(new string('a', 200));
        Assert.Equal(new string('a', 200), StringTable.FromUtf8(longText));
        Assert.NotSame(StringTable.FromUtf8(longText), StringTable.FromUtf8(longText));
    }

    [Fact]
    public void TextFromTheTreeAndTheMacroLexerIsShared()
    {
        var tree = UnsafeScope.Syntax.RustSyntaxTree.Parse("fn f(p: *const u8) { unsafe { g(p); g(p); } }", "a.rs");
        var names = new List<string>();
        foreach (var n in tree.Root!.Value.DescendantsAndSelf)
            if (n.Kind == UnsafeScope.Syntax.RustSyntaxKind.Identifier && n.TextEquals("g")) names.Add(n.Text);
        Assert.Equal(2, names.Count);
        Assert.Same(names[0], names[1]);

        var bytes = "g(p) g(p)"u8.ToArray();
        var tokens = UnsafeScope.Syntax.Macros.MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true)!;
        Assert.Same(tokens[0].Token.Text, tokens[2].Token.Text);
        Assert.Same(names[0], tokens[0].Token.Text);
    }

    [Fact]
    public void EqualMessagesOfFindingsAndInventoryNamesShareOneInstance()
    {
        var rule = UnsafeScope.Analyzers.Rules.Hygiene.WrapUnsafeOpsInUnsafeFunctionsAnalyzer.Rule;
        var a = Diagnostic.Create(rule, Location.None, messageArgs: "unsafe function call");
        var b = Diagnostic.Create(rule, Location.None, messageArgs: "unsafe function call");
        Assert.Equal("unsafe function call is unsafe and requires unsafe block", a.Message);
        Assert.Same(a.Message, b.Message);

        var detail = new string("2 unsafe operations in one region".AsSpan());
        var f1 = new ScoreFactor("operations", -5, detail);
        var f2 = new ScoreFactor("operations", -5, new string(detail.AsSpan()));
        Assert.Same(f1.Detail, f2.Detail);
        // A record's value semantics are unchanged by sharing.
        Assert.Equal(f1, f2);
        Assert.Same(new RelatedLocation(Location.None, "the unsafe fn").Message, new RelatedLocation(Location.None, new string("the unsafe fn".AsSpan())).Message);
    }
}
