using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2011: an <c>unsafe extern</c> block without a SAFETY comment.</summary>
public sealed class JustifyUnsafeExternBlocksAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2011", "JustifyUnsafeExternBlocks", "unsafe extern block without a SAFETY comment",
        "`unsafe extern \"{0}\"` block has no SAFETY comment saying the declarations match the foreign definitions", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for Rust 2024 `unsafe extern \"ABI\" { … }` blocks without a `// SAFETY:` comment above them. Clippy cannot check this.",
            WhyIsThisBad: "The `unsafe` on the block is the author's promise that every signature in it matches the foreign definition (argument types, ABI, return type). A wrong declaration of a kernel routine is undefined behavior at every call, and nothing checks it.",
            Example: "unsafe extern \"system\" {\n    fn KeBugCheckEx(code: u32, p1: usize, p2: usize, p3: usize, p4: usize) -> !;\n}",
            UseInstead: "// SAFETY: signature copied from wdm.h (KeBugCheckEx, __stdcall, ULONG + 4 × ULONG_PTR, DECLSPEC_NORETURN).\nunsafe extern \"system\" {\n    fn KeBugCheckEx(code: u32, p1: usize, p2: usize, p3: usize, p4: usize) -> !;\n}"),
        securitySeverity: "4.0", cwe: 628);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(c =>
    {
        var n = c.Node;
        if (SyntaxFacts.InTokenTree(n) || !n.Tree.HasRecoveredKeyword(n.Span, "unsafe") || SafetyComments.Has(n)) return;
        var abi = n.ChildOfKind(RustSyntaxKind.ExternModifier)?.ChildOfKind(RustSyntaxKind.StringLiteral)?.Text.Trim('"') ?? "C";
        var head = n.Tree.Text.GetLocation(n.Tree.Text.GetLineSpan(n.StartLine));
        c.ReportDiagnostic(Diagnostic.Create(Rule, head, null, null, abi));
    }, [RustSyntaxKind.ForeignModItem]);
}
