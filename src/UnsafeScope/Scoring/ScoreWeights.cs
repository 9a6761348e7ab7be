namespace UnsafeScope.Scoring;

/// <summary>
/// The points each score factor takes off (docs/scoring.md), in one place. The soundness-relevant ones are fitted on the
/// development set of corpus/unsound (289 labelled unsound spans in 159 crates from Rudra's bug list and RustSec;
/// non-negative logistic regression, cross-validated by crate: `corpus/unsound/run.sh --fit`), scaled so the largest is
/// 40. The driver factors have no driver code in that set and are calibrated separately (corpus/driver/run.sh); factors
/// no unsound span of the set carries get a floor, so they still show in a region's explanation.
/// </summary>
internal static class ScoreWeights
{
    // Fitted (2026-12-04, corpus/unsound/RESULTS.md).
    public const int SendSyncVariance = 40;
    public const int UserCodeInUnsafe = 33;
    public const int UninitExposure = 20;
    public const int UnjustifiedSendSync = 16;
    public const int NoSafetyComment = 12;
    public const int MultipleOperations = 9;
    public const int UntestedWrapper = 5;
    public const int Exposed = 4;
    public const int UncheckedInput = 3;
    public const int InMacro = 2;

    // Driver factors: calibrated on the driver fixtures (corpus/driver: pairs of regions that differ in one aspect the
    // WDK notes name; each weight is at least the smallest that ranks every bad form 5 points below its good one, and
    // StaticMut sits with SendSyncVariance, the other unsynchronized-global-state class).
    public const int StaticMut = 40;
    public const int StaticMutAccess = 15;
    public const int MmioOutsideType = 10;
    public const int InFfiCallback = 10;
    public const int FfiHigh = 12, FfiMedium = 6, FfiLow = 1, FfiUnknown = 6, FfiMax = 36;

    /// <summary>
    /// A block trusts a field that a safe function sets from its caller's raw pointer, integer or closure result: set by
    /// hand (the set's spans are Rudra's unsafe blocks, not the safe writers): as much as an unchecked input, at least.
    /// </summary>
    public const int TrustsSafeWriter = 10;

    /// <summary>Factors the development set cannot weigh (no unsound span has them): a floor, not a fit.</summary>
    public const int Unfitted = 5;

    /// <summary>Lines above which a region is long.</summary>
    public const int LongRegionLines = 30;
}
