using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Syntax.Macros;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Syntax;

public class MacroExpanderTests
{
    private static MacroTable Table(params string[] files) => MacroTable.Build(files.Select(Encoding.UTF8.GetBytes));

    // Expands the first `name!(…)` / `name! {…}` of the call text; the rendered text with single spaces.
    private static string? Expand(MacroTable table, string call)
    {
        var bytes = Encoding.UTF8.GetBytes(call);
        var trees = MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true)!;
        var name = trees[0].Token.Text;
        var output = MacroExpander.Expand(table, name, trees[2].Children!);
        return output is null ? null : Encoding.UTF8.GetString(Expansion.Render(output, "", "").Text).Trim();
    }

    [Fact]
    public void The_fingerprint_hashed_on_first_use_follows_the_definitions_and_their_order()
    {
        // Part of the result cache's record keys: hashed only when asked (a run without a cache never asks), the
        // same for the same definitions in the same order, from any thread, and different when a rule or the order changes.
        const string A = "macro_rules! a { ($x:expr) => { unsafe { $x } }; }", B = "macro_rules! b { () => {}; }";
        var tables = Enumerable.Range(0, 8).Select(_ => Table(A, "fn f() {}", B)).ToArray();
        var prints = new string[tables.Length];
        Parallel.For(0, tables.Length, i => prints[i] = tables[i].Fingerprint);
        Assert.Single(prints.Distinct());
        Assert.Matches("^[0-9a-f]{64}$", prints[0]);
        Assert.Equal(prints[0], Table(A, B).Fingerprint); // files without definitions add nothing
        Assert.NotEqual(prints[0], Table(B, A).Fingerprint);
        Assert.NotEqual(prints[0], Table(A.Replace("unsafe", "safe"), B).Fingerprint);
        Assert.Equal("", Table("fn f() {}").Fingerprint);
        var merged = Table(A).With(Table(B));
        Assert.Equal(merged.Fingerprint, Table(A).With(Table(B)).Fingerprint);
        Assert.NotEqual(merged.Fingerprint, Table(B).With(Table(A)).Fingerprint);
    }

    [Fact]
    public void Expressions_end_at_their_follow_tokens_and_closures_keep_their_parameters()
    {
        var table = Table("macro_rules! m { (copy => |$a:ident| $e:expr, free => $f:expr) => { unsafe fn copy($a: *const u8) { $e } fn free() { $f } }; }");
        Assert.Equal("unsafe fn copy ( ptr : * const u8 ) { ( ffi :: copy ( ptr ) ) } fn free ( ) { ( | x , y | x + y ) }",
            Expand(table, "m!(copy => |ptr| ffi::copy(ptr), free => |x, y| x + y)"));
    }

    [Fact]
    public void Meta_fragments_are_one_attribute_each()
    {
        // glib's wrapper! passes `$(#[$attr:meta])*` on as `[$($attr)*]` to a macro matching `[$($attr:meta)*]`.
        var table = Table("macro_rules! m { ([$($a:meta)*] $n:ident) => { $(#[$a])* struct $n; }; } macro_rules! w { ($(#[$a:meta])* struct $n:ident) => { m!([$($a)*] $n); }; }");
        Assert.Equal("# [ derive ( Clone , Copy ) ] # [ doc ( alias = \"A\" ) ] # [ cfg_attr ( test , allow ( x ) ) ] # [ path :: to = 1 + 2 ] struct S ; ;",
            Expand(table, "w!(#[derive(Clone, Copy)] #[doc(alias = \"A\")] #[cfg_attr(test, allow(x))] #[path::to = 1 + 2] struct S)"));
    }

    [Fact]
    public void Types_keep_their_generic_arguments()
    {
        var table = Table("macro_rules! m { ($t:ty, $n:ident) => { struct $n($t); }; }");
        Assert.Equal("struct S ( HashMap < K , Vec < u8 >> ) ;", Expand(table, "m!(HashMap<K, Vec<u8>>, S)"));
    }

    [Fact]
    public void Repetitions_with_separators_and_nested_repetitions_transcribe_per_iteration()
    {
        var table = Table("macro_rules! m { ($($f:ident($($a:ident),*));* $(;)?) => { $(fn $f() { $(let _ = $a;)* })* }; }");
        Assert.Equal("fn f ( ) { let _ = a ; let _ = b ; } fn g ( ) { }", Expand(table, "m!(f(a, b); g();)"));
    }

    [Fact]
    public void Rules_are_tried_in_order_and_nested_calls_expand_through_crate_paths()
    {
        var table = Table(
            "macro_rules! outer { (@inner $e:expr) => { $e }; ($e:expr) => { $crate::inner!(@go $e) }; }",
            "mod x { macro_rules! inner { (@go $e:expr) => { unsafe fn g() { $e } }; } }");
        Assert.Equal("unsafe fn g ( ) { ( a + b ) }", Expand(table, "outer!(a + b)"));
    }

    [Fact]
    public void No_matching_rule_or_endless_recursion_gives_no_expansion()
    {
        var table = Table("macro_rules! m { (a) => { 1 }; } macro_rules! r { ($($t:tt)*) => { r!($($t)* $($t)*) }; }");
        Assert.Null(Expand(table, "m!(b)"));
        Assert.Null(Expand(table, "r!(x)"));
    }

    [Fact]
    public void Locations_map_back_only_for_code_written_at_the_call()
    {
        var table = Table("macro_rules! m { ($e:expr) => { unsafe fn f() { g($e) } }; }");
        var call = "m!(p.read())";
        var bytes = Encoding.UTF8.GetBytes(call);
        var trees = MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true)!;
        var expansion = Expansion.Render(MacroExpander.Expand(table, "m", trees[2].Children!)!, "", "");
        var text = Encoding.UTF8.GetString(expansion.Text);
        int read = text.IndexOf("p . read ( )", StringComparison.Ordinal);
        Assert.Equal(TextSpan.FromBounds(3, 11), expansion.Map(new TextSpan(read, "p . read ( )".Length)));
        // The call of g is the macro's: its first token was written in the definition.
        int g = text.IndexOf("g (", StringComparison.Ordinal);
        Assert.Null(expansion.Map(TextSpan.FromBounds(g, text.LastIndexOf(')') + 1)));
    }

    /// <summary>Any token soup as a macro's input or definition: expansion ends, without exceptions.</summary>
    [Property(MaxTest = 300)]
    public Property Expansion_of_arbitrary_tokens_terminates()
    {
        var pieces = new[] { "$e", ":expr", ":tt", ":ty", "$(", ")*", ")+", ")?", ",", ";", "=>", "(", ")", "{", "}", "[", "]", "a", "m!", "<", ">", "|", "'a", "\"s\"", "1" };
        var soup = Gen.ArrayOf(Gen.Elements(pieces)).Select(a => string.Join(" ", a));
        return Prop.ForAll(soup.ToArbitrary(), soup.ToArbitrary(), (matcher, input) =>
        {
            var table = Table($"macro_rules! m {{ ({matcher}) => {{ {matcher} m!({input}) }}; ($($t:tt)*) => {{ }}; }}");
            var bytes = Encoding.UTF8.GetBytes(input);
            if (MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true) is { } trees)
                _ = MacroExpander.Expand(table, "m", trees);
            return true;
        });
    }

    [Fact]
    public void An_expansion_may_hold_unsafe_when_a_reached_rule_writes_it_or_the_call_passes_it()
    {
        var table = Table(
            "macro_rules! writer { ($n:ident) => { unsafe fn $n() {} }; }",
            "macro_rules! via { ($n:ident) => { $crate::writer!($n); }; }",
            "macro_rules! plain { ($($t:tt)*) => { $($t)* }; }",
            "macro_rules! dollar { () => { $unsafe fn f() {} }; }");
        bool May(string name, string arguments) => table.MayExpandToUnsafe(name, Encoding.UTF8.GetBytes(arguments));
        Assert.True(May("writer", "f"));
        Assert.True(May("via", "f"));         // through a rule's nested invocation
        Assert.True(May("dollar", ""));       // an unbound `$unsafe` is written as it is
        Assert.True(May("plain", "unsafe fn f() {}"));
        Assert.True(May("plain", "writer!(f);")); // the call names a writer that the expansion invokes
        Assert.False(May("plain", "fn f() {} struct rewriter; // writers_, writer_x: other names"));
        Assert.False(Table("macro_rules! m { ($e:expr) => { fn f() { $e } }; }").MayExpandToUnsafe("m", "g(1)"u8));
    }

    /// <summary>
    /// What lets the extractor skip an item-level expansion: when <see cref="MacroTable.MayExpandToUnsafe"/> says no,
    /// the expansion (nested invocations included) holds no <c>unsafe</c> token.
    /// </summary>
    [Property(MaxTest = 500)]
    public Property An_expansion_said_to_hold_no_unsafe_holds_none()
    {
        var pieces = new[] { "unsafe", "$unsafe", "fn", "f", "a!", "b!", "c!", "$crate::a!", "$x", "$($x)*", "(", ")", "{", "}", ";", ",", "b" };
        var soup = Gen.ArrayOf(Gen.Elements(pieces)).Select(a => string.Join(" ", a));
        var rules = Gen.ArrayOf(soup, 3);
        return Prop.ForAll(rules.ToArbitrary(), soup.ToArbitrary(), (bodies, input) =>
        {
            var (ta, tb, tc) = (bodies[0], bodies[1], bodies[2]);
            // Unbalanced soup leaves a definition out, as a file's macro_rules! that does not lex would be.
            var table = Table($"macro_rules! a {{ ($($x:tt)*) => {{ {ta} }}; }}", $"macro_rules! b {{ ($($x:tt)*) => {{ {tb} }}; }}",
                $"macro_rules! c {{ ($($x:tt)*) => {{ {tc} }}; }}");
            var bytes = Encoding.UTF8.GetBytes(input);
            if (MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true) is not { } trees) return true;
            return new[] { "a", "b", "c" }.All(name => table.MayExpandToUnsafe(name, bytes)
                || MacroExpander.Expand(table, name, trees) is not { } output || !TokenTree.HoldsUnsafe(output));
        });
    }

    /// <summary>The length the extractor charges to a file's budget for an expansion it does not render is the rendered length.</summary>
    [Property(MaxTest = 300)]
    public Property Rendered_length_is_the_length_of_the_rendered_text()
    {
        var pieces = new[] { "unsafe", "fn", "f", "(", ")", "{", "}", "[", "]", ";", "é", "\"ß\"", "'a", "::", "1.5", "r#\"x\"#", "//c\n", "/* ü */" };
        var soup = Gen.ArrayOf(Gen.Elements(pieces)).Select(a => string.Join(" ", a));
        return Prop.ForAll(soup.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (code, wrap) =>
        {
            var bytes = Encoding.UTF8.GetBytes(code);
            if (MacroLexer.Lex(bytes, 0, bytes.Length, callSite: true) is not { } trees) return true;
            var (prefix, suffix) = wrap ? ("const _: () = {", "};") : ("", "");
            return Expansion.RenderedLength(trees, prefix, suffix) == Expansion.Render(trees, prefix, suffix).Text.Length;
        });
    }

    [Fact]
    public void Char_literals_holding_a_quote_or_a_backslash_are_one_token()
    {
        var bytes = Encoding.UTF8.GetBytes("f('\\'', '\"', '\\\\', '\\u{1F600}', x)");
        var trees = MacroLexer.Lex(bytes, 0, bytes.Length, callSite: false)!;
        Assert.Equal(2, trees.Count);
        var args = trees[1].Children!.Where(t => !t.IsPunct(",")).Select(t => (t.Token.Kind, t.Token.Text)).ToArray();
        Assert.Equal([(TokenKind.Literal, "'\\''"), (TokenKind.Literal, "'\"'"), (TokenKind.Literal, "'\\\\'"), (TokenKind.Literal, "'\\u{1F600}'"), (TokenKind.Ident, "x")], args);
    }

    [Fact]
    public void A_raw_identifier_is_one_identifier_and_a_raw_string_one_literal()
    {
        // r#try once opened a raw string that ran to the end of the file (found by lazy-proof's lean scanner in std's
        // panicking.rs, os_str_bytes and print_bytes: unsafe blocks after it were not seen).
        var bytes = Encoding.UTF8.GetBytes("r#impl!(r#try, r#\"a\"b\"#, br##\"c\"##, unsafe { f() })");
        var trees = MacroLexer.Lex(bytes, 0, bytes.Length, callSite: false)!;
        Assert.Equal(3, trees.Count);
        Assert.Equal((TokenKind.Ident, "r#impl"), (trees[0].Token.Kind, trees[0].Token.Text));
        var args = trees[2].Children!.Where(t => !t.IsPunct(",")).Take(4).Select(t => (t.Token.Kind, t.Token.Text)).ToArray();
        Assert.Equal([(TokenKind.Ident, "r#try"), (TokenKind.Literal, "r#\"a\"b\"#"), (TokenKind.Literal, "br##\"c\"##"), (TokenKind.Ident, "unsafe")], args);
    }
}
