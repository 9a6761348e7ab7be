using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Corpus;

public class CorpusRunTests
{
    [CorpusFact]
    public void TheWholeCorpusIsAnalyzedWithoutCrashOrError()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [.. DebianCorpus.Roots], Jobs = Environment.ProcessorCount });
        Assert.True(result.Files.Length > 9000, $"only {result.Files.Length} files found");
        Assert.True(result.Succeeded, string.Join("\n", result.Notifications.Where(n => n.Level == NotificationLevel.Error).Take(5)));
        Assert.All(result.Files, f => Assert.Equal(FileStatus.Analyzed, f.Status));
        // Parse errors are notes, one per file with errors, and never lose the file.
        Assert.Equal(result.Files.Count(f => f.SyntaxErrors > 0), result.Notifications.Count(n => n.Id == NotificationIds.ParseErrors));
    }
}
