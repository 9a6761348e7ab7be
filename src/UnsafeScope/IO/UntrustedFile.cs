using System.Runtime.InteropServices;
using System.Text;

namespace UnsafeScope.IO;

/// <summary>
/// Reads files whose path an analyzed repository decides (manifests, configuration, packs, sources). The repository
/// is untrusted: a committed symbolic link can point at <c>/dev/zero</c>, and a folder can hold a FIFO. So only
/// regular files are read, never past a cap: such a file becomes an <see cref="IOException"/>, not a hang or an
/// out-of-memory crash.
/// </summary>
internal static unsafe partial class UntrustedFile
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 1, StatxSize = 0x200;
    // struct statx has one layout on every Linux architecture: stx_mask first, stx_mode at 28, stx_size at 40.
    private const int StatxModeOffset = 28, StatxSizeOffset = 40;
    internal const ushort FileTypeMask = 0xF000, RegularFile = 0x8000, SymbolicLink = 0xA000;
    private static volatile bool s_noStatx;

    /// <summary>
    /// False when <paramref name="path"/> (links followed) is a FIFO, socket or device. Opening a FIFO blocks until a
    /// writer appears and a device can be endless, so those are never opened. True when the type cannot be told
    /// (missing file: the open reports it; not Linux: Windows has no such files in folders).
    /// </summary>
    public static bool IsRegularFile(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (!TryStatx(path, 0, StatxType, buffer)) return true;
        return (*(ushort*)(buffer + StatxModeOffset) & FileTypeMask) == RegularFile;
    }

    // statx into buffer; false when it fails, off Linux, or when this libc has none (glibc before 2.28: never asked
    // again, and callers fall back to the size caps alone).
    private static bool TryStatx(string path, int flags, uint mask, byte* buffer)
    {
        if (!OperatingSystem.IsLinux() || s_noStatx) return false;
        try
        {
            return Statx(AtFdCwd, path, flags, mask, buffer) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            s_noStatx = true;
            return false;
        }
    }

    /// <summary>
    /// What changes whenever a file's bytes may have changed, links followed, without reading it: type and mode,
    /// size, inode and device, and the modification and status-change times in nanoseconds since 1970. The status
    /// change time is what a tool that writes a file and then sets its modification time back (tar, rsync -t,
    /// touch -d) cannot hide. Null when the system cannot say all of it (not Linux, no statx, a field missing), so
    /// callers read the file instead.
    /// </summary>
    public static FileStamp? Stamp(string path)
    {
        const uint wanted = StatxType | 2 /* mode */ | 0x40 /* mtime */ | 0x80 /* ctime */ | 0x100 /* ino */ | StatxSize;
        byte* buffer = stackalloc byte[256];
        if (!TryStatx(path, 0, wanted, buffer) || (*(uint*)buffer & wanted) != wanted) return null;
        // struct statx: stx_ino at 32, stx_ctime at 96 and stx_mtime at 112 (tv_sec, tv_nsec), stx_dev_major/minor at 136.
        static long Nanoseconds(byte* t) => *(long*)t * 1_000_000_000 + *(uint*)(t + 8);
        return new FileStamp(*(long*)(buffer + StatxSizeOffset), Nanoseconds(buffer + 112), Nanoseconds(buffer + 96),
            *(ulong*)(buffer + 32), ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140), *(ushort*)(buffer + StatxModeOffset));
    }

    /// <summary>What a path is in itself, a link not followed (<see cref="Describe"/>).</summary>
    public enum EntryKind
    {
        /// <summary>Not told here (not Linux, no statx, an error): ask <see cref="IsRegularFile"/> and the file system.</summary>
        Unknown,
        /// <summary>A regular file.</summary>
        Regular,
        /// <summary>A symbolic link.</summary>
        Link,
        /// <summary>A FIFO, socket, device or folder.</summary>
        Other,
    }

    /// <summary>
    /// The kind of <paramref name="path"/> itself (a link is not followed) and, for a regular file, its size, in one
    /// statx call. Discovery asks it of every source file: a <see cref="FileSystemInfo"/>, its link target and its
    /// length cost a call each (five per file in a warm run, where discovery was a twentieth of the time).
    /// </summary>
    public static (EntryKind Kind, long Length) Describe(string path)
    {
        byte* buffer = stackalloc byte[256];
        if (!TryStatx(path, AtSymlinkNoFollow, StatxType | StatxSize, buffer)) return (EntryKind.Unknown, 0);
        if ((*(uint*)buffer & (StatxType | StatxSize)) != (StatxType | StatxSize)) return (EntryKind.Unknown, 0);
        return (*(ushort*)(buffer + StatxModeOffset) & FileTypeMask) switch
        {
            RegularFile => (EntryKind.Regular, *(long*)(buffer + StatxSizeOffset)),
            SymbolicLink => (EntryKind.Link, 0),
            _ => (EntryKind.Other, 0),
        };
    }

    /// <summary>
    /// Opens a regular file for reading (links followed); a FIFO, socket or device is an <see cref="IOException"/>
    /// instead of a hang. For streamed reads whose caller bounds what it reads (sources with their size limit, JSON).
    /// </summary>
    public static FileStream OpenRead(string path, int bufferSize = 1, FileOptions options = FileOptions.None)
    {
        if (!IsRegularFile(path)) throw new IOException($"'{path}' is not a regular file (a FIFO, socket or device); it was not read.");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize, options);
    }

    /// <summary>The bytes of a regular file of at most <paramref name="maxBytes"/> bytes; otherwise an <see cref="IOException"/>.</summary>
    public static byte[] ReadAllBytes(string path, long maxBytes)
    {
        using var stream = OpenRead(path, 1, FileOptions.SequentialScan);
        try
        {
            return ReadToEnd(stream, maxBytes);
        }
        catch (InvalidDataException)
        {
            throw new IOException($"'{path}' is larger than {maxBytes:N0} bytes; it was not read.");
        }
    }

    /// <summary>
    /// Gives <paramref name="use"/> the bytes of a regular file of at most <paramref name="maxBytes"/> bytes (otherwise
    /// an <see cref="IOException"/>) in a buffer that is reused after the call, so the span must not be kept.
    /// For reads that only hash or decode: a warm run's crate lookups read every source file, and arrays of each
    /// file's size (the big ones on the large object heap) were the most a warm run allocated.
    /// </summary>
    public static T UseAllBytes<T>(string path, long maxBytes, Func<ReadOnlySpan<byte>, T> use)
        => UseAllBytes(path, maxBytes, (buffer, length) => use(buffer.AsSpan(0, length)));

    /// <summary>
    /// <see cref="UseAllBytes{T}(string, long, Func{ReadOnlySpan{byte}, T})"/> for readers that need an array (a
    /// <see cref="MemoryStream"/>): the file is the first <c>length</c> bytes of the reused buffer, which must not be kept.
    /// </summary>
    public static T UseAllBytes<T>(string path, long maxBytes, Func<byte[], int, T> use)
    {
        using var stream = OpenRead(path, 1, FileOptions.SequentialScan);
        long length = stream.Length;
        if (length > maxBytes) throw new IOException($"'{path}' is larger than {maxBytes:N0} bytes; it was not read.");
        var buffer = Scratch<byte>.Take((int)length);
        try
        {
            int read;
            try
            {
                read = Fill(stream, maxBytes, ref buffer);
            }
            catch (InvalidDataException)
            {
                throw new IOException($"'{path}' is larger than {maxBytes:N0} bytes; it was not read.");
            }
            return use(buffer, read);
        }
        finally
        {
            Scratch<byte>.Give(buffer);
        }
    }

    /// <summary>
    /// The rest of <paramref name="stream"/> in one array of its size (every source file is read this way, some
    /// twice: a 64 KB chunk and a growing copy per read were a tenth of what a run allocated). The stream's length
    /// only sizes the array: a file that grows while it is read is read on, and one that passes
    /// <paramref name="maxBytes"/> is an <see cref="InvalidDataException"/>.
    /// </summary>
    public static byte[] ReadToEnd(Stream stream, long maxBytes)
    {
        long length = stream.CanSeek ? stream.Length - stream.Position : 0;
        if (length > maxBytes) throw new InvalidDataException();
        var buffer = new byte[Math.Max(0, (int)length)];
        int read = Fill(stream, maxBytes, ref buffer);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>
    /// Reads the rest of <paramref name="stream"/> into <paramref name="buffer"/> from its start, growing it (up to
    /// <paramref name="maxBytes"/>) only when the stream goes on past it; returns how many bytes were read. More than
    /// <paramref name="maxBytes"/> is an <see cref="InvalidDataException"/>.
    /// </summary>
    private static int Fill(Stream stream, long maxBytes, ref byte[] buffer)
    {
        int read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                // Full: one byte more tells the end from a file that grew while it was read.
                int b = stream.ReadByte();
                if (b < 0) return read;
                if (buffer.Length >= maxBytes) throw new InvalidDataException();
                Array.Resize(ref buffer, (int)Math.Min(maxBytes, Math.Max(4096, buffer.Length * 2L)));
                buffer[read++] = (byte)b;
                continue;
            }
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) return read;
            read += n;
            // A reused buffer can be larger than the cap.
            if (read > maxBytes) throw new InvalidDataException();
        }
    }

    /// <summary>Like <see cref="File.ReadAllText(string)"/> (encoding from the byte order mark, else UTF-8), bounded like <see cref="ReadAllBytes"/>.</summary>
    public static string ReadAllText(string path, long maxBytes)
    {
        using var reader = new StreamReader(new MemoryStream(ReadAllBytes(path, maxBytes)), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link along it resolved (like realpath), so that a
    /// containment check cannot be escaped through a link. Missing components are kept as written.
    /// </summary>
    public static string ResolveLinks(string path)
    {
        var full = Path.GetFullPath(path);
        var current = Path.GetPathRoot(full)!;
        var pending = new List<string>(Components(full));
        int hops = 0;
        for (int i = 0; i < pending.Count; i++)
        {
            var next = Path.Combine(current, pending[i]);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                target = null;
            }
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++hops > 40) throw new IOException($"Too many levels of symbolic links in '{path}'.");
            var resolved = Path.GetFullPath(Path.Combine(current, target));
            pending = [.. Components(resolved), .. pending.Skip(i + 1)];
            current = Path.GetPathRoot(resolved)!;
            i = -1;
        }
        return current;
    }

    /// <summary>
    /// The full path of an analyzed file recorded as <paramref name="path"/>: forward slashes relative to
    /// <paramref name="baseDirectory"/>, or a full path for a file outside it. The separators are the OS's own, because
    /// Windows does not read <c>/</c> as a separator in an extended-length (<c>\\?\</c>) path.
    /// </summary>
    public static string FullPathOf(string baseDirectory, string path)
    {
        var native = path.Replace('/', Path.DirectorySeparatorChar);
        return Path.IsPathRooted(native) ? native : Path.Combine(baseDirectory, native);
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies below it, after resolving links in both.</summary>
    public static bool IsInside(string folder, string path)
    {
        var root = Path.TrimEndingDirectorySeparator(ResolveLinks(folder));
        var resolved = ResolveLinks(path);
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return resolved.Equals(root, comparison)
               || resolved.StartsWith(root + Path.DirectorySeparatorChar, comparison)
               || (root.EndsWith(Path.DirectorySeparatorChar) && resolved.StartsWith(root, comparison)); // root is "/" or "C:\"
    }

    private static string[] Components(string full)
        => full[Path.GetPathRoot(full)!.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Makes a file's modification time now; false when it is absent or cannot be touched. One utimensat call on
    /// Linux: the framework's setter stats the file first, and a warm run renews an entry per cached file.
    /// </summary>
    public static bool Touch(string path)
    {
        if (OperatingSystem.IsLinux() && !s_noUtimensat)
        {
            try
            {
                return Utimensat(AtFdCwd, path, null, 0) == 0;
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                s_noUtimensat = true;
            }
        }
        if (!File.Exists(path)) return false; // no exception to pay for
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static volatile bool s_noUtimensat;

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Utimensat(int dirfd, string path, void* times, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}

/// <summary>See <see cref="UntrustedFile.Stamp"/>.</summary>
internal readonly record struct FileStamp(long Length, long ModifiedNs, long ChangedNs, ulong Inode, ulong Device, ushort Mode)
{
    /// <summary>A regular file (the only kind read).</summary>
    public bool IsRegularFile => (Mode & UntrustedFile.FileTypeMask) == UntrustedFile.RegularFile;
}
