using System.Collections.Immutable;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Analyzers.Rules;

/// <summary>Builds descriptors with the project's conventions (categories, tags, properties).</summary>
internal static class RuleFactory
{
    public const string Hygiene = "Hygiene";
    public const string Driver = "Driver";
    public const string Configuration = "Configuration";
    public const string Suppression = "Suppression";

    public static DiagnosticDescriptor Create(
        string id, string name, string title, string message, string category, DiagnosticSeverity severity, string precision,
        RuleDocumentation documentation, string? equivalent = null, string? securitySeverity = null, int cwe = 0,
        bool enabledByDefault = true, params string[] tags)
    {
        var properties = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var allTags = new List<string> { "unsafe", category.ToLowerInvariant() };
        if (equivalent is not null) properties["equivalent"] = equivalent;
        if (securitySeverity is not null)
        {
            properties["security-severity"] = securitySeverity;
            allTags.Add("security");
        }
        if (cwe > 0)
        {
            properties["cwe"] = $"CWE-{cwe}";
            allTags.Add($"external/cwe/cwe-{cwe}");
        }
        allTags.AddRange(tags);
        return new DiagnosticDescriptor(id, name, title, message, category, severity, enabledByDefault, documentation, precision,
            [.. allTags.Distinct()], properties.ToImmutable());
    }

    /// <summary>The related location for each unsafe operation of a region: "raw pointer dereference occurs here".</summary>
    public static IEnumerable<RelatedLocation> OperationNotes(Inventory.UnsafeRegion region) => OperationNotes(region.Operations);

    /// <summary>The related location for each of the given operations.</summary>
    public static IEnumerable<RelatedLocation> OperationNotes(IEnumerable<Inventory.UnsafeOperation> operations)
        => operations.Select(o => new RelatedLocation(o.Location, $"{Inventory.RegionKinds.Describe(o.Kind)} occurs here"));
}
