using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;

namespace UnsafeScope.Driver;

/// <summary>What happened to one file.</summary>
public enum FileStatus
{
    /// <summary>Parsed and analyzed (possibly with syntax errors recovered).</summary>
    Analyzed,
    /// <summary>Not analyzed: binary, too large, unreadable or failed to parse; see the notifications.</summary>
    Skipped,
    /// <summary>A configuration file (Cargo.toml, .cargo/config.toml, rust-toolchain.toml) that holds findings of the configuration rules.</summary>
    Configuration,
}

/// <summary>The result for one file.</summary>
public sealed record FileResult
{
    /// <summary>Path relative to the base directory, forward slashes.</summary>
    public required string Path { get; init; }

    /// <summary>Whether the file was analyzed.</summary>
    public required FileStatus Status { get; init; }

    /// <summary>Size in bytes (as read, including any BOM).</summary>
    public long Bytes { get; init; }

    /// <summary>Number of lines.</summary>
    public int Lines { get; init; }

    /// <summary>Number of ERROR and MISSING nodes in the tree.</summary>
    public int SyntaxErrors { get; init; }

    /// <summary>The unsafe inventory of the file, or null when it was not analyzed.</summary>
    public FileInventory? Inventory { get; init; }

    /// <summary>Diagnostics in this file (suppressed ones included), sorted by position then rule id.</summary>
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];

    /// <summary>Notifications about this file, in the order they arose.</summary>
    public ImmutableArray<ToolNotification> Notifications { get; init; } = [];
}

/// <summary>The immutable result of a run: per-file results in path order and run-level notifications.</summary>
public sealed record AnalysisResult
{
    /// <summary>The base directory the paths are relative to.</summary>
    public required string BaseDirectory { get; init; }

    /// <summary>Results per file, sorted by path (ordinal).</summary>
    public required ImmutableArray<FileResult> Files { get; init; }

    /// <summary>The run's memo of file digests (with a cache, where stamps can be told): the SARIF writer's line hashes use it.</summary>
    internal ContentDigests? Digests { get; init; }

    /// <summary>The rules that ran, sorted by id.</summary>
    public ImmutableArray<DiagnosticDescriptor> Rules { get; init; } = [];

    /// <summary>Rule severities overridden by configuration (rule id → configured severity).</summary>
    public ImmutableDictionary<string, ReportSeverity> RuleOverrides { get; init; } = ImmutableDictionary<string, ReportSeverity>.Empty;

    /// <summary>Every diagnostic, in file order.</summary>
    public IEnumerable<Diagnostic> Diagnostics => Files.SelectMany(f => f.Diagnostics);

    /// <summary>Per-crate rollups, sorted by crate folder.</summary>
    public ImmutableArray<CrateInventory> Crates { get; init; } = [];

    /// <summary>Counts over every analyzed file.</summary>
    public InventoryCounts Totals => Crates.Aggregate(InventoryCounts.Zero, (a, c) => a + c.Counts);

    /// <summary>Run-level notifications (missing paths, unreadable folders), then the files' ones in file order.</summary>
    public required ImmutableArray<ToolNotification> Notifications { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>Files whose per-file results came from the result cache (not written to any output).</summary>
    public int CacheHits { get; init; }

    /// <summary>Files analyzed because the cache did not hold them (0 without a cache).</summary>
    public int CacheMisses { get; init; }

    /// <summary>True when no error-level notification was raised.</summary>
    public bool Succeeded => !Notifications.Any(n => n.Level == NotificationLevel.Error);
}
