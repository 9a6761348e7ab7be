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
    public Property TheFastSearchForTheTagAgreesWithThePlainOne()
        => Prop.ForAll(Texts(), text =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return (SafetyComments.ContainsSafetyFast(bytes) == SafetyComments.ContainsSafety(bytes)).Label(text);
        });

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
