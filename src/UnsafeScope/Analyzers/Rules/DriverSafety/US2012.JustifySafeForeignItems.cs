using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2012: a <c>safe fn</c> / <c>safe static</c> in an <c>unsafe extern</c> block without a SAFETY comment.</summary>
public sealed class JustifySafeForeignItemsAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2012", "JustifySafeForeignItems", "safe foreign item without a SAFETY comment",
        "`safe {0} {1}` has no SAFETY comment saying why every use is sound", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `safe fn` and `safe static` declarations inside a Rust 2024 `unsafe extern` block without a `// SAFETY:` comment above them. Clippy cannot check this.",
            WhyIsThisBad: "`safe` claims the foreign function can be called with any arguments, in any context (any IRQL, any thread), without undefined behavior; safe code then calls it with no `unsafe` block and no review. The claim deserves its own argument.",
            Example: "// SAFETY: declarations match wdm.h.\nunsafe extern \"system\" {\n    safe fn KeGetCurrentIrql() -> u8;\n}",
            UseInstead: "// SAFETY: declarations match wdm.h.\nunsafe extern \"system\" {\n    // SAFETY: KeGetCurrentIrql takes no arguments, reads the current processor's IRQL and is callable at any IRQL.\n    safe fn KeGetCurrentIrql() -> u8;\n}"),
        securitySeverity: "5.0", cwe: 628);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(c =>
    {
        var n = c.Node;
        if (SyntaxFacts.InTokenTree(n) || n.FirstAncestorOfKind(RustSyntaxKind.ForeignModItem) is not { } block
            || !n.Tree.HasRecoveredKeyword(n.Span, "safe") || SafetyComments.Has(n)) return;
        var name = n.ChildByField(RustSyntaxField.Name)?.Text ?? "";
        var head = n.Tree.Text.GetLocation(n.Tree.Text.GetLineSpan(n.StartLine));
        c.ReportDiagnostic(Diagnostic.Create(Rule, head, null, null, n.Kind == RustSyntaxKind.StaticItem ? "static" : "fn", name));
    }, [RustSyntaxKind.FunctionSignatureItem, RustSyntaxKind.StaticItem]);
}
