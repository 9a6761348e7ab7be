using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>US3003: a kernel-mode crate root without <c>#![no_std]</c>.</summary>
public sealed class DeclareNoStdInKernelDriversAnalyzer : ConfigurationRule
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US3003", "DeclareNoStdInKernelDrivers", "Kernel-mode driver without #![no_std]",
        "{0}", RuleFactory.Configuration, DiagnosticSeverity.Error, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks that the crate root of a KMDF or WDM driver declares `#![no_std]` (also as `#![cfg_attr(not(test), no_std)]`). UMDF drivers run in user mode and may use std.",
            WhyIsThisBad: "std assumes a user-mode process: threads, the heap of the C runtime, unwinding, files. In the kernel those calls have no meaning; a kernel driver that links std either fails late or calls user-mode code at raised IRQL.",
            Example: "// src/lib.rs\nuse wdk_sys::*;",
            UseInstead: "// src/lib.rs\n#![no_std]\nuse wdk_sys::*;"));

    /// <inheritdoc />
    protected override DiagnosticDescriptor Descriptor => Rule;

    /// <inheritdoc />
    protected override void Check(DriverConfiguration d, Action<Text.Location, string> report)
    {
        if (!d.IsKernelMode || d.NoStd || d.CrateRoot is not { } root) return;
        report(d.LocationOf(root, 1), $"{d.Model!.DriverType} driver `{d.Package.Name}` runs in the kernel but its crate root does not declare `#![no_std]`");
    }
}
