using System.Runtime.InteropServices;
using UnsafeScope.Tests.Corpus;
using UnsafeScope.Tests.Hardening;

namespace UnsafeScope.Tests.Packaging;

/// <summary>
/// The command published as NativeAOT for linux-x64 (what a CI step or a pre-commit hook runs to start in
/// milliseconds, benchmarks/startup.sh). Published once per test run into its own folder.
/// </summary>
public sealed class NativeAotPublish : IDisposable
{
    public string? Problem { get; }
    public string? Exe { get; }
    public string PublishOutput { get; } = "";
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-aot-").FullName;

    public NativeAotPublish()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Problem = "the NativeAOT test publishes for linux-x64 (NativeAOT does not cross-compile between systems)";
            return;
        }
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        // Its own artifacts folder: the publish must not touch the obj/bin folders the running tests were built in.
        var (exit, stdout, stderr) = ChildProcess.Run("dotnet",
            ["publish", Path.Combine(RepoPaths.Root, "src", "UnsafeScope.Cli", "UnsafeScope.Cli.csproj"), "-c", configuration, "-r", "linux-x64",
             "-p:PublishAot=true", "--artifacts-path", Path.Combine(_dir, "artifacts"), "-o", Path.Combine(_dir, "publish"), "-nologo"],
            limit: TimeSpan.FromMinutes(15));
        PublishOutput = stdout + stderr;
        if (exit != 0)
        {
            // A machine without the native linker NativeAOT needs (clang or gcc) cannot publish; the test says so.
            Problem = "dotnet publish -p:PublishAot=true failed:\n" + PublishOutput;
            return;
        }
        Exe = Path.Combine(_dir, "publish", "UnsafeScope.Cli");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}

/// <summary>
/// The NativeAOT command is the same program: no trim or AOT warning when it is compiled (nothing it runs needs
/// reflection emit or code generated at run time), and byte-identical SARIF, JSON, markdown and HTML to the
/// framework-dependent command (what the <c>dotnet tool</c> package runs) on the rule fixtures, manifests included,
/// and on real crates.
/// </summary>
public sealed class NativeAotTests(NativeAotPublish aot) : IClassFixture<NativeAotPublish>, IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-aotrun-");

    public void Dispose() => _tmp.Dispose();

    private static readonly string[] s_outputs = ["sarif", "json", "markdown", "html"];

    private void RequireAot() => PublishedCommand.Require("NativeAOT", aot.Exe, aot.Problem);

    [SkippableFact]
    public void PublishingReportsNoTrimOrAotWarning()
    {
        RequireAot();
        // IL2xxx are trim warnings, IL3xxx AOT ones (dynamic code, single file).
        var warnings = aot.PublishOutput.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"warning IL[23]\d{3}")).ToList();
        Assert.True(warnings.Count == 0, string.Join('\n', warnings));
    }

    [SkippableFact]
    public void TheBinaryCarriesTheGen1BudgetCap()
    {
        RequireAot();
        // A private GC setting (no runtimeconfig name): ILC writes `--runtimeopt` settings into the binary as
        // NUL-terminated names, then values, where the runtime's own configuration reader finds them.
        var bytes = File.ReadAllBytes(aot.Exe!);
        var strings = System.Text.Encoding.ASCII.GetString(bytes).Split('\0');
        // The names (this cap, then the command's gcServer), then their values in the same order.
        int name = Enumerable.Range(0, strings.Length - 3).FirstOrDefault(i => strings[i] == "GCGen1MaxBudget" && strings[i + 1] == "gcServer", -1);
        Assert.True(name >= 0, "the runtime options GCGen1MaxBudget and gcServer are not in the binary");
        Assert.Equal(("1000000", "1"), (strings[name + 2], strings[name + 3]));
    }

    [SkippableFact]
    public void TheRuleFixturesGiveTheSameOutputs()
    {
        RequireAot();
        AssertSameOutputs("fixtures", RepoPaths.Fixtures("rules"));
    }

    [SkippableFact]
    public void RealCratesGiveTheSameOutputs()
    {
        RequireAot();
        Skip.IfNot(DebianCorpus.IsInstalled, "The Debian crate corpus is not installed (run corpus/install-debian-corpus.sh; .ci/run does).");
        foreach (var crate in new[] { "glib-0", "libc-0", "tokio-1" })
        {
            var folder = PublishedCommand.RegistryCrate(crate);
            AssertSameOutputs(Path.GetFileName(folder), folder);
        }
    }

    private void AssertSameOutputs(string name, string folder)
    {
        var fd = Path.Combine(_tmp.Path, name + "-fd");
        var native = Path.Combine(_tmp.Path, name + "-aot");
        Directory.CreateDirectory(fd);
        Directory.CreateDirectory(native);
        string[] Args(string dir) => ["analyze", folder, .. s_outputs.SelectMany(o => new[] { "--" + o, Path.Combine(dir, "out." + o) }), "--jobs", "2", "--quiet", "--no-config"];

        var (fe, fout, ferr) = CliProcess.Run(TimeSpan.FromMinutes(5), null, Args(fd));
        Assert.True(fe is 0 or 1, $"framework-dependent run on {name}: exit {fe}: {ferr}");
        var (ae, aout, aerr) = ChildProcess.Run(aot.Exe!, Args(native), limit: TimeSpan.FromMinutes(5));
        Assert.True(ae == fe, $"NativeAOT run on {name}: exit {ae} (framework-dependent {fe}): {aerr}");
        // The console too, apart from the timing line.
        static string Console(string s) => string.Join('\n', s.Split('\n').Where(l => !l.StartsWith("time:", StringComparison.Ordinal)));
        Assert.Equal(Console(fout), Console(aout));
        foreach (var o in s_outputs)
        {
            var expected = File.ReadAllBytes(Path.Combine(fd, "out." + o));
            var actual = File.ReadAllBytes(Path.Combine(native, "out." + o));
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{name}: the {o} outputs differ ({expected.Length} bytes framework-dependent, {actual.Length} NativeAOT)");
        }
    }
}
