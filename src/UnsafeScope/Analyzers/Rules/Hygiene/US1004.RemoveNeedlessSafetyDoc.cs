using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1004: a safe public function or trait should not have a <c># Safety</c> section (clippy::unnecessary_safety_doc).</summary>
public sealed class RemoveNeedlessSafetyDocAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1004", "RemoveNeedlessSafetyDoc", "Safe public function or trait with a # Safety section",
        "safe {0} `{1}` has unnecessary `# Safety` section", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for public functions (trait methods too, with or without a body) and traits of any visibility that are not `unsafe` but document a `# Safety` section (the headings clippy reads: `Safety`, `SAFETY`, `Implementation safety`, `Implementation Safety`). A `pub fn` in a private inline module counts only when a `pub use` of the file re-exports it. Also fns and traits written in the body of a local `macro_rules!` that the file calls (clippy lints each expansion, at the definition): a `pub fn` there (or `$vis fn` given `pub` by the call) counts when a call expands its arm at item level in an exported module (in a function body it is never exported). With `#![feature(unsafe_fields)]`, safe fields documenting a `# Safety` section too.",
            WhyIsThisBad: "A `# Safety` section tells callers they must uphold something; on a safe API it is either stale (the function used to be unsafe) or the function should be `unsafe`.",
            Example: "/// # Safety\n/// `handle` must be valid.\npub fn close(handle: Handle) { /* ... */ }",
            UseInstead: "/// Closes the handle.\npub fn close(handle: Handle) { /* ... */ }",
            Configuration: "`check-private-items` (default false, as clippy's option): check functions whatever their visibility (not methods of trait impls)."),
        equivalent: "clippy::unnecessary_safety_doc");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.RegisterSyntaxNodeAction(Analyze, [RustSyntaxKind.FunctionItem, RustSyntaxKind.FunctionSignatureItem, RustSyntaxKind.TraitItem]);
        context.RegisterSyntaxNodeAction(AnalyzeField, [RustSyntaxKind.FieldDeclaration]);
        context.RegisterSyntaxNodeAction(AnalyzeMacroBody, [RustSyntaxKind.MacroDefinition]);
    }

    /// <summary>
    /// Safe fns and traits written in a local <c>macro_rules!</c> body: clippy checks them in each expansion, at the
    /// definition. A fn is public when the body writes <c>pub</c> and an expansion lands at item level in a module
    /// that is exported as far as the file tells (in a function body it is never exported), by a call that takes the
    /// item's arm (or may: the call's tokens are matched against the arms' matchers). Only calls in the same
    /// file are seen. A <c>$vis</c> visibility is what the call binds to it; docs written by metavariables
    /// (<c>$(#[$meta])*</c>, <c>#[doc = $doc]</c>) are the call's: not checked.
    /// </summary>
    private static void AnalyzeMacroBody(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        if (SyntaxFacts.InTokenTree(n)) return;
        List<SyntaxNode>? calls = null;
        foreach (var item in MacroBodyItems.Items(n))
        {
            if (item.Keyword is not ("fn" or "trait") || item.IsUnsafe || item.Name is not { } name) continue;
            if (MacroBodyItems.DocAbove(n.Tree.Text, item.Start.Span.Start) is not { } doc || !SafetyComments.HasSafetyHeading(doc)) continue;
            calls ??= MacroBodyItems.Invocations(n);
            bool privateItems = c.Options.GetBool(Rule.Id, "check-private-items", false);
            bool reported = item.Keyword == "trait" || privateItems
                ? MacroBodyItems.Expanded(n, item, calls)
                : item.Visibility == "pub" && MacroBodyItems.Expanded(n, item, calls, call => MacroBodyItems.AtModuleLevel(call) && ReachableInFile(call, name.Text))
                  // `$vis fn`: public where a call passes `pub`.
                  || item.Visibility == "$" && calls.Exists(call => MacroBodyItems.AtModuleLevel(call) && ReachableInFile(call, name.Text) && MacroBodyItems.BoundVisibility(n, call, item) == "pub");
            if (reported) c.ReportDiagnostic(Diagnostic.Create(Rule, name.Location, null, null, item.Keyword == "trait" ? "trait" : "function", name.Text));
        }
    }

    // With unsafe fields enabled (`#![feature(unsafe_fields)]` in the file), a safe field with a `# Safety` section should be `unsafe`.
    private static void AnalyzeField(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        if (SyntaxFacts.UnsafeFieldName(n) is not null || n.ChildByField(RustSyntaxField.Name) is not { } name || !SafetyComments.HasSafetyDocSection(n)) return;
        if (!EnablesUnsafeFields(n.Tree)) return;
        c.ReportDiagnostic(Diagnostic.Create(Rule, n.Location, null, null, "field", name.Text));
    }

    /// <summary>
    /// Exported as far as this file tells: every inline module around the item is <c>pub</c>, or a <c>pub use</c> in
    /// the file names the item (or globs the private module). How the file's own module is declared is not seen here.
    /// </summary>
    private static bool ReachableInFile(SyntaxNode item) => ReachableInFile(item, item.ChildByField(RustSyntaxField.Name)?.Text ?? "");

    private static bool ReachableInFile(SyntaxNode item, string name)
    {
        for (var a = item.Parent; a is { } m; a = m.Parent)
        {
            if (m.Kind != RustSyntaxKind.ModItem || SyntaxFacts.Visibility(m) == "pub") continue;
            var module = m.ChildByField(RustSyntaxField.Name)?.Text ?? "";
            if (item.Tree.Root is not { } root) return false;
            foreach (var u in root.Descendants)
                if (u.Kind == RustSyntaxKind.UseDeclaration && SyntaxFacts.Visibility(u) == "pub" && UseNames(u, name, module)) return true;
            return false;
        }
        return true;
    }

    private static bool UseNames(SyntaxNode use, string item, string module)
    {
        bool sawModule = false;
        foreach (var t in use.Descendants)
        {
            if (t.Kind == RustSyntaxKind.Identifier && t.TextEquals(module)) sawModule = true;
            else if (t.Kind == RustSyntaxKind.Identifier && t.Text == item && sawModule) return true;
            else if (t.Kind == RustSyntaxKind.UseWildcard && sawModule) return true;
        }
        return false;
    }

    private static bool EnablesUnsafeFields(RustSyntaxTree tree)
    {
        if (tree.Root is not { } root) return false;
        foreach (var a in root.Children)
            if (a.Kind == RustSyntaxKind.InnerAttributeItem && a.Text.Contains("feature", StringComparison.Ordinal) && a.Text.Contains("unsafe_fields", StringComparison.Ordinal)) return true;
        return false;
    }

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        var n = c.Node;
        bool isTrait = n.Kind == RustSyntaxKind.TraitItem;
        bool isUnsafe = isTrait ? n.HasChild(RustSyntaxKind.UnsafeKeyword) : SyntaxFacts.IsUnsafeFunction(n);
        if (isUnsafe || !SafetyComments.HasSafetyDocSection(n)) return;
        // clippy checks traits whatever their visibility; functions when public (trait methods: as public as their
        // trait; declarations without a body only in traits, not in extern blocks), not in trait impls.
        var owner = SyntaxFacts.Owner(n);
        if (!isTrait && (SyntaxFacts.IsInTraitImpl(n) || (n.Kind == RustSyntaxKind.FunctionSignatureItem && owner is not { Kind: RustSyntaxKind.TraitItem })
            || (!c.Options.GetBool(Rule.Id, "check-private-items", false) && (SyntaxFacts.Visibility(owner is { Kind: RustSyntaxKind.TraitItem } trait ? trait : n) != "pub" || !ReachableInFile(n))))) return;
        var name = n.ChildByField(RustSyntaxField.Name);
        c.ReportDiagnostic(Diagnostic.Create(Rule, (name ?? n).Location, null, null, n.Kind == RustSyntaxKind.TraitItem ? "trait" : "function", name?.Text ?? ""));
    }
}
