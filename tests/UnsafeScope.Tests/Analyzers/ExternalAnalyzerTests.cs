using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Analyzers;

/// <summary>An analyzer written outside the library: flags `transmute` calls and counts regions per crate.</summary>
public sealed class NoTransmuteAnalyzer : RustAnalyzer
{
    public static readonly DiagnosticDescriptor Rule = new(
        "US8001", "AvoidTransmute", "transmute call", "call of `{0}`", "Custom", DiagnosticSeverity.Warning, true,
        new RuleDocumentation("Flags transmute.", "It reinterprets bits.", "unsafe { transmute(x) }", "x.to_bits()"), "high");

    public static readonly DiagnosticDescriptor Summary = new(
        "US8002", "CountRegions", "regions per crate", "crate {0} has {1} unsafe regions", "Custom", DiagnosticSeverity.Info, true,
        new RuleDocumentation("Counts.", "Information.", "-", "-"), "high");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule, Summary];

    public override void Initialize(AnalysisContext context)
    {
        context.RegisterSyntaxNodeAction(c =>
        {
            if (c.Node.ChildByField(RustSyntaxField.Function) is { } f && f.Text.Contains("transmute", StringComparison.Ordinal))
                c.ReportDiagnostic(Diagnostic.Create(Rule, c.Node.Location, null, null, f.Text));
        }, [RustSyntaxKind.CallExpression]);
        context.RegisterCrateEndAction(c =>
        {
            var first = c.Files.SelectMany(f => f.Regions).FirstOrDefault();
            if (first is not null)
                c.ReportDiagnostic(Diagnostic.Create(Summary, first.Location, null, null, c.Crate, c.Files.Sum(f => f.Regions.Length)));
        });
    }
}

public class ExternalAnalyzerTests
{
    [Fact]
    public void AnAnalyzerDefinedOutsideTheLibraryRunsAlongsideTheBuiltIns()
    {
        var result = Analysis.Run(new AnalysisOptions
        {
            Paths = [RepoPaths.Fixtures("inventory")],
            Analyzers = [.. BuiltInAnalyzers.Create(), new NoTransmuteAnalyzer()],
        });
        var transmutes = result.Diagnostics.Where(d => d.Id == "US8001").ToList();
        Assert.Equal("driver/src/std_ops.rs", Assert.Single(transmutes).Location.Path);
        Assert.Equal("call of `core::mem::transmute::<u32, f32>`".Replace("::<u32, f32>", "", StringComparison.Ordinal), transmutes[0].Message.Replace("::<u32, f32>", "", StringComparison.Ordinal));
        Assert.True(result.Diagnostics.Count(d => d.Id == "US8002" && d.Message.StartsWith("crate fixture_driver has ", StringComparison.Ordinal)) == 1, string.Join("\n", result.Notifications) + string.Join("\n", result.Diagnostics.Where(d => d.Id == "US8002")));
        Assert.Contains(result.Rules, r => r.Id == "US8001");
        Assert.Contains(result.Diagnostics, d => d.Id == "US1001");
    }

    [Fact]
    public void AThrowingAnalyzerBecomesANotificationAndTheRunGoesOn()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("inventory")], Analyzers = [.. BuiltInAnalyzers.Create(), new ThrowingAnalyzer()] });
        Assert.Contains(result.Notifications, n => n.Id == NotificationIds.AnalyzerFailed);
        Assert.Contains(result.Diagnostics, d => d.Id == "US1001");
    }

    [Fact]
    public void CratesLinkSideBySideButOneCratesActionsRunAtATime()
    {
        // Per-crate state in fields, as the API allows: start resets it, region actions add, end reports it. One
        // job cannot interleave crates; four jobs must give the same counts (interleaving would mix them, or fail
        // the end action's check, which becomes an analyzer-failure notification).
        List<string> Counts(int jobs, out AnalysisResult result)
        {
            result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("rules")], Jobs = jobs, Analyzers = [new CrateStateAnalyzer()] });
            return [.. result.Diagnostics.Where(d => d.Id == CrateStateAnalyzer.Rule.Id).Select(d => d.Message)];
        }
        var one = Counts(1, out _);
        var four = Counts(4, out var result);
        Assert.True(one.Count > 10, $"only {one.Count} crates with regions");
        Assert.DoesNotContain(result.Notifications, n => n.Id == NotificationIds.AnalyzerFailed);
        Assert.Equal(one, four);
    }

    private sealed class CrateStateAnalyzer : RustAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = new(
            "US8003", "CrateState", "regions per crate", "{0}: {1}", "Custom", DiagnosticSeverity.Info, true,
            new RuleDocumentation("Counts.", "Information.", "-", "-"), "high");

        private string? _crate;
        private int _regions;
        private Text.Location? _first;

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

        public override void Initialize(AnalysisContext context)
        {
            context.RegisterCrateStartAction(c => (_crate, _regions, _first) = (c.Root, 0, null));
            context.RegisterRegionAction(c =>
            {
                Thread.Sleep(1); // widen the window another crate's actions would need to interleave
                _regions++;
                _first ??= c.Region.Location;
            });
            context.RegisterCrateEndAction(c =>
            {
                Assert.Equal(_crate, c.Root);
                if (_first is not null) c.ReportDiagnostic(Diagnostic.Create(Rule, _first, null, null, c.Root, _regions));
            });
        }
    }

    private sealed class ThrowingAnalyzer : RustAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [NoTransmuteAnalyzer.Rule];

        public override void Initialize(AnalysisContext context)
            => context.RegisterRegionAction(_ => throw new InvalidOperationException("boom"), [RegionKind.StaticMut]);
    }
}
