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
            WhatItDoes: "Checks for functions whose returned `&mut` borrows from immutable reference parameters (by lifetime, or by elision), when the function is `unsafe`, has no body, or uses `unsafe` in its body — the only ways such a signature compiles. As in clippy, every lifetime position of the parameters counts (`(&'a T, &'a U)`, `Box<&'a T>`), and a `&'a mut` or a `T<'a>` among the inputs of the output's lifetime clears the function (the result may borrow from it); methods of trait impls follow the trait, which is checked instead.",
            WhyIsThisBad: "Two calls can hand out two live `&mut` to the same data from one shared borrow: undefined behaviour that no caller can prevent. Interior mutability (`UnsafeCell`) is the sound tool.",
            Example: "fn context(&self) -> &mut QueueContext {\n    unsafe { &mut *self.ptr }\n}",
            UseInstead: "fn context(&mut self) -> &mut QueueContext {\n    // SAFETY: ptr is valid and uniquely borrowed through &mut self.\n    unsafe { &mut *self.ptr }\n}"),
        equivalent: "clippy::mut_from_ref", securitySeverity: "7.0", cwe: 416);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        => context.RegisterSyntaxNodeAction(Analyze, [RustSyntaxKind.FunctionItem, RustSyntaxKind.FunctionSignatureItem]);

    /// <summary>A lifetime position in a type: a reference (its lifetime, null when elided; mutable or not) or a lifetime generic argument.</summary>
    private readonly record struct LifetimeUse(SyntaxNode Node, string? Lifetime, bool? Mutable);

    /// <summary>Every lifetime position in a type, as clippy collects them: references and lifetime arguments, not inside fn pointer types.</summary>
    private static IEnumerable<LifetimeUse> Lifetimes(SyntaxNode type)
    {
        foreach (var n in type.DescendantsAndSelf)
        {
            if (n.FirstAncestor(a => a.Kind == RustSyntaxKind.FunctionType && type.Contains(a)) is not null && n.Kind != RustSyntaxKind.FunctionType) continue;
            if (n.Kind == RustSyntaxKind.ReferenceType)
                yield return new(n, Named(n.ChildOfKind(RustSyntaxKind.Lifetime)?.Text), n.HasChild(RustSyntaxKind.MutableSpecifier));
            else if (n.Kind == RustSyntaxKind.Lifetime && n.Parent is { Kind: RustSyntaxKind.TypeArguments })
                yield return new(n, Named(n.Text), null);
        }
    }

    /// <summary>A named lifetime; <c>'_</c> is elided like no lifetime at all.</summary>
    private static string? Named(string? lifetime) => lifetime is null or "'_" ? null : lifetime;

    private static bool InTraitImpl(SyntaxNode fn)
        => fn.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { Kind: RustSyntaxKind.ImplItem } impl && impl.ChildByField(RustSyntaxField.Trait) is not null;

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        var fn = c.Node;
        // Trait impls follow the trait's signature: clippy checks the trait, not each impl.
        if (fn.ChildByField(RustSyntaxField.ReturnType) is not { } returnType || InTraitImpl(fn)) return;
        var outputs = Lifetimes(returnType).Where(l => l.Mutable == true).ToList();
        if (outputs.Count == 0) return;
        var body = fn.ChildByField(RustSyntaxField.Body);
        if (body is { } b && !SyntaxFacts.IsUnsafeFunction(fn) && !SyntaxFacts.ContainsUnsafe(b)) return;
        if (fn.ChildByField(RustSyntaxField.Parameters) is not { } ps) return;

        // Inputs: each lifetime position of each parameter; `&self` is a reference too.
        var inputs = new List<LifetimeUse>();
        LifetimeUse? selfRef = null;
        foreach (var p in ps.Children)
        {
            if (p.Kind == RustSyntaxKind.SelfParameter)
            {
                if (!p.HasChild(RustSyntaxKind.AmpersandToken)) continue;
                var use = new LifetimeUse(p, Named(p.ChildOfKind(RustSyntaxKind.Lifetime)?.Text), p.HasChild(RustSyntaxKind.MutableSpecifier));
                inputs.Add(use);
                selfRef = use;
            }
            else if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Type) is { } t)
            {
                var uses = Lifetimes(t).ToList();
                inputs.AddRange(uses);
                // `self: &Self`, `self: Pin<&mut Self>`: elision takes the receiver's reference.
                if (p.ChildByField(RustSyntaxField.Pattern) is { Kind: RustSyntaxKind.Self } && uses.FirstOrDefault(u => u.Mutable is not null) is { Node.Tree: not null } sr)
                    selfRef = sr;
            }
        }
        foreach (var output in outputs)
        {
            // The inputs whose lifetime is the output's: the same name, or by elision the receiver's, else the only input lifetime.
            List<LifetimeUse> tied;
            if (output.Lifetime is { } named)
            {
                if (named == "'static") continue;
                tied = inputs.Where(i => i.Lifetime == named).ToList();
            }
            else if (selfRef is { } receiver)
                tied = receiver.Lifetime is { } rl ? inputs.Where(i => i.Lifetime == rl).ToList() : [receiver];
            else
            {
                var distinct = inputs.Select(i => i.Lifetime ?? "#" + i.Node.Span.Start).Distinct().ToList();
                if (distinct.Count != 1) continue;
                tied = inputs;
            }
            // Any `&'a mut` or `T<'a>` among them: the output may borrow from that.
            if (tied.Count == 0 || tied.Any(i => i.Mutable != false)) continue;
            c.ReportDiagnostic(Diagnostic.Create(Rule, output.Node.Location, tied.Select(s => new RelatedLocation(s.Node.Location, "immutable borrow here")), null));
        }
    }
}
