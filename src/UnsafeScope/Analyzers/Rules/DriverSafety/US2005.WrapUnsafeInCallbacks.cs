using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2005: FFI callbacks should delegate their unsafe work to safe wrappers.</summary>
public sealed class WrapUnsafeInCallbacksAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2005", "WrapUnsafeInCallbacks", "FFI callback calls the WDK directly",
        "callback `{0}` (extern \"{1}\") makes {2} FFI call(s) directly instead of through a safe wrapper", RuleFactory.Driver, DiagnosticSeverity.Info, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks for unsafe blocks inside `extern \"C\"`/`extern \"system\"` functions (callbacks the OS calls, such as EvtIoRead or DriverUnload) that call WDK APIs directly.",
            WhyIsThisBad: "Callbacks receive raw handles and run in every code path; when each one calls the WDK itself, the unsafe surface is spread over the whole driver. Converting the raw arguments once and delegating to safe wrapper types keeps the unsafe code in a few audited places.",
            Example: "extern \"C\" fn evt_io_read(queue: WDFQUEUE, request: WDFREQUEST, length: usize) {\n    unsafe { call_unsafe_wdf_function_binding!(WdfRequestComplete, request, STATUS_SUCCESS) };\n}",
            UseInstead: "extern \"C\" fn evt_io_read(queue: WDFQUEUE, request: WDFREQUEST, length: usize) {\n    // SAFETY: the framework passes a live request.\n    let request = unsafe { Request::from_raw(request) };\n    request.complete(STATUS_SUCCESS);\n}"),
        tags: "wdk");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <summary>Whether the rule reports the region (FFI called directly in an unsafe block of an extern callback); the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r) => r.Kind == RegionKind.UnsafeBlock && r.EnclosingAbi.Length > 0 && !r.FfiCalls.IsEmpty;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(c =>
    {
        var r = c.Region;
        if (!Flags(r)) return;
        var fn = r.Item[(r.Item.LastIndexOf("::", StringComparison.Ordinal) is var i && i >= 0 ? i + 2 : 0)..];
        c.ReportDiagnostic(Diagnostic.Create(Rule, Hygiene.DocumentUnsafeBlocksAnalyzer.HeadLocation(r),
            r.FfiCalls.Select(f => new RelatedLocation(f.Location, $"FFI call `{f.Name}` here")), null, fn, r.EnclosingAbi, r.FfiCalls.Length));
    }, [RegionKind.UnsafeBlock]);
}
