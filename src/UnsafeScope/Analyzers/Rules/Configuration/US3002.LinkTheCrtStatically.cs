using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3002: a driver built without the static CRT.</summary>
public sealed class LinkTheCrtStaticallyAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3002", "LinkTheCrtStatically", "Driver not built with the static CRT",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a driver package is built with `-C target-feature=+crt-static`, in the `rustflags` of a `.cargo/config.toml` that cargo reads for it.",
            WhyIsThisBad: "Drivers cannot load the dynamic C runtime: the WDK's link settings expect the static CRT, and a driver linked against the DLL CRT builds but fails to load or pulls user-mode imports into kernel code. windows-drivers-rs and Microsoft's samples set the flag in `.cargo/config.toml`.",
            Example: "# .cargo/config.toml missing, or:\n[build]\nrustflags = []",
            UseInstead: "[build]\nrustflags = [\"-C\", \"target-feature=+crt-static\"]"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        var flags = d.Package.Rustflags;
        if (flags.Any(f => f.Value.Contains("+crt-static", StringComparison.Ordinal))) return;
        if (flags.IsEmpty)
            report(PackageLine(d), $"driver `{d.Package.Name}` has no `.cargo/config.toml` rustflags with `target-feature=+crt-static`: it would link the dynamic C runtime");
        else
            report(d.LocationOf(flags[0].Location), $"the rustflags for driver `{d.Package.Name}` do not enable `target-feature=+crt-static`: it would link the dynamic C runtime");
    }
}
