using System.Collections.Immutable;
using System.Globalization;
using UnsafeScope.Text;

namespace UnsafeScope.Diagnostics;

/// <summary>A secondary location of a diagnostic with its own message (SARIF <c>relatedLocations</c>).</summary>
/// <param name="Location">Where.</param>
/// <param name="Message">What is there ("raw pointer dereference occurs here").</param>
public sealed record RelatedLocation(Location Location, string Message)
{
    /// <summary>What is there; the same wording recurs across thousands of findings, so equal ones share one instance.</summary>
    public string Message { get; init; } = StringTable.Share(Message);
}

/// <summary>Why a diagnostic is suppressed (kept in outputs so an audit sees what was hidden).</summary>
/// <param name="Kind"><c>inSource</c> (a comment) or <c>external</c> (configuration, baseline).</param>
/// <param name="Justification">The reason given.</param>
public sealed record Suppression(string Kind, string Justification);

/// <summary>One finding of a rule.</summary>
public sealed class Diagnostic
{
    // A run holds every finding until its outputs are written, and nearly every one gets a fingerprint and many a
    // region's score: those are kept as a number and a reference to the (already live) region, and become properties
    // only when read, rather than an immutable dictionary and three or four strings per finding.
    private readonly ImmutableDictionary<string, string> _properties;
    private readonly IScoredRegion? _scoredRegion;
    private readonly ulong _fingerprintKey;
    private readonly int _fingerprintIndex; // -1: none beyond _properties

    private Diagnostic(DiagnosticDescriptor descriptor, DiagnosticSeverity severity, Location location, string message,
        ImmutableArray<RelatedLocation> related, ImmutableDictionary<string, string> properties, Suppression? suppression,
        IScoredRegion? scoredRegion = null, ulong fingerprintKey = 0, int fingerprintIndex = -1)
    {
        Descriptor = descriptor;
        Severity = severity;
        Location = location;
        Message = message;
        RelatedLocations = related;
        _properties = properties;
        Suppression = suppression;
        _scoredRegion = scoredRegion;
        _fingerprintKey = fingerprintKey;
        _fingerprintIndex = fingerprintIndex;
    }

    /// <summary>Creates a diagnostic with the descriptor's default severity; <paramref name="messageArgs"/> fill the message format.</summary>
    public static Diagnostic Create(DiagnosticDescriptor descriptor, Location location, IEnumerable<RelatedLocation>? relatedLocations = null,
        ImmutableDictionary<string, string>? properties = null, params object?[] messageArgs)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(location);
        // Kept until the outputs are written, and most rules word many findings alike: one instance of each wording.
        var message = StringTable.Share(string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat, messageArgs));
        return new Diagnostic(descriptor, descriptor.DefaultSeverity, location, message,
            relatedLocations?.ToImmutableArray() ?? [], properties ?? ImmutableDictionary<string, string>.Empty, null);
    }

    /// <summary>Creates a diagnostic with a ready message (no format placeholders are processed).</summary>
    public static Diagnostic CreateWithMessage(DiagnosticDescriptor descriptor, Location location, string message, IEnumerable<RelatedLocation>? relatedLocations = null)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new Diagnostic(descriptor, descriptor.DefaultSeverity, location, StringTable.Share(message), relatedLocations?.ToImmutableArray() ?? [], ImmutableDictionary<string, string>.Empty, null);
    }

    /// <summary>
    /// A diagnostic as a cache record stored it, made at once (made through the copy methods, a warm run built up to
    /// four objects and a dictionary builder for each of its 120,000 cached findings).
    /// </summary>
    internal static Diagnostic Restore(DiagnosticDescriptor descriptor, DiagnosticSeverity severity, Location location, string message,
        ImmutableArray<RelatedLocation> related, ImmutableDictionary<string, string> properties, Suppression? suppression)
        => new(descriptor, severity, location, message, related, properties, suppression);

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

    /// <summary>
    /// Facts for tools (score, inventory facts), written to SARIF <c>properties</c>. Once a run has assigned a
    /// fingerprint or a region's score, the dictionary is built on each read (equal contents, not the same instance).
    /// </summary>
    public ImmutableDictionary<string, string> Properties => _scoredRegion is null && _fingerprintIndex < 0 ? _properties : AllProperties();

    /// <summary>The fingerprint (<see cref="Fingerprints.PropertyKey"/>), or null before one is assigned.</summary>
    internal string? Fingerprint => _fingerprintIndex >= 0
        ? string.Create(CultureInfo.InvariantCulture, $"{_fingerprintKey:x16}:{_fingerprintIndex}")
        : _properties.GetValueOrDefault(Fingerprints.PropertyKey);

    /// <summary>The property <paramref name="key"/>, or null (without building the properties).</summary>
    internal string? GetProperty(string key) => Kept(key) ?? _properties.GetValueOrDefault(key);

    /// <summary>Whether the finding carries <paramref name="key"/> (without building the properties).</summary>
    internal bool HasProperty(string key) => GetProperty(key) is not null;

    // The properties kept as a region and a number, which win over the rule's own of the same name.
    private static readonly string[] KeptKeys = ["score", "scoreFactors", "regionKind", Fingerprints.PropertyKey];

    private string? Kept(string key) => key switch
    {
        Fingerprints.PropertyKey when _fingerprintIndex >= 0 => Fingerprint,
        "score" when _scoredRegion is { } r => r.Score.ToString(CultureInfo.InvariantCulture),
        "scoreFactors" when _scoredRegion is { } r => r.ScoreFactorsText,
        "regionKind" when _scoredRegion is { } r => r.KindName,
        _ => null,
    };

    private ImmutableDictionary<string, string> AllProperties()
    {
        var all = _properties.ToBuilder();
        foreach (var key in KeptKeys)
            if (Kept(key) is { } value) all[key] = value;
        return all.ToImmutable();
    }

    /// <summary>Set when the diagnostic is suppressed.</summary>
    public Suppression? Suppression { get; }

    /// <summary>True when suppressed.</summary>
    public bool IsSuppressed => Suppression is not null;

    /// <summary>A copy with another severity.</summary>
    public Diagnostic WithSeverity(DiagnosticSeverity severity) => new(Descriptor, severity, Location, Message, RelatedLocations, _properties, Suppression, _scoredRegion, _fingerprintKey, _fingerprintIndex);

    /// <summary>A copy marked suppressed.</summary>
    public Diagnostic WithSuppression(Suppression suppression) => new(Descriptor, Severity, Location, Message, RelatedLocations, _properties, suppression, _scoredRegion, _fingerprintKey, _fingerprintIndex);

    /// <summary>A copy whose properties are exactly <paramref name="properties"/>.</summary>
    public Diagnostic WithProperties(ImmutableDictionary<string, string> properties) => new(Descriptor, Severity, Location, Message, RelatedLocations, properties, Suppression);

    /// <summary>The score of the region the finding sits in, when the analysis scored one.</summary>
    internal int? RegionScore => _scoredRegion?.Score;

    /// <summary>A copy with the score, factors and kind of <paramref name="region"/> as properties (<c>score</c>, <c>scoreFactors</c>, <c>regionKind</c>).</summary>
    internal Diagnostic WithScoredRegion(IScoredRegion region) => new(Descriptor, Severity, Location, Message, RelatedLocations, _properties, Suppression, region, _fingerprintKey, _fingerprintIndex);

    /// <summary>A copy with the fingerprint <c>key:index</c> (key as 16 hex digits).</summary>
    internal Diagnostic WithFingerprint(ulong key, int index) => new(Descriptor, Severity, Location, Message, RelatedLocations, _properties, Suppression, _scoredRegion, key, index);

    /// <inheritdoc />
    public override string ToString() => $"{Location}: {Severity.ToString().ToLowerInvariant()} {Id}: {Message}";
}

/// <summary>The scored unsafe region a finding sits on, as its properties show it (the region lives in the inventory, a layer above).</summary>
internal interface IScoredRegion
{
    /// <summary>The encapsulation score (<c>score</c>).</summary>
    int Score { get; }

    /// <summary>Each factor and its points, <c>name points</c> joined by <c>; </c> (<c>scoreFactors</c>).</summary>
    string ScoreFactorsText { get; }

    /// <summary>The region kind's JSON name (<c>regionKind</c>).</summary>
    string KindName { get; }
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
