using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Semantics;

/// <summary>A custom analyzer (the one docs/semantic-model.md shows) that asks the semantic model instead of re-deriving facts.</summary>
public sealed class OperationBudgetAnalyzer : RustAnalyzer
{
    public static readonly DiagnosticDescriptor Block = new(
        "US8101", "OperationBudget", "operations per unsafe block", "`{0}`: {1} unsafe operation(s) in one configuration, {2} in all",
        "Custom", DiagnosticSeverity.Info, true, new RuleDocumentation("Counts operations.", "Information.", "-", "-"), "high");

    public static readonly DiagnosticDescriptor Exported = new(
        "US8102", "ExportedUnsafe", "exported unsafe blocks", "crate {0} has {1} unsafe block(s) in exported functions",
        "Custom", DiagnosticSeverity.Info, true, new RuleDocumentation("Counts exported blocks.", "Information.", "-", "-"), "high");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Block, Exported];

    public override void Initialize(AnalysisContext context)
    {
        context.RegisterRegionAction(c =>
        {
            var model = c.SemanticModel;
            c.ReportDiagnostic(Diagnostic.Create(Block, c.Region.Location, null, null,
                c.Region.Item, model.GetCountedOperations(c.Region).Count, model.GetUnsafeOperations(c.Region).Length));
        }, [RegionKind.UnsafeBlock]);
        context.RegisterCrateEndAction(c =>
        {
            var blocks = c.Files.SelectMany(f => f.Regions.Where(r => r.Kind == RegionKind.UnsafeBlock && c.GetSemanticModel(f).IsExported(r))).ToList();
            if (blocks.Count > 0) c.ReportDiagnostic(Diagnostic.Create(Exported, blocks[0].Location, null, null, c.Crate, blocks.Count));
        });
    }
}

public class SemanticModelAnalyzerTests
{
    [Fact]
    public void ACustomAnalyzerReadsOperationsAlternativesAndExportsFromTheModel()
    {
        var dir = RepoPaths.Fixtures("rules", "US1002-cfg");
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1, Analyzers = [new OperationBudgetAnalyzer()] });
        var messages = result.Diagnostics.Where(d => d.Id == "US8101").Select(d => d.Message).ToList();
        // Two asm! under different target_arch: one in any configuration, two in all.
        Assert.Contains("`one_asm_per_target`: 1 unsafe operation(s) in one configuration, 2 in all", messages);
        Assert.Contains("`unconditional_plus_alternatives`: 2 unsafe operation(s) in one configuration, 3 in all", messages);
        Assert.Contains("`unrelated_cfgs`: 2 unsafe operation(s) in one configuration, 2 in all", messages);
        Assert.Equal("crate us1002_cfg has 6 unsafe block(s) in exported functions", Assert.Single(result.Diagnostics, d => d.Id == "US8102").Message);

        // Under a target the model drops what is not compiled, and inactive regions reach no action.
        var linux = Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1, Target = "x86_64-unknown-linux-gnu", Analyzers = [new OperationBudgetAnalyzer()] });
        var onLinux = linux.Diagnostics.Where(d => d.Id == "US8101").Select(d => d.Message).ToList();
        Assert.Contains("`one_asm_per_target`: 1 unsafe operation(s) in one configuration, 1 in all", onLinux);
        Assert.DoesNotContain(onLinux, m => m.StartsWith("`windows_only`", StringComparison.Ordinal));
    }
}
