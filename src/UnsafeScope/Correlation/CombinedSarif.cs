using System.Text.Json;
using UnsafeScope.Driver;
using UnsafeScope.Sarif;

namespace UnsafeScope.Correlation;

/// <summary>
/// One SARIF log holding other tools' runs (copied as they are) and UnsafeScope's run. GitHub rejects a
/// file with two runs of the same tool and category, so the runs must differ in tool or category: a
/// foreign run whose category equals ours is refused.
/// </summary>
public static class CombinedSarif
{
    /// <summary>Writes the combined log.</summary>
    public static void Write(AnalysisResult result, SarifWriteOptions options, IEnumerable<string> otherLogs, Stream output)
    {
        using var ours = new MemoryStream();
        SarifLogWriter.Write(result, options, ours);
        using var ourDoc = JsonDocument.Parse(ours.ToArray());
        var foreign = new List<JsonDocument>();
        try
        {
            foreach (var path in otherLogs)
            {
                JsonDocument doc;
                using (var stream = IO.UntrustedFile.OpenRead(path, 64 * 1024)) doc = JsonDocument.Parse(stream);
                foreign.Add(doc);
                foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
                {
                    var category = run.TryGetProperty("automationDetails", out var ad) && ad.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "";
                    var tool = run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString();
                    if (tool == "UnsafeScope" && Category(category) == Category(options.Category))
                        throw new InvalidDataException($"{path} already holds an UnsafeScope run with category '{options.Category}'; use --category to tell them apart.");
                }
            }
            using var w = new Utf8JsonWriter(output, Reports.OutputText.Json());
            w.WriteStartObject();
            w.WriteString("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            foreach (var doc in foreign)
                foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
                    run.WriteTo(w);
            foreach (var run in ourDoc.RootElement.GetProperty("runs").EnumerateArray())
                run.WriteTo(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        finally
        {
            foreach (var d in foreign) d.Dispose();
        }
    }

    // GitHub's category is the automation id up to its last '/'.
    private static string Category(string id) => id.LastIndexOf('/') is var i && i >= 0 ? id[..(i + 1)] : id;
}
