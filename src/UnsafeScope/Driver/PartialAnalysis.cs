using UnsafeScope.Diagnostics;
using System.Collections.Immutable;
using System.IO.Compression;

namespace UnsafeScope.Driver;

/// <summary>
/// The per-file stage of one shard of a run (<see cref="Analysis.RunPartial"/>), before crates are linked.
/// <see cref="WriteTo"/> and <see cref="ReadFrom"/> move it between machines; <see cref="Analysis.Merge"/> links
/// all shards of a run into the result a single run would give.
/// </summary>
public sealed class PartialAnalysis
{
    private static ReadOnlySpan<byte> Magic => "USPART1\n"u8;

    private ImmutableArray<FileRecord> _records;
    private byte[]? _payload; // records not yet decoded: decoding needs the merge's rules
    private int _recordCount;

    // The fingerprint is asked for only when shards are written or merged: a plain run never hashes it.
    internal PartialAnalysis(Lazy<string> fingerprint, string baseDirectory, AnalysisShard shard, int totalFiles,
        ImmutableArray<ToolNotification> runNotifications, ImmutableArray<FileRecord> records, DateTimeOffset startTime, TimeSpan elapsed,
        int cacheHits, int cacheMisses)
    {
        _fingerprint = fingerprint;
        BaseDirectory = baseDirectory;
        Shard = shard;
        TotalFiles = totalFiles;
        RunNotifications = runNotifications;
        _records = records;
        _recordCount = records.IsDefault ? 0 : records.Length;
        StartTime = startTime;
        Elapsed = elapsed;
        CacheHits = cacheHits;
        CacheMisses = cacheMisses;
    }

    /// <summary>Which shard this is.</summary>
    public AnalysisShard Shard { get; }

    /// <summary>The base directory the paths are relative to.</summary>
    public string BaseDirectory { get; }

    /// <summary>Files the whole run found (all shards).</summary>
    public int TotalFiles { get; }

    /// <summary>Files in this shard.</summary>
    public int FileCount => _recordCount;

    /// <summary>Notifications from finding the files (the same in every shard).</summary>
    public ImmutableArray<ToolNotification> RunNotifications { get; }

    /// <summary>
    /// The notifications of finding the files, then those of each file in path order. A shard read back with
    /// <see cref="ReadFrom"/> has only the former until it is merged.
    /// </summary>
    public ImmutableArray<ToolNotification> Notifications
        => _records.IsDefault ? RunNotifications : [.. RunNotifications, .. _records.SelectMany(r => r.Result.Notifications)];

    /// <summary>When the shard started (UTC).</summary>
    public DateTimeOffset StartTime { get; }

    /// <summary>How long the shard took.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Files taken from the result cache.</summary>
    public int CacheHits { get; }

    /// <summary>Files analyzed because the cache did not hold them (0 without a cache).</summary>
    public int CacheMisses { get; }

    internal string Fingerprint => _fingerprint.Value;

    private readonly Lazy<string> _fingerprint;

    internal ImmutableArray<FileRecord> Records => _records.IsDefault ? throw new InvalidOperationException("The shard's records are not decoded yet.") : _records;

    /// <summary>Decodes records read from a file with the merge's rules.</summary>
    internal void Decode(IReadOnlyDictionary<string, Diagnostics.DiagnosticDescriptor> rules)
    {
        if (_payload is null) return;
        using var reader = new RecordReader(new MemoryStream(_payload, writable: false));
        var records = ImmutableArray.CreateBuilder<FileRecord>(_recordCount);
        for (int i = 0; i < _recordCount; i++)
            records.Add(FileRecordFormat.Read(reader, rules) ?? throw new InvalidDataException($"Shard {Shard} holds a finding of a rule this merge does not run."));
        _records = records.MoveToImmutable();
        _payload = null;
    }

    /// <summary>Writes the shard (gzip-compressed binary; the format is private to one build of UnsafeScope).</summary>
    public void WriteTo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Magic);
        using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
        using var w = new BinaryWriter(gzip);
        w.Write(FileRecordFormat.Version);
        w.Write(Fingerprint);
        w.Write(BaseDirectory);
        w.Write(Shard.Index);
        w.Write(Shard.Count);
        w.Write(TotalFiles);
        w.Write(StartTime.UtcTicks);
        w.Write(Elapsed.Ticks);
        w.Write(CacheHits);
        w.Write(CacheMisses);
        w.Write(RunNotifications.Length);
        foreach (var n in RunNotifications) FileRecordFormat.WriteNotification(w, n);
        w.Write(Records.Length);
        w.Flush();
        // The records are decoded apart from the header (Decode), so their strings are numbered from their own start.
        using var records = new RecordWriter(gzip);
        foreach (var r in Records) FileRecordFormat.Write(records, r);
    }

    /// <summary>Reads a shard written by <see cref="WriteTo"/>; throws <see cref="InvalidDataException"/> if it is not one.</summary>
    public static PartialAnalysis ReadFrom(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> magic = stackalloc byte[Magic.Length];
        if (stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false) != magic.Length || !magic.SequenceEqual(Magic))
            throw new InvalidDataException("This is not an UnsafeScope shard output (write one with analyze --shard i/n --partial FILE).");
        try
        {
            using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            using var rd = new BinaryReader(gzip);
            if (rd.ReadInt32() != FileRecordFormat.Version) throw new InvalidDataException("The shard output was written by another version of UnsafeScope.");
            var fingerprint = rd.ReadString();
            var baseDirectory = rd.ReadString();
            var shard = new AnalysisShard(rd.ReadInt32(), rd.ReadInt32());
            int total = rd.ReadInt32();
            var start = new DateTimeOffset(rd.ReadInt64(), TimeSpan.Zero);
            var elapsed = new TimeSpan(rd.ReadInt64());
            int hits = rd.ReadInt32(), misses = rd.ReadInt32();
            var notes = ImmutableArray.CreateBuilder<ToolNotification>(rd.ReadInt32());
            for (int i = notes.Capacity; i > 0; i--) notes.Add(FileRecordFormat.ReadNotification(rd));
            int count = rd.ReadInt32();
            using var rest = new MemoryStream();
            gzip.CopyTo(rest);
            return new PartialAnalysis(new Lazy<string>(fingerprint), baseDirectory, shard, total, notes.MoveToImmutable(), default, start, elapsed, hits, misses)
            {
                _payload = rest.ToArray(),
                _recordCount = count,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"The shard output is damaged: {e.Message}", e);
        }
    }
}
