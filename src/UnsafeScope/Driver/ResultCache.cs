using UnsafeScope.IO;
using System.Security.Cryptography;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Driver;

/// <summary>
/// A folder of per-file records keyed by a hash of everything the per-file stage depends on: the file's bytes,
/// its path, crate and module, the tool build, the catalog, the configuration, the analyzers and query packs,
/// and the parse limits (<see cref="AnalysisSession.Fingerprint"/>). Linked crates are cached next to them
/// (<see cref="CrateCache"/>); a warm run's output is the cold run's, byte for byte. A damaged or unreadable entry is a miss, never an error.
/// </summary>
internal sealed class ResultCache(string directory)
{
    private static ReadOnlySpan<byte> Magic => "USCACHE\n"u8;

    // Larger than any record of the largest source file UnsafeScope reads; a bigger entry is not one of ours (a miss).
    private const long MaxEntryBytes = 1L << 30;

    public string Directory { get; } = Path.GetFullPath(directory);

    private int _hits, _misses;

    public int Hits => _hits;

    public int Misses => _misses;

    /// <summary>The key of one file: run fingerprint, place in the crate, and content (the SHA-256 of its bytes).</summary>
    public static string Key(string runFingerprint, string relativePath, Inventory.CrateInfo crate, string modulePath, ReadOnlySpan<byte> digest)
        => ContentHash.Of([runFingerprint, relativePath, crate.Name, crate.Root, crate.Edition, modulePath], digest);

    private string EntryPath(string key) => Path.Combine(Directory, key[..2], key[2..] + ".bin");

    public FileRecord? TryLoad(string key, IReadOnlyDictionary<string, DiagnosticDescriptor> rules)
    {
        var record = Load(key, Magic, reader => FileRecordFormat.Read(reader, rules));
        if (record is null) Interlocked.Increment(ref _misses);
        else Interlocked.Increment(ref _hits);
        return record;
    }

    /// <summary>Counts entries taken from the cache another way (the files of a cached crate) as hits.</summary>
    public void CountHits(int files) => Interlocked.Add(ref _hits, files);

    /// <summary>
    /// An entry of one kind (its magic), read whole; null when absent, damaged, of another format version or key, or
    /// when <paramref name="read"/> rejects it or leaves bytes over.
    /// </summary>
    internal T? Load<T>(string key, ReadOnlySpan<byte> magic, Func<RecordReader, T?> read) where T : class
        => Load(key, magic, read, out _);

    /// <summary>
    /// As <see cref="Load{T}(string, ReadOnlySpan{byte}, Func{RecordReader, T})"/>; <paramref name="renewed"/> tells
    /// whether the entry was stale enough to be renewed. <paramref name="file"/>: where the entry lives when not at its
    /// key's place among the records and crates (the digest memo, which is rewritten as files change).
    /// </summary>
    internal T? Load<T>(string key, ReadOnlySpan<byte> magic, Func<RecordReader, T?> read, out bool renewed, string? file = null) where T : class
    {
        renewed = false;
        var path = file ?? EntryPath(key);
        // Absent is the common case in a cold run (every file and crate): asked first, since an open of a missing file
        // throws, and a first-chance exception per lookup cost the framework-dependent command 19,618 of them per
        // corpus run. A file removed in between still throws, and is still a miss.
        if (!File.Exists(path)) return null;
        try
        {
            // A cache folder can be shared: an entry may be anything. Read whole into this thread's reused buffer (a
            // buffered stream per entry allocated and zeroed 64 KB each, four times the average entry; an array per
            // entry was a fifth of what a warm run with edits allocated): what is read from it is copied out.
            var expected = magic.ToArray(); // a span cannot be captured
            var entry = IO.UntrustedFile.UseAllBytes(path, MaxEntryBytes, (buffer, length) =>
            {
                using var stream = new MemoryStream(buffer, 0, length, writable: false);
                using var reader = new RecordReader(stream);
                Span<byte> found = stackalloc byte[expected.Length];
                if (reader.Read(found) != found.Length || !found.SequenceEqual(expected) || reader.ReadInt32() != FileRecordFormat.Version || reader.ReadString() != key)
                    return null;
                var value = read(reader);
                return value is null || stream.Position != stream.Length ? null : value;
            });
            if (entry is not null) renewed = RenewIfStale(path);
            return entry;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or FormatException or OverflowException)
        {
            // Absent (the common case), truncated by a crash, or written by another build: analyze again.
            return null;
        }
    }

    /// <summary>Makes the entry under <paramref name="key"/>, if there is one, look used (a record a cached crate stands in for).</summary>
    public void Touch(string key) => IO.UntrustedFile.Touch(EntryPath(key));

    /// <summary>How old a used entry may look before a run renews it (a day: pruning counts in days).</summary>
    internal static readonly TimeSpan RenewAfter = TimeSpan.FromDays(1);

    // Used entries look new, so `find DIR -type f -mtime +14 -delete` prunes only entries no run has needed lately.
    // Renewed at most once a day: a stat costs less than a write of the entry's inode, and runs repeated within a day
    // renewed every entry each time (9,800 per warm corpus run). Absent (pruned, or in a cache folder shared with
    // another layout): nothing to keep.
    private static bool RenewIfStale(string path)
        => DateTime.UtcNow - File.GetLastWriteTimeUtc(path) >= RenewAfter && IO.UntrustedFile.Touch(path);

    /// <summary>Stores a record (temporary file, then rename: readers never see half an entry). Failures are ignored.</summary>
    public void Store(string key, FileRecord record) => Store(key, Magic, writer => FileRecordFormat.Write(writer, record));

    /// <summary>
    /// Stores an entry of one kind (its magic) written by <paramref name="write"/>, as <see cref="Store(string, FileRecord)"/>
    /// does; at <paramref name="file"/> instead of its key's place when given (as for <see cref="Load{T}(string, ReadOnlySpan{byte}, Func{RecordReader, T}, out bool, string)"/>).
    /// </summary>
    internal void Store(string key, ReadOnlySpan<byte> magic, Action<RecordWriter> write, string? file = null)
    {
        var path = file ?? EntryPath(key);
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var buffer = new MemoryStream();
            using (var writer = new RecordWriter(buffer))
            {
                writer.Write(magic);
                writer.Write(FileRecordFormat.Version);
                writer.Write(key);
                write(writer);
            }
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
                stream.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs time on the next run.
            try { File.Delete(temp); } catch (Exception f) when (f is IOException or UnauthorizedAccessException) { }
        }
    }
}
