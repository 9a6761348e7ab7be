using UnsafeScope.Diagnostics;
namespace UnsafeScope.Driver;

/// <summary>A source file found for analysis.</summary>
/// <param name="FullPath">Absolute path.</param>
/// <param name="RelativePath">Path relative to the base directory, forward slashes.</param>
internal readonly record struct SourceFile(string FullPath, string RelativePath);

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
                Walk(full, baseDirectory, excluded, seen, files, notifications, cancellationToken);
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
            IEnumerable<FileSystemInfo> entries;
            try
            {
                entries = new DirectoryInfo(dir).EnumerateFileSystemInfos("*", enumeration).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                notifications.Add(new ToolNotification(NotificationIds.Unreadable, NotificationLevel.Warning,
                    $"The folder could not be read: {e.Message}", Relative(baseDirectory, dir)));
                continue;
            }
            foreach (var entry in entries)
            {
                bool isLink = entry.LinkTarget is not null;
                if (entry is DirectoryInfo d)
                {
                    if (excluded.Contains(d.Name)) continue;
                    if (isLink)
                    {
                        notifications.Add(new ToolNotification(NotificationIds.SymlinkSkipped, NotificationLevel.Note,
                            "A linked folder was not followed.", Relative(baseDirectory, d.FullName)));
                        continue;
                    }
                    stack.Push(d.FullName);
                }
                else if (entry.Name.EndsWith(".rs", StringComparison.Ordinal))
                {
                    if (isLink)
                    {
                        notifications.Add(new ToolNotification(NotificationIds.SymlinkSkipped, NotificationLevel.Note,
                            "A linked file was not followed.", Relative(baseDirectory, entry.FullName)));
                        continue;
                    }
                    if (!IO.UntrustedFile.IsRegularFile(entry.FullName))
                    {
                        notifications.Add(NotRegular(baseDirectory, entry.FullName));
                        continue;
                    }
                    if (seen.Add(entry.FullName))
                        files.Add(new SourceFile(entry.FullName, Relative(baseDirectory, entry.FullName)));
                }
            }
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
