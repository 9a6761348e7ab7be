using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2006: hardware access outside a register-encapsulating type.</summary>
public sealed class EncapsulateMmioAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2006", "EncapsulateMmio", "Hardware access outside a register type",
        "{0} ({1}) outside a type that encapsulates the registers", RuleFactory.Driver, DiagnosticSeverity.Warning, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks for volatile, unaligned, mapped-pointer, port, MSR and register accesses in unsafe code that is not a method of a type (free functions, callbacks).",
            WhyIsThisBad: "Register access is only sound while the mapping is alive and the register layout is right. A register-block type (a private mapped pointer, methods per register, unmapping in `Drop`) states those invariants once; scattered `read_volatile` calls on raw addresses restate them — or forget them — at every site.",
            Example: "fn reset(base: *mut u32) {\n    unsafe { base.add(4).write_volatile(1) };\n}",
            UseInstead: "impl Registers {\n    pub fn reset(&self) {\n        // SAFETY: self.base maps the BAR for self's lifetime; offset 4 is CTRL.\n        unsafe { self.base.add(4).write_volatile(1) };\n    }\n}"),
        securitySeverity: "5.0", cwe: 119, tags: "mmio");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <summary>The region's register accesses outside a register type, each of which the rule reports; the score reads them too.</summary>
    internal static IEnumerable<MmioAccess> Flagged(UnsafeRegion r)
        => r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn or RegionKind.MacroUnsafeFn && r.OwnerType.Length == 0
            ? r.Mmio.Where(m => m.Kind is not ("map" or "unmap")) : [];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(c =>
    {
        var r = c.Region;
        foreach (var m in Flagged(r))
            c.ReportDiagnostic(Diagnostic.Create(Rule, m.Location, null, null, m.Kind, m.Api));
    }, [RegionKind.UnsafeBlock, RegionKind.UnsafeFn, RegionKind.MacroUnsafeFn]);
}
