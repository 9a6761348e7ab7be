using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1003: public unsafe functions and traits need a <c># Safety</c> doc section (clippy::missing_safety_doc).</summary>
public sealed class DocumentUnsafeFunctionSafetyAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1003", "DocumentUnsafeFunctionSafety", "Public unsafe function or trait without a # Safety section",
        "unsafe {0} `{1}` is missing a `# Safety` section in its docs", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for exported `unsafe fn`s (including unsafe methods of exported traits) and `unsafe trait`s of any visibility whose doc comments have no `# Safety` section. Exported means, as in clippy, reachable from outside the crate: `pub` in modules that are `pub` up to the crate root, or re-exported by `pub use`, and not `#[doc(hidden)]`. Also unsafe fields (`unsafe name: T`, the unstable `unsafe_fields`) of any visibility, and exported unsafe fns written in the body of a local `macro_rules!` the crate calls (clippy lints each expansion). The section is a heading reading exactly `Safety`, `SAFETY`, `Implementation safety` or `Implementation Safety`.",
            WhyIsThisBad: "Callers of an unsafe function must uphold its preconditions; if they are not written down, every caller guesses.",
            Example: "/// Maps the device registers.\npub unsafe fn map_registers(phys: PHYSICAL_ADDRESS) -> *mut Regs { /* ... */ }",
            Configuration: "`check-private-items` (default false, as clippy's option): check unsafe fns whatever their visibility (not methods of trait impls, which take the trait's docs).",
            UseInstead: "/// Maps the device registers.\n///\n/// # Safety\n/// `phys` must be this device's BAR and must stay mapped until `unmap_registers`.\npub unsafe fn map_registers(phys: PHYSICAL_ADDRESS) -> *mut Regs { /* ... */ }"),
        equivalent: "clippy::missing_safety_doc");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.RegisterRegionAction(Analyze, [RegionKind.UnsafeFn, RegionKind.UnsafeTrait]);
        context.RegisterSyntaxNodeAction(AnalyzeField, [RustSyntaxKind.FieldDeclaration]);
    }

    // Unsafe fields (`unsafe field: T`, unstable unsafe_fields) need the section too, whatever their visibility.
    private static void AnalyzeField(SyntaxNodeAnalysisContext c)
    {
        if (SyntaxFacts.UnsafeFieldName(c.Node) is not { } name || SafetyComments.HasSafetyDocSection(c.Node)) return;
        c.ReportDiagnostic(Diagnostic.Create(Rule, c.Node.Location, null, null, "field", name));
    }

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        if (!Flags(r, c.Options)) return;
        var name = r.Kind == RegionKind.UnsafeTrait ? "trait" : "function";
        c.ReportDiagnostic(Diagnostic.Create(Rule, NameLocation(r), null, null, name, r.Name));
    }

    /// <summary>Whether the rule reports the region (an unsafe fn or trait); the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r, AnalyzerOptions options)
    {
        if (r.Kind is not (RegionKind.UnsafeFn or RegionKind.UnsafeTrait)) return false;
        // clippy checks exported functions only (pub and reachable, not doc(hidden)), but unsafe traits of any visibility;
        // trait impls take their docs from the trait.
        // Token trees are not code, except the bodies of local macro_rules! the crate calls: clippy lints each expansion.
        if ((r.InMacro && r.MacroRules.Length == 0) || r.HasSafetyDoc) return false;
        // check-private-items (clippy's option of that name): every unsafe fn but trait impl methods, exported or not.
        return r.Kind == RegionKind.UnsafeTrait || (options.GetBool(Rule.Id, "check-private-items", false) ? r.Visibility != "trait-impl" : r.IsExported);
    }

    internal static Text.Location NameLocation(UnsafeRegion r) => DocumentUnsafeBlocksAnalyzer.HeadLocation(r);
}
