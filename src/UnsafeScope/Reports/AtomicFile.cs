namespace UnsafeScope.Reports;

/// <summary>
/// Writes an output file through a temporary file and a rename, so a failure never leaves a truncated file: a reader
/// sees the old file or the whole new one. The data is not forced to disk first: outputs are read right after the run
/// (a CI upload) and can be made again, and forcing 137 MB of corpus outputs out took a quarter of a second at the
/// end of every run (a seventh of an unedited warm run). A power failure right after a run may lose the new file.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>; on any failure the old file (if any) is untouched
    /// and no temporary file is left. A failure to create, write or rename is an <see cref="IOException"/> naming <paramref name="path"/>.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(dir);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            // Name the output, not the temporary file, in what the user sees. .NET reports a write past the file size
            // limit (EFBIG) as an ArgumentOutOfRangeException from the stream.
            if (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
                throw new IOException($"Could not write '{path}': {e.Message}", e);
            throw;
        }
    }
}
