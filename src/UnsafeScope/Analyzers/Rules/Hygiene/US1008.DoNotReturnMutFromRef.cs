using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1008: a function taking only shared references must not return a mutable one (clippy::mut_from_ref).</summary>
public sealed class DoNotReturnMutFromRefAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1008", "DoNotReturnMutFromRef", "Mutable reference returned from a shared one",
        "mutable borrow from immutable input(s)", RuleFactory.Hygiene, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for functions whose returned `&mut` borrows from immutable reference parameters (by lifetime, or by elision), when the function is `unsafe`, has no body, or uses `unsafe` in its body — the only ways such a signature compiles.",
            WhyIsThisBad: "Two calls can hand out two live `&mut` to the same data from one shared borrow: undefined behaviour that no caller can prevent. Interior mutability (`UnsafeCell`) is the sound tool.",
            Example: "fn context(&self) -> &mut QueueContext {\n    unsafe { &mut *self.ptr }\n}",
            UseInstead: "fn context(&mut self) -> &mut QueueContext {\n    // SAFETY: ptr is valid and uniquely borrowed through &mut self.\n    unsafe { &mut *self.ptr }\n}"),
        equivalent: "clippy::mut_from_ref", securitySeverity: "7.0", cwe: 416);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        => context.RegisterSyntaxNodeAction(Analyze, [RustSyntaxKind.FunctionItem, RustSyntaxKind.FunctionSignatureItem]);

    private static SyntaxNode? MutableReference(SyntaxNode type)
    {
        foreach (var n in type.DescendantsAndSelf)
        {
            if (n.Kind == RustSyntaxKind.ReferenceType && n.HasChild(RustSyntaxKind.MutableSpecifier)
                && n.FirstAncestor(a => a.Kind == RustSyntaxKind.FunctionType && type.Contains(a)) is null)
                return n;
        }
        return null;
    }

    private static SyntaxNode? FirstReference(SyntaxNode type)
    {
        foreach (var n in type.DescendantsAndSelf)
            if (n.Kind == RustSyntaxKind.ReferenceType) return n;
        return null;
    }

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        var fn = c.Node;
        // The returned `&mut` may sit inside other types (Result<&mut T, E>), but not inside fn pointer types.
        if (fn.ChildByField(RustSyntaxField.ReturnType) is not { } returnType || MutableReference(returnType) is not { } ret) return;
        var outLifetime = ret.ChildOfKind(RustSyntaxKind.Lifetime)?.Text;
        if (outLifetime == "'static") return;
        var body = fn.ChildByField(RustSyntaxField.Body);
        if (body is { } b && !SyntaxFacts.IsUnsafeFunction(fn) && !SyntaxFacts.ContainsUnsafe(b)) return;
        if (fn.ChildByField(RustSyntaxField.Parameters) is not { } ps) return;

        var sources = new List<SyntaxNode>();
        var refs = new List<(SyntaxNode Node, bool Mutable, string? Lifetime)>();
        foreach (var p in ps.Children)
        {
            if (p.Kind == RustSyntaxKind.SelfParameter)
            {
                if (p.HasChild(RustSyntaxKind.AmpersandToken))
                    refs.Add((p, p.HasChild(RustSyntaxKind.MutableSpecifier), p.ChildOfKind(RustSyntaxKind.Lifetime)?.Text));
            }
            else if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { Kind: RustSyntaxKind.Self }
                     && p.ChildByField(RustSyntaxField.Type) is { } selfType && FirstReference(selfType) is { } sr)
            {
                // `self: Pin<&mut Self>`, `self: &Self`: a self receiver by its reference.
                refs.Add((p, sr.HasChild(RustSyntaxKind.MutableSpecifier), sr.ChildOfKind(RustSyntaxKind.Lifetime)?.Text));
            }
            else if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Type) is { Kind: RustSyntaxKind.ReferenceType } t)
            {
                refs.Add((t, t.HasChild(RustSyntaxKind.MutableSpecifier), t.ChildOfKind(RustSyntaxKind.Lifetime)?.Text));
            }
        }
        if (outLifetime is not null)
        {
            sources.AddRange(refs.Where(r => !r.Mutable && r.Lifetime == outLifetime).Select(r => r.Node));
        }
        else
        {
            // Elision: the output borrows from &self if there is one, else from the only reference parameter.
            var self = refs.FirstOrDefault(r => r.Node.Kind == RustSyntaxKind.SelfParameter || r.Node.Kind == RustSyntaxKind.Parameter);
            if (self.Node.Tree is not null) { if (!self.Mutable && self.Lifetime is null) sources.Add(self.Node); }
            else if (refs.Count == 1 && !refs[0].Mutable && refs[0].Lifetime is null) sources.Add(refs[0].Node);
        }
        if (sources.Count == 0) return;
        c.ReportDiagnostic(Diagnostic.Create(Rule, ret.Location, sources.Select(s => new RelatedLocation(s.Location, "immutable borrow here")), null));
    }
}
