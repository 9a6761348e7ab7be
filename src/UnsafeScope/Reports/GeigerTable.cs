using System.Globalization;
using System.Text;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Scoring;

namespace UnsafeScope.Reports;

/// <summary>A cargo-geiger-like table per crate: unsafe / total functions, methods, impls, traits; unsafe blocks; FFI; MMIO.</summary>
public static class GeigerTable
{
    private static readonly string[] s_headers = ["Crate", "Functions", "Methods", "Impls", "Traits", "Blocks", "FFI calls", "MMIO", "Unsafe lines", "Score"];

    private static string[] Row(string name, InventoryCounts c, int score) =>
    [
        name,
        $"{c.UnsafeFreeFunctions}/{c.Functions}",
        $"{c.UnsafeMethods}/{c.Methods}",
        $"{c.UnsafeImpls}/{c.Impls}",
        $"{c.UnsafeTraits}/{c.Traits}",
        c.UnsafeBlocks.ToString(CultureInfo.InvariantCulture),
        c.FfiCalls.ToString(CultureInfo.InvariantCulture),
        c.MmioAccesses.ToString(CultureInfo.InvariantCulture),
        $"{c.UnsafeLines}/{c.Lines}",
        score.ToString(CultureInfo.InvariantCulture),
    ];

    private static List<string[]> Rows(AnalysisResult result)
    {
        var rows = result.Crates.Select(c => Row(c.Root == "." ? c.Name : $"{c.Name} ({c.Root})", c.Counts, c.Score)).ToList();
        rows.Add(Row("total", result.Totals, EncapsulationScore.Rollup(result.Files.Where(f => f.Inventory is not null).SelectMany(f => f.Inventory!.Regions))));
        return rows;
    }

    /// <summary>Plain text, columns aligned.</summary>
    public static string ToText(AnalysisResult result)
    {
        var rows = Rows(result);
        var widths = s_headers.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells) => sb.AppendLine(string.Join("  ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
        Line(s_headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Line(r);
        return sb.ToString();
    }

    /// <summary>GitHub-flavoured markdown.</summary>
    public static string ToMarkdown(AnalysisResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", s_headers) + " |");
        sb.AppendLine("|" + string.Join("|", s_headers.Select((_, i) => i == 0 ? "---" : "---:")) + "|");
        foreach (var r in Rows(result))
            sb.AppendLine("| " + string.Join(" | ", r.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        return OutputText.Lf(sb);
    }
}
