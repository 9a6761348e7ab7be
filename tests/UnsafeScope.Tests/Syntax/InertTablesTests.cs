using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Catalogs;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Syntax;

/// <summary>
/// Literal tables (<see cref="InertTables"/>): which spans the scanner finds, and why leaving them unparsed changes
/// nothing: the elements it accepts parse without error into <see cref="InertTables.InteriorKinds"/> only, and a file's
/// facts are the same with them blanked.
/// </summary>
public sealed class InertTablesTests
{
    private static List<string> Tables(string source, int minLength = 1)
        => InertTables.Find(Encoding.UTF8.GetBytes(source), minLength)?.Select(s => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(source)[s.Start..s.End])).ToList() ?? [];

    [Theory]
    [InlineData("static T: [u16; 3] = [1, 0x2_u16, 3,];", "1, 0x2_u16, 3,")]
    [InlineData("pub(crate) const T: &[(u32, &str)] = &[(1, \"a\\n\"), (-2, \"\\u{1F600}\")];", "(1, \"a\\n\"), (-2, \"\\u{1F600}\")")]
    [InlineData("#[rustfmt::skip]\npub static T: [[char; 2]; 2] = [['a', '\\''], [b'x' as char, 'é']];", "")]
    [InlineData("impl S { const T: [bool; 2] = [true, false]; }", "true, false")]
    [InlineData("fn f() { static T: [i8; 2] = [-1, 0o7]; }", "-1, 0o7")]
    [InlineData("const T: [&[u8]; 2] = [b\"ab\\0\", b\"\"];", "b\"ab\\0\", b\"\"")]
    public void A_static_or_const_array_of_literals_is_a_table(string source, string elements)
    {
        var found = Tables(source);
        if (elements.Length == 0) Assert.Empty(found); // `as char`: a cast, not a literal
        else Assert.Equal([elements], found);
    }

    [Theory]
    [InlineData("static mut T: [u8; 2] = [1, 2];")]                          // static mut: its own rules
    [InlineData("static T: [f32; 2] = [1.0, 2.5];")]                         // floats are left to the parser
    [InlineData("static T: [u8; 2] = [1, N];")]                              // a path
    [InlineData("static T: [u8; 2] = [1, f()];")]                            // a call
    [InlineData("static T: [u8; 2] = [1, // one\n 2];")]                     // a comment is kept for the rules
    [InlineData("static T: [u8; 2] = [1,, 2];")]                             // would be a syntax error
    [InlineData("static T: [u8; 2] = [1, 2].len();")]                        // not the whole value
    [InlineData("static T: [&str; 1] = [r\"raw\"];")]                        // raw strings are left to the parser
    [InlineData("static T: [char; 1] = ['\\q'];")]                           // an escape the scanner does not check
    [InlineData("let t: [u8; 2] = [1, 2];")]                                 // not an item
    [InlineData("lazy_static! { static ref T: [u8; 2] = [1, 2]; }")]         // a macro's tokens
    [InlineData("m! { static T: [u8; 2] = [1, 2]; }")]
    [InlineData("macro_rules! m { () => { static T: [u8; 2] = [1, 2]; } }")]
    [InlineData("/* static T: [u8; 2] = [1, 2]; */")]                        // a comment
    [InlineData("const S: &str = \"static T: [u8; 2] = [1, 2];\";")]         // a string
    [InlineData("const X: usize = 1 ; static T: [u8; 2] = [1 2];")]          // no comma
    public void Anything_else_is_not(string source) => Assert.Empty(Tables(source));

    [Fact]
    public void Deep_nesting_is_no_table_and_no_stack_overflow()
    {
        const int depth = 200_000;
        var source = "static T: [u8; 1] = " + new string('[', depth) + "1" + new string(']', depth) + ";";
        Assert.Empty(Tables(source));
        Assert.Equal(["[[1]]"], Tables("static T: [[[u8; 1]; 1]; 1] = [[[1]]];"));
    }

    [Fact]
    public void A_file_with_a_syntax_error_elsewhere_is_parsed_whole_and_reports_its_errors()
    {
        var text = SourceText.From("static T: [u8; 3] = [1, 2, 3];\nfn f( { }\n", "src/lib.rs");
        var spans = InertTables.Find(text.Bytes, 1)!;
        var whole = RustSyntaxTree.Parse(text);
        var blanked = RustSyntaxTree.Parse(text, RustParseOptions.Default with { InertSpans = spans });
        Assert.True(whole.ContainsErrors);
        Assert.Equal(whole.GetErrors().Select(e => e.Span), blanked.GetErrors().Select(e => e.Span));
        // Parsed whole: the table's elements are in the tree.
        Assert.Equal(whole.Root!.Value.DescendantsAndSelf.Count, blanked.Root!.Value.DescendantsAndSelf.Count);
    }

    [Fact]
    public void Small_tables_are_left_to_the_parser()
    {
        var source = "static T: [u8; 3] = [1, 2, 3];";
        Assert.Empty(Tables(source, InertTables.MinLength));
        var big = "static T: [u16; 2000] = [" + string.Join(", ", Enumerable.Range(0, 2000)) + "];";
        Assert.Single(Tables(big, InertTables.MinLength));
    }

    [Theory]
    [InlineData("(integer_literal) @x", true)]
    [InlineData("(_) @any", true)]
    [InlineData("(array_expression (_) @e)", true)]
    [InlineData("(static_item (_ (_) @x))", true)]
    [InlineData("(tuple_expression \",\" @comma)", true)]
    [InlineData("((string_literal) @s (#match? @s \"x\"))", true)]
    [InlineData("(call_expression function: (identifier) @f)", false)]
    [InlineData("(static_item value: (_) @v)", false)]
    [InlineData("((identifier) @i (#eq? @i \"[\"))", false)]
    [InlineData("(call_expression arguments: (arguments . (_) @first)) ; (integer_literal) in a comment", false)]
    public void A_query_that_may_look_inside_a_table_is_told(string query, bool looks)
        => Assert.Equal(looks, InertTables.QueryMayLookInside(query));

    [Fact]
    public void The_built_in_rules_and_packs_leave_tables_unparsed()
    {
        Assert.True(AnalysisSession.Create(new AnalysisOptions()).BlanksLiteralTables);
        Assert.False(AnalysisSession.Create(new AnalysisOptions { Parse = ParseMode.All }).BlanksLiteralTables);
    }

    [Fact]
    public void A_query_pack_that_matches_inside_a_table_sees_its_elements()
    {
        var dir = Directory.CreateTempSubdirectory("unsafescope-inert-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Cargo.toml"), "[package]\nname = \"t\"\nedition = \"2021\"\n");
            Directory.CreateDirectory(Path.Combine(dir, "src"));
            // A table well above the threshold, with one magic number a (user) rule looks for.
            var elements = string.Join(", ", Enumerable.Range(0, 3000).Select(i => i == 1234 ? "0xDEAD" : i.ToString()));
            File.WriteAllText(Path.Combine(dir, "src", "lib.rs"), $"pub static T: [u32; 3000] = [{elements}];\n");
            var pack = Path.Combine(dir, "magic.scm");
            File.WriteAllText(pack, """
                ; rule: US7150 AvoidMagicDead
                ; title: magic number
                ; message: `{match}` in a table
                ; what: Flags 0xDEAD.
                ; why: A test rule.
                ; example: [0xDEAD]
                ; instead: [0]
                ((integer_literal) @match (#eq? @match "0xDEAD"))
                """);
            var options = new AnalysisOptions { Paths = [dir], QueryPacks = [pack] };
            Assert.False(AnalysisSession.Create(options).BlanksLiteralTables);
            var d = Assert.Single(Analysis.Run(options).Diagnostics, d => d.Id == "US7150");
            Assert.Equal("`0xDEAD` in a table", d.Message);
            Assert.True(AnalysisSession.Create(options with { QueryPacks = [] }).BlanksLiteralTables);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static readonly string[] Good =
    [
        "1", "-2", "0x1F_u8", "0b101", "0o17", "42usize", "\"s\\n\\t\"", "\"\\u{E9}\"", "'c'", "'\\''", "b'x'", "b\"y\\0\"", "true", "false",
        "(1, 2)", "(3,)", "[4, [5]]", "()", "[]", "\"a\\\nb\"",
    ];

    // Each makes the list something the scanner must refuse (or a syntax error it must not hide).
    private static readonly string[] Poison =
        ["1.5", "x", "f()", "1..2", "1 as u8", "'\\q'", "1e3", "--1", "0x", "0b2", "// c\n", "/* c */ 1", ",", "r\"r\"", "a::B", "'ab'", "\"\\x8\""];

    /// <summary>
    /// Random tables (half of them of good elements only, half with poison): whenever the scanner takes one, the file
    /// parses without error, every node of the elements has a kind of <see cref="InertTables.InteriorKinds"/>, and the
    /// blanked file gives the same facts as the whole one.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property A_table_the_scanner_takes_is_inert()
    {
        var good = Gen.ArrayOf(Gen.Elements(Good));
        var mixed = Gen.ArrayOf(Gen.Elements([.. Good, .. Poison]));
        var list = Gen.OneOf(good, mixed).Select(a => string.Join(", ", a));
        return Prop.ForAll(list.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (elements, trailing) =>
        {
            var source = $"/// Docs.\npub static T: &[(u8, u8)] = &[{elements}{(trailing ? "," : "")}];\npub fn g(p: *const u8) -> u8 {{ unsafe {{ *p }} }}\n";
            var text = SourceText.From(source, "src/lib.rs");
            var spans = InertTables.Find(text.Bytes, 1);
            if (spans is null) return true;
            var whole = RustSyntaxTree.Parse(text);
            if (whole.ContainsErrors) return false;
            foreach (var span in spans)
                foreach (var node in whole.Root!.Value.DescendantsAndSelf)
                    if (span.Contains(node.Span) && node.Span.Length > 0 && !InertTables.InteriorKinds.Contains(node.Kind)) return false;
            var blanked = RustSyntaxTree.Parse(text, RustParseOptions.Default with { InertSpans = spans });
            return !blanked.ContainsErrors && Facts(whole).AsSpan().SequenceEqual(Facts(blanked));
        });
    }

    private static byte[] Facts(RustSyntaxTree tree)
    {
        var facts = Extractor.Extract(tree, ApiCatalog.Default, "src/lib.rs", "demo", "");
        using var bytes = new MemoryStream();
        using (var w = new RecordWriter(bytes))
            FileRecordFormat.Write(w, new FileRecord(new FileResult { Path = "src/lib.rs", Status = FileStatus.Analyzed }, facts, []));
        return bytes.ToArray();
    }
}
