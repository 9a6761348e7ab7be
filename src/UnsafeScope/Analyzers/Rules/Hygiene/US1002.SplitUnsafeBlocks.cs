using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1002: one unsafe operation per unsafe block (clippy::multiple_unsafe_ops_per_block).</summary>
public sealed class SplitUnsafeBlocksAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1002", "SplitUnsafeBlocks", "Unsafe block with more than one unsafe operation",
        "this `unsafe` block contains {0} unsafe operations, expected only one", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `unsafe` blocks that contain more than one unsafe operation: calls of unsafe or extern functions and methods, raw pointer dereferences, accesses of `static mut` or extern statics, union field reads, inline assembly and unsafe macros such as `call_unsafe_wdf_function_binding!`. Each operation is listed as a related location. As in clippy, `&raw const`/`&raw mut` of a `static mut`, of `*ptr` or of a union field path is no operation (a field path under it is still checked; a union field the path derefs through, `&raw const u.reference.x`, is read), and a fn declared in a function body shadows module-level fns of its name.",
            WhyIsThisBad: "A block with several operations needs one justification per operation; a single SAFETY comment rarely covers them all, and the unsafe surface grows unnoticed. windows-drivers-rs forbids it.",
            Example: "// SAFETY: request and memory are valid.\nunsafe {\n    call_unsafe_wdf_function_binding!(WdfRequestRetrieveInputMemory, request, &mut memory);\n    call_unsafe_wdf_function_binding!(WdfRequestComplete, request, status);\n}",
            UseInstead: "// SAFETY: request is valid until completed.\nunsafe { call_unsafe_wdf_function_binding!(WdfRequestRetrieveInputMemory, request, &mut memory) };\n// SAFETY: request has not been completed yet.\nunsafe { call_unsafe_wdf_function_binding!(WdfRequestComplete, request, status) };",
            Configuration: "`max-operations` (default 1): the most operations a block may hold."),
        equivalent: "clippy::multiple_unsafe_ops_per_block");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeBlock]);

    /// <summary>
    /// How many operations the block has beyond the configured <c>max-operations</c> (0 when the rule does not report
    /// it); the score reads it too. Operations under cfgs that exclude each other are never compiled together, so one
    /// configuration's are counted.
    /// </summary>
    internal static int Excess(UnsafeRegion r, AnalyzerOptions options)
    {
        if (r.Kind != RegionKind.UnsafeBlock || r.InMacro) return 0;
        return Math.Max(0, Semantics.CfgAlternatives.Counted(r.Operations).Count - options.GetInt(Rule.Id, "max-operations", 1));
    }

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        if (Excess(r, c.Options) <= 0) return;
        var counted = c.SemanticModel.GetCountedOperations(r);
        c.ReportDiagnostic(Diagnostic.Create(Rule, DocumentUnsafeBlocksAnalyzer.HeadLocation(r), RuleFactory.OperationNotes(counted), null, counted.Count));
    }
}
