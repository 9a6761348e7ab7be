using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.IO;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Driver;

/// <summary>One file through the per-file stage: read (through IO/), cache lookup, parse, extraction and syntax actions.</summary>
internal static class FileProcessor
{
    /// <summary>
    /// Reads one file and analyzes it, or takes its record from the cache; every failure becomes a notification.
    /// <paramref name="knownContentKey"/>: the file's content key from its bytes as read moments ago (its crate's lookup
    /// in the crate cache), so a record found under it is taken without reading the file again.
    /// </summary>
    // beforeParse: told how many bytes the parser will read (a file's size less its literal tables), just before the
    // parse; not called when the record comes from the cache or the file is not parsed.
    internal static FileRecord ProcessFile(SourceFile file, AnalysisSession session, CrateLocator locator, CancellationToken cancellationToken,
        string? knownContentKey = null, Action<long>? beforeParse = null)
    {
        var options = session.Options;
        var path = file.RelativePath;
        if (knownContentKey is not null && session.Cache is { } knownCache)
        {
            var knownKey = RecordKey(knownContentKey, locator.Locate(file.FullPath), session);
            if (knownCache.TryLoad(knownKey, session.RulesById) is { } hit) return hit with { ContentKey = knownContentKey, RecordKey = knownKey };
        }
        FileRecord Skip(string id, NotificationLevel level, string message, long bytes = 0) => new(new()
        {
            Path = path,
            Status = FileStatus.Skipped,
            Bytes = bytes,
            Notifications = [new ToolNotification(id, level, message, path)],
        }, null, []);

        // Discovery skipped FIFOs and devices; the file may have been swapped for one since.
        if (!IO.UntrustedFile.IsRegularFile(file.FullPath))
            return Skip(NotificationIds.Unreadable, NotificationLevel.Warning, "The file is no longer a regular file (a FIFO, socket or device); it was not read.");
        byte[] bytes;
        try
        {
            using var stream = IO.UntrustedFile.OpenRead(file.FullPath, 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > options.MaxFileBytes)
                return Skip(NotificationIds.TooLarge, NotificationLevel.Warning,
                    $"The file is {length:N0} bytes, above the {options.MaxFileBytes:N0}-byte limit; it was not analyzed.", length);
            bytes = IO.UntrustedFile.ReadToEnd(stream, options.MaxFileBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Skip(NotificationIds.Unreadable, NotificationLevel.Warning, $"The file could not be read: {e.Message}");
        }
        catch (InvalidDataException)
        {
            return Skip(NotificationIds.TooLarge, NotificationLevel.Warning,
                $"The file grew above the {options.MaxFileBytes:N0}-byte limit while being read; it was not analyzed.");
        }

        var crate = locator.Locate(file.FullPath);
        var modulePath = CrateLocator.ModulePath(crate.Root, file.FullPath);
        // Integration tests (tests/*.rs) are their own crates that call this one: their functions are test code.
        bool testTarget = Path.GetRelativePath(crate.Root, file.FullPath).Replace('\\', '/').StartsWith("tests/", StringComparison.Ordinal);
        if (session.Cache is not { } cache) return Analyze(path, bytes, crate, modulePath, testTarget, session, cancellationToken, beforeParse);
        var contentKey = ContentKey(file, System.Security.Cryptography.SHA256.HashData(bytes), session, locator);
        var key = RecordKey(contentKey, crate, session);
        // Looked up already when the bytes are those the crate's lookup read (unless the file changed since).
        if (contentKey != knownContentKey && cache.TryLoad(key, session.RulesById) is { } cached) return cached with { ContentKey = contentKey, RecordKey = key };
        var record = Analyze(path, bytes, crate, modulePath, testTarget, session, cancellationToken, beforeParse);
        if (!IsCacheable(record)) return record;
        cache.Store(key, record);
        return record with { ContentKey = contentKey, RecordKey = key };
    }

    /// <summary>
    /// The key of a file's bytes (their SHA-256, <paramref name="digest"/>) in its place (crate, module) under the run's fingerprint: with the crate's macros,
    /// its record's key; with every other file of the crate and its configuration, its crate's key (which then needs no
    /// macro table: the crate's macros come from those files).
    /// </summary>
    internal static string ContentKey(SourceFile file, ReadOnlySpan<byte> digest, AnalysisSession session, CrateLocator locator)
    {
        var crate = locator.Locate(file.FullPath);
        return ResultCache.Key(session.Fingerprint, file.RelativePath, crate, CrateLocator.ModulePath(crate.Root, file.FullPath), digest);
    }

    /// <summary>A file's record key: its content key and the macro_rules! of its crate's files (and of its --deps dependencies).</summary>
    private static string RecordKey(string contentKey, CrateInfo crate, AnalysisSession session)
        => ContentHash.Of(contentKey, "macros " + session.MacrosOf(crate.Root).Fingerprint);

    /// <summary>Time-outs and internal failures may not recur: such files are analyzed again next time.</summary>
    internal static bool IsCacheable(FileRecord record)
        => !record.Result.Notifications.Any(n => n.Id is NotificationIds.ParseFailed or NotificationIds.InternalError or NotificationIds.AnalyzerFailed);

    /// <summary>Checks, parses and analyzes the bytes of one file.</summary>
    private static FileRecord Analyze(string path, byte[] bytes, CrateInfo crate, string modulePath, bool testTarget, AnalysisSession session, CancellationToken cancellationToken,
        Action<long>? beforeParse)
    {
        var (options, host) = (session.Options, session.Host);
        var text = SourceText.FromOwned(bytes, path); // the bytes are not changed after this
        if (text.ContainsNul)
            return new(new FileResult
            {
                Path = path,
                Status = FileStatus.Skipped,
                Bytes = bytes.Length,
                Notifications = [new ToolNotification(NotificationIds.Binary, NotificationLevel.Warning, "The file contains NUL bytes and looks binary; it was not analyzed.", path)],
            }, null, []);

        var notes = ImmutableArray.CreateBuilder<ToolNotification>();
        if (!text.IsValidUtf8)
            notes.Add(new ToolNotification(NotificationIds.InvalidUtf8, NotificationLevel.Note,
                "The file is not valid UTF-8; invalid bytes were read as U+FFFD.", path));
        var diagnostics = new List<Diagnostic>();
        RustSyntaxTree? tree = null;
        try
        {
            // The file's time limit covers its macro code too: fragments and expansions are parsed from what is left.
            var parseBudget = new ParseBudget(options.ParseTimeout, cancellationToken);
            // The tree ends with this method (facts and diagnostics keep spans, not nodes): its nodes are read in place.
            // Literal tables' elements are not parsed (InertTables); --parse all parses them.
            var inert = session.BlanksLiteralTables && text.IsValidUtf8 ? InertTables.Find(bytes) : null;
            beforeParse?.Invoke(bytes.Length - (inert?.Sum(s => (long)s.Length) ?? 0));
            tree = RustSyntaxTree.Parse(text, RustParseOptions.Default with { Timeout = options.ParseTimeout, Queries = host.Queries, NodesInPlace = true, InertSpans = inert }, cancellationToken);
            if (tree.Status != ParseStatus.Ok)
            {
                notes.Add(new ToolNotification(NotificationIds.ParseFailed, NotificationLevel.Warning,
                    tree.Status == ParseStatus.TimedOut
                        ? $"Parsing took longer than {options.ParseTimeout.TotalSeconds:0.#} s and was stopped; the file was not analyzed."
                        : "The parser ran out of memory; the file was not analyzed.", path));
                return new(new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Lines = text.LineCount, Notifications = notes.ToImmutable() }, null, []);
            }
            int errors = 0;
            int firstErrorLine = 0;
            foreach (var e in tree.GetErrors())
            {
                if (errors++ == 0) firstErrorLine = e.StartLine + 1;
            }
            if (errors > 0)
                notes.Add(new ToolNotification(NotificationIds.ParseErrors, NotificationLevel.Note,
                    $"The file has {errors} syntax error(s), the first at line {firstErrorLine}; the rest of the file was analyzed.", path, firstErrorLine));
            // One walk: the extractor's, which also hands every node (and the item code of cfg_if!-style macros, which the
            // compiler checks) to the rules' syntax node actions.
            var nodes = host.HasNodeActions ? host.CreateNodeDispatcher(crate.Edition, diagnostics.Add, cancellationToken) : null;
            var fileFacts = Extractor.Extract(tree, session.Catalog, path, crate.Name, modulePath, nodes is null ? null : nodes.Visit, session.MacrosOf(crate.Root), parseBudget, options.Parse == ParseMode.All);
            if (parseBudget.RanOut)
                notes.Add(new ToolNotification(NotificationIds.ParseFailed, NotificationLevel.Warning,
                    $"The file's {options.ParseTimeout.TotalSeconds:0.#} s parse time limit ran out in its macro code; some macro arguments and expansions were not analyzed.", path));
            fileFacts.CrateRoot = crate.Root;
            fileFacts.IsTestTarget = testTarget;
            fileFacts.Edition = crate.Edition;
            fileFacts.LineHashes = Fingerprints.LineHashes(text);
            try
            {
                if (nodes?.Failure is { } failed) throw failed;
                host.RunQueryActions(tree, crate.Edition, diagnostics.Add, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                diagnostics.Clear();
                notes.Add(new ToolNotification(NotificationIds.AnalyzerFailed, NotificationLevel.Error,
                    $"An analyzer failed on this file ({e.GetType().Name}: {e.Message}); its syntax diagnostics are missing.", path));
            }
            return new(new FileResult
            {
                Path = path,
                Status = FileStatus.Analyzed,
                Bytes = bytes.Length + (text.HadByteOrderMark ? 3 : 0),
                Lines = text.LineCount,
                SyntaxErrors = errors,
                Notifications = notes.ToImmutable(),
            }, fileFacts, [.. diagnostics]);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes.Add(new ToolNotification(NotificationIds.InternalError, NotificationLevel.Error,
                $"Internal error while analyzing the file ({e.GetType().Name}: {e.Message}); other files are unaffected.", path));
            return new(new FileResult { Path = path, Status = FileStatus.Skipped, Bytes = bytes.Length, Notifications = notes.ToImmutable() }, null, []);
        }
        finally
        {
            tree?.ReleaseNodes();
        }
    }

    internal static void RunAnalyzers(Action run, string what, string path, List<ToolNotification> notifications)
    {
        try
        {
            run();
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            notifications.Add(new ToolNotification(NotificationIds.AnalyzerFailed, NotificationLevel.Error,
                $"An analyzer failed in its {what} actions ({e.GetType().Name}: {e.Message}); its results there are missing.", path));
        }
    }
}
