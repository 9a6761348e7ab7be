using System.Collections.Immutable;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Catalogs;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Reports;
using UnsafeScope.Sarif;
using UnsafeScope.Syntax;
using UnsafeScope.Syntax.Macros;
using UnsafeScope.Tests.Corpus;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Inventory;

/// <summary>
/// <see cref="ParseMode.All"/> makes, parses and walks the macro expansions that the lazy path proves cannot change a
/// result, and keeps what they show: the facts, and so every output, must be the same as the lazy path's.
/// </summary>
public sealed class ParseModeTests
{
    private static (byte[] Facts, int Parses) Extract(string source, ParseMode mode)
    {
        var tree = RustSyntaxTree.Parse(SourceText.From(source, "src/lib.rs"));
        var macros = MacroTable.Build([Encoding.UTF8.GetBytes(source)]);
        var budget = new ParseBudget(TimeSpan.Zero, CancellationToken.None);
        var facts = Extractor.Extract(tree, ApiCatalog.Default, "src/lib.rs", "demo", "", null, macros, budget, mode == ParseMode.All);
        using var bytes = new MemoryStream();
        using (var w = new RecordWriter(bytes))
            FileRecordFormat.Write(w, new FileRecord(new FileResult { Path = "src/lib.rs", Status = FileStatus.Analyzed }, facts, []));
        return (bytes.ToArray(), budget.Parses);
    }

    // Each proof the lazy path uses, alone: the expansion is skipped there and parsed with --parse all.
    [Theory]
    // 1. No rule writes `unsafe` and the call passes none: not even expanded.
    [InlineData("macro_rules! safe { ($n:ident) => { pub fn $n() {} }; }\nsafe!(f);")]
    // 2. The call passes `unsafe`, but the rule drops it: expanded, no `unsafe` in the expansion.
    [InlineData("macro_rules! drop_it { ($($t:tt)*) => { pub fn g() {} }; }\ndrop_it!(unsafe { x() });")]
    // 3. The rule writes an unsafe fn, but nothing written at the call is inside it: all of it is the macro's own code.
    [InlineData("macro_rules! own { ($n:ident) => { pub fn $n() {} pub unsafe fn helper(p: *const u8) -> u8 { *p } }; }\nown!(h);")]
    public void Each_proof_skips_a_parse_that_parse_all_makes_and_the_facts_are_the_same(string source)
    {
        var (lazy, lazyParses) = Extract(source, ParseMode.Lazy);
        var (all, allParses) = Extract(source, ParseMode.All);
        Assert.Equal(0, lazyParses);
        Assert.Equal(1, allParses);
        Assert.Equal(lazy, all);
    }

    [Fact]
    public void An_expansion_that_keeps_code_written_at_the_call_is_parsed_in_both_modes()
    {
        // glib's wrapper!-style: the macro writes an unsafe fn around the closure it is given; the deref is the call's.
        const string source = "macro_rules! wrap { ($b:block) => { pub unsafe fn run(p: *const u8) -> u8 $b }; }\nwrap!({ *p });";
        var (lazy, lazyParses) = Extract(source, ParseMode.Lazy);
        var (all, allParses) = Extract(source, ParseMode.All);
        Assert.Equal(1, lazyParses);
        Assert.Equal(1, allParses);
        Assert.Equal(lazy, all);
    }

    /// <summary>
    /// Random crates of three macros and item-level calls (and a call in an unsafe fn, which is never skipped): the
    /// facts of the lazy path equal those of --parse all.
    /// </summary>
    [Property(MaxTest = 200)]
    public Property The_lazy_facts_are_the_facts_of_parse_all()
    {
        var pieces = new[]
        {
            "unsafe", "fn", "pub", "f", "g", "$x", "$($x)*", "a!", "b!", "$crate::c!", "(", ")", "{", "}", ";", "*p", "-> u8",
            "unsafe fn k(p: *const u8) -> u8 {", "}", "x()", "unsafe {", "extern \"C\" {", "static mut S: u8 = 0;",
        };
        var soup = Gen.ArrayOf(Gen.Elements(pieces)).Select(a => string.Join(" ", a));
        return Prop.ForAll(Gen.ArrayOf(soup, 3).ToArbitrary(), Gen.ArrayOf(soup, 3).ToArbitrary(), (bodies, calls) =>
        {
            var source = new StringBuilder();
            foreach (var (name, body) in new[] { "a", "b", "c" }.Zip(bodies))
                source.Append($"macro_rules! {name} {{ ($($x:tt)*) => {{ {body} }}; }}\n");
            foreach (var (name, call) in new[] { "a", "b", "c" }.Zip(calls))
                source.Append($"{name}!({call});\n");
            source.Append($"pub unsafe fn caller(p: *const u8) {{ a!({calls[0]}); }}\n");
            var text = source.ToString();
            return Extract(text, ParseMode.Lazy).Facts.AsSpan().SequenceEqual(Extract(text, ParseMode.All).Facts);
        });
    }

    [CorpusFact]
    public void The_corpus_outputs_of_the_lazy_path_are_those_of_parse_all()
    {
        var (lazySarif, lazyJson) = Outputs(ParseMode.Lazy);
        var (allSarif, allJson) = Outputs(ParseMode.All);
        Assert.True(lazySarif.AsSpan().SequenceEqual(allSarif), "SARIF differs between --parse lazy and --parse all: " + FirstDifference(lazySarif, allSarif));
        Assert.True(lazyJson.AsSpan().SequenceEqual(allJson), "JSON differs between --parse lazy and --parse all: " + FirstDifference(lazyJson, allJson));

        static string FirstDifference(byte[] a, byte[] b)
        {
            var (x, y) = (Encoding.UTF8.GetString(a).Split('\n'), Encoding.UTF8.GetString(b).Split('\n'));
            int i = 0;
            while (i < x.Length && i < y.Length && x[i] == y[i]) i++;
            string At(string[] lines) => i < lines.Length ? lines[i].Trim() : "<end>";
            return $"line {i + 1}: lazy {At(x)} | all {At(y)} (context: {string.Join(" ", x.Skip(Math.Max(0, i - 6)).Take(6).Select(l => l.Trim()))})";
        }

        static (byte[] Sarif, byte[] Json) Outputs(ParseMode mode)
        {
            var result = Analysis.Run(new AnalysisOptions { Paths = [.. DebianCorpus.Roots], BaseDirectory = "/usr", Jobs = Environment.ProcessorCount, Parse = mode });
            using var sarif = new MemoryStream();
            SarifLogWriter.Write(result, new SarifWriteOptions { IncludeTimes = false }, sarif); // times differ between runs
            using var json = new MemoryStream();
            InventoryJsonWriter.Write(result, json);
            return (sarif.ToArray(), json.ToArray());
        }
    }
}
