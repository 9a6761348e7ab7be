using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// The OASIS SARIF 2.1.0 (errata01) schema, vendored next to the tests, evaluated with JsonSchema.Net. The schema is
/// draft-04, which JsonSchema.Net 8 does not know: its <c>$schema</c> is relabelled draft-07 and its top-level
/// <c>id</c> removed (the keywords the SARIF schema uses mean the same in both drafts). Formats (<c>uri</c>,
/// <c>uri-reference</c>, <c>date-time</c>) are checked, not just annotated.
/// </summary>
internal static class SarifSchema
{
    public static string VendoredPath => Path.Combine(RepoPaths.Root, "tests", "UnsafeScope.Tests", "Sarif", "sarif-schema-2.1.0.json");

    private static readonly Lazy<JsonSchema> s_schema = new(() => Load(File.ReadAllText(VendoredPath)));

    public static JsonSchema Schema => s_schema.Value;

    public static JsonSchema Load(string draft04Text)
    {
        var node = JsonNode.Parse(draft04Text)!.AsObject();
        node["$schema"] = "http://json-schema.org/draft-07/schema#";
        node.Remove("id");
        return JsonSchema.FromText(node.ToJsonString());
    }

    /// <summary>The schema errors of a log, as "instance path: message" lines (empty when valid).</summary>
    public static List<string> Errors(ReadOnlySpan<byte> utf8Json)
    {
        using var doc = JsonDocument.Parse(utf8Json.ToArray());
        var results = Schema.Evaluate(doc.RootElement, new EvaluationOptions
        {
            OutputFormat = OutputFormat.List,
            RequireFormatValidation = true,
        });
        if (results.IsValid) return [];
        var errors = new List<string>();
        foreach (var d in (results.Details ?? []).Prepend(results))
            if (d.Errors is { Count: > 0 } e)
                errors.AddRange(e.Select(kv => $"{d.InstanceLocation} ({d.EvaluationPath}): {kv.Key}: {kv.Value}"));
        return errors.Count > 0 ? errors : ["invalid (no details)"];
    }
}
