using System.Collections.Immutable;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Analyzers.Rules.Suppression;

/// <summary>US9001 and US9002: suppression comments that suppress nothing or say too little. Reported by the driver.</summary>
public sealed class SuppressionRulesAnalyzer : RustAnalyzer
{
    /// <summary>US9001: a suppression that suppressed nothing.</summary>
    public static readonly DiagnosticDescriptor Unused = RuleFactory.Create(
        "US9001", "RemoveUnusedSuppression", "Suppression comment that suppresses nothing",
        "`unsafescope-ignore: {0}` suppresses nothing on line {1}", RuleFactory.Suppression, DiagnosticSeverity.Warning, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `// unsafescope-ignore: ID -- reason` comments where no diagnostic of the named rule(s) is reported on the line they apply to (their own line when they trail code, otherwise the next line of code).",
            WhyIsThisBad: "A stale suppression hides the next real finding that lands on that line, and tells readers there is a problem where there is none.",
            Example: "// unsafescope-ignore: US1001 -- checked by hand\nlet x = 1;",
            UseInstead: "let x = 1;"));

    /// <summary>US9002: a suppression without a rule id or a reason.</summary>
    public static readonly DiagnosticDescriptor Malformed = RuleFactory.Create(
        "US9002", "ExplainSuppressions", "Suppression comment without rule id or reason",
        "suppression comment {0}", RuleFactory.Suppression, DiagnosticSeverity.Warning, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks that every `unsafescope-ignore` comment names the rule(s) it suppresses (`US1001`) and gives a reason after `--`.",
            WhyIsThisBad: "A blanket or unexplained suppression cannot be audited: the reason is the justification the SARIF output shows next to the hidden finding.",
            Example: "// unsafescope-ignore\nunsafe { f() };",
            UseInstead: "// unsafescope-ignore: US1001 -- f has no preconditions; documented on its declaration\nunsafe { f() };"));

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unused, Malformed];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // The driver applies suppressions after all other analyzers and reports these itself.
    }
}
