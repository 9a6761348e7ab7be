using UnsafeScope.Diagnostics;
using System.Diagnostics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Driver;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// Inputs shaped to break parsers and analyzers: 10,000 levels of every kind of nesting, a 50 MB file, a 10 MB line
/// full of findings, and files in other encodings. Each is analyzed (or skipped with a reason), exactly, in bounded time.
/// </summary>
public sealed class PathologicalInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-pathological-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string rel, byte[] bytes)
    {
        var p = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    private string Write(string rel, string text) => Write(rel, Encoding.UTF8.GetBytes(text));

    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    [Fact]
    public void TenThousandLevelsOfEveryKindOfNestingAreAnalyzedExactly()
    {
        const int n = 10_000;
        // name → (source, unsafe blocks, unsafe functions)
        var shapes = new Dictionary<string, (string Text, int Blocks, int Functions)>
        {
            ["blocks"] = ("fn f() " + new string('{', n) + new string('}', n), 0, 0),
            ["unsafe_blocks"] = ("fn f() { " + Repeat("unsafe { ", n) + "g()" + new string('}', n) + " }", n, 0),
            ["parens"] = ("fn f() { let x = " + new string('(', n) + "1" + new string(')', n) + "; }", 0, 0),
            ["derefs"] = ("fn f(p: *const u8) { unsafe { let x = " + new string('*', n) + "p; } }", 1, 0),
            ["modules"] = (Repeat("mod a { ", n) + "pub unsafe fn g() {}" + new string('}', n), 0, 1),
            ["generics"] = ("type T = " + Repeat("Vec<", n) + "u8" + new string('>', n) + ";", 0, 0),
            ["macro_token_trees"] = ("fn f() { " + Repeat("m!(", n) + "unsafe { g() }" + new string(')', n) + "; }", 1, 0),
            ["closures"] = ("fn f() { let c = " + Repeat("|| ", n) + "unsafe { g() }; }", 1, 0),
            ["else_if_chain"] = ("fn f() { " + Repeat("if a { unsafe { g() } } else ", n) + "{} }", n, 0),
            ["matches"] = ("fn f() { " + Repeat("match x { _ => ", n) + "unsafe { g() }" + new string('}', n) + " }", 1, 0),
            ["nested_fns"] = ("fn f() { " + Repeat("unsafe fn g() { ", n) + "unsafe { h() }" + new string('}', n) + " }", 1, n),
            ["arrays"] = ("fn f() { let x = " + new string('[', n) + new string(']', n) + "; }", 0, 0),
            ["field_chain"] = ("fn f() { unsafe { (*p)" + Repeat(".a", n) + " = 1; } }", 1, 0),
            ["method_chain"] = ("fn f() { unsafe { x" + Repeat(".g()", n) + "; } }", 1, 0),
        };
        foreach (var (name, shape) in shapes) Write($"src/{name}.rs", shape.Text);

        // The caller's thread runs the crate and file actions: a 1 MiB stack (a Windows main thread) proves none recurses with depth.
        AnalysisResult? result = null;
        var clock = Stopwatch.StartNew();
        var thread = new Thread(() => result = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 }), 1024 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromMinutes(3)), "the run did not finish");
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3));
        foreach (var (name, shape) in shapes)
        {
            var f = result!.Files.Single(f => f.Path == $"src/{name}.rs");
            Assert.True(f.Status == FileStatus.Analyzed, $"{name}: {string.Join("; ", f.Notifications.Select(x => x.Message))}");
            Assert.True(shape.Blocks == f.Inventory!.Counts.UnsafeBlocks, $"{name}: {f.Inventory.Counts.UnsafeBlocks} unsafe blocks, expected {shape.Blocks}");
            Assert.True(shape.Functions == f.Inventory.Counts.UnsafeFunctions, $"{name}: {f.Inventory.Counts.UnsafeFunctions} unsafe fns, expected {shape.Functions}");
        }
        Assert.Equal(n, result!.Files.Single(f => f.Path == "src/unsafe_blocks.rs").Diagnostics.Count(d => d.Id == "US1001"));
    }

    [Fact]
    public void AFiftyMegabyteFileIsCappedByDefaultAndAnalyzedExactlyWhenTheCapIsRaised()
    {
        // Mostly comments (few nodes per byte, so memory stays small) with unsafe blocks at the start, past 16 MiB and at
        // the end: offsets past 2^24 and 2^25 must still map to the right lines.
        var comment = "// " + new string('c', 96) + "\n"; // 100 bytes a line
        const int linesPerPart = 170_000;                 // 17 MB a part
        var block = "pub fn f() -> u8 { unsafe { g() } }\n";
        var text = block + Repeat(comment, linesPerPart) + block + Repeat(comment, linesPerPart) + Repeat(comment, linesPerPart) + block;
        Write("big/src/lib.rs", text);
        Write("small/src/lib.rs", "pub fn f() { unsafe { g() } }\n");
        Assert.True(text.Length > 50_000_000);

        var capped = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 });
        var big = capped.Files.Single(f => f.Path == "big/src/lib.rs");
        Assert.Equal(NotificationIds.TooLarge, Assert.Single(big.Notifications).Id);
        Assert.Equal(text.Length, big.Bytes);
        Assert.Equal(1, capped.Files.Single(f => f.Path == "small/src/lib.rs").Inventory!.Counts.UnsafeBlocks);

        var clock = Stopwatch.StartNew();
        var raised = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2, MaxFileBytes = 64L << 20 });
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
        big = raised.Files.Single(f => f.Path == "big/src/lib.rs");
        Assert.Equal(FileStatus.Analyzed, big.Status);
        Assert.Equal(3, big.Inventory!.Counts.UnsafeBlocks);
        Assert.Equal([1, 2 + linesPerPart, 2 + 3 * linesPerPart + 1], big.Diagnostics.Where(d => d.Id == "US1001").Select(d => d.Location.StartLine));
    }

    [Fact]
    public void ATenMegabyteLineFullOfFindingsIsAnalyzedInBoundedTime()
    {
        // Minified code: 10,000 unsafe blocks on one 10 MB line, with non-ASCII text early on the line. Columns are
        // UTF-16 units from the line start, so a location must not cost a walk from the line start.
        // (Each block still costs a scan of its line prefix for a `/* SAFETY */` comment: 90,000 blocks take 77 s.)
        const int blocks = 10_000;
        var line = "pub fn f() { let s = \"é😀\"; " + Repeat("unsafe { g() } let _ = \"" + new string('x', 1_000) + "\"; ", blocks) + "}";
        Assert.True(line.Length > 10_000_000);
        Write("src/minified.rs", line);
        var clock = Stopwatch.StartNew();
        var result = CliProcess.Within(TimeSpan.FromMinutes(3), () => Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 }));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
        var f = Assert.Single(result.Files);
        Assert.Equal(blocks, f.Inventory!.Counts.UnsafeBlocks);
        var last = f.Diagnostics.Where(d => d.Id == "US1001").MaxBy(d => d.Location.SourceSpan.Start)!;
        Assert.Equal(line.LastIndexOf("unsafe", StringComparison.Ordinal), last.Location.LineSpan.Start.Character);
    }

    [Fact]
    public void OtherEncodingsAreSkippedOrReadWithANoteAndNeverMisplaced()
    {
        const string code = "// é\npub fn f() -> u8 {\n    unsafe { g() }\n}\n";
        Write("src/utf8_bom.rs", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(code)]);
        Write("src/utf16le_bom.rs", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(code)]);
        Write("src/utf16be_bom.rs", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(code)]);
        Write("src/latin1.rs", Encoding.Latin1.GetBytes(code));
        // One file mixing UTF-8, a Latin-1 byte, CRLF, LF and a lone CR.
        Write("src/mixed.rs", [.. Encoding.UTF8.GetBytes("// ü\r\n"), .. Encoding.Latin1.GetBytes("// \u00fc\n"), .. Encoding.UTF8.GetBytes("pub fn f() -> u8 {\r    unsafe { g() }\r\n}\n")]);
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 });
        FileResult F(string name) => result.Files.Single(f => f.Path == $"src/{name}.rs");

        // UTF-16 (which rustc rejects) holds NUL bytes for ASCII: skipped as binary, never parsed as garbage.
        Assert.Equal(NotificationIds.Binary, Assert.Single(F("utf16le_bom").Notifications).Id);
        Assert.Equal(NotificationIds.Binary, Assert.Single(F("utf16be_bom").Notifications).Id);
        foreach (var name in new[] { "utf8_bom", "latin1", "mixed" })
        {
            var f = F(name);
            Assert.Equal(FileStatus.Analyzed, f.Status);
            Assert.Equal(1, f.Inventory!.Counts.UnsafeBlocks);
            var d = Assert.Single(f.Diagnostics, d => d.Id == "US1001");
            // The BOM is not a character; a lone CR does not end a line (only LF does, as in the SARIF line map).
            Assert.Equal(3, d.Location.StartLine);
            Assert.Equal(name == "mixed" ? "pub fn f() -> u8 {\r    ".Length : 4, d.Location.LineSpan.Start.Character);
        }
        Assert.Empty(F("utf8_bom").Notifications);
        Assert.Equal(NotificationIds.InvalidUtf8, Assert.Single(F("latin1").Notifications).Id);
        Assert.Equal(NotificationIds.InvalidUtf8, Assert.Single(F("mixed").Notifications).Id);
    }
}

/// <summary>Columns on long lines (counted from checkpoints) agree with counting from the line start.</summary>
public class LongLineColumnProperties
{
    private static readonly string[] s_pieces = ["a", "unsafe { g() } ", "é", "😀", "中文", "\t", "\"s\" ", "\uFFFD"];

    public static Arbitrary<string> LongLine()
        => Gen.Choose(5_000, 40_000).SelectMany(n => Gen.ArrayOf(Gen.Elements(s_pieces), n / 4)).Select(parts => string.Concat(parts)).ToArbitrary();

    [Property(MaxTest = 40)]
    public Property EveryByteOffsetMapsToTheColumnOfItsCharacter(int seed)
        => Prop.ForAll(LongLine(), line =>
        {
            var text = SourceText.From("first line\n" + line + "\nlast");
            var bytes = text.Bytes.ToArray();
            int start = text.GetLineStart(1), end = text.GetLineSpan(1).End;
            var random = new Random(seed);
            for (int i = 0; i < 300; i++)
            {
                int offset = random.Next(start, end + 1);
                // The reference: decode from the line start; an offset inside a character maps to that character.
                int at = offset;
                while (at > start && (bytes[at] & 0xC0) == 0x80) at--;
                int expected = Encoding.UTF8.GetCharCount(bytes, start, at - start);
                if (text.GetLinePosition(offset) != new LinePosition(1, expected)) return false;
            }
            return true;
        });
}
