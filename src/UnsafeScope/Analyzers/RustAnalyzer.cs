using System.Collections.Immutable;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Analyzers;

/// <summary>
/// An analyzer, in the shape of Roslyn's: it declares its rules and registers actions; the driver walks
/// each tree once and calls them. Analyzers never walk trees themselves. Actions may run concurrently
/// for different files, so an analyzer keeps no mutable state outside its crate start/end pairs.
/// </summary>
public abstract class RustAnalyzer
{
    /// <summary>The rules this analyzer can report.</summary>
    public abstract ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

    /// <summary>Registers the analyzer's actions.</summary>
    public abstract void Initialize(AnalysisContext context);
}
