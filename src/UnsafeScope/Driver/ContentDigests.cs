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
/// With a digest, the memo keeps the values the SARIF writer computed for some of the file's lines (GitHub's line
/// hashes, which depend only on the bytes), so an unchanged file with findings is not read to write them either.
/// </summary>
internal sealed class ContentDigests
{
    private const int Version = 3;
    private static ReadOnlySpan<byte> Magic => "USDIGEST"u8;

    /// <summary>Two seconds: the coarsest time stamps in use (FAT); ext4, NTFS and APFS keep nanoseconds or 100 ns.</summary>
    internal const long QuietNs = 2_000_000_000;

    // Entries of files no run looks at any more are kept (another set of roots under the same base directory may
    // need them), up to this many.
    private const int MaxEntries = 1 << 20;

    private readonly ResultCache _store;
    private readonly string _key, _path;
    private readonly Dictionary<string, Entry> _known;
    private readonly ConcurrentDictionary<string, Entry?> _seen = new(StringComparer.Ordinal); // null: forget it
    private readonly long _quietNs;
    private int _changed;

    // Lines: the 1-based lines whose values were asked for, sorted; Values: theirs (null past the file's end).
    private readonly record struct Entry(FileStamp Stamp, byte[] Digest, int[] Lines, string?[] Values);

    private ContentDigests(ResultCache store, string key, string path, Dictionary<string, Entry> known, long quietNs)
        => (_store, _key, _path, _known, _quietNs) = (store, key, path, known, quietNs);

    /// <summary>The memo of a base directory in a result cache; null where stamps cannot be told.</summary>
    /// <param name="store">The result cache, which reads and writes the memo as one of its entries.</param>
    /// <param name="baseDirectory">The run's base directory.</param>
    /// <param name="quietNs">How long a file must have been unchanged before its read for its digest to be kept (tests shorten it).</param>
    public static ContentDigests? Open(ResultCache store, string baseDirectory, long quietNs = QuietNs)
    {
        if (!OperatingSystem.IsLinux() || UntrustedFile.Stamp(baseDirectory) is null) return null;
        var key = ContentHash.Of("digests", baseDirectory);
        // Not among the .bin records and crates: the memo is rewritten as files change, and is no record.
        var path = Path.Combine(store.Directory, "digests", key[..32] + ".digests");
        var known = store.Load(key, Magic, Read, out _, path) ?? new Dictionary<string, Entry>(StringComparer.Ordinal);
        return new ContentDigests(store, key, path, known, quietNs);
    }

    /// <summary>How many reads of a file the memo saved this run (a digest, or line values).</summary>
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
        if (Current(fullPath, stamp, maxBytes) is { } known)
        {
            Interlocked.Increment(ref _reused);
            return known.Digest;
        }
        long before = NowNs();
        var digest = UntrustedFile.UseAllBytes(fullPath, maxBytes, bytes => SHA256.HashData(bytes));
        Keep(fullPath, stamp, before, new Entry(default, digest, [], []));
        return digest;
    }

    /// <summary>
    /// The values <paramref name="compute"/> gives the file's bytes for <paramref name="lines"/> (1-based; a line past
    /// the end has none): the memo's when the file's stamp is unchanged and they were computed before, else from one
    /// read of the file, which the memo then keeps with its digest. Throws as a read does.
    /// </summary>
    public Dictionary<int, string> LineValues(string fullPath, IReadOnlySet<int> lines, long maxBytes,
        Func<ReadOnlySpan<byte>, IReadOnlySet<int>, Dictionary<int, string>> compute)
    {
        var stamp = UntrustedFile.Stamp(fullPath);
        var current = Current(fullPath, stamp, maxBytes);
        var found = new Dictionary<int, string>(lines.Count);
        if (current is { } c && c.Lines.Length > 0)
        {
            bool all = true;
            foreach (var line in lines)
            {
                int k = Array.BinarySearch(c.Lines, line);
                if (k < 0) { all = false; break; }
                if (c.Values[k] is { } value) found[line] = value;
            }
            if (all)
            {
                Interlocked.Increment(ref _reused);
                return found;
            }
            found.Clear();
        }
        // The lines asked for before are computed again with these, in the same pass, so the entry keeps them all.
        var wanted = new SortedSet<int>(lines);
        if (current is { } earlier) wanted.UnionWith(earlier.Lines);
        long before = NowNs();
        var (digest, values) = UntrustedFile.UseAllBytes(fullPath, maxBytes, bytes => (SHA256.HashData(bytes), compute(bytes, wanted)));
        var asked = wanted.ToArray();
        Keep(fullPath, stamp, before, new Entry(default, digest, asked, [.. asked.Select(l => values.GetValueOrDefault(l))]));
        foreach (var line in lines)
            if (values.TryGetValue(line, out var value)) found[line] = value;
        return found;
    }

    // The entry of this stamp: this run's if it made one, else an earlier run's; null when the file changed.
    private Entry? Current(string fullPath, FileStamp? stamp, long maxBytes)
    {
        if (stamp is not { } s || s.Length > maxBytes) return null;
        if (_seen.TryGetValue(fullPath, out var mine)) return mine is { } m && m.Stamp == s ? m : null;
        return _known.TryGetValue(fullPath, out var known) && known.Stamp == s ? known : null;
    }

    // The stamp was taken before the read: a change during it moves the status change time past the stamp's, so
    // that stamp is never seen again and what is kept under it is never used.
    private void Keep(string fullPath, FileStamp? stamp, long before, Entry read)
    {
        bool quiet = stamp is { IsRegularFile: true } t && t.ModifiedNs < before - _quietNs && t.ChangedNs < before - _quietNs;
        _seen[fullPath] = quiet ? read with { Stamp = stamp!.Value } : null;
        Interlocked.Exchange(ref _changed, 1);
    }

    /// <summary>
    /// Writes the memo when this run read a file since the last save (as the cache writes its entries: a temporary
    /// file, then a rename; failures only cost time). Not thread-safe with itself.
    /// </summary>
    public void Save()
    {
        if (Interlocked.Exchange(ref _changed, 0) == 0) return;
        var entries = new List<KeyValuePair<string, Entry>>();
        foreach (var (path, entry) in _seen)
            if (entry is { } e) entries.Add(new(path, e));
        foreach (var pair in _known)
            if (entries.Count < MaxEntries && !_seen.ContainsKey(pair.Key)) entries.Add(pair);
        entries.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        _store.Store(_key, Magic, w =>
        {
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
                w.Write(e.Lines.Length);
                for (int i = 0; i < e.Lines.Length; i++)
                {
                    w.Write(e.Lines[i]);
                    w.Write(e.Values[i] is not null);
                    if (e.Values[i] is { } value) w.Write(value);
                }
            }
        }, _path);
    }

    // The cache checks the entry's magic, format, key and length; this rejects (null) a memo of another layout or
    // counts a damaged one could not hold.
    private static Dictionary<string, Entry>? Read(RecordReader r)
    {
        if (r.ReadInt32() != Version) return null;
        int count = r.ReadInt32();
        if (count < 0 || count > MaxEntries) return null;
        var known = new Dictionary<string, Entry>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var file = r.ReadString();
            var stamp = new FileStamp(r.ReadInt64(), r.ReadInt64(), r.ReadInt64(), r.ReadUInt64(), r.ReadUInt64(), r.ReadUInt16());
            var digest = r.ReadBytes(SHA256.HashSizeInBytes);
            int lines = r.ReadInt32();
            if (digest.Length != SHA256.HashSizeInBytes || lines < 0 || lines > MaxEntries) return null;
            var numbers = new int[lines];
            var values = new string?[lines];
            for (int k = 0; k < lines; k++)
            {
                numbers[k] = r.ReadInt32();
                values[k] = r.ReadBoolean() ? r.ReadString() : null;
                if (k > 0 && numbers[k] <= numbers[k - 1]) return null;
            }
            known[file] = new Entry(stamp, digest, numbers, values);
        }
        return known;
    }

    private static long NowNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
}
