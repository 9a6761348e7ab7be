using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Analyzers.QueryPacks;
using UnsafeScope.Syntax;
using UnsafeScope.Tests.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Queries;

/// <summary>Skipping queries whose predicates need text a file lacks never changes the matches.</summary>
public class QueryPrefilterTests
{
    private static readonly string[] s_queries =
    [
        .. QueryPack.BuiltIn.Select(p => p.File).Select(f => File.ReadAllText(Path.Combine(RepoPaths.Root, f))),
        "((identifier) @id (#eq? @id \"target\"))",
        "((call_expression function: (identifier) @f) @c (#any-of? @f \"g\" \"DbgPrint\"))",
        // The capture is optional: its predicate cannot make the file need "zzz".
        "((function_item name: (identifier) @n body: (block (expression_statement (call_expression function: (identifier) @g))?)) (#eq? @g \"zzz\"))",
        "((identifier) @id (#match? @id \"^Ke(A|B)+x?$\"))",
        "((identifier) @id (#not-eq? @id \"f\"))",
    ];

    private static string Describe(RustSyntaxTree tree)
        => string.Join("\n", tree.QueryMatches.Select(m => $"{m.Pattern}:" + string.Join(",", m.Captures.Select(c => $"{c.Name}@{c.Node.Span}"))));

    private static (string With, string Without) Both(string source)
    {
        var queries = s_queries.Select(q => RustQuery.Create(q)).ToArray();
        var text = SourceText.From(source);
        var with = RustSyntaxTree.Parse(text, new RustParseOptions { Queries = [.. queries] });
        var without = RustSyntaxTree.Parse(text, new RustParseOptions { Queries = [.. queries], SkipUnmatchableQueries = false });
        return (Describe(with), Describe(without));
    }

    [Fact]
    public void FixturesGetTheSameMatchesWithAndWithoutTheSkip()
    {
        int matched = 0;
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Fixtures(), "*.rs", SearchOption.AllDirectories))
        {
            var (with, without) = Both(File.ReadAllText(file));
            Assert.Equal(without, with);
            if (with.Length > 0) matched++;
        }
        Assert.True(matched >= 3, $"only {matched} fixture files have matches");
    }

    [Fact]
    public void QueriesAreSkippedOnlyWhenNoPatternCanPass()
    {
        using var eq = RustQuery.Create("((identifier) @id (#eq? @id \"target\"))");
        Assert.True(eq.CanMatch("fn target() {}"u8));
        Assert.False(eq.CanMatch("fn other() {}"u8));
        using var two = RustQuery.Create("((identifier) @id (#eq? @id \"a1\"))\n((identifier) @id (#any-of? @id \"b2\" \"c3\"))");
        Assert.True(two.CanMatch("c3"u8));
        Assert.False(two.CanMatch("a2 b3"u8));
        using var optional = RustQuery.Create(s_queries[^3]);
        Assert.True(optional.CanMatch("fn f() {}"u8));
        using var negated = RustQuery.Create("((identifier) @id (#not-eq? @id \"f\"))");
        Assert.True(negated.CanMatch("x"u8));
    }

    [Theory]
    [InlineData("^ExAllocatePool(WithTag|WithQuota)?$", "ExAllocatePool")]
    [InlineData("^Ke[A-Z]", "Ke")]
    [InlineData("DbgPrintEx?", "DbgPrintE")]
    [InlineData("ab+c", "ab")]
    [InlineData("abc{2,3}de", "ab")]
    [InlineData("foo|bar", null)]
    [InlineData("(?i)foobar", null)]
    [InlineData("\\x41BCD", null)]
    [InlineData("\\bMmMapIoSpace\\b", "MmMapIoSpace")]
    [InlineData("(a|b)xyz", "xyz")]
    public void RequiredLiteralsOfRegexes(string pattern, string? expected)
        => Assert.Equal(expected, RegexLiteral.Required(pattern));

    private static readonly string[] s_regexParts =
        ["a", "b", "c", "ab", "bc", ".", "?", "*", "+", "{1,2}", "(a|b)", "(bc)?", "[ab]", "[^c]", "^", "$", "\\d", "\\.", "|", "(?i)", "_"];

    /// <summary>Whenever a regex matches a string, the string contains the literal the regex is said to need.</summary>
    [Property(MaxTest = 3000)]
    public bool EveryMatchContainsTheRequiredLiteral(int seed)
    {
        var random = new Random(seed);
        var pattern = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => s_regexParts[random.Next(s_regexParts.Length)]));
        Regex regex;
        try { regex = new Regex(pattern, RegexOptions.CultureInvariant); }
        catch (ArgumentException) { return true; }
        var literal = RegexLiteral.Required(pattern);
        if (literal is null) return true;
        for (int i = 0; i < 200; i++)
        {
            var input = string.Concat(Enumerable.Range(0, random.Next(0, 9)).Select(_ => "abc_.1A"[random.Next(7)]));
            if (regex.IsMatch(input) && !input.Contains(literal, StringComparison.Ordinal)) return false;
        }
        return true;
    }

    [Property(Arbitrary = [typeof(RustArbitraries)], MaxTest = 200)]
    public bool RustShapedTextGetsTheSameMatches(RustSource source, bool dbg)
    {
        var (with, without) = Both(source.Text + (dbg ? " fn g() { DbgPrint(x); KeAx(); target(); }" : ""));
        return with == without;
    }
}
