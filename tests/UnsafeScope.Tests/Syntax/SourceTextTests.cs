using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Syntax;

public class SourceTextTests
{
    [Fact]
    public void RemovesUtf8BomAndRemembersIt()
    {
        var text = SourceText.From([0xEF, 0xBB, 0xBF, (byte)'f', (byte)'n']);
        Assert.True(text.HadByteOrderMark);
        Assert.Equal("fn", text.ToString());
        Assert.Equal(new LinePosition(0, 0), text.GetLinePosition(0));
    }

    [Theory]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'f', (byte)'n', (byte)'\n' })]
    [InlineData(new byte[] { (byte)'f', (byte)'n', 0xFF, (byte)'\n', 0 })]
    [InlineData(new byte[0])]
    public void A_text_over_handed_over_bytes_reads_like_a_copy(byte[] bytes)
    {
        var (copy, owned) = (SourceText.From(bytes, "a.rs"), SourceText.FromOwned([.. bytes], "a.rs"));
        Assert.Equal(copy.Bytes.ToArray(), owned.Bytes.ToArray());
        Assert.Equal((copy.HadByteOrderMark, copy.IsValidUtf8, copy.ContainsNul, copy.LineCount, copy.Path),
            (owned.HadByteOrderMark, owned.IsValidUtf8, owned.ContainsNul, owned.LineCount, owned.Path));
    }

    [Property]
    public Property TheLineOfAnOffsetDoesNotDependOnWhichOffsetsWereAskedBefore(byte[] bytes, int[] order)
    {
        // GetLineIndex starts from the line of its last answer: in any order of questions (forward, backward, the same
        // offset again, the end of the text), every answer is the count of line feeds before the offset.
        var text = SourceText.From(bytes);
        var content = text.Bytes.ToArray();
        int Expected(int offset)
        {
            int line = 0;
            for (int i = 0; i < offset; i++)
                if (content[i] == '\n') line++;
            return line;
        }
        foreach (var o in order)
        {
            int offset = (int)((uint)o % (uint)(content.Length + 1));
            if (text.GetLineIndex(offset) != Expected(offset)) return false.Label($"offset {offset}");
            if (offset + 1 <= content.Length && text.GetLineIndex(offset + 1) != Expected(offset + 1)) return false.Label($"offset {offset + 1}");
        }
        return true.ToProperty();
    }

    [Fact]
    public void CrLfCountsAsOneLineBreakAndIsNotPartOfTheLine()
    {
        var text = SourceText.From("a\r\nbc\r\n\r\nd");
        Assert.Equal(4, text.LineCount);
        Assert.Equal("bc", text.GetText(text.GetLineSpan(1)));
        Assert.Equal("", text.GetText(text.GetLineSpan(2)));
        Assert.Equal(new LinePosition(3, 0), text.GetLinePosition(9));
    }

    [Fact]
    public void ColumnsAreUtf16CodeUnits()
    {
        // é is 2 bytes / 1 UTF-16 unit; 😀 is 4 bytes / 2 UTF-16 units.
        var text = SourceText.From("let é = \"😀\"; x");
        int xByte = Encoding.UTF8.GetByteCount("let é = \"😀\"; ");
        Assert.Equal(new LinePosition(0, "let é = \"😀\"; ".Length), text.GetLinePosition(xByte));
    }

    [Fact]
    public void InvalidUtf8IsKeptAndFlagged()
    {
        var text = SourceText.From([(byte)'a', 0xFF, (byte)'\n', (byte)'b']);
        Assert.False(text.IsValidUtf8);
        Assert.Equal("a\uFFFD", text.GetText(text.GetLineSpan(0)));
        Assert.Equal(new LinePosition(1, 0), text.GetLinePosition(3));
        Assert.Equal(new LinePosition(0, 2), text.GetLinePosition(2));
    }

    [Fact]
    public void NulMarksBinary()
    {
        Assert.True(SourceText.From([(byte)'a', 0, (byte)'b']).ContainsNul);
        Assert.False(SourceText.From("fn main() {}").ContainsNul);
    }

    [Fact]
    public void EmptyTextHasOneLine()
    {
        var text = SourceText.From("");
        Assert.Equal(1, text.LineCount);
        Assert.Equal(new LinePosition(0, 0), text.GetLinePosition(0));
    }
}
