using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Driver;

public class FinishingFactsProperties
{
    private static FileFacts Facts(ulong[]? hashes) => new() { Path = "src/lib.rs", Crate = "c", LineHashes = hashes };

    // A linked file keeps the hashes of its findings' lines; any other line (a finding reported there later) is
    // read again: either way a line's hash is the one the whole file would give, so fingerprints do not change.
    [Property]
    public Property EveryLineHashEqualsTheWholeFilesOne(ulong[] hashes, int[] kept, int[] asked)
    {
        int reloads = 0;
        var facts = FinishingFacts.Keep(Facts(hashes), kept, () => { reloads++; return (ulong[])hashes.Clone(); });
        bool same = asked.Concat(kept).All(l => facts.LineHash(l) == (l >= 0 && l < hashes.Length ? hashes[l] : 0UL));
        return (same && reloads <= 1).Label($"reloads {reloads}");
    }

    [Fact]
    public void KeptLinesNeedNoReadAndOthersOneRead()
    {
        ulong[] hashes = [10, 11, 12, 13];
        int reloads = 0;
        var facts = FinishingFacts.Keep(Facts(hashes), [2, 2, 0], () => { reloads++; return hashes; });
        Assert.Equal(12UL, facts.LineHash(2));
        Assert.Equal(10UL, facts.LineHash(0));
        Assert.Equal(0, reloads);
        Assert.Equal(13UL, facts.LineHash(3));
        Assert.Equal(11UL, facts.LineHash(1));
        Assert.Equal(1, reloads);
    }

    [Fact]
    public void AFileThatCannotBeReadAgainGivesNoLineHash()
    {
        var facts = FinishingFacts.Keep(Facts([7, 8]), [1], () => null);
        Assert.Equal(8UL, facts.LineHash(1));
        Assert.Equal(0UL, facts.LineHash(0));
    }

    [Fact]
    public void FactsWithoutLineHashesNeverRead()
    {
        var facts = FinishingFacts.Keep(Facts(null), [0], () => throw new InvalidOperationException("no read expected"));
        Assert.Equal(0UL, facts.LineHash(0));
        Assert.Equal(0UL, facts.LineHash(3));
    }
}
