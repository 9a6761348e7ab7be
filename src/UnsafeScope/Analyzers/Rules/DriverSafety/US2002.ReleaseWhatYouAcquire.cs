using System.Collections.Immutable;
using UnsafeScope.Catalogs;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2002: an acquired kernel resource must be released in the same module.</summary>
public sealed class ReleaseWhatYouAcquireAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2002", "ReleaseWhatYouAcquire", "Kernel resource acquired without a release in the same module",
        "`{0}` acquires a resource but no {1} call appears in this module", RuleFactory.Driver, DiagnosticSeverity.Warning, "medium",
        new RuleDocumentation(
            WhatItDoes: "Checks each module (file) for calls of acquire APIs from the catalog (MmMapIoSpace, ExAllocatePool2, IoAllocateMdl, ObReferenceObject…) with no call of any of their paired release APIs (MmUnmapIoSpace, ExFreePool, IoFreeMdl, ObDereferenceObject…) in the same module.",
            WhyIsThisBad: "Encapsulated kernel resources are acquired in a constructor and released in `Drop` of the same type, in the same module. An acquire whose release lives elsewhere, or nowhere, leaks pool, mappings or references, or frees them on the wrong path.",
            Example: "pub fn alloc() -> *mut u8 {\n    // SAFETY: non-paged pool.\n    unsafe { ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, TAG) as *mut u8 }\n}",
            UseInstead: "impl PoolBuffer {\n    pub fn new() -> Option<Self> { /* ExAllocatePool2 */ }\n}\nimpl Drop for PoolBuffer {\n    fn drop(&mut self) { /* ExFreePool */ }\n}"),
        securitySeverity: "5.0", cwe: 772, tags: "wdk");

    private readonly ApiCatalog _catalog;

    /// <summary>Uses the built-in catalog.</summary>
    public ReleaseWhatYouAcquireAnalyzer() : this(ApiCatalog.Default)
    {
    }

    /// <summary>Uses the given catalog (with user packs).</summary>
    public ReleaseWhatYouAcquireAnalyzer(ApiCatalog catalog) => _catalog = catalog;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterFileAction(Analyze);

    private void Analyze(FileAnalysisContext c)
    {
        var calls = c.File.Regions.SelectMany(r => r.FfiCalls).ToList();
        var called = calls.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var call in calls)
        {
            if (!_catalog.Apis.TryGetValue(call.Name, out var api) || api.Role != "acquire" || api.Release.Any(called.Contains)) continue;
            c.ReportDiagnostic(Diagnostic.Create(Rule, call.Location, null, null, call.Name, string.Join(" or ", api.Release)));
        }
    }
}
