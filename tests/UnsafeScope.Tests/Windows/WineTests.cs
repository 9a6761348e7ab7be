using System.Runtime.InteropServices;
using System.Text;
using UnsafeScope.Tests.Corpus;
using UnsafeScope.Tests.Hardening;
using UnsafeScope.Tests.Packaging;

namespace UnsafeScope.Tests.Windows;

/// <summary>
/// The win-x64 command, published self-contained, run under Wine with the runtime's default settings (no
/// <c>DOTNET_*</c> variable, W^X on, mscoree not disabled), in a fresh Wine prefix. Wine maps <c>Z:\</c> to <c>/</c>.
/// </summary>
public sealed class WinePublish : IDisposable
{
    public string? Wine { get; }
    public string? Problem { get; }
    public string? Exe { get; }
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-wine-").FullName;
    private string Prefix { get; set; } = "";

    public WinePublish()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Problem = "Wine runs the win-x64 build on linux-x64 only (on Windows the whole suite runs natively)";
            return;
        }
        Wine = ExternalTools.Find("wine64") ?? ExternalTools.Find("wine") ?? (File.Exists("/usr/lib/wine/wine64") ? "/usr/lib/wine/wine64" : null);
        if (Wine is null)
        {
            Problem = "Wine is not installed (apt-get install wine64; .ci/run does)";
            return;
        }
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // Its own artifacts folder: the publish must not touch the obj/bin folders the running tests were built in.
        var (exit, output) = Run("dotnet", TimeSpan.FromMinutes(10), null, "publish", Path.Combine(RepoPaths.Root, "src", "UnsafeScope.Cli", "UnsafeScope.Cli.csproj"),
            "-c", configuration, "-r", "win-x64", "--self-contained", "--artifacts-path", Path.Combine(_dir, "artifacts"), "-o", Path.Combine(_dir, "publish"), "-nologo");
        if (exit != 0)
        {
            Problem = "dotnet publish -r win-x64 failed:\n" + output;
            return;
        }
        // The prefix is made before any test runs in it, and made again in a new folder when Wine cannot start there:
        // once (2026-12-05) a first run that also created its prefix failed with "could not load kernel32.dll" and
        // passed when run again, which failed tests that are about the command, not about Wine.
        for (int attempt = 1; ; attempt++)
        {
            Prefix = Path.Combine(_dir, $"prefix{attempt}");
            var (booted, log) = Run(Wine, TimeSpan.FromMinutes(5), WineEnvironment, "wineboot", "--init");
            if (booted == 0) break;
            StopServer();
            if (attempt == 2)
            {
                Problem = $"Wine could not make a prefix (wineboot --init exited {booted} twice):\n{log}";
                return;
            }
        }
        Exe = Path.Combine(_dir, "publish", "UnsafeScope.Cli.exe");
    }

    // Stops this prefix's wineserver and what it started.
    private void StopServer()
    {
        var server = Path.Combine(Path.GetDirectoryName(Wine!)!, "wineserver");
        if (File.Exists(server) && Directory.Exists(Prefix)) Run(server, TimeSpan.FromMinutes(1), WineEnvironment, "-k");
    }

    /// <summary>The Windows form of a Linux path under Wine's <c>Z:</c> drive.</summary>
    public static string WindowsPath(string linuxPath) => "Z:" + linuxPath.Replace('/', '\\');

    /// <summary>Runs the published command under Wine; stdout is decoded as UTF-8.</summary>
    public (int Exit, string Out, string Err) RunCommand(params string[] args)
    {
        var (exit, stdout, stderr) = RunSplit(Wine!, TimeSpan.FromMinutes(5), WineEnvironment, [Exe!, .. args]);
        return (exit, stdout, stderr);
    }

    private Dictionary<string, string?> WineEnvironment => new()
    {
        ["WINEPREFIX"] = Prefix,
        ["WINEDEBUG"] = "-all",
        ["WINEDLLOVERRIDES"] = "mshtml=", // no Gecko download prompt; mscoree stays enabled
    };

    private static (int Exit, string Output) Run(string file, TimeSpan limit, Dictionary<string, string?>? env, params string[] args)
    {
        var (exit, stdout, stderr) = RunSplit(file, limit, env, args);
        return (exit, stdout + stderr);
    }

    private static (int Exit, string Out, string Err) RunSplit(string file, TimeSpan limit, Dictionary<string, string?>? env, string[] args)
    {
        if (env is not null)
        {
            // The runtime's defaults under Wine: no DOTNET_ setting of the test process leaks in (W^X stays on).
            foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>()
                         .Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("COMPlus_", StringComparison.Ordinal)))
                env.TryAdd(key, null);
        }
        return ChildProcess.Run(file, args, env: env, limit: limit);
    }

    public void Dispose()
    {
        // Stop this prefix's wineserver (started by the runs above), then remove everything.
        if (Wine is not null) StopServer();
        try { Directory.Delete(_dir, true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>
/// Windows as a platform, tested here under Wine: the win-x64 command gives the same bytes as the Linux command on
/// the rule fixtures and on real crates (SARIF, JSON and markdown; LF line ends and the same order on both), writes
/// UTF-8 to a redirected console, and handles extended-length roots. The only difference allowed is the source root
/// itself (<c>file:///Z:/…</c> against <c>file:///…</c>, and the folder shown in the HTML report's header). Under Wine
/// a crash can exit 0, so the outputs are checked, not only the exit code.
/// </summary>
public sealed class WineTests(WinePublish wine) : IClassFixture<WinePublish>, IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-winerun-");

    public void Dispose() => _tmp.Dispose();

    private static readonly string[] s_outputs = ["sarif", "json", "markdown", "html"];

    private void RequireWine() => PublishedCommand.Require("Wine", wine.Exe, wine.Problem);

    // Runs both commands on the same folder and compares their outputs.
    private void AssertSameOutputs(string name, string folder, params string[] extra)
    {
        var linux = Path.Combine(_tmp.Path, name + "-linux");
        var windows = Path.Combine(_tmp.Path, name + "-windows");
        Directory.CreateDirectory(linux);
        Directory.CreateDirectory(windows);
        string[] Outputs(string dir, Func<string, string> map) => [.. s_outputs.SelectMany(o => new[] { "--" + o, map(Path.Combine(dir, "out." + o)) })];

        var (le, _, lerr) = CliProcess.Run(TimeSpan.FromMinutes(5), null, ["analyze", folder, .. Outputs(linux, p => p), "--jobs", "2", "--quiet", .. extra]);
        Assert.True(le is 0 or 1, $"Linux run on {name}: exit {le}: {lerr}");
        var (we, _, werr) = wine.RunCommand(["analyze", WinePublish.WindowsPath(folder), .. Outputs(windows, WinePublish.WindowsPath), "--jobs", "2", "--quiet", .. extra.Select(e => e.StartsWith('/') ? WinePublish.WindowsPath(e) : e)]);
        Assert.True(we == le, $"Wine run on {name}: exit {we} (Linux {le}): {werr}");

        var linuxRoot = RootUri(folder, windows: false);
        var windowsRoot = RootUri(WinePublish.WindowsPath(folder), windows: true);
        foreach (var o in s_outputs)
        {
            var l = Path.Combine(linux, "out." + o);
            var w = Path.Combine(windows, "out." + o);
            Assert.True(File.Exists(w), $"{name}: the Wine run wrote no {o} output (a crash?): {werr}");
            var lb = File.ReadAllBytes(l);
            var wb = File.ReadAllBytes(w);
            Assert.DoesNotContain((byte)'\r', wb);
            var expected = o switch
            {
                "sarif" => ReplaceOnce(lb, linuxRoot, windowsRoot, $"{name}: the SARIF source root"),
                "html" => ReplaceOnce(lb, System.Net.WebUtility.HtmlEncode(folder), System.Net.WebUtility.HtmlEncode(WinePublish.WindowsPath(folder)), $"{name}: the HTML header's folder"),
                _ => lb,
            };
            if (!expected.AsSpan().SequenceEqual(wb))
            {
                int at = 0;
                while (at < Math.Min(expected.Length, wb.Length) && expected[at] == wb[at]) at++;
                Assert.Fail($"{name}: the {o} outputs differ at byte {at} ({expected.Length} bytes on Linux, {wb.Length} under Wine):\n" +
                            $"Linux: {Snippet(expected, at)}\nWine:  {Snippet(wb, at)}");
            }
        }
    }

    private static string RootUri(string folder, bool windows) => global::UnsafeScope.Sarif.SarifUri.FromFullPath(folder, windows).TrimEnd('/') + "/";

    private static string Snippet(byte[] b, int at) => Encoding.UTF8.GetString(b, Math.Max(0, at - 60), Math.Min(b.Length, at + 60) - Math.Max(0, at - 60));

    private static byte[] ReplaceOnce(byte[] bytes, string from, string to, string what)
    {
        var text = Encoding.UTF8.GetString(bytes);
        int i = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(i >= 0, $"{what} '{from}' is not in the Linux output");
        return Encoding.UTF8.GetBytes(text[..i] + to + text[(i + from.Length)..]);
    }

    [SkippableFact]
    public void TheRuleFixturesGiveTheSameOutputsAsOnLinux()
    {
        RequireWine();
        AssertSameOutputs("fixtures", RepoPaths.Fixtures("rules"));
    }

    [SkippableFact]
    public void RealCratesGiveTheSameOutputsAsOnLinux()
    {
        RequireWine();
        Skip.IfNot(DebianCorpus.IsInstalled, "The Debian crate corpus is not installed (run corpus/install-debian-corpus.sh; .ci/run does).");
        // glib, libc, regex and hashbrown crashed the runtime under Wine before dynamic code was removed.
        foreach (var crate in new[] { "glib-0", "libc-0", "regex-1", "hashbrown-0" })
        {
            var folder = PublishedCommand.RegistryCrate(crate);
            AssertSameOutputs(Path.GetFileName(folder), folder);
        }
    }

    [SkippableFact]
    public void AnExtendedLengthRootWithNonAsciiNamesIsFingerprintedAndPrintedAsUtf8()
    {
        RequireWine();
        _tmp.Write("crate ü/Cargo.toml", "[package]\nname = \"u\"\nversion = \"0.1.0\"\n");
        _tmp.Write("crate ü/src/名前.rs", "pub fn read(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n");
        var crate = Path.Combine(_tmp.Path, "crate ü");
        var sarif = Path.Combine(_tmp.Path, "long.sarif");
        var longRoot = @"\\?\" + WinePublish.WindowsPath(crate);
        var (exit, stdout, stderr) = wine.RunCommand("analyze", longRoot, "--root", longRoot, "--sarif", WinePublish.WindowsPath(sarif), "--show", "5");
        Assert.True(exit == 1 || exit == 0, $"exit {exit}: {stderr}");
        // Redirected output is UTF-8 (not the OEM code page): the file name arrives intact.
        Assert.Contains("src/名前.rs:2:", stdout);

        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(sarif));
        var run = doc.RootElement.GetProperty("runs")[0];
        Assert.Equal("file:///Z:" + RootUri(crate, windows: false)["file://".Length..],
            run.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString());
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        foreach (var r in results)
        {
            Assert.True(r.TryGetProperty("partialFingerprints", out var fp) && fp.TryGetProperty("primaryLocationLineHash", out _), r.ToString());
            Assert.Equal("src/%E5%90%8D%E5%89%8D.rs", r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        }
    }
}
