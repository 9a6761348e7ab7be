using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2010: a Rust 2024 unsafe attribute (<c>#[unsafe(no_mangle)]</c>, <c>export_name</c>, <c>link_section</c>) without a SAFETY comment.</summary>
public sealed class JustifyUnsafeAttributesAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2010", "JustifyUnsafeAttributes", "Unsafe attribute without a SAFETY comment",
        "`{0}` has no SAFETY comment saying why the symbol cannot clash", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for the Rust 2024 unsafe attributes `#[unsafe(no_mangle)]`, `#[unsafe(export_name = …)]` and `#[unsafe(link_section = …)]` (also inside `#[cfg_attr(…, unsafe(…))]`) without a `// SAFETY:` comment above the item's attributes. Clippy cannot check this (its issues #13316, #13560, #13777).",
            WhyIsThisBad: "An exported or placed symbol can clash with another of the same name or break the linker's assumptions: Rust 2024 requires `unsafe(…)` exactly because the author must justify it. A driver's `DriverEntry` export and pageable code sections are such claims.",
            Example: "#[unsafe(export_name = \"DriverEntry\")]\npub unsafe extern \"system\" fn driver_entry(driver: PDRIVER_OBJECT, path: PCUNICODE_STRING) -> NTSTATUS { … }",
            UseInstead: "// SAFETY: \"DriverEntry\" is the entry symbol the kernel loader expects; nothing else in the image exports it.\n#[unsafe(export_name = \"DriverEntry\")]\npub unsafe extern \"system\" fn driver_entry(driver: PDRIVER_OBJECT, path: PCUNICODE_STRING) -> NTSTATUS { … }"),
        securitySeverity: "4.0", cwe: 694);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterSyntaxNodeAction(c =>
    {
        var n = c.Node;
        if (SyntaxFacts.InTokenTree(n) || !SyntaxFacts.IsUnsafeAttribute(n) || SafetyComments.Has(n)) return;
        c.ReportDiagnostic(Diagnostic.Create(Rule, n.Location, null, null, n.Text.Trim()));
    }, [RustSyntaxKind.AttributeItem]);
}
