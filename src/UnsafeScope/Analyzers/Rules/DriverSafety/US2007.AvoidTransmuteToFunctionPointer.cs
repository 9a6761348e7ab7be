using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2007: <c>transmute</c> to a function pointer.</summary>
public sealed class AvoidTransmuteToFunctionPointerAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2007", "AvoidTransmuteToFunctionPointer", "transmute to a function pointer",
        "`transmute` to a function pointer type `{0}`", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `transmute` calls whose target type is a function pointer (`fn(..)`, `extern \"C\" fn(..)`, `Option<fn(..)>`), given by turbofish or by the type of the `let` it initializes. The usual source is `MmGetSystemRoutineAddress`.",
            WhyIsThisBad: "Nothing checks that the address points to a function with that signature and calling convention; a wrong guess is arbitrary code execution in the kernel.",
            Example: "let f: extern \"system\" fn(u32) -> u32 = unsafe { core::mem::transmute(MmGetSystemRoutineAddress(&mut name)) };",
            UseInstead: "// SAFETY: the routine's signature is documented for all supported builds; null is checked first.\nlet p = unsafe { MmGetSystemRoutineAddress(&mut name) };\nlet f: Option<RoutineFn> = if p.is_null() { None } else { Some(unsafe { core::mem::transmute::<PVOID, RoutineFn>(p) }) };"),
        securitySeverity: "6.5", cwe: 843);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(Analyze, [RustSyntaxKind.CallExpression]);

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        if (c.Node.ChildByField(RustSyntaxField.Function) is not { } f) return;
        SyntaxNode? typeArgs = null;
        var callee = f;
        if (f.Kind == RustSyntaxKind.GenericFunction)
        {
            typeArgs = f.ChildByField(RustSyntaxField.TypeArguments);
            callee = f.ChildByField(RustSyntaxField.Function) ?? f;
        }
        // The bytes, not a string: this runs on every call of every file.
        var name = callee.Utf8Text;
        if (!(name.SequenceEqual("transmute"u8) || name.EndsWith("::transmute"u8))) return;
        SyntaxNode? target = null;
        if (typeArgs is { } ta)
            target = ta.Children.ToList().Where(x => x.IsNamed && !x.IsComment).LastOrDefault();
        else
        {
            // The value of a `let` with a type, possibly through `unsafe { … }` and parentheses.
            var p = c.Node.Parent;
            while (p is { Kind: RustSyntaxKind.Block or RustSyntaxKind.UnsafeBlock or RustSyntaxKind.ParenthesizedExpression or RustSyntaxKind.ExpressionStatement } q) p = q.Parent;
            if (p is { Kind: RustSyntaxKind.LetDeclaration } let) target = let.ChildByField(RustSyntaxField.Type);
        }
        if (target is { Tree: not null } t && MentionsFunctionType(t))
            c.ReportDiagnostic(Diagnostic.Create(Rule, c.Node.Location, null, null, t.Text));
    }

    private static bool MentionsFunctionType(SyntaxNode type)
    {
        foreach (var n in type.DescendantsAndSelf)
            if (n.Kind == RustSyntaxKind.FunctionType) return true;
        return false;
    }
}
