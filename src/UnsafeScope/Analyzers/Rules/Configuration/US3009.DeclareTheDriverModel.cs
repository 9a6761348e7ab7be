using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3009: missing or inconsistent driver-model metadata.</summary>
public sealed class DeclareTheDriverModelAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3009", "DeclareTheDriverModel", "Missing or inconsistent driver-model metadata",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that a driver package (or its workspace) declares `[package.metadata.wdk.driver-model]` with a `driver-type` of KMDF, UMDF or WDM and the framework versions that type needs (`kmdf-version-major` and `target-kmdf-version-minor`; `umdf-version-major` and `target-umdf-version-minor`), and that the package's dependencies fit the model (no kernel allocator or panic crate in a UMDF driver).",
            WhyIsThisBad: "wdk-build and cargo-wdk choose headers, libraries, linker settings and packaging from this metadata. Without it, or with versions of another model, the driver is built against the wrong framework: the mismatch shows up at load time, not at build time.",
            Example: "[package.metadata.wdk.driver-model]\ndriver-type = \"KMDF\"",
            UseInstead: "[package.metadata.wdk.driver-model]\ndriver-type = \"KMDF\"\nkmdf-version-major = 1\ntarget-kmdf-version-minor = 33"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    private static readonly string[] s_kmdf = ["kmdf-version-major", "target-kmdf-version-minor"];
    private static readonly string[] s_umdf = ["umdf-version-major", "target-umdf-version-minor"];

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (d.Model is not { } model)
        {
            report(PackageLine(d), $"driver `{d.Package.Name}` declares no [package.metadata.wdk.driver-model] (driver-type KMDF, UMDF or WDM), in its manifest or its workspace's");
            return;
        }
        var at = d.LocationOf(model.Location);
        var type = model.DriverType.ToUpperInvariant();
        var (needed, foreign) = type switch
        {
            "KMDF" => (s_kmdf, s_umdf),
            "UMDF" => (s_umdf, s_kmdf),
            "WDM" => (Array.Empty<string>(), s_kmdf.Concat(s_umdf).ToArray()),
            _ => (null, null),
        };
        if (needed is null)
        {
            report(at, $"driver-type `{model.DriverType}` of driver `{d.Package.Name}` is not KMDF, UMDF or WDM");
            return;
        }
        foreach (var key in needed.Where(k => model.Number(k) is null))
            report(at, $"{type} driver `{d.Package.Name}` does not set `{key}` in its driver-model metadata");
        foreach (var key in foreign!.Where(model.Settings.ContainsKey))
            report(at, $"{type} driver `{d.Package.Name}` sets `{key}`, which belongs to another driver model");
        if (type == "UMDF")
            foreach (var dep in d.Package.Dependencies.Where(x => x.Package is "wdk-alloc" or "wdk-panic" && x.Kind == "normal"))
                report(d.LocationOf(dep.Location), $"UMDF driver `{d.Package.Name}` depends on {dep.Package}, which is for kernel-mode drivers");
    }
}
