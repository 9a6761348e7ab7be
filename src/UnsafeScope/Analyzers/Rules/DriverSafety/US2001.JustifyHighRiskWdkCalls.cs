using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2001: a high-risk WDK call reachable from a safe public function needs a SAFETY justification.</summary>
public sealed class JustifyHighRiskWdkCallsAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2001", "JustifyHighRiskWdkCalls", "High-risk WDK call in a safe public function without justification",
        "high-risk WDK call `{0}` ({1}) is reachable from safe public function `{2}` without a SAFETY justification", RuleFactory.Driver, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for unsafe blocks inside safe `pub` functions (or trait impl methods) that call a WDK API the catalog rates high-risk (memory mapping, physical memory, probing, IRQL changes, pool allocation) and have no `// SAFETY:` comment.",
            WhyIsThisBad: "The safe public function is the encapsulation boundary: every caller trusts it. A high-risk kernel call there, with no written argument for its preconditions (IRQL, address validity, lifetime of the mapping), is where driver memory-safety bugs live.",
            Example: "pub fn map(phys: PHYSICAL_ADDRESS) -> *mut u32 {\n    unsafe { MmMapIoSpace(phys, 4, MmNonCached) as *mut u32 }\n}",
            UseInstead: "pub fn map(bar: &Bar) -> Mapping {\n    // SAFETY: `bar` is this device's translated BAR; the mapping is unmapped in Mapping::drop.\n    let va = unsafe { MmMapIoSpace(bar.phys(), bar.len(), MmNonCached) };\n    Mapping::new(va, bar.len())\n}"),
        securitySeverity: "7.5", cwe: 119, tags: "wdk");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeBlock]);

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        if (r.HasSafetyComment || r.InUnsafeFunction || !(r.Visibility == "pub" || r.Visibility == "trait-impl")) return;
        var high = r.FfiCalls.Where(f => f.Risk == "high").ToList();
        if (high.Count == 0) return;
        var fn = r.Item[(r.Item.LastIndexOf("::", StringComparison.Ordinal) is var i && i >= 0 ? i + 2 : 0)..];
        c.ReportDiagnostic(Diagnostic.Create(Rule, high[0].Location, high.Skip(1).Select(f => new RelatedLocation(f.Location, $"high-risk call `{f.Name}` here")),
            null, high[0].Name, high[0].Family, fn));
    }
}
