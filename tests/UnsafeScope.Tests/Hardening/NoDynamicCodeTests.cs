using System.Text.Json;
using UnsafeScope.Tests.Corpus;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// The command generates no code at run time. A dynamic method (compiled regex, expression tree, reflection invoke
/// stub, serializer) that is later collected crashed the runtime under Wine ("Internal CLR error" in
/// <c>DynamicResolver+DestroyScout.Finalize</c>), and a static analyzer has no need for one. The CLI process is run
/// with <see cref="global::StartupHook"/> (this assembly as a startup hook), which listens to the runtime's JIT
/// events and writes every dynamic method it sees.
/// </summary>
public sealed class NoDynamicCodeTests : IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-nodyn-");

    public void Dispose() => _tmp.Dispose();

    private (List<string> Dynamic, int Jitted) RunWithProbe(params string[] args)
    {
        var report = Path.Combine(_tmp.Path, $"probe-{Guid.NewGuid():N}.txt");
        var (exit, _, stderr) = ChildProcess.RunCli(args, env: new Dictionary<string, string?>
        {
            ["DOTNET_STARTUP_HOOKS"] = typeof(NoDynamicCodeTests).Assembly.Location,
            [global::StartupHook.ReportVariable] = report,
        }, limit: TimeSpan.FromMinutes(3));
        Assert.True(exit is 0 or 1, $"exit {exit}: {stderr}");
        Assert.True(File.Exists(report), "the startup hook wrote no report: " + stderr);
        var lines = File.ReadAllLines(report);
        return ([.. lines.Skip(1)], int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void AssertNoDynamicMethods((List<string> Dynamic, int Jitted) probe)
    {
        // The listener saw the JIT at work, so an empty list means something.
        Assert.True(probe.Jitted > 100, $"the probe saw only {probe.Jitted} methods compiled; it is not listening");
        // Interop stubs are made by the runtime itself (not DynamicMethod, no DynamicResolver): allowed.
        Assert.DoesNotContain(probe.Dynamic, m => !m.StartsWith("dynamicClass::IL_STUB_", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCommandDisablesDynamicCodeInItsRuntimeConfiguration()
    {
        var config = Path.ChangeExtension(CliProcess.Dll, ".runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(config));
        var properties = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.False(properties.GetProperty("System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported").GetBoolean());
    }

    [Fact]
    public void AnAnalysisOfTheFixturesCreatesNoDynamicMethod()
    {
        AssertNoDynamicMethods(RunWithProbe("analyze", RepoPaths.Fixtures(), "--sarif", Path.Combine(_tmp.Path, "out.sarif"),
            "--json", Path.Combine(_tmp.Path, "out.json"), "--html", Path.Combine(_tmp.Path, "out.html"), "--quiet"));
    }

    [CorpusFact]
    public void AnAnalysisOfARealCrateWithDependenciesCreatesNoDynamicMethod()
    {
        // glib crashed under Wine: many files, macro expansion, garbage collections that finalize what was made.
        var glib = Directory.GetDirectories("/usr/share/cargo/registry", "glib-0*").Order(StringComparer.Ordinal).First();
        AssertNoDynamicMethods(RunWithProbe("analyze", glib, "--deps", "/usr/share/cargo/registry", "--sarif", Path.Combine(_tmp.Path, "glib.sarif"), "--quiet"));
    }
}
