using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1009: renaming an import must not drop "unsafe" from its name (clippy::unsafe_removed_from_name).</summary>
public sealed class KeepUnsafeInImportNamesAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1009", "KeepUnsafeInImportNames", "Import renamed without 'unsafe' in its name",
        "removed `unsafe` from the name of `{0}` in use as `{1}`", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks for imports that rename an item whose name contains `Unsafe` or `unsafe` to a name that does not.",
            WhyIsThisBad: "The name is the warning; hiding it makes unsafe APIs look safe at every use site.",
            Example: "use std::cell::UnsafeCell as TotallySafeCell;",
            UseInstead: "use std::cell::UnsafeCell;"),
        equivalent: "clippy::unsafe_removed_from_name");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(Analyze, [RustSyntaxKind.UseAsClause]);

    private static bool ContainsUnsafe(string name) => name.Contains("Unsafe", StringComparison.Ordinal) || name.Contains("unsafe", StringComparison.Ordinal);

    private static void Analyze(SyntaxNodeAnalysisContext c)
    {
        if (c.Node.ChildByField(RustSyntaxField.Path) is not { } path || c.Node.ChildByField(RustSyntaxField.Alias) is not { } alias) return;
        var text = path.Text;
        var old = text[(text.LastIndexOf("::", StringComparison.Ordinal) is var i && i >= 0 ? i + 2 : 0)..];
        var renamed = alias.Text;
        if (renamed == "_" || !ContainsUnsafe(old) || ContainsUnsafe(renamed)) return;
        c.ReportDiagnostic(Diagnostic.Create(Rule, c.Node.Location, null, null, old, renamed));
    }
}
