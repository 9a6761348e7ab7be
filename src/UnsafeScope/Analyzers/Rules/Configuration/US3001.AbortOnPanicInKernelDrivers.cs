using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3001: a kernel-mode driver whose dev or release profile unwinds on panic.</summary>
public sealed class AbortOnPanicInKernelDriversAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3001", "AbortOnPanicInKernelDrivers", "Kernel-mode driver profile unwinds on panic",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that the `dev` and `release` profiles of a KMDF or WDM driver set `panic = \"abort\"` (in the workspace root's Cargo.toml, the only one cargo reads profiles from).",
            WhyIsThisBad: "The kernel has no unwinder: a panic that unwinds runs landing pads and drop glue that the driver's `no_std` runtime cannot support, so a driver built with `panic = \"unwind\"` can build cleanly and then corrupt kernel state or bug-check on its first panic.",
            Example: "[profile.release]\nlto = true",
            UseInstead: "[profile.dev]\npanic = \"abort\"\n\n[profile.release]\npanic = \"abort\"\nlto = true"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (!d.IsKernelMode) return;
        foreach (var profile in new[] { "dev", "release" })
        {
            var panic = d.Package.Profiles.LastOrDefault(p => p.Profile == profile && p.Key == "panic");
            if (panic is { Value: "abort" }) continue;
            var at = panic?.Location ?? RootManifest(d);
            var line = panic is null ? d.FindLine(at.File, $"[profile.{profile}]") ?? at.Line : at.Line;
            report(d.LocationOf(at.File, line), panic is null
                ? $"the {profile} profile of {d.Model!.DriverType} driver `{d.Package.Name}` does not set `panic = \"abort\"`: a panic would unwind in the kernel"
                : $"the {profile} profile of {d.Model!.DriverType} driver `{d.Package.Name}` sets `panic = \"{panic.Value}\"`: a kernel-mode driver must abort on panic");
        }
    }
}
