namespace UnsafeScope.Cli;

/// <summary>A one-line progress bar on stderr, only when stderr is a terminal and not in CI.</summary>
internal sealed class ProgressBar : IProgress<UnsafeScope.Driver.AnalysisProgress>, IDisposable
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _lastDraw;
    private int _drawn;

    private ProgressBar()
    {
    }

    /// <summary>A bar, or null when output is not interactive (redirected, CI, --quiet).</summary>
    public static ProgressBar? Create(bool quiet)
    {
        bool ci = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GITHUB_ACTIONS"));
        return quiet || ci || Console.IsErrorRedirected ? null : new ProgressBar();
    }

    public void Report(UnsafeScope.Driver.AnalysisProgress progress)
    {
        var (done, total) = progress;
        long now = _clock.ElapsedMilliseconds;
        if (now - Interlocked.Read(ref _lastDraw) < 100) return;
        Interlocked.Exchange(ref _lastDraw, now);
        lock (this)
        {
            const int width = 30;
            int filled = total == 0 ? width : (int)((long)width * done / total);
            var text = $"\r  [{new string('#', filled)}{new string('.', width - filled)}] {done,7:N0}/{total:N0} files  {now / 1000.0:F1} s";
            Console.Error.Write(text);
            _drawn = text.Length;
        }
    }

    public void Dispose()
    {
        if (_drawn > 0) Console.Error.Write("\r" + new string(' ', _drawn) + "\r");
    }
}
