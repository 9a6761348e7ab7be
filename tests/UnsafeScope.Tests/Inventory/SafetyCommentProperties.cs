using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Inventory;

public class SafetyCommentProperties
{
    // Pieces that make near misses likely: the tag in several cases, cut short, split by a space, its end alone.
    private static readonly string[] s_pieces = ["SAFETY:", "safety:", "Safety:", "SaFeTy:", "SAFETY", "AFETY:", "safety :", "y:", "Y:", ":", "s", "S", "afet", " ", "\n", "// ", "é", "\u00ff"];

    private static Arbitrary<string> Texts() =>
        Gen.ListOf(Gen.Elements(s_pieces)).Select(parts => string.Concat(parts)).ToArbitrary();

    [Property]
    public Property TheTagIsFoundWhereverAPlainScanFindsIt()
        => Prop.ForAll(Texts(), text =>
        {
            // ContainsSafety searches for the tag's end first: it must agree with a scan of every offset.
            var bytes = Encoding.UTF8.GetBytes(text);
            return (SafetyComments.ContainsSafety(bytes) == PlainScan(bytes, "SAFETY:"u8)).Label(text);
        });

    private static bool PlainScan(ReadOnlySpan<byte> text, ReadOnlySpan<byte> tag)
    {
        for (int i = 0; i + tag.Length <= text.Length; i++)
        {
            int k = 0;
            while (k < tag.Length && (text[i + k] == tag[k] || (char.IsAsciiLetterUpper((char)tag[k]) && (text[i + k] | 0x20) == (tag[k] | 0x20)))) k++;
            if (k == tag.Length) return true;
        }
        return false;
    }

    [Fact]
    public void TheAnswerKeptForTheLastTextIsThatTextsOwn()
    {
        var with = SourceText.From("fn f() {\n    // Safety: checked above\n    g();\n}\n");
        var without = SourceText.From("fn f() {\n    // key: value\n    g();\n}\n");
        // Asked in turns, as a walk of a file and of its macro fragments does: each text gets its own answer.
        for (int i = 0; i < 3; i++)
        {
            Assert.True(SafetyComments.MayHoldSafety(with));
            Assert.False(SafetyComments.MayHoldSafety(without));
        }
        Assert.False(SafetyComments.MayHoldSafety(SourceText.From("")));
        Assert.True(SafetyComments.MayHoldSafety(SourceText.From("SAFETY:")));
    }
}
