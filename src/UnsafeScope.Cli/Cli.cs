using System.Collections.Immutable;
using System.Globalization;
using UnsafeScope.Catalogs;
using UnsafeScope.Driver;
using UnsafeScope.Reports;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Cli;

/// <summary>The unsafescope command. Exit codes: 0 done, 2 bad arguments, 3 the run had errors (e.g. a missing path).</summary>
internal static class Cli
{
    public const int ExitOk = 0, ExitUsage = 2, ExitRunErrors = 3, ExitCancelled = 130;

    private const string Usage = """
        unsafescope: inventory the unsafe and FFI surface of Rust code.

        Usage:
          unsafescope analyze <paths...> [options]   analyze files and folders (*.rs; target/ and .git/ are skipped)
          unsafescope syntax <file.rs>               print the syntax tree of one file
          unsafescope --version | --help

        Options for analyze:
          --jobs N             worker threads (default: processor count)
          --root DIR           paths in outputs are relative to DIR (default: the one folder given, else the current folder)
          --max-file-size N    skip files above N bytes (default 16777216)
          --parse-timeout S    stop parsing one file after S seconds (default 30)
          --json FILE          write the JSON inventory (schema: docs/schemas/inventory.schema.json)
          --markdown FILE      write the per-crate table as GitHub markdown
          --catalog F1,F2      extra API catalog packs (.tsv, see queries/catalogs/README.md); later rows override
          --quiet              do not print the per-crate table
          --verbose            also print note-level notifications (e.g. files with syntax errors)

        Exit codes: 0 done; 2 bad arguments; 3 the run reported errors (e.g. a path that does not exist); 130 cancelled.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        try
        {
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                Console.Out.WriteLine(Usage);
                return args.Length == 0 ? ExitUsage : ExitOk;
            }
            if (args[0] == "--version")
            {
                Console.Out.WriteLine(typeof(Analysis).Assembly.GetName().Version?.ToString(3));
                return ExitOk;
            }
            return args[0] switch
            {
                "analyze" => await Task.Run(() => Analyze(args[1..], cts.Token)),
                "syntax" => Syntax(args[1..]),
                _ => throw new UsageException($"Unknown command '{args[0]}'. Run 'unsafescope --help'."),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"unsafescope: {e.Message}");
            return ExitUsage;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine("unsafescope: cancelled.");
            return ExitCancelled;
        }
    }

    private static int Analyze(string[] args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.Parse(args,
            valueOptions: new HashSet<string> { "jobs", "root", "max-file-size", "parse-timeout", "json", "markdown", "catalog" },
            flags: new HashSet<string> { "verbose", "quiet" });
        if (cl.Positional.Count == 0) throw new UsageException("analyze needs at least one file or folder.");
        var root = cl.Get("root");
        if (root is not null && !Directory.Exists(root)) throw new UsageException($"--root '{root}' is not a folder.");
        ApiCatalog catalog;
        try
        {
            catalog = ApiCatalog.Load(cl.Get("catalog") is { } packs ? packs.Split(',', StringSplitOptions.RemoveEmptyEntries) : []);
        }
        catch (CatalogException e)
        {
            throw new UsageException($"bad catalog: {e.Message}");
        }
        var options = new AnalysisOptions
        {
            Catalog = catalog,
            Paths = [.. cl.Positional],
            BaseDirectory = root,
            Jobs = cl.GetInt("jobs", Environment.ProcessorCount, 1, 256),
            MaxFileBytes = cl.GetInt("max-file-size", 16 * 1024 * 1024, 1, int.MaxValue),
            ParseTimeout = TimeSpan.FromSeconds(cl.GetInt("parse-timeout", 30, 1, 3600)),
        };
        var result = Analysis.Run(options, null, cancellationToken);
        if (cl.Get("json") is { } json) AtomicFile.Write(json, s => InventoryJsonWriter.Write(result, s));
        if (cl.Get("markdown") is { } md) AtomicFile.Write(md, s => s.Write(System.Text.Encoding.UTF8.GetBytes(GeigerTable.ToMarkdown(result))));
        if (!cl.Has("quiet")) Console.Out.Write(GeigerTable.ToText(result));
        PrintSummary(result, options.Jobs, cl.Has("verbose"));
        return result.Succeeded ? ExitOk : ExitRunErrors;
    }

    private static void PrintSummary(AnalysisResult result, int jobs, bool verbose)
    {
        var inv = CultureInfo.InvariantCulture;
        var analyzed = result.Files.Count(f => f.Status == FileStatus.Analyzed);
        var skipped = result.Files.Length - analyzed;
        long bytes = result.Files.Sum(f => f.Bytes);
        int withErrors = result.Files.Count(f => f.SyntaxErrors > 0);
        foreach (var n in result.Notifications.Where(n => verbose || n.Level != NotificationLevel.Note))
            Console.Error.WriteLine($"{n.Level.ToString().ToLowerInvariant()} {n.Id}: {(n.Path.Length > 0 ? n.Path + ": " : "")}{n.Message}");
        var secs = result.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(inv, $"files: {result.Files.Length} ({analyzed} analyzed, {skipped} skipped)"));
        Console.Out.WriteLine(string.Create(inv, $"bytes: {bytes:N0} ({bytes / 1048576.0:F1} MiB)"));
        Console.Out.WriteLine(string.Create(inv, $"files with parse errors: {withErrors}"));
        Console.Out.WriteLine(string.Create(inv, $"notifications: {result.Notifications.Length} ({result.Notifications.Count(n => n.Level == NotificationLevel.Error)} errors, {result.Notifications.Count(n => n.Level == NotificationLevel.Warning)} warnings)"));
        Console.Out.WriteLine(string.Create(inv, $"time: {secs:F2} s with {jobs} job(s), {(secs > 0 ? bytes / 1048576.0 / secs : 0):F1} MiB/s"));
    }

    private static int Syntax(string[] args)
    {
        if (args.Length != 1) throw new UsageException("syntax needs exactly one file.");
        if (!File.Exists(args[0])) throw new UsageException($"'{args[0]}' is not a file.");
        var tree = RustSyntaxTree.Parse(SourceText.From(File.ReadAllBytes(args[0]), args[0]));
        var w = Console.Out;
        foreach (var n in tree.AllNodes)
        {
            int depth = 0;
            for (var p = n.Parent; p is { } q; p = q.Parent) depth++;
            var field = n.Field == RustSyntaxField.None ? "" : n.Field + ": ";
            var text = n.IsLeaf ? " " + n.Text.Replace("\n", "\\n", StringComparison.Ordinal) : "";
            w.WriteLine($"{new string(' ', depth * 2)}{field}{n.Kind}{(n.IsNamed ? "" : "'")}{(n.IsMissing ? " MISSING" : "")} {n.Location.LineSpan}{text}");
        }
        foreach (var k in tree.RecoveredKeywords)
            w.WriteLine($"recovered '{k.Text}' at {tree.Text.GetLinePosition(k.Span.Start)}");
        return ExitOk;
    }
}
