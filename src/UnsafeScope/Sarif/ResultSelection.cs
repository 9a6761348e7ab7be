using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Text;

namespace UnsafeScope.Sarif;

/// <summary>One diagnostic about to be written, with the file it belongs to.</summary>
/// <param name="Diagnostic">The diagnostic.</param>
/// <param name="Path">The relative path of its primary location (its file's when the diagnostic has no location).</param>
/// <param name="Sequence">Its position in the analysis result, the last tie-breaker.</param>
internal readonly record struct PendingResult(Diagnostic Diagnostic, string Path, int Sequence)
{
    /// <summary>The primary location's line span, or the empty span at the file's start.</summary>
    public LinePositionSpan Span => Diagnostic.Location.IsNone ? default : Diagnostic.Location.LineSpan;

    /// <summary>True when the diagnostic carries no location of its own.</summary>
    public bool HasRegion => !Diagnostic.Location.IsNone;
}

/// <summary>
/// Chooses the results of a run and their order. Results are ranked: unsuppressed before suppressed, then severity
/// (error, warning, note), then path (ordinal), start line and column, end line and column, rule id, message, and
/// finally their order in the analysis result. The log lists them in that order, and when there are more than the
/// limit the first ones are kept.
/// </summary>
internal static class ResultSelection
{
    /// <summary>The ranked results to write, and how many were left out by the limit.</summary>
    public static (List<PendingResult> Kept, int Dropped) Select(AnalysisResult result, SarifWriteOptions options)
    {
        var all = new List<PendingResult>();
        int sequence = 0;
        foreach (var file in result.Files)
        {
            foreach (var d in file.Diagnostics)
            {
                sequence++;
                if (d.Severity == DiagnosticSeverity.Hidden && !options.IncludeHiddenResults) continue;
                var path = d.Location.IsNone ? file.Path : d.Location.Path;
                all.Add(new PendingResult(d, path, sequence));
            }
        }
        all.Sort(Compare);
        int dropped = Math.Max(0, all.Count - options.MaxResultsPerRun);
        if (dropped > 0) all.RemoveRange(options.MaxResultsPerRun, dropped);
        return (all, dropped);
    }

    /// <summary>The ranking described on the class.</summary>
    public static int Compare(PendingResult x, PendingResult y)
    {
        int c = x.Diagnostic.IsSuppressed.CompareTo(y.Diagnostic.IsSuppressed);
        if (c != 0) return c;
        c = ((int)y.Diagnostic.Severity).CompareTo((int)x.Diagnostic.Severity); // as ints: Enum.CompareTo boxes
        if (c != 0) return c;
        c = string.CompareOrdinal(x.Path, y.Path);
        if (c != 0) return c;
        c = x.Span.Start.CompareTo(y.Span.Start);
        if (c != 0) return c;
        c = x.Span.End.CompareTo(y.Span.End);
        if (c != 0) return c;
        c = string.CompareOrdinal(x.Diagnostic.Id, y.Diagnostic.Id);
        if (c != 0) return c;
        c = string.CompareOrdinal(x.Diagnostic.Message, y.Diagnostic.Message);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    }
}
