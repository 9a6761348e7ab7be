using System.Collections.Concurrent;
using System.Security.Cryptography;
using UnsafeScope.IO;

namespace UnsafeScope.Driver;

/// <summary>
/// The SHA-256 of files' bytes as earlier runs read them, each under the file's <see cref="FileStamp"/>, one memo per
/// base directory in the result cache's folder (issue #14, item 5: an unchanged crate costs a stat and a read). A warm
/// run takes an unchanged file's digest from here instead of reading and hashing it; a file whose stamp differs in
/// any field is read. A digest is kept only when the file had been quiet for <see cref="QuietNs"/> before it was read:
/// a file written again within its time stamps' resolution of that read could otherwise keep its stamp. Only where
/// <see cref="UntrustedFile.Stamp"/> can tell the status change time (Linux): elsewhere every file is read, as before.
/// </summary>
internal sealed class ContentDigests
{
    private const int Version = 1;
    private static ReadOnlySpan<byte> Magic => "USDIGEST"u8;

    /// <summary>Two seconds: the coarsest time stamps in use (FAT); ext4, NTFS and APFS keep nanoseconds or 100 ns.</summary>
    internal const long QuietNs = 2_000_000_000;

    // Entries of files no run looks at any more are kept (another set of roots under the same base directory may
    // need them), up to this many.
    private const int MaxEntries = 1 << 20;

    private readonly string _path;
    private readonly Dictionary<string, Entry> _known;
    private readonly ConcurrentDictionary<string, Entry?> _seen = new(StringComparer.Ordinal); // null: forget it
    private int _changed;

    private readonly record struct Entry(FileStamp Stamp, byte[] Digest);

    private readonly long _quietNs;

    private ContentDigests(string path, Dictionary<string, Entry> known, long quietNs) => (_path, _known, _quietNs) = (path, known, quietNs);

    /// <summary>The memo of a base directory in a cache folder; null where stamps cannot be told.</summary>
    /// <param name="cacheDirectory">The result cache's folder.</param>
    /// <param name="baseDirectory">The run's base directory.</param>
    /// <param name="quietNs">How long a file must have been unchanged before its read for its digest to be kept (tests shorten it).</param>
    public static ContentDigests? Open(string cacheDirectory, string baseDirectory, long quietNs = QuietNs)
    {
        if (!OperatingSystem.IsLinux() || UntrustedFile.Stamp(baseDirectory) is null) return null;
        // Not a .bin entry: those are records and crates, which pruning and renewal treat as such.
        var path = Path.Combine(cacheDirectory, "digests", ContentHash.Of("digests", baseDirectory)[..32] + ".digests");
        return new ContentDigests(path, Read(path), quietNs);
    }

    /// <summary>How many files' digests were taken from the memo this run.</summary>
    public int Reused => _reused;

    private int _reused;

    /// <summary>
    /// The SHA-256 of the file's bytes: the memo's when the file's stamp is the one recorded with it, else read through
    /// <see cref="UntrustedFile"/> (which throws as it does for any read: unreadable, not a regular file, over
    /// <paramref name="maxBytes"/>).
    /// </summary>
    public byte[] Digest(string fullPath, long maxBytes)
    {
        var stamp = UntrustedFile.Stamp(fullPath);
        if (stamp is { } s && _known.TryGetValue(fullPath, out var known) && known.Stamp == s && s.Length <= maxBytes)
        {
            Interlocked.Increment(ref _reused);
            return known.Digest;
        }
        long before = NowNs();
        var digest = UntrustedFile.UseAllBytes(fullPath, maxBytes, bytes => SHA256.HashData(bytes));
        // The stamp was taken before the read: a change during it moves the status change time past the stamp's, so
        // that stamp is never seen again and the digest kept under it is never used.
        bool quiet = stamp is { IsRegularFile: true } t && t.ModifiedNs < before - _quietNs && t.ChangedNs < before - _quietNs;
        _seen[fullPath] = quiet ? new Entry(stamp!.Value, digest) : null;
        Interlocked.Exchange(ref _changed, 1);
        return digest;
    }

    /// <summary>Writes the memo when this run read any file (temporary file, then rename); failures only cost time.</summary>
    public void Save()
    {
        if (_changed == 0) return;
        var temp = $"{_path}.{Environment.ProcessId}.tmp";
        try
        {
            var entries = new List<KeyValuePair<string, Entry>>();
            foreach (var (path, entry) in _seen)
                if (entry is { } e) entries.Add(new(path, e));
            foreach (var pair in _known)
                if (entries.Count < MaxEntries && !_seen.ContainsKey(pair.Key)) entries.Add(pair);
            entries.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var w = new BinaryWriter(stream))
            {
                w.Write(Magic);
                w.Write(Version);
                w.Write(entries.Count);
                foreach (var (path, e) in entries)
                {
                    w.Write(path);
                    w.Write(e.Stamp.Length);
                    w.Write(e.Stamp.ModifiedNs);
                    w.Write(e.Stamp.ChangedNs);
                    w.Write(e.Stamp.Inode);
                    w.Write(e.Stamp.Device);
                    w.Write(e.Stamp.Mode);
                    w.Write(e.Digest);
                }
            }
            File.Move(temp, _path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (Exception f) when (f is IOException or UnauthorizedAccessException) { }
        }
    }

    // A cache folder can be shared and damaged: anything unexpected is an empty memo.
    private static Dictionary<string, Entry> Read(string path)
    {
        var known = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (!File.Exists(path)) return known;
        try
        {
            return UntrustedFile.UseAllBytes(path, 1L << 30, (buffer, length) =>
            {
                using var r = new BinaryReader(new MemoryStream(buffer, 0, length, writable: false));
                if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || r.ReadInt32() != Version) return known;
                int count = r.ReadInt32();
                if (count < 0 || count > MaxEntries) return known;
                for (int i = 0; i < count; i++)
                {
                    var file = r.ReadString();
                    var stamp = new FileStamp(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt16());
                    var digest = r.ReadBytes(SHA256.HashSizeInBytes);
                    if (digest.Length != SHA256.HashSizeInBytes) return [];
                    known[file] = new Entry(stamp, digest);
                }
                return r.BaseStream.Position == length ? known : [];
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or OverflowException)
        {
            return [];
        }
    }

    private static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
