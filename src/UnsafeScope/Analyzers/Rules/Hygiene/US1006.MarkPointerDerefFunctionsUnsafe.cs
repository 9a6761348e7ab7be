using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1006: a safe public function must not dereference a raw pointer argument (clippy::not_unsafe_ptr_arg_deref).</summary>
public sealed class MarkPointerDerefFunctionsUnsafeAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1006", "MarkPointerDerefFunctionsUnsafe", "Safe public function dereferences a raw pointer argument",
        "this public function might dereference a raw pointer but is not marked `unsafe`", RuleFactory.Hygiene, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for exported functions (as in clippy: `pub` and reachable from outside the crate; methods of trait impls for exported types; provided methods of exported traits) that are not `unsafe` but dereference one of their raw pointer parameters (also a parameter whose type is a crate alias of a raw pointer), or pass it to an unsafe function or method as an argument or receiver (`ptr::read(p)`, `p.as_ref()`, a crate's own unsafe fn). Reported at the parameter, once per use, also inside std macro arguments (`println!(\"{}\", unsafe { *p })`).",
            WhyIsThisBad: "Any safe caller can pass a dangling or null pointer, so the function is unsound: its safety depends on a contract that the signature does not state.",
            Example: "pub fn first(p: *const u8) -> u8 {\n    unsafe { *p }\n}",
            UseInstead: "/// # Safety\n/// `p` must be valid for reads.\npub unsafe fn first(p: *const u8) -> u8 {\n    // SAFETY: the caller guarantees `p` is valid.\n    unsafe { *p }\n}"),
        equivalent: "clippy::not_unsafe_ptr_arg_deref", securitySeverity: "7.5", cwe: 822);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeBlock]);

    // The linked inventory's operations (resolved with the run's catalogs) say what each unsafe block does; clippy
    // reports every use of a raw-pointer parameter as a dereferenced place or as an argument or receiver of an unsafe
    // call, at the parameter's name, in functions it considers exported (trait impl methods with their type).
    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        var model = c.SemanticModel;
        var pointers = model.GetPointerParameters(r);
        if (r.InUnsafeFunction || !model.IsExported(r) || pointers.IsEmpty) return;
        foreach (var op in model.GetUnsafeOperations(r))
        {
            if (op.Kind is not (OperationKind.RawPointerDeref or OperationKind.UnsafeCall or OperationKind.UnsafeMethodCall or OperationKind.ExternCall)) continue;
            foreach (var operand in op.Operands)
                if (pointers.Contains(operand.Name))
                    c.ReportDiagnostic(Diagnostic.Create(Rule, operand.Location));
        }
    }
}
