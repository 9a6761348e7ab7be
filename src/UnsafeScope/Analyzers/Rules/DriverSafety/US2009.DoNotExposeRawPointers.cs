using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2009: raw pointers and handles escaping through the public API.</summary>
public sealed class DoNotExposeRawPointersAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2009", "DoNotExposeRawPointers", "Raw pointer exposed through the public API",
        "{0}", RuleFactory.Driver, DiagnosticSeverity.Info, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks for raw pointers in `pub` fields of `pub` structs, raw pointers returned by safe `pub` functions, and safe `pub fn from_raw*` constructors taking raw pointers.",
            WhyIsThisBad: "A wrapper type is only a safe abstraction while its raw handle stays private: a public raw field or accessor lets any safe code bypass the invariants the wrapper's unsafe blocks rely on, and a safe `from_raw` lets any safe code forge one.",
            Example: "pub struct Device {\n    pub handle: *mut DEVICE_OBJECT,\n}",
            UseInstead: "pub struct Device {\n    handle: NonNull<DEVICE_OBJECT>,\n}\nimpl Device {\n    /// # Safety\n    /// `handle` must be a live device object.\n    pub unsafe fn from_raw(handle: *mut DEVICE_OBJECT) -> Option<Self> { NonNull::new(handle).map(|handle| Self { handle }) }\n}"));

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.RegisterSyntaxNodeAction(AnalyzeField, [RustSyntaxKind.FieldDeclaration]);
        context.RegisterSyntaxNodeAction(AnalyzeFunction, [RustSyntaxKind.FunctionItem]);
    }

    private static void AnalyzeField(SyntaxNodeAnalysisContext c)
    {
        var f = c.Node;
        if (SyntaxFacts.Visibility(f) != "pub" || f.ChildByField(RustSyntaxField.Type) is not { Kind: RustSyntaxKind.PointerType }) return;
        if (f.FirstAncestorOfKind(RustSyntaxKind.StructItem, RustSyntaxKind.UnionItem) is not { } s || SyntaxFacts.Visibility(s) != "pub") return;
        var name = f.ChildByField(RustSyntaxField.Name)?.Text ?? "";
        c.ReportDiagnostic(Diagnostic.Create(Rule, f.Location, null, null, $"public field `{name}` of `{s.ChildByField(RustSyntaxField.Name)?.Text}` is a raw pointer"));
    }

    private static void AnalyzeFunction(SyntaxNodeAnalysisContext c)
    {
        var fn = c.Node;
        if (SyntaxFacts.Visibility(fn) != "pub" || SyntaxFacts.IsUnsafeFunction(fn) || SyntaxFacts.IsInTraitImpl(fn)) return;
        var name = fn.ChildByField(RustSyntaxField.Name)?.Text ?? "";
        if (fn.ChildByField(RustSyntaxField.ReturnType) is { Kind: RustSyntaxKind.PointerType } ret && !name.StartsWith("as_", StringComparison.Ordinal) && name != "into_raw")
            c.ReportDiagnostic(Diagnostic.Create(Rule, ret.Location, null, null, $"safe public function `{name}` returns a raw pointer"));
        if (name.StartsWith("from_raw", StringComparison.Ordinal) && fn.ChildByField(RustSyntaxField.Parameters) is { } ps
            && ps.Children.ToList().Any(p => p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Type) is { Kind: RustSyntaxKind.PointerType }))
            c.ReportDiagnostic(Diagnostic.Create(Rule, fn.ChildByField(RustSyntaxField.Name)!.Value.Location, null, null, $"safe public constructor `{name}` takes a raw pointer"));
    }
}
