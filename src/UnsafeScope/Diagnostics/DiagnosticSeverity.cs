namespace UnsafeScope.Diagnostics;

/// <summary>The severity a diagnostic is emitted with (SARIF level: Error→error, Warning→warning, Info→note).</summary>
public enum DiagnosticSeverity
{
    /// <summary>Not shown; still available to tools.</summary>
    Hidden,
    /// <summary>Information (SARIF <c>note</c>).</summary>
    Info,
    /// <summary>Warning.</summary>
    Warning,
    /// <summary>Error.</summary>
    Error,
}

/// <summary>Severity as configured per rule or category; separate from the emitted severity (Roslyn's ReportDiagnostic).</summary>
public enum ReportSeverity
{
    /// <summary>Keep the rule's default.</summary>
    Default,
    /// <summary>Report as error.</summary>
    Error,
    /// <summary>Report as warning.</summary>
    Warn,
    /// <summary>Report as info.</summary>
    Info,
    /// <summary>Report as hidden.</summary>
    Hidden,
    /// <summary>Do not run or report the rule.</summary>
    Suppress,
}
