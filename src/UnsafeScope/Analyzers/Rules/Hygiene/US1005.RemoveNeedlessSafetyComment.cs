using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1005: a SAFETY comment on code without unsafe (clippy::unnecessary_safety_comment).</summary>
public sealed class RemoveNeedlessSafetyCommentAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1005", "RemoveNeedlessSafetyComment", "SAFETY comment on code that has no unsafe",
        "{0} has unnecessary safety comment", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks for `// SAFETY:` comments above statements and items that contain no `unsafe` block or `unsafe impl`.",
            WhyIsThisBad: "A justification with nothing to justify is noise, and usually means the unsafe code it belonged to moved away from its comment.",
            Example: "// SAFETY: the buffer is large enough.\nlet len = buffer.len();",
            UseInstead: "let len = buffer.len();"),
        equivalent: "clippy::unnecessary_safety_comment");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    private static readonly SafetyCommentOptions s_direct = new(AcceptAboveStatement: false, AcceptAboveAttributes: true);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(Analyze,
        [RustSyntaxKind.LetDeclaration, RustSyntaxKind.ExpressionStatement, RustSyntaxKind.ConstItem, RustSyntaxKind.StaticItem,
         RustSyntaxKind.StructItem, RustSyntaxKind.EnumItem, RustSyntaxKind.ImplItem, RustSyntaxKind.TraitItem, RustSyntaxKind.ModItem,
         RustSyntaxKind.TypeItem, RustSyntaxKind.UseDeclaration, RustSyntaxKind.FunctionItem]);

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        if (SyntaxFacts.InTokenTree(n) || SyntaxFacts.ContainsUnsafe(n)) return;
        // clippy does not look at statements inside unsafe blocks, `let x;` without a value, or macro statements.
        if (n.FirstAncestorOfKind(RustSyntaxKind.UnsafeBlock, RustSyntaxKind.FunctionItem) is { Kind: RustSyntaxKind.UnsafeBlock }) return;
        if (n.Kind == RustSyntaxKind.LetDeclaration && n.ChildByField(RustSyntaxField.Value) is null) return;
        if (n.Kind == RustSyntaxKind.ExpressionStatement && n.Children.ToList().FirstOrDefault(x => x.IsNamed && !x.IsComment) is { Kind: RustSyntaxKind.MacroInvocation }) return;
        // A comment before a file's first item is the file's header, not the item's.
        if (n.Parent is { Kind: RustSyntaxKind.SourceFile } && n.PreviousNonTriviaSibling is null) return;
        // Functions: unsafe fns, and fns whose unsafe attribute (no_mangle, export_name) the comment justifies, are fine.
        if (n.Kind == RustSyntaxKind.FunctionItem && (SyntaxFacts.IsUnsafeFunction(n)
            || SyntaxTrivia.GetPrecedingAttributes(n).Any(a => SyntaxTrivia.GetAttributeName(a) is "unsafe" or "no_mangle" or "export_name" or "link_section" or "cfg_attr"))) return;
        if (n.Kind is RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem && n.HasChild(RustSyntaxKind.UnsafeKeyword)) return;
        int line = SafetyComments.FindLine(n, s_direct);
        if (line < 0) return;
        // Only a comment of this node's own: it must sit after the previous sibling's end.
        if (n.PreviousNonTriviaSibling is { } prev && prev.Kind != RustSyntaxKind.AttributeItem && prev.EndLine >= line) return;
        var kind = n.Kind switch
        {
            RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement => "statement",
            RustSyntaxKind.ConstItem => "constant",
            RustSyntaxKind.StaticItem => "static",
            RustSyntaxKind.StructItem => "struct",
            RustSyntaxKind.EnumItem => "enum",
            RustSyntaxKind.ImplItem => "impl",
            RustSyntaxKind.TraitItem => "trait",
            RustSyntaxKind.ModItem => "module",
            RustSyntaxKind.TypeItem => "type alias",
            RustSyntaxKind.FunctionItem => "function",
            _ => "use",
        };
        var comment = n.Tree.Text.GetLocation(n.Tree.Text.GetLineSpan(line));
        var head = n.StartLine == n.EndLine ? n.Location : n.Tree.Text.GetLocation(n.Tree.Text.GetLineSpan(n.StartLine));
        c.ReportDiagnostic(Diagnostic.Create(Rule, head, [new RelatedLocation(comment, "consider removing the safety comment")], null, kind));
    }
}
