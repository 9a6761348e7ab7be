using System.Collections.Concurrent;
using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1006: a safe public function must not dereference a raw pointer argument (clippy::not_unsafe_ptr_arg_deref).</summary>
public sealed class MarkPointerDerefFunctionsUnsafeAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1006", "MarkPointerDerefFunctionsUnsafe", "Safe public function dereferences a raw pointer argument",
        "this public function might dereference a raw pointer but is not marked `unsafe`", RuleFactory.Hygiene, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for exported functions (as in clippy: `pub` and reachable from outside the crate) that are not `unsafe` but dereference one of their raw pointer parameters, or pass it to an unsafe std function or method (`ptr::read(p)`, `p.write(v)`).",
            WhyIsThisBad: "Any safe caller can pass a dangling or null pointer, so the function is unsound: its safety depends on a contract that the signature does not state.",
            Example: "pub fn first(p: *const u8) -> u8 {\n    unsafe { *p }\n}",
            UseInstead: "/// # Safety\n/// `p` must be valid for reads.\npub unsafe fn first(p: *const u8) -> u8 {\n    // SAFETY: the caller guarantees `p` is valid.\n    unsafe { *p }\n}"),
        equivalent: "clippy::not_unsafe_ptr_arg_deref", securitySeverity: "7.5", cwe: 822);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        // Whether the function is exported (clippy checks only those) is known once its crate is linked: the driver
        // keeps the finding only if the unsafe block it is in belongs to an exported function.
        => context.RegisterSyntaxNodeAction(c => Analyze(c, d => c.ReportDiagnostic(d.WithProperties(d.Properties.SetItem(UnsafeScope.Driver.DeferredConditions.ExportedOnly, "true")))),
            [RustSyntaxKind.FunctionItem]);

    private static void Analyze(SyntaxNodeAnalysisContext c, Action<Diagnostic> report)
    {
        var fn = c.Node;
        if (SyntaxFacts.IsUnsafeFunction(fn) || SyntaxFacts.Visibility(fn) != "pub" || SyntaxFacts.IsInTraitImpl(fn)) return;
        if (fn.ChildByField(RustSyntaxField.Parameters) is not { } ps || fn.ChildByField(RustSyntaxField.Body) is not { } body) return;
        var pointers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in ps.Children)
            if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Type) is { Kind: RustSyntaxKind.PointerType } && p.ChildByField(RustSyntaxField.Pattern) is { Kind: RustSyntaxKind.Identifier } name)
                pointers.Add(name.Text);
        if (pointers.Count == 0) return;
        var catalog = Catalogs.ApiCatalog.Default;
        foreach (var n in body.Descendants)
        {
            // Only code inside unsafe blocks can dereference; nested functions have their own parameters.
            if (n.Kind == RustSyntaxKind.FunctionItem || n.FirstAncestorOfKind(RustSyntaxKind.UnsafeBlock, RustSyntaxKind.FunctionItem) is not { Kind: RustSyntaxKind.UnsafeBlock }) continue;
            bool hit = false;
            if (n.Kind == RustSyntaxKind.UnaryExpression && n.HasChild(RustSyntaxKind.AsteriskToken)
                && n.Children.ToList().LastOrDefault(x => x.IsNamed && !x.IsComment) is { Tree: not null } operand
                && SyntaxFacts.Strip(operand) is { Kind: RustSyntaxKind.Identifier } id && pointers.Contains(id.Text))
                hit = true;
            else if (n.Kind == RustSyntaxKind.CallExpression && n.ChildByField(RustSyntaxField.Function) is { } f)
            {
                if (f.Kind == RustSyntaxKind.FieldExpression && f.ChildByField(RustSyntaxField.Value) is { } recv && SyntaxFacts.Strip(recv) is { Kind: RustSyntaxKind.Identifier } r
                    && pointers.Contains(r.Text) && f.ChildByField(RustSyntaxField.Field) is { } m && catalog.UnsafeStdMethods.ContainsKey(m.Text))
                    hit = true;
                else if (f.Kind is RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier && IsUnsafeStdFunction(f.Text, catalog)
                         && n.ChildByField(RustSyntaxField.Arguments) is { } args
                         && args.Children.ToList().Any(a => SyntaxFacts.Strip(a) is { Kind: RustSyntaxKind.Identifier } ai && pointers.Contains(ai.Text)))
                    hit = true;
            }
            if (hit) report(Diagnostic.Create(Rule, n.Location));
        }
    }

    private static bool IsUnsafeStdFunction(string path, Catalogs.ApiCatalog catalog)
    {
        var last = path[(path.LastIndexOf("::", StringComparison.Ordinal) is var i && i >= 0 ? i + 2 : 0)..];
        return catalog.UnsafeStdFree.Contains(last) || catalog.UnsafeStdPaths.Any(p => path == p || path.EndsWith("::" + p, StringComparison.Ordinal));
    }
}
