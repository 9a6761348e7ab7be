using System.Numerics;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// GitHub's <c>primaryLocationLineHash</c>. The hash of a line is <c>Σ c[k]·37^(99−k) mod 2^64</c> over the first 100
/// kept UTF-16 units from the line's start (spaces and tabs dropped, CR/CRLF → LF, then 65535 for end of file, then 0s).
/// Expected values come from three places: hand arithmetic with the powers below (the smallest cases), the direct
/// BigInteger polynomial (an oracle independent of the rolling window), and the test data of github/codeql-action's
/// <c>src/fingerprints.test.ts</c> (values the action itself produces).
/// </summary>
public sealed class LineHashTests
{
    // Powers of 37 modulo 2^64, the weights of the first units of a window (unit k has weight 37^(99−k)):
    //   37^99  = 0x89aa4ad3bc31365d   (unit 0)
    //   37^98  = 0x4fd42b892e998bd9   (unit 1)
    //   37^97  = 0x93746fe11cef64a5   (unit 2)
    //   37^100 = 0xe59cd09a331cdb71   (the weight of the unit that leaves the window)
    private const ulong P99 = 0x89aa4ad3bc31365d, P98 = 0x4fd42b892e998bd9, P97 = 0x93746fe11cef64a5;

    [Fact]
    public void PowersAreThoseOfTheHandArithmetic()
    {
        Assert.Equal(0xe59cd09a331cdb71UL, LineHash.OutgoingWeight);
        Assert.Equal(P99, (ulong)BigInteger.ModPow(37, 99, BigInteger.One << 64));
        Assert.Equal(P98, (ulong)BigInteger.ModPow(37, 98, BigInteger.One << 64));
        Assert.Equal(P97, (ulong)BigInteger.ModPow(37, 97, BigInteger.One << 64));
    }

    [Fact]
    public void EmptyTextIsOneLineHoldingTheEndOfFileMark()
    {
        // Window: [65535, 0 × 99] → 65535·37^99 = 0xffff · 0x89aa4ad3bc31365d mod 2^64 = 0xc129715d7a2bc9a3.
        Assert.Equal(unchecked(65535UL * P99), 0xc129715d7a2bc9a3UL);
        Assert.Equal(["c129715d7a2bc9a3:1"], LineHash.Compute(""));
    }

    [Fact]
    public void OneCharacterWithoutNewline()
    {
        // Window: ['a' = 97, 65535, 0 × 98] → 97·37^99 + 65535·37^98 = 0x053b5d4aabe50d64: hex is written without
        // leading zeros, so 15 digits.
        Assert.Equal(unchecked(97UL * P99 + 65535UL * P98), 0x053b5d4aabe50d64UL);
        Assert.Equal(["53b5d4aabe50d64:1"], LineHash.Compute("a"));
    }

    [Fact]
    public void AFinalNewlineAddsALineHoldingOnlyTheEndOfFileMark()
    {
        // Line 1: [97, 10, 65535] → 97·37^99 + 10·37^98 + 65535·37^97 = 0x243cbaa4685aab12.
        // Line 2 starts at the end-of-file mark: the same window as the empty text.
        Assert.Equal(unchecked(97UL * P99 + 10UL * P98 + 65535UL * P97), 0x243cbaa4685aab12UL);
        Assert.Equal(["243cbaa4685aab12:1", "c129715d7a2bc9a3:1"], LineHash.Compute("a\n"));
    }

    [Theory]
    [InlineData("a\r")]
    [InlineData("a\r\n")]
    [InlineData("a \t\n")]
    [InlineData(" \ta\n")]
    public void CrCrLfSpacesAndTabsReadAsTheLf(string text) =>
        Assert.Equal(["243cbaa4685aab12:1", "c129715d7a2bc9a3:1"], LineHash.Compute(text));

    [Fact]
    public void LoneCrEndsALineButTheLfOfACrLfDoesNotStartAnother()
    {
        // "a\rb" is two lines; "a\r\nb" is two lines; "a\n\rb" is three (LF then CR).
        Assert.Equal(2, LineHash.Compute("a\rb").Length);
        Assert.Equal(LineHash.Compute("a\rb"), LineHash.Compute("a\r\nb"));
        Assert.Equal(LineHash.Compute("a\nb"), LineHash.Compute("a\r\nb"));
        Assert.Equal(3, LineHash.Compute("a\n\rb").Length);
        // "a\r \nb": the space between CR and LF is dropped but also ends the CRLF pair, so the LF is a second break.
        Assert.Equal(LineHash.Compute("a\n\nb"), LineHash.Compute("a\r \nb"));
    }

    [Fact]
    public void RepeatedLinesAreNumbered()
    {
        // Three lines of 100 'a': each line's window is 100 × 97, whatever follows, so all three have the same hash:
        // 97·Σ 37^k (k = 0…99) = 97·(37^100 − 1)/36 mod 2^64 = 0x871f6af4d0d4dd7c, numbered :1, :2, :3.
        var hundred = new string('a', 100);
        var expected = (ulong)(97 * (BigInteger.Pow(37, 100) - 1) / 36 % (BigInteger.One << 64));
        Assert.Equal(0x871f6af4d0d4dd7cUL, expected);
        Assert.Equal(
            ["871f6af4d0d4dd7c:1", "871f6af4d0d4dd7c:2", "871f6af4d0d4dd7c:3", "c129715d7a2bc9a3:1"],
            LineHash.Compute(hundred + "\n" + hundred + "\n" + hundred + "\n"));
    }

    [Fact]
    public void OnlyTheFirstHundredKeptUnitsOfALineCount()
    {
        var hundred = new string('a', 100);
        Assert.Equal(LineHash.Compute(hundred + "X")[0], LineHash.Compute(hundred + "Y")[0]);
        Assert.NotEqual(LineHash.Compute(new string('a', 99) + "X")[0], LineHash.Compute(new string('a', 99) + "Y")[0]);
        // Spaces and tabs do not count toward the hundred.
        Assert.Equal(LineHash.Compute(hundred + "X")[0], LineHash.Compute(" \t" + string.Join(" ", hundred.ToCharArray()) + "X")[0]);
        // A long line: units past the hundredth never matter, line breaks included.
        var longLine = new string('b', 5000);
        Assert.Equal(LineHash.Compute(longLine + "\nfirst")[0], LineHash.Compute(longLine + "\nsecond")[0]);
        Assert.Equal(Direct(longLine), LineHash.Compute(longLine)[0]);
    }

    [Fact]
    public void ShortLinesSeeTheFollowingLines()
    {
        // The window runs on into the next lines: "x" followed by different lines hashes differently.
        Assert.NotEqual(LineHash.Compute("x\ny")[0], LineHash.Compute("x\nz")[0]);
    }

    [Fact]
    public void CodeUnitsNotCodePoints()
    {
        // U+1F600 is two UTF-16 units: [0xD83D, 0xDE00, 65535] → 0x56e41eb4cc943584.
        Assert.Equal(unchecked(0xD83DUL * P99 + 0xDE00UL * P98 + 65535UL * P97), 0x56e41eb4cc943584UL);
        Assert.Equal(["56e41eb4cc943584:1"], LineHash.Compute("😀"));
    }

    [Fact]
    public void DecodingKeepsTheByteOrderMarkAndReplacesInvalidUtf8AsNodeDoes()
    {
        // A BOM stays as U+FEFF (Node's Buffer.toString keeps it): [0xFEFF, 97, 65535] → 0x32afc9aa38d90537.
        var withBom = LineHash.Decode([0xEF, 0xBB, 0xBF, (byte)'a']);
        Assert.Equal("\uFEFFa", withBom);
        Assert.Equal(["32afc9aa38d90537:1"], LineHash.Compute(withBom));
        Assert.Equal(withBom, LineHash.Decode(UnsafeScope.Text.SourceText.From(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a' })));

        // What node 20 prints for Buffer.from([0x61,0xc3,0x28,0xe2,0x82,0xf0,0x9f,0x92,0x41,0xff,0xed,0xa0,0x80]).toString():
        // 61 fffd 28 fffd fffd 41 fffd fffd fffd fffd (one U+FFFD per maximal invalid subsequence).
        var decoded = LineHash.Decode([0x61, 0xc3, 0x28, 0xe2, 0x82, 0xf0, 0x9f, 0x92, 0x41, 0xff, 0xed, 0xa0, 0x80]);
        Assert.Equal("a\uFFFD(\uFFFD\uFFFDA\uFFFD\uFFFD\uFFFD\uFFFD", decoded);
    }

    // github/codeql-action src/fingerprints.test.ts, test "hash": inputs and the values the action expects (data only).
    public static TheoryData<string, string[]> CodeQlActionCases => new()
    {
        { " a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"] },
        {
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
            ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1", "b86d3392aea1be30:1", "e6ceba753e1a442:1"]
        },
        { " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", GreetingsWithFinalNewline },
        { " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", GreetingsWithFinalNewline },
        { " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", GreetingsWithFinalNewline },
        { " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", GreetingsWithFinalNewline },
        {
            string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet.\n", 10)),
            ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4", "a7f2ff13bc495cf2:5",
             "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1",
             "c129715d7a2bc9a3:1"]
        },
        {
            "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
            ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1", "54517377da7028d2:1",
             "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"]
        },
    };

    private static readonly string[] GreetingsWithFinalNewline =
        ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1", "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"];

    [Theory]
    [MemberData(nameof(CodeQlActionCases))]
    public void MatchesCodeQlActionTestData(string text, string[] expected) => Assert.Equal(expected, LineHash.Compute(text));

    [Fact]
    public void LineSubsetAgreesWithAllLines()
    {
        var text = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet.\n", 10));
        var all = LineHash.Compute(text);
        var some = LineHash.Compute(text, new HashSet<int> { 2, 7, 11, 12 });
        Assert.Equal(3, some.Count); // line 12 does not exist
        Assert.Equal(all[1], some[2]);
        Assert.Equal(all[6], some[7]);
        Assert.Equal(all[10], some[11]);
    }

    [Property(MaxTest = 200)]
    public Property AnyLineSubsetAgreesWithAllLines()
    {
        // The subset stops hashing after its last line: what it gives must not depend on that.
        var gen = from units in Gen.ArrayOf(Gen.Elements('a', 'b', ' ', '\t', '\r', '\n', '\uD83D', '\uDE00'))
                  from lines in Gen.ArrayOf(Gen.Choose(1, 40))
                  select (Text: new string(units), Lines: lines.ToHashSet());
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var all = LineHash.Compute(t.Text);
            var expected = t.Lines.Where(l => l <= all.Length).ToDictionary(l => l, l => all[l - 1]);
            var some = LineHash.Compute(t.Text, t.Lines);
            return some.Count == expected.Count && expected.All(e => some.TryGetValue(e.Key, out var v) && v == e.Value);
        });
    }

    [Property(MaxTest = 200)]
    public Property HashingBytesEqualsHashingTheirNodeDecoding()
    {
        // Fingerprints decode files into a pooled buffer: it must be the text Decode gives (BOM kept, U+FFFD per
        // maximal invalid sequence), whatever the bytes.
        var gen = from bytes in Gen.ArrayOf(Gen.Elements<byte>(0x61, 0x0A, 0x0D, 0x20, 0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF, 0xED, 0xA0))
                  from lines in Gen.ArrayOf(Gen.Choose(1, 12))
                  select (Bytes: bytes, Lines: lines.ToHashSet());
        return Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var expected = LineHash.Compute(LineHash.Decode(t.Bytes), t.Lines);
            var actual = LineHash.Compute((ReadOnlySpan<byte>)t.Bytes, t.Lines);
            return actual.Count == expected.Count && expected.All(e => actual.TryGetValue(e.Key, out var v) && v == e.Value);
        });
    }

    [Fact]
    public void RollingWindowEqualsTheDirectPolynomialOnMixedText()
    {
        var rng = new Random(12345);
        const string alphabet = "ab \t\r\n{}*;é😀";
        for (int round = 0; round < 50; round++)
        {
            var sb = new StringBuilder();
            int len = rng.Next(0, 400);
            for (int i = 0; i < len; i++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
            var text = sb.ToString();
            Assert.Equal(DirectAll(text), LineHash.Compute(text));
        }
    }

    // The oracle: split into kept units with line starts, then evaluate the polynomial for each line with BigInteger.
    private static string[] DirectAll(string text)
    {
        var units = new List<int>();
        var starts = new List<int>();
        bool atStart = true, afterCr = false;
        foreach (int ch in text.Select(c => (int)c).Append(0xFFFF))
        {
            int c = ch;
            if (c is ' ' or '\t' || (afterCr && c == '\n')) { afterCr = false; continue; }
            afterCr = c == '\r';
            if (c == '\r') c = '\n';
            if (atStart) { starts.Add(units.Count); atStart = false; }
            if (c == '\n') atStart = true;
            units.Add(c);
        }
        var seen = new Dictionary<ulong, int>();
        return [.. starts.Select(s =>
        {
            BigInteger h = 0;
            for (int k = 0; k < 100; k++) h = h * 37 + (s + k < units.Count ? units[s + k] : 0);
            var v = (ulong)(h % (BigInteger.One << 64));
            seen[v] = seen.GetValueOrDefault(v) + 1;
            return $"{v:x}:{seen[v]}";
        })];
    }

    private static string Direct(string text) => DirectAll(text)[0];
}
