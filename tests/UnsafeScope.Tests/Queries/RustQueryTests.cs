using UnsafeScope.Analyzers.QueryPacks;
using UnsafeScope.Driver;
using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Queries;

public class RustQueryTests
{
    private static RustSyntaxTree Parse(string source, params RustQuery[] queries)
        => RustSyntaxTree.Parse(UnsafeScope.Text.SourceText.From(source), new RustParseOptions { Queries = [.. queries] });

    [Fact]
    public void MatchesMapToTreeNodesWithCaptures()
    {
        using var q = RustQuery.Create("(unsafe_block (block (call_expression function: (identifier) @callee))) @block");
        var tree = Parse("fn f() { unsafe { g() }; unsafe { h(1) } }", q);
        Assert.Equal(2, tree.QueryMatches.Length);
        Assert.Equal(["g", "h"], tree.QueryMatches.Select(m => m["callee"]!.Value.Text));
        Assert.All(tree.QueryMatches, m => Assert.Equal(RustSyntaxKind.UnsafeBlock, m["block"]!.Value.Kind));
        Assert.Equal(["callee", "block"], q.CaptureNames.ToArray());
    }

    [Fact]
    public void PredicatesFilterMatches()
    {
        using var eq = RustQuery.Create("((identifier) @id (#eq? @id \"target\"))");
        using var match = RustQuery.Create("((identifier) @id (#match? @id \"^Ke[A-Z]\"))");
        using var notAny = RustQuery.Create("((identifier) @id (#not-any-of? @id \"f\" \"KeA\" \"target\"))");
        var tree = Parse("fn f() { target(); KeA(); KeB(); other(); }", eq, match, notAny);
        string[] Hits(RustQuery q) => [.. tree.QueryMatches.Where(m => m.Query == q).Select(m => m["id"]!.Value.Text)];
        Assert.Equal(["target"], Hits(eq));
        Assert.Equal(["KeA", "KeB"], Hits(match));
        Assert.Equal(["KeB", "other"], Hits(notAny));
    }

    [Theory]
    [InlineData("(unsafe_block", 1, "syntax error")]
    [InlineData("(call_expression)\n(not_a_node)", 2, "unknown node type 'not_a_node'")]
    [InlineData("(call_expression wrong_field: (identifier))", 1, "unknown field 'wrong_field'")]
    [InlineData("((identifier) @a (#weird? @a))", 1, "unsupported predicate")]
    [InlineData("((identifier) @a (#match? @a \"[\"))", 1, "bad regular expression")]
    public void BadQueriesNameLineAndProblem(string source, int line, string problem)
    {
        var e = Assert.Throws<QueryException>(() => RustQuery.Create(source, "pack.scm"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"pack.scm:{line}:", e.Message);
    }

    [Fact]
    public void QueriesSeeRecoveredUnsafeExternBlocks()
    {
        using var q = RustQuery.Create("(foreign_mod_item body: (declaration_list (function_signature_item name: (identifier) @fn)))");
        var tree = Parse("unsafe extern \"system\" {\n    pub safe fn A() -> u32;\n    fn B();\n}\n", q);
        Assert.Equal(["A", "B"], tree.QueryMatches.Select(m => m["fn"]!.Value.Text));
    }

    [Fact]
    public void OversizedQueriesAreRefusedAndMatchLimitsAreReported()
    {
        Assert.Throws<QueryException>(() => RustQuery.Create("; " + new string('x', RustQuery.MaxSourceLength)));
        using var q = RustQuery.Create("((identifier) @a . (identifier) @b)");
        var big = "fn f() { " + string.Concat(Enumerable.Repeat("a; ", 5000)) + "}";
        var tree = RustSyntaxTree.Parse(UnsafeScope.Text.SourceText.From(big), new RustParseOptions { Queries = [q], QueryMatchLimit = 2 });
        Assert.Equal(ParseStatus.Ok, tree.Status);
    }

    [Fact]
    public void UserPacksRunFromOptionsAndBadPacksNameTheirLine()
    {
        var dir = Directory.CreateTempSubdirectory("unsafescope-pack-").FullName;
        try
        {
            var pack = Path.Combine(dir, "ours.scm");
            File.WriteAllText(pack, """
                ; rule: US7101 AvoidRawTransmute
                ; title: transmute call
                ; message: `{fn}` reinterprets bits
                ; what: Flags transmute.
                ; why: Reinterpretation is unchecked.
                ; example: unsafe { core::mem::transmute::<u32, f32>(x) }
                ; instead: f32::from_bits(x)
                ((call_expression function: (generic_function function: (scoped_identifier name: (identifier) @name)) @fn) @match
                 (#eq? @name "transmute"))
                """);
            var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("inventory")], QueryPacks = [pack] });
            var d = Assert.Single(result.Diagnostics, d => d.Id == "US7101");
            Assert.Equal("`core::mem::transmute::<u32, f32>` reinterprets bits", d.Message);
            Assert.Equal("driver/src/std_ops.rs", d.Location.Path);

            File.WriteAllText(pack, "; rule: US7101 Bad\n; title: t\n; message: m\n; what: w\n; why: y\n; example: e\n; instead: i\n\n(call_expression (no_such_node))\n");
            var e = Assert.Throws<QueryException>(() => QueryPack.Load(pack));
            Assert.Equal(9, e.Line);
            File.WriteAllText(pack, "; rule: US7101 Bad\n; message: m\n(identifier)\n");
            Assert.Contains("no '; title:' line", Assert.Throws<QueryPackException>(() => QueryPack.Load(pack)).Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
