using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3006: a driver without a build script that calls wdk-build.</summary>
public sealed class ConfigureTheBuildWithWdkBuildAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3006", "ConfigureTheBuildWithWdkBuild", "Driver build script does not call wdk-build",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a driver package has a `build.rs` that calls `wdk_build::configure_wdk_binary_build()`.",
            WhyIsThisBad: "wdk-build sets the linker arguments a driver needs (entry point, subsystem, the WDK's libraries, `/DRIVER`, stack-probe and CFG settings) from the driver model in the manifest. Without it a driver links with user-mode defaults: it builds and then fails to load or misbehaves.",
            Example: "// build.rs missing",
            UseInstead: "fn main() -> Result<(), wdk_build::ConfigError> {\n    wdk_build::configure_wdk_binary_build()\n}"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (d.BuildScriptConfiguresWdk) return;
        if (d.BuildScript is { } script)
            report(d.LocationOf(script, d.FindLine(script, "fn main") ?? 1), $"the build script of driver `{d.Package.Name}` does not call `wdk_build::configure_wdk_binary_build()`");
        else
            report(PackageLine(d), $"driver `{d.Package.Name}` has no build.rs: call `wdk_build::configure_wdk_binary_build()` from one");
    }
}
