using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2004: <c>unsafe impl Send/Sync</c> without a justification.</summary>
public sealed class JustifyUnsafeSendSyncAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2004", "JustifyUnsafeSendSync", "unsafe impl Send or Sync without justification",
        "`unsafe impl {0}` has no SAFETY comment explaining why the type is thread-safe", RuleFactory.Driver, DiagnosticSeverity.Error, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `unsafe impl Send` and `unsafe impl Sync` without a `// SAFETY:` comment.",
            WhyIsThisBad: "Kernel handle wrappers hold raw pointers; declaring them `Send`/`Sync` lets safe code share them across processors. Without a written argument (the framework serializes access, the handle is immutable…) the claim is unchecked, and a wrong one is a data race.",
            Example: "unsafe impl Sync for SpinLock {}",
            UseInstead: "// SAFETY: WDFSPINLOCK may be acquired from any thread; all access goes through acquire/release.\nunsafe impl Sync for SpinLock {}"),
        securitySeverity: "6.0", cwe: 362);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <summary>Whether the rule reports the region (an unsafe impl of Send or Sync without justification); the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r)
        => r.Kind == RegionKind.UnsafeImpl && !r.HasSafetyComment && !r.InMacro && r.Name.Split(" for ")[0].Split("::")[^1] is "Send" or "Sync";

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(c =>
    {
        var r = c.Region;
        if (Flags(r))
            c.ReportDiagnostic(Diagnostic.Create(Rule, Hygiene.DocumentUnsafeBlocksAnalyzer.HeadLocation(r), null, null, r.Name));
    }, [RegionKind.UnsafeImpl]);
}
