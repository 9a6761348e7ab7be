using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.Hygiene;

/// <summary>US1001: unsafe blocks and unsafe impls need a <c>// SAFETY:</c> comment (clippy::undocumented_unsafe_blocks).</summary>
public sealed class DocumentUnsafeBlocksAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US1001", "DocumentUnsafeBlocks", "Unsafe block or impl without a SAFETY comment",
        "{0} missing a safety comment", RuleFactory.Hygiene, DiagnosticSeverity.Warning, "very-high",
        new RuleDocumentation(
            WhatItDoes: "Checks for `unsafe` blocks and `unsafe impl`s without a `// SAFETY:` comment explaining why the code is sound. Like clippy, the comment may stand on the lines directly above (blank lines allowed), as a run of `//` lines or one block comment, with `SAFETY:` in any letter case, or open the block's body; above the enclosing statement counts too (also from inside a closure), but not above a `match` for a block in one of its arms. Blocks in the body of a local `macro_rules!` the crate calls are checked too, as clippy lints the expansions there.",
            WhyIsThisBad: "Undocumented unsafe code is hard to audit: a reviewer cannot check the invariants the author relied on, and later edits silently break them. Driver crates in windows-drivers-rs forbid it.",
            Example: "let irql = unsafe { KeGetCurrentIrql() };",
            UseInstead: "// SAFETY: KeGetCurrentIrql has no preconditions and is callable at any IRQL.\nlet irql = unsafe { KeGetCurrentIrql() };",
            Configuration: "`accept-comment-above-statement` (default true): accept the comment above the statement that holds the block. `accept-comment-above-attributes` (default true): accept the comment above the attributes of the statement or impl. `accept-invariant` (default false; true under the linux-kernel preset): accept an `// INVARIANT:` comment, the Linux kernel's other justification tag, where a SAFETY comment would stand."),
        equivalent: "clippy::undocumented_unsafe_blocks");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        => context.RegisterRegionAction(Analyze, [RegionKind.UnsafeBlock, RegionKind.UnsafeImpl]);

    private static void Analyze(RegionAnalysisContext c)
    {
        var r = c.Region;
        if (!Flags(r, c.Options)) return;
        var what = r.Kind == RegionKind.UnsafeImpl ? "unsafe impl" : "unsafe block";
        c.ReportDiagnostic(Diagnostic.Create(Rule, HeadLocation(r), RuleFactory.OperationNotes(r), null, what));
    }

    /// <summary>Whether the rule reports the region (an unsafe block or impl) under these options; the score reads it too.</summary>
    internal static bool Flags(UnsafeRegion r, AnalyzerOptions options)
    {
        if (r.Kind is not (RegionKind.UnsafeBlock or RegionKind.UnsafeImpl)) return false;
        // Compiler lints never see token trees (US2008 covers them), except the bodies of local macro_rules! the crate calls.
        if (r.InMacro && r.MacroRules.Length == 0) return false;
        bool strict = !options.GetBool(Rule.Id, "accept-comment-above-statement", true) || !options.GetBool(Rule.Id, "accept-comment-above-attributes", true);
        bool ok = strict ? r.SafetyCommentPlacement == SafetyCommentPlacement.OnRegion : r.HasSafetyComment;
        return !(ok || (r.HasInvariantComment && options.GetBool(Rule.Id, "accept-invariant", false)));
    }

    /// <summary>The region's first line (the whole block would flood the editor).</summary>
    internal static Text.Location HeadLocation(UnsafeRegion r)
    {
        var start = r.Location.LineSpan.Start;
        if (r.Location.LineSpan.End.Line == start.Line) return r.Location;
        return r.Location with { LineSpan = new Text.LinePositionSpan(start, new Text.LinePosition(start.Line, start.Character + (r.Kind == RegionKind.UnsafeImpl ? 11 : 6))) };
    }
}
