using UnsafeScope.Diagnostics;
using System.Diagnostics;
using System.Text.Json;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// Faults seen by the unsafescope process itself: a write that fails half-way (file size limit), an output folder
/// that cannot be made, Ctrl+C and CI's SIGTERM, files rewritten while they are read, unusual path names.
/// Every case ends with a message and an exit code, a complete old output or none, and no temporary file.
/// </summary>
public sealed class CliFaultTests : IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-clifault-");

    private string _dir => _tmp.Path;

    public void Dispose() => _tmp.Dispose();

    private string Write(string rel, string text) => _tmp.Write(rel, text);

    private static void AssertNoTemporaryFiles(string folder)
        => Assert.Empty(Directory.EnumerateFiles(folder, "*.tmp", SearchOption.AllDirectories));

    [SkippableFact]
    public void AWriteThatFailsHalfWayKeepsTheOldOutputAndExitsWithAMessage()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs bash's ulimit -f and SIGXFSZ (Linux)");
        // A file size limit makes write() fail with EFBIG once 16 KB are written: a full disk, as seen by the process.
        // (SIGXFSZ ignored so the write fails instead of killing the process; W^X off because its double mapping is a file too.)
        const string limit = "trap '' XFSZ; ulimit -f 16; export DOTNET_EnableWriteXorExecute=0";
        var outDir = Path.Combine(_dir, "out");
        var sarif = Write("out/unsafescope.sarif", "previous complete sarif");
        var json = Write("out/unsafescope.json", "previous complete json");
        var (exit, _, err) = CliProcess.Run(TimeSpan.FromMinutes(2), limit, "analyze", RepoPaths.Fixtures(), "--sarif", sarif, "--json", json, "--quiet");
        Assert.Equal(3, exit);
        Assert.Contains("unsafescope: Could not write '", err);
        Assert.DoesNotContain("Unhandled exception", err);
        Assert.Equal("previous complete sarif", File.ReadAllText(sarif));
        Assert.Equal("previous complete json", File.ReadAllText(json));
        AssertNoTemporaryFiles(outDir);

        // Without the limit the same command writes both outputs completely.
        (exit, _, err) = CliProcess.Run("analyze", RepoPaths.Fixtures(), "--sarif", sarif, "--json", json, "--quiet");
        Assert.True(exit == 0, err);
        using (JsonDocument.Parse(File.ReadAllBytes(sarif))) { }
        using (JsonDocument.Parse(File.ReadAllBytes(json))) { }
        AssertNoTemporaryFiles(outDir);
    }

    [Fact]
    public void AnOutputFolderThatCannotBeMadeIsAnErrorNotACrash()
    {
        var blocker = Write("not-a-folder", "a file where the output folder should be");
        Write("src/lib.rs", "fn f() {}\n");
        var (exit, _, err) = CliProcess.Run("analyze", Path.Combine(_dir, "src"), "--sarif", Path.Combine(blocker, "out.sarif"), "--quiet");
        Assert.Equal(3, exit);
        Assert.Contains($"Could not write '{Path.Combine(blocker, "out.sarif")}'", err);
        Assert.DoesNotContain("Unhandled exception", err);
        Assert.Equal("a file where the output folder should be", File.ReadAllText(blocker));
    }

    [SkippableTheory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task ASignalCancelsTheRunWithExit130AndNoOutput(string signal)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "sends POSIX signals with kill (Linux)");
        // Enough work for one job to be busy for seconds: the signal arrives mid-run.
        var line = "pub fn f(p: *const u8) -> u8 { unsafe { *p } }\n";
        for (int i = 0; i < 120; i++) Write($"src/m{i:D3}.rs", string.Concat(Enumerable.Repeat(line, 4_000)));
        var sarif = Path.Combine(_dir, "out", "unsafescope.sarif");
        var json = Path.Combine(_dir, "out", "unsafescope.json");
        using var p = CliProcess.Start(["analyze", Path.Combine(_dir, "src"), "--jobs", "1", "--sarif", sarif, "--json", json, "--quiet"]);
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        // Signal once the workers run (so the handlers are installed): their thread names show in /proc.
        var clock = Stopwatch.StartNew();
        while (!WorkersRunning(p.Id))
        {
            Assert.False(p.HasExited, "the run ended before it could be signalled");
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), "the workers never started");
            Thread.Sleep(20);
        }
        using (var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
        if (!p.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the run did not stop after the signal");
        }
        Assert.Equal(130, p.ExitCode);
        Assert.Contains("unsafescope: cancelled.", await stderr);
        Assert.False(File.Exists(sarif));
        Assert.False(File.Exists(json));
        if (Directory.Exists(Path.Combine(_dir, "out"))) AssertNoTemporaryFiles(Path.Combine(_dir, "out"));
    }

    private static bool WorkersRunning(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .Any(t => File.ReadAllText(Path.Combine(t, "comm")).StartsWith("unsafescope-wor", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // the process or a thread went away between listing and reading
        }
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // skipped there, first thing
    public async Task UnreadableFilesAndFoldersAreReportedAndTheRestIsAnalyzed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses Unix file modes and setpriv (Linux)");
        // Root reads everything, and CI runs as root: then the command runs as nobody (a copy of it, so every folder
        // on its path is open to nobody), which is what a permission problem looks like to it.
        bool asNobody = Environment.UserName == "root";
        Skip.If(asNobody && !File.Exists("/usr/bin/setpriv"), "running as root, which reads everything, and /usr/bin/setpriv (util-linux) is missing to run the command as nobody");
        var open = (UnixFileMode)0b111_101_101;
        File.SetUnixFileMode(_dir, open);
        var cli = Path.Combine(_dir, "cli");
        Directory.CreateDirectory(cli);
        foreach (var f in new[] { "UnsafeScope.Cli.dll", "UnsafeScope.Cli.runtimeconfig.json", "UnsafeScope.Cli.deps.json", "UnsafeScope.dll", "libunsafescope_ts.so" })
            File.Copy(Path.Combine(AppContext.BaseDirectory, f), Path.Combine(cli, f));
        Write("repo/src/ok.rs", "pub fn f() { unsafe { g() } }\n");
        var locked = Write("repo/src/locked.rs", "pub fn g() {}\n");
        Write("repo/src/closed/inner.rs", "pub fn h() {}\n");
        foreach (var d in new[] { "repo", "repo/src" }) File.SetUnixFileMode(Path.Combine(_dir, d), open);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(_dir, "repo", "src", "closed"), UnixFileMode.None);
        var output = Path.Combine(_dir, "out");
        Directory.CreateDirectory(output);
        File.SetUnixFileMode(output, (UnixFileMode)0b111_111_111);
        var json = Path.Combine(output, "out.json");
        var command = $"export HOME='{output}' DOTNET_CLI_TELEMETRY_OPTOUT=1; exec {(asNobody ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "")}dotnet exec '{Path.Combine(cli, "UnsafeScope.Cli.dll")}' analyze '{Path.Combine(_dir, "repo")}' --json '{json}' --quiet";
        var psi = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)));
        Assert.True(p.ExitCode == 0, err + await stdout);
        Assert.Contains("warning US0002: src/locked.rs: The file could not be read", err);
        Assert.Contains("warning US0002: src/closed: The folder could not be read", err);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        var files = doc.RootElement.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("status").GetString());
        Assert.Equal("analyzed", files["src/ok.rs"]);
        Assert.Equal("skipped", files["src/locked.rs"]);
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetProperty("unsafeBlocks").GetInt32());
        File.SetUnixFileMode(Path.Combine(_dir, "repo", "src", "closed"), open); // so the folder can be deleted
    }

    [Fact]
    public void PathsWithSpacesAndNonAsciiNamesWorkEndToEnd()
    {
        var root = Path.Combine(_dir, "dir with space", "ünï 文件");
        Write("dir with space/ünï 文件/Cargo.toml", "[package]\nname = \"spaced\"\nversion = \"0.1.0\"\n");
        Write("dir with space/ünï 文件/src/spaced file.rs", "pub fn f() { unsafe { g() } }\n");
        Write("dir with space/ünï 文件/src/é#%?.rs", "pub fn h() { unsafe { g() } }\n");
        var sarif = Path.Combine(_dir, "out dir", "résultat.sarif");
        var json = Path.Combine(_dir, "out dir", "résultat.json");
        var (exit, _, err) = CliProcess.Run("analyze", root, "--sarif", sarif, "--json", json, "--quiet");
        Assert.True(exit == 0, err);
        using var j = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(["src/spaced file.rs", "src/é#%?.rs"], j.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        using var s = JsonDocument.Parse(File.ReadAllBytes(sarif));
        var run = s.RootElement.GetProperty("runs")[0];
        var uris = run.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(["src/%C3%A9%23%25%3F.rs", "src/spaced%20file.rs"], uris);
        var rootUri = run.GetProperty("originalUriBaseIds").EnumerateObject().Single().Value.GetProperty("uri").GetString()!;
        Assert.Equal(root + "/", new Uri(rootUri).LocalPath);
        AssertNoTemporaryFiles(Path.Combine(_dir, "out dir"));
    }

    [Fact]
    public async Task FilesRewrittenGrownAndTruncatedDuringTheRunAreReadConsistentlyOrReported()
    {
        const string one = "pub fn f() { unsafe { g() } }\n";
        var two = one + "pub fn h() { unsafe { k() } }\n" + new string('\n', 3_000);
        var grown = two + string.Concat(Enumerable.Repeat("// padding past the size cap\n", 4_000));
        var paths = Enumerable.Range(0, 300).Select(i => Write($"src/f{i:D3}.rs", i % 2 == 0 ? one : two)).ToArray();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                var p = paths[random.Next(paths.Length)];
                var text = random.Next(3) switch { 0 => one, 1 => two, _ => grown };
                try
                {
                    File.WriteAllText(p, text); // truncate then write: readers can see any prefix
                }
                catch (IOException)
                {
                }
            }
        });
        try
        {
            for (int run = 0; run < 3; run++)
            {
                var result = CliProcess.Within(TimeSpan.FromMinutes(2), () => Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2, MaxFileBytes = 64 * 1024 }));
                Assert.Equal(paths.Length, result.Files.Length);
                foreach (var f in result.Files)
                {
                    if (f.Status == FileStatus.Analyzed)
                    {
                        Assert.InRange(f.Inventory!.Counts.UnsafeBlocks, 0, 2);
                        Assert.InRange(f.Bytes, 0, grown.Length);
                        Assert.DoesNotContain(f.Notifications, n => n.Id is NotificationIds.InternalError or NotificationIds.AnalyzerFailed);
                    }
                    else
                    {
                        Assert.Contains(f.Notifications, n => n.Id is NotificationIds.TooLarge or NotificationIds.Unreadable);
                    }
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }
}
