using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Inventory;
using UnsafeScope.Scoring;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Scoring;

public static class RegionArbitraries
{
    private static readonly string[] s_risks = ["high", "medium", "low", "unknown"];
    private static readonly string[] s_mmio = ["volatile-read", "map", "port-out", "deref-write"];

    public static Arbitrary<UnsafeRegion> Region() =>
        (from kind in Gen.Elements(Enum.GetValues<RegionKind>())
         from start in Gen.Choose(1, 500)
         from length in Gen.Choose(0, 60)
         from safety in Gen.Elements(true, false)
         from doc in Gen.Elements(true, false)
         from inMacro in Gen.Elements(true, false)
         from vis in Gen.Elements("pub", "private", "pub(crate)", "trait-impl")
         from owner in Gen.Elements("", "Device", "Regs")
         from abi in Gen.Elements("", "C", "system")
         from inUnsafeFn in Gen.Elements(true, false)
         from ops in Gen.ListOf(Gen.Elements(Enum.GetValues<OperationKind>()))
         from ffi in Gen.ListOf(Gen.Elements(s_risks))
         from mmio in Gen.ListOf(Gen.Elements(s_mmio))
         from name in Gen.Elements("Send for S", "Sync for S", "Zeroable for u32", "COUNTER", "f")
         select new UnsafeRegion
         {
             Kind = kind,
             Location = Loc(start, start + length),
             Item = "m::f",
             Name = name,
             Visibility = vis,
             HasSafetyComment = safety,
             HasSafetyDoc = doc,
             InMacro = inMacro,
             OwnerType = owner,
             EnclosingAbi = abi,
             InUnsafeFunction = inUnsafeFn,
             Operations = [.. ops.Select(o => new UnsafeOperation(o, "x", Loc(start, start)))],
             FfiCalls = [.. ffi.Select((r, i) => new FfiCall($"Api{i}", "Mm", r, FfiCallForm.Call, "catalog", Loc(start, start)))],
             Mmio = [.. mmio.Select(k => new MmioAccess(k, "read_volatile", "p", Loc(start, start)))],
         }).ToArbitrary();

    private static Location Loc(int startLine, int endLine) => new("a.rs", new TextSpan(0, 1), new LinePositionSpan(new LinePosition(startLine - 1, 0), new LinePosition(endLine - 1, 1)));
}

[Properties(Arbitrary = [typeof(RegionArbitraries)], MaxTest = 500)]
public class EncapsulationScoreProperties
{
    private static readonly ScoringContext s_publicRaw = new(new HashSet<string> { "Device" });

    [Property]
    public bool ScoreIsBoundedAndFactorsExplainIt(UnsafeRegion region)
    {
        var (score, factors) = EncapsulationScore.Compute(region, s_publicRaw);
        return score is >= 0 and <= 100 && factors.All(f => f.Points < 0)
               && score == Math.Max(0, 100 + factors.Sum(f => f.Points));
    }

    [Property]
    public bool AddingASafetyCommentNeverLowersTheScore(UnsafeRegion region)
    {
        var before = EncapsulationScore.Compute(region with { HasSafetyComment = false }, s_publicRaw).Score;
        var after = EncapsulationScore.Compute(region with { HasSafetyComment = true }, s_publicRaw).Score;
        return after >= before;
    }

    [Property]
    public bool AddingASafetyDocNeverLowersTheScore(UnsafeRegion region)
        => EncapsulationScore.Compute(region with { HasSafetyDoc = true }, s_publicRaw).Score >= EncapsulationScore.Compute(region with { HasSafetyDoc = false }, s_publicRaw).Score;

    [Property]
    public bool MakingRawFieldsPrivateNeverLowersTheScore(UnsafeRegion region)
        => EncapsulationScore.Compute(region, ScoringContext.Empty).Score >= EncapsulationScore.Compute(region, s_publicRaw).Score;

    [Property]
    public bool SameInputSameScore(UnsafeRegion region)
    {
        var a = EncapsulationScore.Compute(region, s_publicRaw);
        var b = EncapsulationScore.Compute(region with { }, s_publicRaw);
        return a.Score == b.Score && a.Factors.SequenceEqual(b.Factors);
    }

    [Fact]
    public void AWellEncapsulatedBlockScoresFullMarks()
    {
        var region = new UnsafeRegion
        {
            Kind = RegionKind.UnsafeBlock,
            Location = new Location("a.rs", new TextSpan(0, 1), new LinePositionSpan(new LinePosition(0, 0), new LinePosition(0, 10))),
            Item = "lock::SpinLock::acquire",
            Visibility = "pub",
            OwnerType = "SpinLock",
            HasSafetyComment = true,
            Operations = [new UnsafeOperation(OperationKind.UnsafeMacro, "call_unsafe_wdf_function_binding!", Location.None)],
            FfiCalls = [new FfiCall("WdfSpinLockAcquire", "Wdf", "low", FfiCallForm.WdfMacro, "catalog", Location.None)],
        };
        var (score, factors) = EncapsulationScore.Compute(region, ScoringContext.Empty);
        Assert.Equal(100 - ScoreWeights.FfiLow, score);
        Assert.Equal("ffi-risk", Assert.Single(factors).Name);
    }
}
