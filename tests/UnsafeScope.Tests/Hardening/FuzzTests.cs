using UnsafeScope.Diagnostics;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Driver;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Hardening;

/// <summary>Rust source with what its generator knows about it: how many unsafe blocks and unsafe functions it wrote.</summary>
public readonly record struct Code(string Text, int UnsafeBlocks = 0, int UnsafeFunctions = 0)
{
    public static Code operator +(Code a, Code b) => new(a.Text + b.Text, a.UnsafeBlocks + b.UnsafeBlocks, a.UnsafeFunctions + b.UnsafeFunctions);

    public override string ToString() => $"[{UnsafeBlocks} unsafe blocks, {UnsafeFunctions} unsafe fns]\n{Text}";
}

/// <summary>A real fixture file after a list of mutations (shown when a case fails, so it can be replayed).</summary>
public sealed record MutatedFixture(string Fixture, byte[] Bytes, IReadOnlyList<string> Mutations)
{
    public override string ToString() => $"{Fixture} after {string.Join(", ", Mutations)}";
}

/// <summary>
/// Generators for fuzzing the whole driver: programs built from the Rust grammar (items, statements and
/// expressions nested to a bounded depth, counting the unsafe blocks and functions they write), and the
/// repository's own fixtures after truncation, byte flips and insertion of <c>unsafe</c>, <c>{</c>, <c>"</c>, <c>/*</c>.
/// </summary>
public static class FuzzArbitraries
{
    private static readonly string[] s_names = ["a", "b", "x", "len", "buf", "ptr", "value", "read_reg", "io", "ctx", "r#type"];
    private static readonly string[] s_types = ["u8", "u32", "i64", "usize", "*const u8", "*mut u32", "&[u8]", "&mut u16", "Option<u32>", "Vec<*mut u8>", "[u8; 4]", "(u8, i32)", "fn(u32) -> u32", "Box<dyn Fn()>"];
    private static readonly string[] s_literals = ["0", "1u8", "0x1F", "2.5", "'c'", "'\\n'", "\"s\"", "\"é 😀\"", "b\"bytes\"", "r\"raw\"", "r#\"a \"quoted\" raw\"#", "true", "None", "1_000"];

    private static Gen<Code> Lit(string text) => Gen.Constant(new Code(text));

    // Builds a recursive generator only when it is sampled: built eagerly, the nesting would multiply out.
    private static Gen<Code> Defer(Func<Gen<Code>> make) => Gen.Constant(0).SelectMany(_ => make());

    private static Gen<Code> Cat(params Gen<Code>[] parts)
        => parts.Aggregate(Lit(""), (acc, part) => acc.SelectMany(a => part.Select(b => a + b)));

    private static Gen<Code> Name => Gen.Elements(s_names).Select(n => new Code(n));

    private static Gen<Code> Type => Gen.Elements(s_types).Select(t => new Code(t));

    private static Gen<Code> Join(Gen<Code> item, int max, string separator)
        => Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(item, n)).Select(items => items.Length == 0 ? new Code("")
            : items.Skip(1).Aggregate(items[0], (acc, c) => acc + new Code(separator) + c));

    /// <summary>An expression without blocks or struct literals: fits an <c>if</c>/<c>while</c> condition.</summary>
    private static Gen<Code> Condition
        => Gen.OneOf(Name, Lit("true"), Cat(Name, Lit(" == "), Gen.Elements(s_literals).Select(l => new Code(l))), Cat(Lit("!"), Name), Cat(Name, Lit(".is_null()")));

    private static Gen<Code> Expr(int depth)
    {
        var atom = Gen.OneOf(Name, Gen.Elements(s_literals).Select(l => new Code(l)));
        if (depth <= 0) return atom;
        var e = Defer(() => Expr(depth - 1));
        var body = Defer(() => Stmts(depth - 1));
        return Gen.Frequency(
            (4, atom),
            // The left operand is parenthesized: `unsafe { a } | b` at the start of a statement or arm ends at the block.
            (2, Cat(Lit("("), e, Lit(")"), Gen.Elements(" + ", " * ", " - ", " & ", " | ", " == ", " && ").Select(o => new Code(o)), e)),
            (2, Cat(Name, Lit("("), Join(e, 3, ", "), Lit(")"))),
            (1, Cat(Lit("("), e, Lit(")."), Name, Lit("("), Join(e, 2, ", "), Lit(")"))),
            (1, Cat(Lit("("), e, Lit(")."), Name)),
            (1, Cat(Name, Lit("["), e, Lit("]"))),
            (3, Cat(Lit("unsafe { "), e, Lit(" }")).Select(c => c with { UnsafeBlocks = c.UnsafeBlocks + 1 })),
            (1, Cat(Lit("unsafe { "), body, e, Lit(" }")).Select(c => c with { UnsafeBlocks = c.UnsafeBlocks + 1 })),
            (1, Cat(Lit("|"), Name, Lit("| "), e)),
            (1, Cat(Lit("move || { "), body, Lit("}"))),
            (1, Cat(Lit("*"), Name)),
            (1, Cat(Lit("&raw const "), Name)),
            (1, Cat(Lit("&mut "), Name)),
            (1, Cat(Name, Lit(" as "), Type)),
            (1, Cat(Lit("["), Join(e, 3, ", "), Lit("]"))),
            (1, Cat(Lit("("), e, Lit(", "), e, Lit(")"))),
            (1, Cat(Lit("core::ptr::read_volatile("), Name, Lit(")"))),
            (1, Cat(Lit("core::mem::transmute::<u32, f32>("), e, Lit(")"))),
            (1, Cat(Lit("S { a: "), e, Lit(", ..Default::default() }"))),
            (1, Cat(Lit("if "), Condition, Lit(" { "), e, Lit(" } else { "), e, Lit(" }"))),
            (1, Cat(Lit("match "), Name, Lit(" { 0 => "), e, Lit(", Some(x) if x > 1 => { "), body, Lit("} _ => "), e, Lit(" }"))),
            (1, Cat(Lit("{ "), body, e, Lit(" }"))),
            (1, Cat(Gen.Elements("vec!", "format!", "assert!", "matches!").Select(m => new Code(m)), Lit("["), Join(atom, 3, ", "), Lit("]"))));
    }

    private static Gen<Code> Stmt(int depth)
    {
        var e = Expr(depth);
        var basic = Gen.Frequency(
            (3, Cat(Lit("let "), Gen.Elements("", "mut ").Select(m => new Code(m)), Name, Lit(": "), Type, Lit(" = "), e, Lit(";\n"))),
            (2, Cat(Lit("_ = "), e, Lit(";\n"))), // not `e;`: a block-like expression would end the statement early
            (1, Lit("// SAFETY: the pointer is valid for reads\n")),
            (1, Lit("/* block comment with unsafe { and \" inside */\n")));
        if (depth <= 0) return basic;
        var body = Defer(() => Stmts(depth - 1));
        return Gen.Frequency(
            (5, basic),
            (3, Cat(Lit("unsafe {\n"), body, Lit("}\n")).Select(c => c with { UnsafeBlocks = c.UnsafeBlocks + 1 })),
            (1, Cat(Lit("if "), Condition, Lit(" {\n"), body, Lit("} else if "), Condition, Lit(" {\n"), body, Lit("}\n"))),
            (1, Cat(Lit("while "), Condition, Lit(" {\n"), body, Lit("}\n"))),
            (1, Cat(Lit("for i in 0..len {\n"), body, Lit("}\n"))),
            (1, Cat(Lit("'outer: loop {\n"), body, Lit("break 'outer;\n}\n"))),
            (1, Defer(() => Item(depth - 1))));
    }

    private static Gen<Code> Stmts(int depth) => Join(Stmt(depth), 4, "");

    private static Gen<Code> Params => Join(Cat(Name, Lit(": "), Type), 3, ", ");

    private static Gen<Code> Fn(int depth, bool isUnsafe, string prefix = "")
        => Cat(Lit(prefix + (isUnsafe ? "unsafe fn " : "fn ")), Name, Lit("("), Params, Lit(") -> "), Type, Lit(" {\n"), Defer(() => Stmts(depth)), Lit("}\n"))
            .Select(c => isUnsafe ? c with { UnsafeFunctions = c.UnsafeFunctions + 1 } : c);

    private static Gen<Code> Item(int depth)
    {
        var items = new List<(int, Gen<Code>)>
        {
            (4, Fn(depth, false, "pub ")),
            (2, Fn(depth, true, "/// # Safety\n/// `ptr` must be valid.\npub ")),
            (1, Fn(depth, true, "#[inline]\npub(crate) ")),
            (1, Cat(Lit("static mut "), Name, Lit(": u32 = 0;\n"))),
            (1, Cat(Lit("extern \"C\" {\n    fn "), Name, Lit("(x: i32) -> i32;\n    static mut errno: i32;\n}\n"))),
            (1, Cat(Lit("#[no_mangle]\npub extern \"C\" fn "), Name, Lit("(p: *mut u8) {}\n"))),
            (1, Cat(Lit("#[repr(C)]\nstruct "), Name, Lit(" { a: u32, b: *mut u8 }\n"))),
            (1, Cat(Lit("union "), Name, Lit(" { a: u32, b: f32 }\n"))),
            (1, Cat(Lit("unsafe impl Send for "), Name, Lit(" {}\n"))),
            (1, Cat(Lit("pub unsafe trait "), Name, Lit(" { unsafe fn m(&self); }\n")).Select(c => c with { UnsafeFunctions = c.UnsafeFunctions + 1 })),
            (1, Cat(Lit("const "), Name, Lit(": u32 = "), Expr(0), Lit(";\n"))),
            (1, Lit("use core::ptr::{self, NonNull};\n")),
            (1, Lit("macro_rules! m { ($e:expr) => { $e + 1 }; }\n")),
        };
        if (depth > 0)
        {
            items.Add((1, Cat(Lit("impl S {\n"), Fn(depth - 1, true, "pub "), Fn(depth - 1, false), Lit("}\n"))));
            items.Add((1, Cat(Lit("mod "), Name, Lit(" {\n"), Join(Defer(() => Item(depth - 1)), 3, ""), Lit("}\n"))));
        }
        return Gen.Frequency(items);
    }

    /// <summary>A whole file: items nested up to a depth that grows with FsCheck's size.</summary>
    public static Arbitrary<Code> Program()
        => Gen.Sized(size => Gen.Choose(1, Math.Clamp(size / 20 + 1, 1, 4)).SelectMany(depth => Join(Item(depth), 6, "\n"))).ToArbitrary();

    // ---------------------------------------------------------------- mutations of real fixtures

    private static readonly Lazy<(string Name, byte[] Bytes)[]> s_fixtures = new(() =>
        [.. Directory.EnumerateFiles(RepoPaths.Fixtures(), "*.rs", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(RepoPaths.Fixtures(), p).Replace('\\', '/'), File.ReadAllBytes(p)))]);

    private static readonly string[] s_insertions = ["unsafe", "unsafe {", "{", "}", "\"", "/*", "*/", "r#\"", "'", "(", "\n", "//", "\\", "é", "\r"];

    private abstract record Mutation
    {
        public abstract byte[] Apply(byte[] b);
    }

    private sealed record Truncate(double At) : Mutation
    {
        public override byte[] Apply(byte[] b) => b[..(int)(b.Length * At)];
    }

    private sealed record FlipBit(double At, int Bit) : Mutation
    {
        public override byte[] Apply(byte[] b)
        {
            if (b.Length == 0) return b;
            var c = (byte[])b.Clone();
            c[Math.Min(b.Length - 1, (int)(b.Length * At))] ^= (byte)(1 << Bit);
            return c;
        }
    }

    private sealed record Insert(double At, string Text) : Mutation
    {
        public override byte[] Apply(byte[] b)
        {
            int at = (int)(b.Length * At);
            return [.. b[..at], .. Encoding.UTF8.GetBytes(Text), .. b[at..]];
        }
    }

    private sealed record DeleteRange(double At, int Length) : Mutation
    {
        public override byte[] Apply(byte[] b)
        {
            int at = (int)(b.Length * At), end = Math.Min(b.Length, at + Length);
            return [.. b[..at], .. b[end..]];
        }
    }

    private static Gen<double> Position => Gen.Choose(0, 10_000).Select(i => i / 10_000.0);

    private static Gen<Mutation> AnyMutation => Gen.Frequency(
        (1, Position.Select(p => (Mutation)new Truncate(p))),
        (3, Position.SelectMany(p => Gen.Choose(0, 7).Select(bit => (Mutation)new FlipBit(p, bit)))),
        (5, Position.SelectMany(p => Gen.Elements(s_insertions).Select(t => (Mutation)new Insert(p, t)))),
        (1, Position.SelectMany(p => Gen.Choose(1, 200).Select(n => (Mutation)new DeleteRange(p, n)))));

    public static Arbitrary<MutatedFixture> Mutated()
        => Gen.Elements(s_fixtures.Value).SelectMany(f => Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(AnyMutation, n)).Select(ms =>
            new MutatedFixture(f.Name, ms.Aggregate(f.Bytes, (b, m) => m.Apply(b)), [.. ms.Select(m => m.ToString())]))).ToArbitrary();
}

/// <summary>
/// Fuzzing through the whole driver (<see cref="Analysis.Run"/>: discovery, read, parse, extraction, every built-in
/// analyzer and query pack, crate linking): no exception escapes, every run ends within a bound, and a good file
/// next to the fuzzed one gets exactly the results it gets alone.
/// </summary>
[Properties(Arbitrary = [typeof(FuzzArbitraries)], MaxTest = 200)]
public sealed class FuzzTests
{
    private const string Companion = "good/src/lib.rs";
    // Generous: a case takes milliseconds; the bound is there to catch a hang, never to measure speed.
    private static readonly TimeSpan s_runBound = TimeSpan.FromSeconds(60);
    private static readonly Lazy<string> s_solo = new(() => Harness(null).CompanionJson);

    /// <summary>A crate of its own holding a real fixture with many findings, so nothing the fuzzed crate does can change it.</summary>
    private static void WriteCompanion(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "good", "src"));
        File.WriteAllText(Path.Combine(root, "good", "Cargo.toml"), "[package]\nname = \"good\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        File.Copy(Path.Combine(RepoPaths.Fixtures(), "inventory", "driver", "src", "lib.rs"), Path.Combine(root, Companion));
    }

    /// <summary>Runs the driver over the companion crate and (when given) a fuzzed crate; returns the fuzzed file's result and the companion's JSON.</summary>
    private static (FileResult? Fuzzed, string CompanionJson, TimeSpan Elapsed) Harness(byte[]? fuzzed)
    {
        var root = Directory.CreateTempSubdirectory("unsafescope-fuzz-").FullName;
        try
        {
            WriteCompanion(root);
            if (fuzzed is not null)
            {
                Directory.CreateDirectory(Path.Combine(root, "fuzz", "src"));
                File.WriteAllText(Path.Combine(root, "fuzz", "Cargo.toml"), "[package]\nname = \"fuzz\"\nversion = \"0.1.0\"\nedition = \"2024\"\n");
                File.WriteAllBytes(Path.Combine(root, "fuzz", "src", "lib.rs"), fuzzed);
            }
            var clock = Stopwatch.StartNew();
            var result = Analysis.Run(new AnalysisOptions { Paths = [root], BaseDirectory = root, Jobs = 2, ParseTimeout = TimeSpan.FromSeconds(20) });
            var elapsed = clock.Elapsed;
            using var json = new MemoryStream();
            InventoryJsonWriter.Write(result, json);
            using var doc = JsonDocument.Parse(json.ToArray());
            var companion = doc.RootElement.GetProperty("files").EnumerateArray().Single(f => f.GetProperty("path").GetString() == Companion).GetRawText();
            return (result.Files.SingleOrDefault(f => f.Path == "fuzz/src/lib.rs"), companion, elapsed);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Property]
    public void GrammarShapedProgramsParseCleanlyWithExactCounts(Code program)
    {
        var (fuzzed, companion, elapsed) = Harness(Encoding.UTF8.GetBytes(program.Text));
        Assert.True(elapsed < s_runBound, $"the run took {elapsed}");
        Assert.NotNull(fuzzed);
        Assert.Equal(FileStatus.Analyzed, fuzzed.Status);
        Assert.Equal(0, fuzzed.SyntaxErrors);
        Assert.Equal(program.UnsafeBlocks, fuzzed.Inventory!.Counts.UnsafeBlocks);
        Assert.Equal(program.UnsafeFunctions, fuzzed.Inventory.Counts.UnsafeFunctions);
        Assert.Equal(s_solo.Value, companion);
    }

    [Property]
    public void MutatedFixturesNeverBreakTheRunNorTheirNeighbours(MutatedFixture input)
    {
        var (fuzzed, companion, elapsed) = Harness(input.Bytes);
        Assert.True(elapsed < s_runBound, $"the run took {elapsed}");
        Assert.NotNull(fuzzed);
        // Either analyzed (with error recovery) or skipped with a reason (binary after a flip to NUL); never an internal error.
        Assert.DoesNotContain(fuzzed.Notifications, n => n.Id is NotificationIds.InternalError or NotificationIds.AnalyzerFailed);
        if (fuzzed.Status == FileStatus.Skipped) Assert.NotEmpty(fuzzed.Notifications);
        else Assert.NotNull(fuzzed.Inventory);
        Assert.Equal(s_solo.Value, companion);
    }
}
