using UnsafeScope.IO;
using System.Security.Cryptography;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Driver;

/// <summary>
/// A folder of per-file records keyed by a hash of everything the per-file stage depends on: the file's bytes,
/// its path, crate and module, the tool build, the catalog, the configuration, the analyzers and query packs,
/// and the parse limits (<see cref="AnalysisSession.Fingerprint"/>). Crates are linked again on every run, so a
/// warm run's output is the cold run's, byte for byte. A damaged or unreadable entry is a miss, never an error.
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

    /// <summary>The key of one file: run fingerprint, place in the crate, and content.</summary>
    public static string Key(string runFingerprint, string relativePath, Inventory.CrateInfo crate, string modulePath, ReadOnlySpan<byte> bytes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in (ReadOnlySpan<string>)[runFingerprint, relativePath, crate.Name, crate.Root, crate.Edition, modulePath])
            ContentHash.Append(hash, part);
        hash.AppendData(bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private string EntryPath(string key) => Path.Combine(Directory, key[..2], key[2..] + ".bin");

    public FileRecord? TryLoad(string key, IReadOnlyDictionary<string, DiagnosticDescriptor> rules)
    {
        var path = EntryPath(key);
        try
        {
            // A cache folder can be shared: an entry may be anything. Read whole into an array of its size: a buffered
            // stream per entry allocated (and zeroed) 64 KB each, four times the average entry.
            using var stream = new MemoryStream(IO.UntrustedFile.ReadAllBytes(path, MaxEntryBytes), writable: false);
            using var reader = new RecordReader(stream);
            Span<byte> magic = stackalloc byte[Magic.Length];
            if (reader.Read(magic) != magic.Length || !magic.SequenceEqual(Magic) || reader.ReadInt32() != FileRecordFormat.Version || reader.ReadString() != key)
                return Miss();
            var record = FileRecordFormat.Read(reader, rules);
            if (record is null || stream.Position != stream.Length) return Miss();
            Interlocked.Increment(ref _hits);
            Touch(path);
            return record;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException or FormatException or OverflowException)
        {
            // Absent (the common case), truncated by a crash, or written by another build: analyze again.
            return Miss();
        }
    }

    // Used entries look new, so `find DIR -type f -mtime +14 -delete` prunes only entries no run has needed lately.
    private static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private FileRecord? Miss()
    {
        Interlocked.Increment(ref _misses);
        return null;
    }

    /// <summary>Stores a record (temporary file, then rename: readers never see half an entry). Failures are ignored.</summary>
    public void Store(string key, FileRecord record)
    {
        var path = EntryPath(key);
        var temp = $"{path}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var buffer = new MemoryStream();
            using (var writer = new RecordWriter(buffer))
            {
                writer.Write(Magic);
                writer.Write(FileRecordFormat.Version);
                writer.Write(key);
                FileRecordFormat.Write(writer, record);
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
