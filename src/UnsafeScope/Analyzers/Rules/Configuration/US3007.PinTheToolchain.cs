using System.Text.RegularExpressions;
using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3007: a driver whose Rust toolchain is not pinned to an exact version.</summary>
public sealed partial class PinTheToolchainAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3007", "PinTheToolchain", "Rust toolchain not pinned to an exact version",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Info, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a `rust-toolchain.toml` for the driver pins `toolchain.channel` to an exact release (`1.85.0`) or a dated channel (`nightly-2025-01-15`).",
            WhyIsThisBad: "Driver builds depend on a pinned set of tools (Rust, LLVM, bindgen, the WDK) that move independently: a floating `stable` or `nightly` changes codegen and lints under the driver between two identical commits, which breaks reproducible builds and the versions a certification submission names.",
            Example: "[toolchain]\nchannel = \"stable\"",
            UseInstead: "[toolchain]\nchannel = \"1.85.0\""));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (d.Package.ToolchainChannel is not { } channel)
            report(d.LocationOf(RootManifest(d)), $"driver `{d.Package.Name}` has no rust-toolchain.toml: the Rust toolchain is not pinned");
        else if (!Exact().IsMatch(channel.Value))
            report(d.LocationOf(channel.Location), $"the toolchain channel `{channel.Value}` of driver `{d.Package.Name}` is not an exact version (write `1.85.0` or `nightly-2025-01-15`)");
    }

    [GeneratedRegex(@"^(\d+\.\d+\.\d+|(stable|beta|nightly)-\d{4}-\d{2}-\d{2})(-[A-Za-z0-9_.-]+)?$")]
    private static partial Regex Exact();
}
