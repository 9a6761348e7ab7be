using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.InteropServices;
using UnsafeScope.Catalogs;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Reports;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Cli;

/// <summary>The unsafescope command. Exit codes: 0 done, 2 bad arguments, 3 the run had errors (e.g. a missing path).</summary>
internal static class Cli
{
    public const int ExitOk = 0, ExitFindings = 1, ExitUsage = 2, ExitRunErrors = 3, ExitCancelled = 130;

    private const string Usage = """
        unsafescope: inventory the unsafe and FFI surface of Rust code.

        Usage:
          unsafescope analyze <paths...> [options]   analyze files and folders (*.rs; target/ and .git/ are skipped)
          unsafescope syntax <file.rs>               print the syntax tree of one file
          unsafescope analyze <paths...> --shard i/n --partial FILE
                                                     analyze one shard of the files (1-based i; the same paths
                                                     and options on every machine); writes no report
          unsafescope merge <partial files...> [options]
                                                     link all n shards into the outputs a single run writes:
                                                     takes the output options and the same run options
          unsafescope correlate --codeql F <paths...> place CodeQL alerts in unsafe regions:
              [--markdown OUT] [--json OUT] [--sarif OUT] (--sarif: one log holding CodeQL's runs and UnsafeScope's)
          unsafescope docs <folder>                  write the rule pages (docs/rules) from the rule descriptors
          unsafescope --version | --help

        Options for analyze:
          --jobs N             worker threads (default: processor count)
          --cache DIR          reuse per-file and per-crate results stored in DIR by earlier runs (keyed by file
                               bytes, manifests, tool build, configuration, catalogs and query packs); output is
                               identical without it
          --root DIR           paths in outputs are relative to DIR (default: the one folder given, else the current folder)
          --max-file-size N    skip files above N bytes (default 16777216)
          --parse-timeout S    stop parsing one file after S seconds (default 30)
          --parse lazy|all     lazy (default) skips what is proved unable to change a result (macro expansions, the
                               elements of literal tables); all parses them too, to check those proofs: outputs must
                               be identical
          --sarif FILE         write SARIF 2.1.0 for GitHub code scanning (one run; see docs/sarif.md)
          --category NAME      SARIF automationDetails.id (default unsafescope/rust/): distinct from CodeQL's
          --timestamps         put start/end times and the command line in the SARIF invocation (off: byte-reproducible)
          --json FILE          write the JSON inventory (schema: docs/schemas/inventory.schema.json)
          --markdown FILE      write the per-crate table as GitHub markdown
          --codeql FILE        a CodeQL SARIF log: the readiness section of --html/--markdown says how many of its
                               alerts sit in unsafe regions
          --summary FILE       write a pull-request summary (GitHub markdown for $GITHUB_STEP_SUMMARY): against
                               --baseline (an earlier --json), regions added/removed per crate, FFI calls added
                               by risk, score change, new and fixed findings, the worst new regions
          --summary-link-base URL  prefix of the summary's file links (default in GitHub Actions:
                               $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA)
          --html FILE          write a self-contained HTML report (charts, worst regions with code; docs/report.md)
          --catalog F1,F2      extra API catalog packs (.tsv, see queries/catalogs/README.md); later rows override
          --deps D1,D2         opt-in: folders of unpacked crates (<name>-<version>, e.g. ~/.cargo/registry/src/*/ or
                               /usr/share/cargo/registry) where each crate's Cargo.toml dependencies are looked up, so
                               calls of their unsafe and extern functions count as unsafe operations
          --target TRIPLE      fix cfgs for one target (x86_64-pc-windows-msvc for a Windows driver): code under a false
                               cfg stays in the inventory, inactive, with no findings (default: exclusive cfgs are alternatives)
          --queries F1,F2      extra query packs (.scm rules as tree-sitter queries, see queries/README.md)
          --config FILE        configuration (default: unsafescope.toml found upward from the first path)
          --no-config          ignore any unsafescope.toml
          --preset NAME        start from a preset (the configuration file still wins): linux-kernel mirrors the kernel's
                               rust_common_flags (unsafe_op_in_unsafe_fn denied; undocumented_unsafe_blocks,
                               unnecessary_safety_comment and unnecessary_safety_doc warned; // INVARIANT: accepted)
          --fail-on LEVEL      exit 1 when an unsuppressed finding is at least error | warning | note (default none)
          --baseline FILE      an earlier --json or --sarif output: its findings are marked suppressed, only new ones count
          --show N             print the first N findings (default 20)
          --quiet              do not print the per-crate table
          --verbose            also print note-level notifications (e.g. files with syntax errors)

        Exit codes: 0 done; 1 findings at or above --fail-on; 2 bad arguments or configuration;
        3 the run reported errors (e.g. a path that does not exist, an output that cannot be written); 130 cancelled.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        // CI cancels a job with SIGTERM: stop the same way as on Ctrl+C, so no output is left half-written.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            cts.Cancel();
        });
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
            // Every command below parses Rust (the built-in query packs too): a missing native parser is one sentence,
            // not a type initializer's stack trace.
            if (UnsafeScope.Syntax.Native.NativeLanguage.LoadProblem() is { } problem)
            {
                Console.Error.WriteLine($"unsafescope: {problem}");
                return ExitRunErrors;
            }
            return args[0] switch
            {
                "analyze" => await Task.Run(() => Analyze(args[1..], cts.Token)),
                "syntax" => Syntax(args[1..]),
                "docs" => Docs(args[1..]),
                "merge" => await Task.Run(() => Merge(args[1..], cts.Token)),
                "correlate" => await Task.Run(() => Correlate(args[1..], cts.Token)),
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An output that cannot be written (full disk, no permission): a message, not a crash; the old file is intact.
            Console.Error.WriteLine($"unsafescope: {e.Message}");
            return ExitRunErrors;
        }
    }

    // Options that decide what a run computes: analyze and merge take the same ones.
    private static readonly string[] s_runOptions = ["max-file-size", "parse-timeout", "parse", "catalog", "config", "baseline", "queries", "deps", "preset", "target"];
    private static readonly string[] s_outputOptions = ["json", "markdown", "html", "fail-on", "show", "sarif", "category", "summary", "summary-link-base", "codeql"];

    // The built-in query packs load the native parser and compile their queries and regexes; the command did that
    // after reading the configuration and catalogs, and now does it on another core meanwhile (a static constructor:
    // the session waits if it asks first). A failure (no native parser) stays in the task: the session meets it again
    // and reports it. A small repository's run: 106 -> 95 ms, an empty one 72 -> 61 ms (interleaved medians of 100).
    // Reading the catalog aside too gained nothing: this thread has nothing else to do meanwhile.
    private static void PrepareBuiltInsAside() => _ = Task.Run(static () => UnsafeScope.Analyzers.QueryPacks.QueryPack.BuiltIn.Length);

    private static int Analyze(string[] args, CancellationToken cancellationToken)
    {
        PrepareBuiltInsAside();
        var cl = CommandLine.Parse(args,
            valueOptions: new HashSet<string>([.. s_runOptions, .. s_outputOptions, "jobs", "root", "cache", "shard", "partial"]),
            flags: new HashSet<string> { "verbose", "quiet", "no-config", "timestamps" });
        if (cl.Positional.Count == 0) throw new UsageException("analyze needs at least one file or folder.");
        var root = cl.Get("root");
        if (root is not null && !Directory.Exists(root)) throw new UsageException($"--root '{root}' is not a folder.");
        var configStart = Directory.Exists(cl.Positional[0]) ? cl.Positional[0] : Path.GetDirectoryName(Path.GetFullPath(cl.Positional[0]))!;
        var options = RunOptions(cl, configStart) with
        {
            Paths = [.. cl.Positional],
            BaseDirectory = root,
            Jobs = cl.GetInt("jobs", Environment.ProcessorCount, 1, 256),
            CacheDirectory = cl.Get("cache"),
        };
        AnalysisShard? shard = null;
        if (cl.Get("shard") is { } shardText)
            shard = AnalysisShard.TryParse(shardText, out var s) ? s : throw new UsageException($"--shard must be i/n with 1 <= i <= n (for example 2/4), not '{shardText}'.");
        if (cl.Get("partial") is { } partialPath)
        {
            if (s_outputOptions.Append("baseline").FirstOrDefault(cl.Has) is { } output)
                throw new UsageException($"--{output} belongs to 'unsafescope merge': a shard writes only its --partial output.");
            var part = Guard(() =>
            {
                using var bar = ProgressBar.Create(cl.Has("quiet"));
                return Analysis.RunPartial(options, shard ?? AnalysisShard.All, bar, cancellationToken);
            });
            AtomicFile.Write(partialPath, part.WriteTo);
            var inv = CultureInfo.InvariantCulture;
            Console.Out.WriteLine(string.Create(inv, $"shard {part.Shard}: {part.FileCount} of {part.TotalFiles} files in {part.Elapsed.TotalSeconds:F2} s with {options.Jobs} job(s){CacheSummary(part.CacheHits, part.CacheMisses, options.CacheDirectory)}; wrote {partialPath}"));
            var notes = part.Notifications;
            foreach (var n in notes.Where(n => cl.Has("verbose") || n.Level != NotificationLevel.Note))
                Console.Error.WriteLine(Describe(n));
            return notes.Any(n => n.Level == NotificationLevel.Error) ? ExitRunErrors : ExitOk;
        }
        if (shard is not null) throw new UsageException("--shard needs --partial FILE (the shard's output, for 'unsafescope merge').");
        var result = Guard(() =>
        {
            using var bar = ProgressBar.Create(cl.Has("quiet"));
            return Analysis.Run(options, bar, cancellationToken);
        });
        return Report(cl, "analyze", args, options, result);
    }

    private static int Merge(string[] args, CancellationToken cancellationToken)
    {
        PrepareBuiltInsAside();
        var cl = CommandLine.Parse(args,
            valueOptions: new HashSet<string>([.. s_runOptions, .. s_outputOptions]),
            flags: new HashSet<string> { "verbose", "quiet", "no-config", "timestamps" });
        if (cl.Positional.Count == 0) throw new UsageException("merge needs the --partial outputs of every shard.");
        var parts = new List<PartialAnalysis>();
        foreach (var path in cl.Positional)
        {
            try
            {
                using var stream = UnsafeScope.IO.UntrustedFile.OpenRead(path, 64 * 1024);
                parts.Add(PartialAnalysis.ReadFrom(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new UsageException($"cannot read shard output '{path}': {e.Message}");
            }
        }
        var baseDirectory = parts[0].BaseDirectory;
        var options = RunOptions(cl, Directory.Exists(baseDirectory) ? baseDirectory : Directory.GetCurrentDirectory());
        var result = Guard(() =>
        {
            try
            {
                return Analysis.Merge(parts, options, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new UsageException($"cannot merge: {e.Message} Run every shard and the merge with the same build and options.");
            }
        });
        return Report(cl, "merge", args, options, result);
    }

    /// <summary>Configuration, catalogs, query packs, baseline and limits from the command line.</summary>
    private static AnalysisOptions RunOptions(CommandLine cl, string configStart)
    {
        UnsafeScopeConfig config = UnsafeScopeConfig.Empty;
        var configPath = cl.Get("config") ?? (cl.Has("no-config") ? null : UnsafeScopeConfig.FindUpward(configStart));
        if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new UsageException($"--config '{configPath}' does not exist.");
            try
            {
                config = UnsafeScopeConfig.Load(configPath);
            }
            catch (ConfigurationException e)
            {
                throw new UsageException($"bad configuration: {e.Message}");
            }
        }
        if (cl.Get("preset") is { } presetName)
            config = config.WithPreset(UnsafeScopeConfig.PresetNamed(presetName)
                ?? throw new UsageException($"--preset '{presetName}' is not one of {string.Join(", ", UnsafeScopeConfig.PresetNames)}."));
        ApiCatalog catalog;
        try
        {
            var packs = config.CatalogPacks.Concat(cl.Get("catalog") is { } p ? p.Split(',', StringSplitOptions.RemoveEmptyEntries) : []);
            catalog = ApiCatalog.Load(packs);
        }
        catch (CatalogException e)
        {
            throw new UsageException($"bad catalog: {e.Message}");
        }
        Baseline? baseline = null;
        if (cl.Get("baseline") is { } baselinePath)
        {
            try
            {
                baseline = Baseline.Load(baselinePath);
            }
            catch (InvalidDataException e)
            {
                throw new UsageException($"bad baseline: {e.Message}");
            }
        }
        var deps = cl.Get("deps") is { } dl ? dl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
        foreach (var d in deps)
            if (!Directory.Exists(d)) throw new UsageException($"--deps '{d}' is not a folder.");
        var target = cl.Get("target");
        if (target is not null && UnsafeScope.Semantics.TargetConfiguration.Parse(target) is null)
            throw new UsageException($"--target '{target}' is not a target triple (arch-vendor-os[-env], e.g. x86_64-pc-windows-msvc).");
        var parse = cl.Get("parse") ?? "lazy";
        if (parse is not ("lazy" or "all"))
            throw new UsageException($"--parse must be lazy or all, not '{parse}'.");
        var failOn = cl.Get("fail-on") ?? "none";
        if (failOn is not ("error" or "warning" or "note" or "none"))
            throw new UsageException($"--fail-on must be error, warning, note or none, not '{failOn}'.");
        return new AnalysisOptions
        {
            QueryPacks = cl.Get("queries") is { } q ? [.. q.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath)] : [],
            Baseline = baseline,
            Catalog = catalog,
            Configuration = config,
            DependencySources = [.. deps],
            Target = target,
            MaxFileBytes = cl.GetInt("max-file-size", 16 * 1024 * 1024, 1, int.MaxValue),
            ParseTimeout = TimeSpan.FromSeconds(cl.GetInt("parse-timeout", 30, 1, 3600)),
            Parse = parse == "all" ? ParseMode.All : ParseMode.Lazy,
        };
    }

    // Configuration and query-pack errors surface while the run sets up: they are usage errors.
    private static T Guard<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ConfigurationException e)
        {
            throw new UsageException($"bad configuration: {e.Message}");
        }
        catch (Exception e) when (e is UnsafeScope.Syntax.QueryException or UnsafeScope.Analyzers.QueryPacks.QueryPackException)
        {
            throw new UsageException($"bad query pack: {e.Message}");
        }
    }

    /// <summary>Writes the requested outputs, prints the table, findings and summary, and picks the exit code.</summary>
    private static int Report(CommandLine cl, string command, string[] args, AnalysisOptions options, AnalysisResult result)
    {
        var writes = new List<Action>();
        if (cl.Get("json") is { } json) writes.Add(() => AtomicFile.Write(json, s => InventoryJsonWriter.Write(result, s)));
        if (cl.Get("sarif") is { } sarif)
        {
            var category = cl.Get("category") ?? UnsafeScope.Sarif.SarifWriteOptions.DefaultCategory;
            var sarifOptions = new UnsafeScope.Sarif.SarifWriteOptions
            {
                Category = category,
                // The checkout holding the root, unless no analyzed file is in it (every folder analyzed lies elsewhere,
                // e.g. a run started inside an unrelated checkout): then naming that repository would be wrong.
                VersionControl = result.Files.Any(f => !Path.IsPathRooted(f.Path)) ? UnsafeScope.Sarif.VersionControlInfo.FromGitWorkTree(result.BaseDirectory) : null,
                // Times and the command line (output names, --jobs) vary between equal runs: only on request.
                CommandLine = cl.Has("timestamps") ? $"unsafescope {command} " + string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a)) : null,
                IncludeTimes = cl.Has("timestamps"),
                MaxDegreeOfParallelism = Math.Max(1, options.Jobs),
            };
            writes.Add(() => AtomicFile.Write(sarif, s => UnsafeScope.Sarif.SarifLogWriter.Write(result, sarifOptions, s)));
        }
        // The readiness page (HTML and markdown) per driver package; --codeql adds where CodeQL's alerts sit.
        var readiness = cl.Has("html") || cl.Has("markdown") ? Readiness(cl, options, result) : [];
        if (cl.Get("html") is { } html) writes.Add(() => AtomicFile.Write(html, s => HtmlReport.Write(result, HtmlReportOptions.Default with { Readiness = readiness, Certification = ReadinessReport.Certification(options.Catalog) }, s)));
        if (cl.Get("markdown") is { } md) writes.Add(() => AtomicFile.Write(md, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(GeigerTable.ToMarkdown(result) + ReadinessReport.ToMarkdown(readiness, options.Catalog)))));
        if (cl.Get("summary") is { } summary)
        {
            var text = PullRequestSummary.Render(InventorySnapshot.From(result), SummaryBaseline(cl), new PullRequestSummaryOptions { LinkBase = SummaryLinkBase(cl) });
            writes.Add(() => AtomicFile.Write(summary, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(text))));
        }
        // The outputs only read the result: write them side by side (a warm cached run is mostly output writing).
        try
        {
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs) }, [.. writes]);
        }
        catch (AggregateException e)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        if (!cl.Has("quiet")) Console.Out.Write(GeigerTable.ToText(result));
        PrintDiagnostics(result, cl.GetInt("show", 20, 0, int.MaxValue));
        PrintSummary(result, options.Jobs, cl.Has("verbose"), options.CacheDirectory);
        if (!result.Succeeded) return ExitRunErrors;
        var threshold = (cl.Get("fail-on") ?? "none") switch { "error" => DiagnosticSeverity.Error, "warning" => DiagnosticSeverity.Warning, "note" => DiagnosticSeverity.Info, _ => (DiagnosticSeverity?)null };
        return threshold is { } t && result.Diagnostics.Any(d => !d.IsSuppressed && d.Severity >= t) ? ExitFindings : ExitOk;
    }

    private static System.Collections.Immutable.ImmutableArray<DriverReadiness> Readiness(CommandLine cl, AnalysisOptions options, AnalysisResult result)
    {
        var codeql = cl.Get("codeql");
        if (codeql is not null && !File.Exists(codeql)) throw new UsageException($"--codeql '{codeql}' does not exist.");
        try
        {
            return ReadinessReport.Build(result, codeql);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"bad --codeql SARIF: {e.Message}");
        }
    }

    /// <summary>The --baseline as the summary compares it (read before any output is written, so a bad one writes nothing).</summary>
    private static InventorySnapshot? SummaryBaseline(CommandLine cl)
    {
        if (cl.Get("baseline") is not { } path) return null;
        try
        {
            return InventorySnapshot.Load(path);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"bad baseline: {e.Message}");
        }
    }

    /// <summary>--summary-link-base, else the commit's blob URL in GitHub Actions (GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_SHA), else none.</summary>
    private static string? SummaryLinkBase(CommandLine cl)
    {
        if (cl.Get("summary-link-base") is { } given) return given;
        var server = Environment.GetEnvironmentVariable("GITHUB_SERVER_URL");
        var repo = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY");
        var sha = Environment.GetEnvironmentVariable("GITHUB_SHA");
        return string.IsNullOrEmpty(server) || string.IsNullOrEmpty(repo) || string.IsNullOrEmpty(sha) ? null : $"{server}/{repo}/blob/{sha}";
    }

    private static string CacheSummary(int hits, int misses, string? cache)
        => cache is null ? "" : string.Create(CultureInfo.InvariantCulture, $" (cache: {hits} hit(s), {misses} miss(es))");

    private static string Describe(ToolNotification n)
        => $"{n.Level.ToString().ToLowerInvariant()} {n.Id}: {(n.Path.Length > 0 ? n.Path + ": " : "")}{n.Message}";

    private static void PrintDiagnostics(AnalysisResult result, int show)
    {
        var active = result.Diagnostics.Where(d => !d.IsSuppressed && d.Severity != DiagnosticSeverity.Hidden).ToList();
        foreach (var d in active.OrderByDescending(d => d.Severity).Take(show))
            Console.Out.WriteLine($"{d.Location.Path}:{d.Location.LineSpan.Start}: {d.Severity.ToString().ToLowerInvariant()} {d.Id}: {d.Message}");
        if (active.Count > show) Console.Out.WriteLine($"... and {active.Count - show} more (--show N, or write --sarif/--json)");
        var byRule = active.GroupBy(d => d.Descriptor).OrderBy(g => g.Key.Id, StringComparer.Ordinal).ToList();
        if (byRule.Count > 0)
        {
            Console.Out.WriteLine("findings by rule:");
            foreach (var g in byRule)
                Console.Out.WriteLine($"  {g.Key.Id} {g.Key.Name,-34} {g.Count(),7}");
        }
        var suppressed = result.Diagnostics.Count(d => d.IsSuppressed);
        if (suppressed > 0) Console.Out.WriteLine($"suppressed findings: {suppressed}");
    }

    private static void PrintSummary(AnalysisResult result, int jobs, bool verbose, string? cache)
    {
        var inv = CultureInfo.InvariantCulture;
        var analyzed = result.Files.Count(f => f.Status == FileStatus.Analyzed);
        var skipped = result.Files.Count(f => f.Status == FileStatus.Skipped);
        var configuration = result.Files.Length - analyzed - skipped;
        long bytes = result.Files.Sum(f => f.Bytes);
        int withErrors = result.Files.Count(f => f.SyntaxErrors > 0);
        foreach (var n in result.Notifications.Where(n => verbose || n.Level != NotificationLevel.Note))
            Console.Error.WriteLine(Describe(n));
        var secs = result.Elapsed.TotalSeconds;
        Console.Out.WriteLine(string.Create(inv, $"files: {result.Files.Length} ({analyzed} analyzed, {skipped} skipped{(configuration > 0 ? $", {configuration} configuration file(s) with findings" : "")})"));
        Console.Out.WriteLine(string.Create(inv, $"bytes: {bytes:N0} ({bytes / 1048576.0:F1} MiB)"));
        Console.Out.WriteLine(string.Create(inv, $"files with parse errors: {withErrors}"));
        Console.Out.WriteLine(string.Create(inv, $"notifications: {result.Notifications.Length} ({result.Notifications.Count(n => n.Level == NotificationLevel.Error)} errors, {result.Notifications.Count(n => n.Level == NotificationLevel.Warning)} warnings)"));
        Console.Out.WriteLine(string.Create(inv, $"time: {secs:F2} s with {jobs} job(s), {(secs > 0 ? bytes / 1048576.0 / secs : 0):F1} MiB/s{CacheSummary(result.CacheHits, result.CacheMisses, cache)}"));
        if (verbose)
        {
            var gc = GC.GetGCMemoryInfo();
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            Console.Out.WriteLine(string.Create(inv, $"memory: peak working set {self.PeakWorkingSet64 / 1048576} MiB; managed heap {gc.HeapSizeBytes / 1048576} MiB, committed {gc.TotalCommittedBytes / 1048576} MiB, allocated in all {GC.GetTotalAllocatedBytes() / 1048576} MiB; collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2), paused {GC.GetTotalPauseDuration().TotalSeconds:F2} s"));
        }
    }

    private static int Correlate(string[] args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.Parse(args, valueOptions: new HashSet<string> { "codeql", "markdown", "json", "sarif", "category", "root", "jobs" }, flags: new HashSet<string>());
        if (cl.Get("codeql") is not { } codeqlPaths) throw new UsageException("correlate needs --codeql FILE[,FILE...] (CodeQL SARIF output).");
        if (cl.Positional.Count == 0) throw new UsageException("correlate needs the Rust sources to analyze.");
        var logs = codeqlPaths.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var alerts = new List<UnsafeScope.Correlation.ExternalAlert>();
        foreach (var log in logs)
        {
            try
            {
                alerts.AddRange(UnsafeScope.Correlation.CodeQlCorrelation.ReadAlerts(log));
            }
            catch (InvalidDataException e)
            {
                throw new UsageException(e.Message);
            }
        }
        var result = Analysis.Run(new AnalysisOptions
        {
            Paths = [.. cl.Positional],
            BaseDirectory = cl.Get("root"),
            Jobs = cl.GetInt("jobs", Environment.ProcessorCount, 1, 256),
        }, null, cancellationToken);
        var correlated = UnsafeScope.Correlation.CodeQlCorrelation.Correlate(alerts, result);
        var markdown = UnsafeScope.Correlation.CodeQlCorrelation.ToMarkdown(correlated);
        if (cl.Get("markdown") is { } md) AtomicFile.Write(md, s => s.Write(System.Text.Encoding.UTF8.GetBytes(markdown)));
        else Console.Out.Write(markdown);
        if (cl.Get("json") is { } json) AtomicFile.Write(json, s => UnsafeScope.Correlation.CodeQlCorrelation.WriteJson(correlated, s));
        if (cl.Get("sarif") is { } sarif)
        {
            var options = new UnsafeScope.Sarif.SarifWriteOptions
            {
                Category = cl.Get("category") ?? UnsafeScope.Sarif.SarifWriteOptions.DefaultCategory,
                VersionControl = UnsafeScope.Sarif.VersionControlInfo.FromGitWorkTree(result.BaseDirectory),
                IncludeTimes = false,
            };
            AtomicFile.Write(sarif, s => UnsafeScope.Correlation.CombinedSarif.Write(result, options, logs, s));
        }
        return result.Succeeded ? ExitOk : ExitRunErrors;
    }

    private static int Docs(string[] args)
    {
        // `docs --help` must not write the pages into a folder named "--help".
        if (args.Length != 1 || args[0].StartsWith('-')) throw new UsageException("docs needs the output folder (docs/rules).");
        RuleDocs.Write(UnsafeScope.Analyzers.BuiltInAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics), args[0]);
        return ExitOk;
    }

    private static int Syntax(string[] args)
    {
        if (args.Length != 1) throw new UsageException("syntax needs exactly one file.");
        if (!File.Exists(args[0])) throw new UsageException($"'{args[0]}' is not a file.");
        var tree = RustSyntaxTree.Parse(SourceText.From(UnsafeScope.IO.UntrustedFile.ReadAllBytes(args[0], new AnalysisOptions().MaxFileBytes), args[0]));
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
