using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2003: <c>static mut</c> globals.</summary>
public sealed class AvoidStaticMutAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2003", "AvoidStaticMut", "static mut global",
        "`static mut {0}` is a global every access to which is unsafe and unsynchronized", RuleFactory.Driver, DiagnosticSeverity.Warning, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `static mut` items.",
            WhyIsThisBad: "In a driver, callbacks run concurrently on several processors and at raised IRQL: a `static mut` is a data race waiting to happen, and any `&` or `&mut` to it is easily undefined behaviour (rustc 2024 denies references to `static mut`).",
            Example: "static mut BUFFER: *mut u8 = core::ptr::null_mut();",
            UseInstead: "static BUFFER: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());\n// or keep the state in the device context"),
        securitySeverity: "5.5", cwe: 362);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <summary>Whether the rule reports the region; the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r) => r.Kind == RegionKind.StaticMut && !r.InMacro;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(c =>
    {
        if (Flags(c.Region))
            c.ReportDiagnostic(Diagnostic.Create(Rule, Hygiene.DocumentUnsafeBlocksAnalyzer.HeadLocation(c.Region), null, null, c.Region.Name));
    }, [RegionKind.StaticMut]);
}
