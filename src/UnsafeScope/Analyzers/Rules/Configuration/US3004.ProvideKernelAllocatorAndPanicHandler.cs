using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3004: a kernel-mode driver with no allocator or no panic handler.</summary>
public sealed class ProvideKernelAllocatorAndPanicHandlerAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3004", "ProvideKernelAllocatorAndPanicHandler", "Kernel-mode driver without allocator or panic handler",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Warning, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks that a KMDF or WDM driver has a global allocator and a panic handler: a dependency on `wdk-alloc` / `wdk-panic`, or its own `#[global_allocator]` / `#[panic_handler]`.",
            WhyIsThisBad: "A `no_std` driver has neither by default. Without a kernel pool allocator, `alloc` types cannot be used; without a panic handler the driver does not link, or a hand-written one is forgotten and a panic does not bug-check cleanly.",
            Example: "[dependencies]\nwdk-sys = \"0.4\"",
            UseInstead: "[dependencies]\nwdk-alloc = \"0.4\"\nwdk-panic = \"0.4\"\nwdk-sys = \"0.4\""));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (!d.IsKernelMode) return;
        var at = d.FindLine(d.Package.Manifest.File, "[dependencies]") is { } line ? d.LocationOf(d.Package.Manifest.File, line) : PackageLine(d);
        if (!d.HasAllocator)
            report(at, $"{d.Model!.DriverType} driver `{d.Package.Name}` has no global allocator (depend on wdk-alloc or declare a #[global_allocator])");
        if (!d.HasPanicHandler)
            report(at, $"{d.Model!.DriverType} driver `{d.Package.Name}` has no panic handler (depend on wdk-panic or declare a #[panic_handler])");
    }
}
