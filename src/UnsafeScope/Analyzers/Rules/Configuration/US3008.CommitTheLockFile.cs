using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3008: a driver workspace without a Cargo.lock.</summary>
public sealed class CommitTheLockFileAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3008", "CommitTheLockFile", "No Cargo.lock for a driver",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Info, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that the workspace (or package) of a driver has a `Cargo.lock` next to its root manifest.",
            WhyIsThisBad: "A driver is a binary: without a committed lock file every build may resolve different versions of wdk-sys, wdk-build and bindgen, so the driver that was tested is not the one that ships. Commit the lock file of binaries.",
            Example: "# Cargo.lock listed in .gitignore",
            UseInstead: "# Cargo.lock committed next to the workspace's Cargo.toml"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (d.LockFile is null)
            report(d.LocationOf(RootManifest(d)), $"driver `{d.Package.Name}` has no Cargo.lock next to {RootManifest(d).File}: its dependency versions are not pinned");
    }
}
