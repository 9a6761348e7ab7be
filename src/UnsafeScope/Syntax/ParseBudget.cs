using System.Diagnostics;
using UnsafeScope.Text;

namespace UnsafeScope.Syntax;

/// <summary>
/// What one file may still spend on parsing: the rest of its time limit (<c>--parse-timeout</c>, counted from the
/// start of the file's own parse) and the run's cancellation. The re-parses of macro code (fragments, expansions) take
/// from it, so a file's macros cannot run past its limit or outlive a cancelled run.
/// </summary>
internal sealed class ParseBudget
{
    private readonly long _deadline;
    private volatile bool _ranOut;

    /// <summary>No time limit, no cancellation.</summary>
    public static ParseBudget Unlimited { get; } = new(TimeSpan.Zero, CancellationToken.None);

    /// <summary>Starts now; a zero or negative <paramref name="timeout"/> means no time limit.</summary>
    public ParseBudget(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _deadline = timeout > TimeSpan.Zero ? Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        CancellationToken = cancellationToken;
    }

    public CancellationToken CancellationToken { get; }

    private int _parses;

    /// <summary>Parses started through this budget (a file's macro fragments and expansions): what lazy parsing saves shows here.</summary>
    public int Parses => Volatile.Read(ref _parses);

    /// <summary>True once a parse was not started, or was stopped, because the time ran out.</summary>
    public bool RanOut => _ranOut;

    /// <summary>
    /// <paramref name="options"/> limited to the time left, or null when none is left (the parse must not start).
    /// Throws when the run was cancelled.
    /// </summary>
    public RustParseOptions? Limit(RustParseOptions options)
    {
        CancellationToken.ThrowIfCancellationRequested();
        if (_deadline == long.MaxValue) return options with { Timeout = TimeSpan.Zero };
        long left = _deadline - Stopwatch.GetTimestamp();
        if (left <= 0)
        {
            _ranOut = true;
            return null;
        }
        return options with { Timeout = TimeSpan.FromSeconds((double)left / Stopwatch.Frequency) };
    }

    /// <summary>Parses <paramref name="text"/> within the budget; null when no time was left or the parse ran out of it.</summary>
    public RustSyntaxTree? Parse(SourceText text, RustParseOptions options)
    {
        if (Limit(options) is not { } limited) return null;
        Interlocked.Increment(ref _parses);
        var tree = RustSyntaxTree.Parse(text, limited, CancellationToken);
        if (tree.Status == ParseStatus.TimedOut) _ranOut = true;
        return tree;
    }
}
