using System.Text.Json;
using Json.Schema;
using UnsafeScope.Driver;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Reports;

public class JsonInventoryTests
{
    private static byte[] Json(AnalysisResult result)
    {
        using var ms = new MemoryStream();
        InventoryJsonWriter.Write(result, ms);
        return ms.ToArray();
    }

    [Fact]
    public void OutputValidatesAgainstTheCommittedSchema()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = 2 });
        var bytes = Json(result);
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        var schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "schemas", "inventory.schema.json")));
        using var instance = JsonDocument.Parse(bytes);
        var evaluation = schema.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(evaluation.IsValid, string.Join("\n", (evaluation.Details ?? []).Where(d => d.Errors is not null).Take(10).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
        using var doc = JsonDocument.Parse(bytes);
        Assert.True(doc.RootElement.GetProperty("total").GetProperty("unsafeBlocks").GetInt32() > 30);
    }

    [Fact]
    public void OutputIsByteIdenticalAcrossThreadCountsAndRuns()
    {
        var one = Json(Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = 1 }));
        var two = Json(Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = 2 }));
        var eight = Json(Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = 8 }));
        Assert.Equal(one, two);
        Assert.Equal(one, eight);
    }
}
