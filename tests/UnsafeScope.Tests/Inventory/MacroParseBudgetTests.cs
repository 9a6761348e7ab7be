using UnsafeScope.Catalogs;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Inventory;

/// <summary>
/// The re-parses of macro code (item-macro fragments, expression-macro arguments, macro_rules! expansions) take from
/// the file's parse time limit and stop with the run's cancellation, instead of each getting the default 30 s.
/// </summary>
public sealed class MacroParseBudgetTests
{
    // The unsafe block is only visible to the inventory once cfg_if!'s items and the local macro's expansion are parsed.
    private const string Source = """
        cfg_if::cfg_if! {
            if #[cfg(unix)] {
                pub fn read(p: *const u8) -> u8 {
                    unsafe { *p }
                }
            }
        }

        macro_rules! deref { ($p:expr) => { unsafe { *$p } }; }
        pub unsafe fn g(p: *const u8) -> u8 { deref!(p) }
        """;

    private static FileFacts Extract(ParseBudget? budget)
    {
        var tree = RustSyntaxTree.Parse(SourceText.From(Source, "src/lib.rs"));
        Assert.Equal(ParseStatus.Ok, tree.Status);
        return Extractor.Extract(tree, ApiCatalog.Default, "src/lib.rs", "demo", "crate", null, null, budget);
    }

    [Fact]
    public void WithTimeLeftTheMacroCodeIsParsedAndAnalyzed()
    {
        var budget = new ParseBudget(TimeSpan.FromSeconds(30), CancellationToken.None);
        var facts = Extract(budget);
        Assert.Contains(facts.Regions, r => r.Item.EndsWith("read", StringComparison.Ordinal));
        Assert.False(budget.RanOut);
    }

    [Fact]
    public void WhenTheFilesTimeIsSpentMacroCodeIsNotParsedAndThatIsReported()
    {
        var budget = new ParseBudget(TimeSpan.FromTicks(1), CancellationToken.None);
        Thread.Sleep(5);
        var facts = Extract(budget);
        Assert.DoesNotContain(facts.Regions, r => r.Item.EndsWith("read", StringComparison.Ordinal));
        Assert.True(budget.RanOut);
    }

    [Fact]
    public void ACancelledRunStopsTheMacroParses()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Extract(new ParseBudget(TimeSpan.FromSeconds(30), cts.Token)));
    }

    [Fact]
    public void TheBudgetLimitsEachParseToTheTimeLeft()
    {
        var budget = new ParseBudget(TimeSpan.FromSeconds(10), CancellationToken.None);
        var limited = budget.Limit(RustParseOptions.Default)!;
        Assert.InRange(limited.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, ParseBudget.Unlimited.Limit(RustParseOptions.Default)!.Timeout); // zero: no limit
    }
}
