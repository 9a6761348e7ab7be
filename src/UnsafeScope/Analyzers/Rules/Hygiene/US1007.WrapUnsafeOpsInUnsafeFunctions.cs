using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1007: unsafe operations in an unsafe fn body need their own unsafe block (rustc's unsafe_op_in_unsafe_fn).</summary>
public sealed class WrapUnsafeOpsInUnsafeFunctionsAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1007", "WrapUnsafeOpsInUnsafeFunctions", "Unsafe operation in an unsafe fn without an unsafe block",
        "{0} is unsafe and requires unsafe block", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for unsafe operations written directly in the body of an `unsafe fn`, outside any `unsafe {}` block, also in `unsafe fn`s written in the body of a local `macro_rules!` the crate calls (rustc reports those at the macro's lines), and in functions a macro declares `unsafe` around code written at the call: the crate's own `macro_rules!` are expanded where called at item level or in an unsafe fn body (glib's `wrapper!` closures become `unsafe fn` bodies), libc's `f!` is declared in `item-macros.tsv`. Edition-aware like rustc: it warns by default in crates on edition 2024 (where rustc's lint warns, also when the edition is inherited with `edition.workspace = true`); on older editions only when the crate raises the lint (`[lints.rust]`, `[workspace.lints.rust]`, `#![deny(unsafe_op_in_unsafe_fn)]`) or `all-editions` is set. The crate's level sets the finding's: `forbid`/`deny` error, `warn` warning, `allow` suppressed (docs/configuration.md).",
            WhyIsThisBad: "`unsafe fn` states a contract for callers; it should not also silently allow every unsafe operation in the body. Blocks make each operation visible and justifiable.",
            Example: "pub unsafe fn complete(request: WDFREQUEST) {\n    call_unsafe_wdf_function_binding!(WdfRequestComplete, request, 0);\n}",
            UseInstead: "pub unsafe fn complete(request: WDFREQUEST) {\n    // SAFETY: the caller passes a live request it owns.\n    unsafe { call_unsafe_wdf_function_binding!(WdfRequestComplete, request, 0) };\n}",
            Configuration: "`all-editions` (default false): report in crates on editions before 2024 too."),
        equivalent: "rustc::unsafe_op_in_unsafe_fn");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeFn, RegionKind.MacroUnsafeFn]);

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        // Token trees are opaque to the compiler, except the bodies of local macro_rules! it expands (MacroRules).
        var operations = c.SemanticModel.GetUnsafeOperations(r);
        if ((r.InMacro && r.MacroRules.Length == 0) || operations.IsEmpty) return;
        // Before 2024 rustc allows the lint by default: such findings count only where the crate raises it (its [lints] or #![warn]).
        var properties = string.CompareOrdinal(c.File.Edition, "2024") < 0 && !c.Options.GetBool(Rule.Id, "all-editions", false)
            ? ImmutableDictionary<string, string>.Empty.Add(DiagnosticProperties.LintDefault, "allow") : null;
        foreach (var op in operations)
            c.ReportDiagnostic(Diagnostic.Create(Rule, op.Location, [new RelatedLocation(DocumentUnsafeBlocksAnalyzer.HeadLocation(r), "the unsafe fn")], properties, RegionKinds.Describe(op.Kind)));
    }
}
