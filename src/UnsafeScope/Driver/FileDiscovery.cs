using System.IO.Enumeration;
using UnsafeScope.Diagnostics;
namespace UnsafeScope.Driver;

/// <summary>A source file found for analysis.</summary>
/// <param name="FullPath">Absolute path.</param>
/// <param name="RelativePath">Path relative to the base directory, forward slashes.</param>
/// <param name="Length">Its size when discovery found it, for the work order; -1 when not known.</param>
internal readonly record struct SourceFile(string FullPath, string RelativePath, long Length = -1);

/// <summary>Finds <c>*.rs</c> files under the given roots, in a deterministic order, without following links.</summary>
internal static class FileDiscovery
{
    public static string ResolveBaseDirectory(AnalysisOptions options)
    {
        if (options.BaseDirectory is { } b) return Path.GetFullPath(b);
        if (options.Paths.Length == 1 && Directory.Exists(options.Paths[0])) return Path.GetFullPath(options.Paths[0]);
        return Directory.GetCurrentDirectory();
    }

    public static List<SourceFile> Find(AnalysisOptions options, string baseDirectory, List<ToolNotification> notifications, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var files = new List<SourceFile>();
        var excluded = new HashSet<string>(options.ExcludedDirectoryNames, StringComparer.Ordinal);
        foreach (var p in options.Paths)
        {
            var full = Path.GetFullPath(p);
            if (File.Exists(full))
            {
                if (!IO.UntrustedFile.IsRegularFile(full)) notifications.Add(NotRegular(baseDirectory, full));
                else if (seen.Add(full)) files.Add(new SourceFile(full, Relative(baseDirectory, full)));
            }
            else if (Directory.Exists(full))
            {
                // A folder lists its entries in the file system's order (hashed on ext4, by name on NTFS): the notes
                // about links and unreadable entries are sorted, so the outputs are the same on every OS.
                var found = new List<ToolNotification>();
                Walk(full, baseDirectory, excluded, seen, files, found, cancellationToken);
                notifications.AddRange(found.OrderBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Message, StringComparer.Ordinal));
            }
            else
            {
                notifications.Add(new ToolNotification(NotificationIds.PathNotFound, NotificationLevel.Error, $"The path '{p}' does not exist.", p));
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }

    // Explicit stack: deep folder trees cannot overflow. Links are not followed (no loops, no escaping the root).
    // Entries come from the folder listing itself (a folder's type from the listing, a source file's kind and size
    // from one statx), not as FileSystemInfo objects: those cost a stat and a readlink per entry.
    private static void Walk(string root, string baseDirectory, HashSet<string> excluded, HashSet<string> seen, List<SourceFile> files,
        List<ToolNotification> notifications, CancellationToken cancellationToken)
    {
        var stack = new Stack<string>();
        stack.Push(root);
        var enumeration = new EnumerationOptions { IgnoreInaccessible = false, RecurseSubdirectories = false, AttributesToSkip = 0 };
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var dir = stack.Pop();
            List<(string FullPath, string Name, bool IsDirectory)> entries;
            try
            {
                entries = [.. new FileSystemEnumerable<(string, string, bool)>(dir, (ref FileSystemEntry e) => (e.ToFullPath(), e.FileName.ToString(), e.IsDirectory), enumeration)
                {
                    ShouldIncludePredicate = (ref FileSystemEntry e) => e.IsDirectory || e.FileName.EndsWith(".rs", StringComparison.Ordinal),
                }];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notifications.Add(new ToolNotification(NotificationIds.Unreadable, NotificationLevel.Warning,
                    $"The folder could not be read: {e.Message}", Relative(baseDirectory, dir)));
                continue;
            }
            foreach (var (full, name, isDirectory) in entries)
            {
                if (isDirectory)
                {
                    if (excluded.Contains(name)) continue;
                    if (IsLink(full, directory: true))
                    {
                        notifications.Add(new ToolNotification(NotificationIds.SymlinkSkipped, NotificationLevel.Note,
                            "A linked folder was not followed.", Relative(baseDirectory, full)));
                        continue;
                    }
                    stack.Push(full);
                    continue;
                }
                var (kind, length) = IO.UntrustedFile.Describe(full);
                if (kind == IO.UntrustedFile.EntryKind.Unknown)
                    (kind, length) = IsLink(full, directory: false) ? (IO.UntrustedFile.EntryKind.Link, 0)
                        : IO.UntrustedFile.IsRegularFile(full) ? (IO.UntrustedFile.EntryKind.Regular, -1) : (IO.UntrustedFile.EntryKind.Other, 0);
                if (kind == IO.UntrustedFile.EntryKind.Link)
                {
                    notifications.Add(new ToolNotification(NotificationIds.SymlinkSkipped, NotificationLevel.Note,
                        "A linked file was not followed.", Relative(baseDirectory, full)));
                    continue;
                }
                if (kind != IO.UntrustedFile.EntryKind.Regular)
                {
                    notifications.Add(NotRegular(baseDirectory, full));
                    continue;
                }
                if (seen.Add(full))
                    files.Add(new SourceFile(full, Relative(baseDirectory, full), length));
            }
        }
    }

    // A link (or, on Windows, a junction) by its target; other entries have none: one readlink. (The listing's
    // entry attributes would cost a stat and more; a folder entry that is a link was followed to tell it is a folder.)
    private static bool IsLink(string full, bool directory)
    {
        try
        {
            return (directory ? new DirectoryInfo(full).LinkTarget : new FileInfo(full).LinkTarget) is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Opening a FIFO blocks until a writer appears, and a device can be endless: such files are never opened.
    private static ToolNotification NotRegular(string baseDirectory, string full)
        => new(NotificationIds.Unreadable, NotificationLevel.Warning, "The file is not a regular file (a FIFO, socket or device); it was not read.", Relative(baseDirectory, full));

    public static string Relative(string baseDirectory, string full)
    {
        var rel = Path.GetRelativePath(baseDirectory, full);
        if (rel.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rel)) rel = full;
        return rel.Replace('\\', '/');
    }
}
