using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3010: the unsafe-hygiene lints are not at deny or forbid.</summary>
public sealed class EnforceUnsafeHygieneLintsAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3010", "EnforceUnsafeHygieneLints", "Unsafe-hygiene lints not enforced",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a driver's lint configuration (`[lints]`, inherited `[workspace.lints]`, or crate-root attributes) sets `unsafe_op_in_unsafe_fn`, `clippy::undocumented_unsafe_blocks` and `clippy::multiple_unsafe_ops_per_block` to `deny` or `forbid`, as windows-drivers-rs does.",
            WhyIsThisBad: "These lints keep each unsafe operation visible, justified and alone in its block, which is what makes a driver's unsafe code reviewable. At `warn` (or unset: the clippy ones are restriction lints, off by default) they do not stop a merge.",
            Example: "[lints.rust]\nunsafe_op_in_unsafe_fn = \"warn\"",
            UseInstead: "[lints.rust]\nunsafe_op_in_unsafe_fn = \"forbid\"\n\n[lints.clippy]\nmultiple_unsafe_ops_per_block = \"forbid\"\nundocumented_unsafe_blocks = \"forbid\""));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    private static readonly string[] s_lints = ["unsafe_op_in_unsafe_fn", "clippy::undocumented_unsafe_blocks", "clippy::multiple_unsafe_ops_per_block"];

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        foreach (var lint in s_lints)
        {
            var level = d.LintLevelOf(lint);
            if (level is { Level: LintLevel.Deny or LintLevel.Forbid }) continue;
            if (level is { } set)
                report(d.LocationOf(set.Setting.Location), $"`{lint}` is at `{set.Level.ToString().ToLowerInvariant()}` for driver `{d.Package.Name}`: set it to deny or forbid");
            else
            {
                var manifest = d.Package.Manifest.File;
                var line = d.FindLine(manifest, "[lints") ?? d.Package.Manifest.Line;
                report(d.LocationOf(manifest, line), $"`{lint}` is not set for driver `{d.Package.Name}`: set it to deny or forbid in [lints]");
            }
        }
    }
}
