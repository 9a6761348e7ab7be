using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Workspace;

namespace UnsafeScope.Analyzers.Rules.Configuration;

/// <summary>
/// A driver configuration rule (US3xxx): runs once per driver package at crate end, on its
/// <see cref="DriverConfiguration"/>, and reports on the line of the file that holds the mistake.
/// </summary>
public abstract class ConfigurationRule : RustAnalyzer
{
    /// <summary>The rule.</summary>
    protected abstract DiagnosticDescriptor Descriptor { get; }

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Descriptor];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        => context.RegisterCrateEndAction(c =>
        {
            if (c.Driver is { } driver) Check(driver, (location, message) => c.ReportDiagnostic(Diagnostic.Create(Descriptor, location, null, null, message)));
        });

    /// <summary>What the rule finds in one driver package (the readiness page shows it as the check's outcome).</summary>
    public IReadOnlyList<(Text.Location Location, string Message)> Evaluate(DriverConfiguration driver)
    {
        var found = new List<(Text.Location, string)>();
        Check(driver, (location, message) => found.Add((location, message)));
        return found;
    }

    /// <summary>Checks one driver package; <paramref name="report"/> takes a location and the message.</summary>
    protected abstract void Check(DriverConfiguration driver, Action<Text.Location, string> report);

    /// <summary>The manifest cargo reads profiles and workspace settings from: the workspace root's, else the package's.</summary>
    protected static ManifestLocation RootManifest(DriverConfiguration d) => d.Package.WorkspaceManifest ?? d.Package.Manifest;

    /// <summary>The package's <c>[package]</c> line.</summary>
    protected static Text.Location PackageLine(DriverConfiguration d) => d.LocationOf(d.Package.Manifest);
}
