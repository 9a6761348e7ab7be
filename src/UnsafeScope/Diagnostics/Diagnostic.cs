using System.Collections.Immutable;
using System.Globalization;
using UnsafeScope.Text;

namespace UnsafeScope.Diagnostics;

/// <summary>A secondary location of a diagnostic with its own message (SARIF <c>relatedLocations</c>).</summary>
/// <param name="Location">Where.</param>
/// <param name="Message">What is there ("raw pointer dereference occurs here").</param>
public sealed record RelatedLocation(Location Location, string Message);

/// <summary>Why a diagnostic is suppressed (kept in outputs so an audit sees what was hidden).</summary>
/// <param name="Kind"><c>inSource</c> (a comment) or <c>external</c> (configuration, baseline).</param>
/// <param name="Justification">The reason given.</param>
public sealed record Suppression(string Kind, string Justification);

/// <summary>One finding of a rule.</summary>
public sealed class Diagnostic
{
    private Diagnostic(DiagnosticDescriptor descriptor, DiagnosticSeverity severity, Location location, string message,
        ImmutableArray<RelatedLocation> related, ImmutableDictionary<string, string> properties, Suppression? suppression)
    {
        Descriptor = descriptor;
        Severity = severity;
        Location = location;
        Message = message;
        RelatedLocations = related;
        Properties = properties;
        Suppression = suppression;
    }

    /// <summary>Creates a diagnostic with the descriptor's default severity; <paramref name="messageArgs"/> fill the message format.</summary>
    public static Diagnostic Create(DiagnosticDescriptor descriptor, Location location, IEnumerable<RelatedLocation>? relatedLocations = null,
        ImmutableDictionary<string, string>? properties = null, params object?[] messageArgs)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(location);
        var message = string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, messageArgs);
        return new Diagnostic(descriptor, descriptor.DefaultSeverity, location, message,
            relatedLocations?.ToImmutableArray() ?? [], properties ?? ImmutableDictionary<string, string>.Empty, null);
    }

    /// <summary>Creates a diagnostic with a ready message (no format placeholders are processed).</summary>
    public static Diagnostic CreateWithMessage(DiagnosticDescriptor descriptor, Location location, string message, IEnumerable<RelatedLocation>? relatedLocations = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new Diagnostic(descriptor, descriptor.DefaultSeverity, location, message, relatedLocations?.ToImmutableArray() ?? [], ImmutableDictionary<string, string>.Empty, null);
    }

    /// <summary>The rule.</summary>
    public DiagnosticDescriptor Descriptor { get; }

    /// <summary>The rule id.</summary>
    public string Id => Descriptor.Id;

    /// <summary>Effective severity (after configuration).</summary>
    public DiagnosticSeverity Severity { get; }

    /// <summary>Primary location.</summary>
    public Location Location { get; }

    /// <summary>The formatted message; its first sentence reads as a title.</summary>
    public string Message { get; }

    /// <summary>Secondary locations (each unsafe operation, FFI call, MMIO access…).</summary>
    public ImmutableArray<RelatedLocation> RelatedLocations { get; }

    /// <summary>Facts for tools (score, inventory facts), written to SARIF <c>properties</c>.</summary>
    public ImmutableDictionary<string, string> Properties { get; }

    /// <summary>Set when the diagnostic is suppressed.</summary>
    public Suppression? Suppression { get; }

    /// <summary>True when suppressed.</summary>
    public bool IsSuppressed => Suppression is not null;

    /// <summary>A copy with another severity.</summary>
    public Diagnostic WithSeverity(DiagnosticSeverity severity) => new(Descriptor, severity, Location, Message, RelatedLocations, Properties, Suppression);

    /// <summary>A copy marked suppressed.</summary>
    public Diagnostic WithSuppression(Suppression suppression) => new(Descriptor, Severity, Location, Message, RelatedLocations, Properties, suppression);

    /// <summary>A copy with more properties.</summary>
    public Diagnostic WithProperties(ImmutableDictionary<string, string> properties) => new(Descriptor, Severity, Location, Message, RelatedLocations, properties, Suppression);

    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}

/// <summary>Names of diagnostic properties that analyzers set and the driver reads.</summary>
internal static class DiagnosticProperties
{
    /// <summary>
    /// Set when the equivalent lint is allowed by default in this crate (rustc's <c>unsafe_op_in_unsafe_fn</c> before
    /// edition 2024): the finding is kept only when the crate or the configuration raises the lint.
    /// </summary>
    public const string LintDefault = "lintDefault";
}
