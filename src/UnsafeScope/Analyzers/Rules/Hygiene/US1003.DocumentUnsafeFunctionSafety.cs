using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1003: public unsafe functions and traits need a <c># Safety</c> doc section (clippy::missing_safety_doc).</summary>
public sealed class DocumentUnsafeFunctionSafetyAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1003", "DocumentUnsafeFunctionSafety", "Public unsafe function or trait without a # Safety section",
        "unsafe {0} `{1}` is missing a `# Safety` section in its docs", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for exported `unsafe fn`s (including unsafe methods of exported traits) and `unsafe trait`s of any visibility whose doc comments have no `# Safety` section. Exported means, as in clippy, reachable from outside the crate: `pub` in modules that are `pub` up to the crate root, or re-exported by `pub use`, and not `#[doc(hidden)]`.",
            WhyIsThisBad: "Callers of an unsafe function must uphold its preconditions; if they are not written down, every caller guesses.",
            Example: "/// Maps the device registers.\npub unsafe fn map_registers(phys: PHYSICAL_ADDRESS) -> *mut Regs { /* ... */ }",
            UseInstead: "/// Maps the device registers.\n///\n/// # Safety\n/// `phys` must be this device's BAR and must stay mapped until `unmap_registers`.\npub unsafe fn map_registers(phys: PHYSICAL_ADDRESS) -> *mut Regs { /* ... */ }"),
        equivalent: "clippy::missing_safety_doc");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeFn, RegionKind.UnsafeTrait]);

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        if (!Flags(r)) return;
        var name = r.Kind == RegionKind.UnsafeTrait ? "trait" : "function";
        c.ReportDiagnostic(Diagnostic.Create(Rule, NameLocation(r), null, null, name, r.Name));
    }

    /// <summary>Whether the rule reports the region (an unsafe fn or trait); the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r)
    {
        if (r.Kind is not (RegionKind.UnsafeFn or RegionKind.UnsafeTrait)) return false;
        // clippy checks exported functions only (pub and reachable, not doc(hidden)), but unsafe traits of any visibility;
        // trait impls take their docs from the trait.
        if (r.InMacro || r.HasSafetyDoc) return false;
        return r.Kind == RegionKind.UnsafeTrait || r.IsExported;
    }

    internal static Text.Location NameLocation(UnsafeRegion r) => DocumentUnsafeBlocksAnalyzer.HeadLocation(r);
}
