using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Syntax;

public class MacroTokenDepthProperties
{
    // Nested groups of identifiers: the expected depth of each token is how many groups hold it, counted from the
    // macro's own token tree (whose delimiters are at depth 0).
    private static Gen<List<(string Text, int Depth)>> Group(int depth, int size) =>
        size <= 0 ? Gen.Constant(new List<(string, int)> { ("(", depth + 1), ("x", depth + 1), (")", depth + 1) })
        : from count in Gen.Choose(1, 4)
          from parts in Gen.ListOf(Gen.OneOf(Gen.Constant(new List<(string, int)> { ("a", depth + 1) }), Group(depth + 1, size / 2)), count)
          from open in Gen.Elements("(", "[", "{")
          select (List<(string, int)>)[(open, depth + 1), .. parts.SelectMany(p => p), (open switch { "(" => ")", "[" => "]", _ => "}" }, depth + 1)];

    [Property(MaxTest = 200)]
    public Property TokenDepthsCountTheGroupsAroundEachToken() => Prop.ForAll(Arb.From(Gen.Sized(s => Group(-1, Math.Max(1, s)))), expected =>
    {
        var text = "m!(" + string.Join(" ", expected.Skip(1).SkipLast(1).Select(t => t.Text)) + ");";
        var tree = RustSyntaxTree.Parse(text);
        var mac = tree.AllNodes.Cast().First(n => n.Kind == RustSyntaxKind.MacroInvocation);
        var tokens = MacroTokens.GetTokens(mac.ChildOfKind(RustSyntaxKind.TokenTree)!.Value);
        // The outer group is the macro's own ( … ) here, whatever delimiter the generator chose for it.
        var want = expected.Select((t, i) => (i == 0 ? "(" : i == expected.Count - 1 ? ")" : t.Text, t.Depth)).ToList();
        return tokens.Select(t => (t.Text, t.Depth)).SequenceEqual(want).Label(text);
    });

    [Fact]
    public void TokensDeeperThanTheFixedStackKeepTheirDepth()
    {
        const int levels = 100;
        var text = "m!(" + new string('(', levels) + "x" + new string(')', levels) + ");";
        var mac = RustSyntaxTree.Parse(text).AllNodes.Cast().First(n => n.Kind == RustSyntaxKind.MacroInvocation);
        var tokens = MacroTokens.GetTokens(mac.ChildOfKind(RustSyntaxKind.TokenTree)!.Value);
        int x = tokens.IndexOf(tokens.Single(t => t.Text == "x"));
        Assert.Equal(levels, tokens[x].Depth);
        Assert.Equal(levels, tokens[x + 1].Depth); // the innermost group's ')'
        Assert.Equal(1, tokens[^2].Depth);         // the outermost of the 100 groups
        Assert.Equal(0, tokens[^1].Depth);
    }
}
