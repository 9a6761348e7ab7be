using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1005: a SAFETY comment on code without unsafe (clippy::unnecessary_safety_comment).</summary>
public sealed class RemoveNeedlessSafetyCommentAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1005", "RemoveNeedlessSafetyComment", "SAFETY comment on code that has no unsafe",
        "{0} has unnecessary safety comment", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks for `// SAFETY:` comments, like clippy, above statements and block tail expressions with no `unsafe` block in them (nested `{ }` blocks not counted), and above items other than unsafe trait impls, inherent impls and consts/statics initialised by an `unsafe` block (unsafe fns and traits included: their contract belongs in a `# Safety` doc section). Items written at the top level of a local `macro_rules!` body are checked too, with the definition's lines above them, once the file calls the macro (clippy lints each expansion, at the definition). Never above an item with a Rust 2024 unsafe attribute (`#[unsafe(no_mangle)]`, `#[unsafe(export_name = …)]`, `#[unsafe(link_section = …)]`, also through `cfg_attr`): that comment is the justification the attribute needs.",
            WhyIsThisBad: "A justification with nothing to justify is noise, and usually means the unsafe code it belonged to moved away from its comment.",
            Example: "// SAFETY: the buffer is large enough.\nlet len = buffer.len();",
            UseInstead: "let len = buffer.len();",
            Configuration: "`accept-comment-above-attributes` (default true, as clippy's option of the same name, which this lint shares with `undocumented_unsafe_blocks`): a comment above the attributes of an item or statement belongs to it; when false, only a comment directly above counts."),
        equivalent: "clippy::unnecessary_safety_comment");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    // The comment stands right above the statement, expression or item, or (unless configured off) above its attributes.
    private static readonly SafetyCommentOptions s_direct = new(AcceptAboveStatement: false, AcceptAboveAttributes: true);
    private static readonly SafetyCommentOptions s_directOnly = new(AcceptAboveStatement: false, AcceptAboveAttributes: false);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.RegisterSyntaxNodeAction(Analyze,
            [RustSyntaxKind.LetDeclaration, RustSyntaxKind.ExpressionStatement, RustSyntaxKind.Block, RustSyntaxKind.ConstItem, RustSyntaxKind.StaticItem,
             RustSyntaxKind.StructItem, RustSyntaxKind.EnumItem, RustSyntaxKind.UnionItem, RustSyntaxKind.ImplItem, RustSyntaxKind.TraitItem, RustSyntaxKind.ModItem,
             RustSyntaxKind.TypeItem, RustSyntaxKind.UseDeclaration, RustSyntaxKind.FunctionItem]);
        context.RegisterSyntaxNodeAction(AnalyzeMacroBody, [RustSyntaxKind.MacroDefinition]);
    }

    /// <summary>
    /// Items written at the top level of a local <c>macro_rules!</c> body: clippy checks each expansion's items with
    /// the lines of the definition above them (from the line after <c>macro_rules!</c>), so a SAFETY comment there is
    /// reported at the definition once the file calls the macro. The same kinds as outside macros.
    /// </summary>
    private static void AnalyzeMacroBody(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        if (!SafetyComments.MayHoldSafety(n.Tree.Text) || SyntaxFacts.InTokenTree(n)) return;
        var text = n.Tree.Text;
        bool aboveAttributes = c.Options.GetBool(Rule.Id, "accept-comment-above-attributes", true);
        List<SyntaxNode>? calls = null;
        foreach (var item in MacroBodyItems.Items(n))
        {
            var kind = item.Keyword switch
            {
                "impl" => item.IsTraitImpl && !item.IsUnsafe ? "impl" : null,
                "const" => item.UnsafeInitializer ? null : "constant",
                "static" => item.UnsafeInitializer ? null : "static",
                "fn" => "function",
                "mod" => "module",
                "type" => "type alias",
                _ => item.Keyword,
            };
            if (kind is null) continue;
            int line = SafetyComments.FindAbove(text, item.Start.Span.Start, aboveAttributes, "SAFETY:"u8);
            if (line <= n.StartLine) continue;
            // `#[unsafe(no_mangle)]` between the comment and the item: the comment justifies the attribute (US2010).
            int itemLine = text.GetLineIndex(item.Start.Span.Start);
            bool unsafeAttribute = false;
            for (int l = line + 1; l < itemLine && !unsafeAttribute; l++)
            {
                var s = text.GetLineSpan(l);
                unsafeAttribute = text.Bytes.Slice(s.Start, s.Length).IndexOf("unsafe("u8) >= 0;
            }
            if (unsafeAttribute) continue;
            calls ??= MacroBodyItems.Invocations(n);
            if (calls.Count == 0) return;
            // Only an arm some call expands is compiled.
            if (!MacroBodyItems.Expanded(n, item, calls)) continue;
            // The item, or its first line (clippy: up to the first line break).
            var lineEnd = text.GetLineSpan(itemLine).End;
            var head = text.GetLocation(TextSpan.FromBounds(item.Span.Start, Math.Min(item.Span.End, lineEnd)));
            var comment = text.GetLocation(text.GetLineSpan(line));
            c.ReportDiagnostic(Diagnostic.Create(Rule, head, [new RelatedLocation(comment, "consider removing the safety comment")], null, kind));
        }
    }

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        // Every report needs a SAFETY comment above: in a file without one, the walks below (ancestors, the statement's
        // subtree for unsafe blocks) would find nothing to report.
        if (!SafetyComments.MayHoldSafety(n.Tree.Text) || SyntaxFacts.InTokenTree(n)) return;
        var (target, kind) = n.Kind switch
        {
            RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement => Statement(n),
            RustSyntaxKind.Block => TailExpression(n),
            _ => Item(n),
        };
        if (target is not { } t) return;
        if (n.Kind == RustSyntaxKind.UseDeclaration) ReportImportTrees(c, n);
        Report(c, t, kind, t);
    }

    /// <summary>Reports <paramref name="t"/> when a SAFETY comment of <paramref name="owner"/>'s own stands right above it.</summary>
    private static void Report(SyntaxNodeAnalysisContext c, SyntaxNode t, string kind, SyntaxNode owner)
    {
        // clippy shares undocumented_unsafe_blocks' option: with it off, a comment above the attributes is nobody's.
        int line = SafetyComments.FindLine(t, c.Options.GetBool(Rule.Id, "accept-comment-above-attributes", true) ? s_direct : s_directOnly);
        if (line < 0) return;
        // Only a comment of this node's own: after the previous sibling's end (or the block's opening brace).
        if (owner.PreviousNonTriviaSibling is { } prev && prev.Kind != RustSyntaxKind.AttributeItem && prev.EndLine >= line) return;
        // Above the first item of an out-of-line module's file clippy finds nothing (it looks from the `mod x;` in the
        // parent); in a crate root file (lib.rs, main.rs, a bin, test or example) it reads the file's first lines.
        if (owner.Parent is { Kind: RustSyntaxKind.SourceFile } && owner.PreviousNonTriviaSibling is null && !IsCrateRootFile(owner.Tree.Text.Path)) return;
        var comment = t.Tree.Text.GetLocation(t.Tree.Text.GetLineSpan(line));
        var head = t.StartLine == t.EndLine ? t.Location : t.Tree.Text.GetLocation(t.Tree.Text.GetLineSpan(t.StartLine));
        c.ReportDiagnostic(Diagnostic.Create(Rule, head, [new RelatedLocation(comment, "consider removing the safety comment")], null, kind));
    }

    /// <summary>
    /// rustc lowers <c>use a::{B, C};</c> to one import per tree of the group besides the group's own, and clippy checks
    /// each: the comment right above a tree's line counts for it (for a one-line group, the comment above the statement).
    /// </summary>
    private static void ReportImportTrees(SyntaxNodeAnalysisContext c, SyntaxNode use)
    {
        var stack = new Stack<SyntaxNode>();
        stack.Push(use);
        var trees = new List<SyntaxNode>();
        while (stack.Count > 0)
        {
            var x = stack.Pop();
            foreach (var ch in x.Children)
            {
                if (!ch.IsNamed || ch.IsComment) continue;
                if (x.Kind == RustSyntaxKind.UseList) trees.Add(ch);
                if (ch.Kind is RustSyntaxKind.ScopedUseList or RustSyntaxKind.UseList) stack.Push(ch);
            }
        }
        trees.Sort((a, b) => a.Span.Start.CompareTo(b.Span.Start));
        // A tree on the use's line has the use's comment; one on a later line, the comment between it and the tree before.
        foreach (var tree in trees) Report(c, tree, "use", tree.StartLine == use.StartLine ? use : tree);
    }

    /// <summary>clippy's check_stmt: <c>let x = init;</c> and expression statements, outside unsafe blocks, whose expression has no unsafe block.</summary>
    private static (SyntaxNode?, string) Statement(SyntaxNode n)
    {
        var expr = n.Kind == RustSyntaxKind.LetDeclaration ? n.ChildByField(RustSyntaxField.Value) : FirstNamed(n);
        // `let x;` has nothing to check; macro statements (assert!) come from external macros.
        if (expr is not { } e || e.Kind == RustSyntaxKind.MacroInvocation) return (null, "");
        if (InUnsafeBlock(n) || HasUnsafeBlock(e)) return (null, "");
        return (n, "statement");
    }

    /// <summary>clippy's check_block: a block's tail expression, checked like a statement.</summary>
    private static (SyntaxNode?, string) TailExpression(SyntaxNode block)
    {
        SyntaxNode? last = null;
        foreach (var ch in block.Children)
            if (ch.IsNamed && !ch.IsComment) last = ch;
        // Statements, items and macro calls (external macros are not linted) are not tail expressions.
        if (last is not { } tail || tail.Kind is RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement or RustSyntaxKind.MacroInvocation
            or RustSyntaxKind.EmptyStatement or RustSyntaxKind.AttributeItem or RustSyntaxKind.InnerAttributeItem or RustSyntaxKind.FunctionItem
            or RustSyntaxKind.ConstItem or RustSyntaxKind.StaticItem or RustSyntaxKind.StructItem or RustSyntaxKind.EnumItem or RustSyntaxKind.UnionItem
            or RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem or RustSyntaxKind.ModItem or RustSyntaxKind.TypeItem or RustSyntaxKind.UseDeclaration
            or RustSyntaxKind.ForeignModItem or RustSyntaxKind.MacroDefinition or RustSyntaxKind.ExternCrateDeclaration) return (null, "");
        if (block.Parent is { Kind: RustSyntaxKind.UnsafeBlock } || InUnsafeBlock(block) || HasUnsafeBlock(tail)) return (null, "");
        return (tail, "expression");
    }

    /// <summary>
    /// clippy's check_item: any item but inherent impls, unsafe trait impls, and consts/statics whose body is an unsafe
    /// block. Unsafe fns and traits are items like the others (their contract belongs in `# Safety` docs). Items of impls
    /// and traits are left alone: clippy reported none of them on 72 crates (a doc comment "Safety: …" on a method is common).
    /// </summary>
    private static (SyntaxNode?, string) Item(SyntaxNode n)
    {
        // `#[unsafe(no_mangle)]`, `#[unsafe(export_name = …)]`, `#[unsafe(link_section = …)]`: the item's attributes make
        // an unsafe region, and the SAFETY comment above them is the justification it needs (US2010), never noise.
        if (SyntaxFacts.HasUnsafeAttribute(n)) return (null, "");
        var owner = SyntaxFacts.Owner(n);
        switch (n.Kind)
        {
            case RustSyntaxKind.ImplItem:
                return n.ChildByField(RustSyntaxField.Trait) is not null && !n.HasChild(RustSyntaxKind.UnsafeKeyword) ? (n, "impl") : (null, "");
            case RustSyntaxKind.ConstItem or RustSyntaxKind.StaticItem:
                if (n.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.UnsafeBlock } || owner is { Kind: RustSyntaxKind.TraitItem }) return (null, "");
                return (n, n.Kind == RustSyntaxKind.ConstItem ? "constant" : "static");
            case RustSyntaxKind.FunctionItem:
                return owner is null ? (n, "function") : (null, "");
            case RustSyntaxKind.TypeItem when owner is not null:
                return (null, "");
        }
        var kind = n.Kind switch
        {
            RustSyntaxKind.StructItem => "struct",
            RustSyntaxKind.EnumItem => "enum",
            RustSyntaxKind.UnionItem => "union",
            RustSyntaxKind.TraitItem => "trait",
            RustSyntaxKind.ModItem => "module",
            RustSyntaxKind.TypeItem => "type alias",
            _ => "use",
        };
        return (n, kind);
    }

    private static bool IsCrateRootFile(string path)
    {
        var p = path.Replace('\\', '/');
        var name = p[(p.LastIndexOf('/') + 1)..];
        if (name is "lib.rs" or "main.rs" or "build.rs") return true;
        var dir = p.LastIndexOf('/') is > 0 and var slash ? p[..slash] : "";
        var parent = dir[(dir.LastIndexOf('/') + 1)..];
        return parent is "bin" or "tests" or "examples" or "benches";
    }

    private static SyntaxNode? FirstNamed(SyntaxNode n)
    {
        foreach (var ch in n.Children)
            if (ch.IsNamed && !ch.IsComment) return ch;
        return null;
    }

    private static bool InUnsafeBlock(SyntaxNode n)
        => n.FirstAncestorOfKind(RustSyntaxKind.UnsafeBlock, RustSyntaxKind.FunctionItem) is { Kind: RustSyntaxKind.UnsafeBlock };

    /// <summary>
    /// clippy's search for the unsafe code a comment could justify: the expression and its sub-expressions, but not
    /// into nested blocks (an `if`'s branches, a closure's braces, `{ … }`), which have their own statements.
    /// </summary>
    private static bool HasUnsafeBlock(SyntaxNode expr)
    {
        if (expr.Kind == RustSyntaxKind.UnsafeBlock) return true;
        if (expr.Kind == RustSyntaxKind.Block) return false;
        if (MacroTokens.IsTokenTree(expr.Kind)) return SyntaxFacts.ContainsUnsafe(expr);
        foreach (var ch in expr.Children)
            if (ch.IsNamed && HasUnsafeBlock(ch)) return true;
        return false;
    }
}
