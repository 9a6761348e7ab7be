using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3005: a driver package whose library is not a <c>cdylib</c>.</summary>
public sealed class BuildDriversAsCdylibAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3005", "BuildDriversAsCdylib", "Driver library is not a cdylib",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a driver package has a library target with `crate-type = [\"cdylib\"]`.",
            WhyIsThisBad: "A driver is a DLL (.sys/.dll) that the OS loads through its exported entry point: cargo-wdk and wdk-build package the `cdylib` output. An `rlib` or a binary target builds, but produces nothing the driver store can install.",
            Example: "[lib]\ncrate-type = [\"rlib\"]",
            UseInstead: "[lib]\ncrate-type = [\"cdylib\"]"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        var lib = d.Package.Targets.FirstOrDefault(t => t.Kind == "lib");
        if (lib is not null && lib.CrateTypes.Contains("cdylib")) return;
        var manifest = d.Package.Manifest.File;
        var at = d.FindLine(manifest, "crate-type") ?? d.FindLine(manifest, "[lib]");
        var location = at is { } line ? d.LocationOf(manifest, line) : PackageLine(d);
        report(location, lib is null
            ? $"driver `{d.Package.Name}` has no library target: a driver is built as a `cdylib`"
            : lib.CrateTypes.IsEmpty
                ? $"driver `{d.Package.Name}` builds its library as an rlib: set `crate-type = [\"cdylib\"]` under [lib]"
                : $"driver `{d.Package.Name}` builds its library as {string.Join(", ", lib.CrateTypes)}: a driver is built as a `cdylib`");
    }
}
