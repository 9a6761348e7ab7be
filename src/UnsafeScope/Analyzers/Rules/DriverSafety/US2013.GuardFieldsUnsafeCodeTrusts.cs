using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Analyzers.Rules.DriverSafety;

/// <summary>US2013: a safe function sets a field from its caller's value, and unsafe code of the type trusts that field.</summary>
public sealed class GuardFieldsUnsafeCodeTrustsAnalyzer : RustAnalyzer
{
    /// <summary>The rule.</summary>
    public static readonly DiagnosticDescriptor Rule = RuleFactory.Create(
        "US2013", "GuardFieldsUnsafeCodeTrusts", "Safe function sets a field that unsafe code trusts",
        "{0}", RuleFactory.Driver, DiagnosticSeverity.Warning, "high",
        new RuleDocumentation(
            WhatItDoes: "Checks for exported safe functions that set a field of their type (`self.f = …`, `self.f += …`, or a struct literal of the type) from a value their caller chooses: a raw-pointer parameter, what a closure or generic parameter returned, or an integer parameter stored as it is with no check around it (and no other field sized by it), when an unsafe block in a safe method of the same type uses that field unchecked as the pointer of a dereference or the operand of an unsafe call that takes an address, length, index or offset (`from_raw_parts(self.ptr, self.len)`, `self.ptr.add(i)`, `&*self.reference`). Reported at the writer, with the trusting blocks as related locations. The same question as the score's `trusts-safe-writer` factor (docs/scoring.md); the writers are listed under `crates[].trustedSafeFunctions` in the JSON.",
            WhyIsThisBad: "The unsafe block is only sound if every value of the field is valid, but a safe function lets any caller store an arbitrary pointer or length there: safe code can then cause undefined behaviour. Soundness advisories name such safe constructors, setters and `map` functions, which hold no unsafe code of their own.",
            Example: "pub struct View { ptr: *const u8, len: usize }\nimpl View {\n    pub fn new(ptr: *const u8, len: usize) -> View { View { ptr, len } }\n    pub fn as_slice(&self) -> &[u8] {\n        // SAFETY: ptr and len describe a live buffer\n        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }\n    }\n}",
            UseInstead: "impl View {\n    /// # Safety\n    /// `ptr` must be valid for reads of `len` bytes for as long as the View lives.\n    pub unsafe fn new(ptr: *const u8, len: usize) -> View { View { ptr, len } }\n}"),
        securitySeverity: "7.5", cwe: 822);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context) => context.RegisterCrateEndAction(Analyze);

    private static void Analyze(CrateAnalysisContext c)
    {
        foreach (var t in c.TrustedWrites)
            c.ReportDiagnostic(Diagnostic.Create(Rule, t.Writer.Body.Location,
                t.By.Select(b => new RelatedLocation(b.Region.Location, $"`{t.Field}` reaches {b.Operation} unchecked in `{b.Function}`")), null,
                $"safe function `{t.Writer.Function}` sets `{t.Field}` {t.Why}, and unsafe code of the type uses it unchecked"));
    }
}
