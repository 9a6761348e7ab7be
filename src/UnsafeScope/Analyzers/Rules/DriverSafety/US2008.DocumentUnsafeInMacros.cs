using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2008: unsafe code inside macro bodies and arguments, which compiler lints never see.</summary>
public sealed class DocumentUnsafeInMacrosAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2008", "DocumentUnsafeInMacros", "Undocumented unsafe code inside a macro",
        "{0} inside a macro token tree has no SAFETY comment; compiler lints do not check it here", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `unsafe { … }` blocks, `unsafe fn` and `unsafe impl` written inside macro token trees (`macro_rules!` bodies, `cfg_if!`, `paste!` and other macro arguments) without a `// SAFETY:` comment. Blocks in the arguments of the crate's own `macro_rules!` called in a function body are not token trees but code the macro pastes into the body: US1001 checks them, as clippy does.",
            WhyIsThisBad: "Lints like `undocumented_unsafe_blocks` run on the expansion, where the source text of the macro body is often not checked, and a macro body is instantiated many times. Unsafe helpers hidden in macros (`paged_code!`, context accessors) are the easiest unsafe code to miss in review.",
            Example: "macro_rules! irql {\n    () => { unsafe { $crate::ntddk::KeGetCurrentIrql() } };\n}",
            UseInstead: "macro_rules! irql {\n    // SAFETY: KeGetCurrentIrql has no preconditions.\n    () => { unsafe { $crate::ntddk::KeGetCurrentIrql() } };\n}"));

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <summary>Whether the rule reports the region (undocumented unsafe code in a macro token tree); the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r)
        // A region made by a helper macro's own expansion (paged_code!) is documented where the macro is defined.
        => r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn or RegionKind.UnsafeImpl or RegionKind.UnsafeTrait
           && r.InMacro && !r.HasSafetyComment && !r.Name.EndsWith('!');

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(c =>
    {
        var r = c.Region;
        if (!Flags(r)) return;
        var what = r.Kind switch { RegionKind.UnsafeFn => "unsafe fn", RegionKind.UnsafeImpl => "unsafe impl", RegionKind.UnsafeTrait => "unsafe trait", _ => "unsafe block" };
        c.ReportDiagnostic(Diagnostic.Create(Rule, Hygiene.DocumentUnsafeBlocksAnalyzer.HeadLocation(r), RuleFactory.OperationNotes(r), null, what));
    }, [RegionKind.UnsafeBlock, RegionKind.UnsafeFn, RegionKind.UnsafeImpl, RegionKind.UnsafeTrait]);
}
