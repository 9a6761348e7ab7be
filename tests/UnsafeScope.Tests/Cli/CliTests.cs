using System.Diagnostics;
using System.Text.Json;

namespace UnsafeScope.Tests.Cli;

/// <summary>The unsafescope command, run as a process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    internal static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "UnsafeScope.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr);
    }

    private void Write(string rel, string text)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [Fact]
    public void BadArgumentsExitWithTwoAndAClearMessage()
    {
        var (exit, _, err) = Run("analyze", _dir, "--jobs", "zero");
        Assert.Equal(2, exit);
        Assert.Contains("--jobs must be a whole number", err);
        Assert.Equal(2, Run("analyze", _dir, "--frobnicate").Exit);
        Assert.Equal(2, Run("analyze").Exit);
    }

    [Fact]
    public void ParseAllGivesTheLazyOutputsAndAnUnknownModeIsAnError()
    {
        Write("Cargo.toml", "[package]\nname = \"m\"\nedition = \"2021\"\n");
        // Skipped by the lazy path (no rule writes unsafe; the rule writes an unsafe fn of its own code) and kept (the
        // deref written at the call lands in the unsafe fn the macro writes).
        Write("src/lib.rs", "macro_rules! safe { ($n:ident) => { pub fn $n() {} }; }\nsafe!(f);\n"
            + "macro_rules! own { ($n:ident) => { pub fn $n() {} pub unsafe fn helper(p: *const u8) -> u8 { *p } }; }\nown!(h);\n"
            + "macro_rules! wrap { ($b:block) => { pub unsafe fn run(p: *const u8) -> u8 $b }; }\nwrap!({ *p });\n");
        var outputs = new[] { "lazy", "all" }.Select(mode =>
        {
            var (sarif, json) = (Path.Combine(_dir, mode + ".sarif"), Path.Combine(_dir, mode + ".json"));
            Assert.Equal(0, Run("analyze", _dir, "--parse", mode, "--sarif", sarif, "--json", json, "--quiet").Exit);
            return (Sarif: File.ReadAllBytes(sarif), Json: File.ReadAllBytes(json));
        }).ToArray();
        Assert.Equal(outputs[0].Sarif, outputs[1].Sarif);
        Assert.Equal(outputs[0].Json, outputs[1].Json);
        Assert.Contains("\"macro_unsafe_fn\"", System.Text.Encoding.UTF8.GetString(outputs[0].Json));
        var (exit, _, err) = Run("analyze", _dir, "--parse", "some");
        Assert.Equal(2, exit);
        Assert.Contains("--parse must be lazy or all, not 'some'", err);
    }

    [Fact]
    public void DepsMustBeExistingFolders()
    {
        var (exit, _, err) = Run("analyze", _dir, "--deps", Path.Combine(_dir, "no-registry"));
        Assert.Equal(2, exit);
        Assert.Contains("--deps", err);
    }

    [Fact]
    public void PresetSetsTheKernelsLevelsAndAnUnknownOneIsAnError()
    {
        Write("Cargo.toml", "[package]\nname = \"k\"\nedition = \"2021\"\n");
        Write("src/lib.rs", "/// # Safety\n/// p is valid.\npub unsafe fn get(p: *const u8) -> u8 {\n    *p\n}\n");
        var (exit, _, err) = Run("analyze", _dir, "--preset", "android", "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("--preset 'android' is not one of linux-kernel, none", err);
        Assert.Equal(0, Run("analyze", _dir, "--fail-on", "error", "--quiet").Exit);                        // US1007 is allowed on 2021
        Assert.Equal(1, Run("analyze", _dir, "--preset", "linux-kernel", "--fail-on", "error", "--quiet").Exit); // -Dunsafe_op_in_unsafe_fn
    }

    [Fact]
    public void ABrokenCargoTomlIsANotificationWithItsLineAndTheRunGoesOn()
    {
        Write("Cargo.toml", "[package]\nname = \"demo\nedition = \"2024\"\n");
        Write("src/lib.rs", "pub fn f() -> u8 {\n    unsafe { g() }\n}\n");
        var json = Path.Combine(_dir, "out.json");
        var (exit, _, _) = Run("analyze", _dir, "--json", json, "--quiet");
        Assert.Equal(0, exit);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var note = doc.RootElement.GetProperty("notifications").EnumerateArray().Single(n => n.GetProperty("id").GetString() == "US0012");
        Assert.Equal("Cargo.toml", note.GetProperty("path").GetString());
        Assert.Equal(2, note.GetProperty("line").GetInt32());
        Assert.StartsWith("Not valid TOML: line 2:", note.GetProperty("message").GetString());
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetProperty("unsafeBlocks").GetInt32());
    }

    [Fact]
    public void MissingPathExitsWithThree()
        => Assert.Equal(3, Run("analyze", Path.Combine(_dir, "nope"), "--quiet").Exit);

    [Fact]
    public void FailOnAndSuppressionWorkEndToEnd()
    {
        Write("Cargo.toml", "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n");
        Write("src/lib.rs", "pub fn f() -> u8 {\n    // unsafescope-ignore: US1001 -- g has no preconditions\n    unsafe { g() }\n}\n");
        var json = Path.Combine(_dir, "out.json");
        var (exit, stdout, _) = Run("analyze", _dir, "--fail-on", "warning", "--json", json, "--quiet");
        Assert.Equal(0, exit);
        Assert.Contains("suppressed findings: 1", stdout);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        var d = doc.RootElement.GetProperty("files")[0].GetProperty("diagnostics")[0];
        Assert.Equal("US1001", d.GetProperty("ruleId").GetString());
        Assert.Equal("g has no preconditions", d.GetProperty("suppressed").GetString());

        Write("src/lib.rs", "pub fn f() -> u8 {\n    unsafe { g() }\n}\n");
        Assert.Equal(1, Run("analyze", _dir, "--fail-on", "warning", "--quiet").Exit);
        Assert.Equal(0, Run("analyze", _dir, "--fail-on", "error", "--quiet").Exit);
    }

    [Fact]
    public void BaselineReportsOnlyNewFindingsAcrossLineShifts()
    {
        Write("src/lib.rs", "pub fn f() -> u8 {\n    unsafe { g() }\n}\n");
        var baseline = Path.Combine(_dir, "baseline.json");
        Assert.Equal(1, Run("analyze", _dir, "--json", baseline, "--fail-on", "warning", "--quiet").Exit);

        // Unrelated lines above shift the old finding; a new unsafe block is added below.
        Write("src/lib.rs", "// a new header\n\nuse std::fmt;\n\npub fn f() -> u8 {\n    unsafe { g() }\n}\n\npub fn h() -> u8 {\n    unsafe { k() }\n}\n");
        var json = Path.Combine(_dir, "after.json");
        var (exit, stdout, _) = Run("analyze", _dir, "--baseline", baseline, "--json", json, "--fail-on", "warning", "--quiet");
        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        var us1001 = doc.RootElement.GetProperty("files")[0].GetProperty("diagnostics").EnumerateArray().Where(d => d.GetProperty("ruleId").GetString() == "US1001").ToList();
        Assert.Equal(2, us1001.Count);
        Assert.Equal(6, us1001[0].GetProperty("line").GetInt32());
        Assert.StartsWith("present in baseline", us1001[0].GetProperty("suppressed").GetString());
        Assert.Equal(10, us1001[1].GetProperty("line").GetInt32());
        Assert.False(us1001[1].TryGetProperty("suppressed", out _));

        Assert.Equal(2, Run("analyze", _dir, "--baseline", Path.Combine(_dir, "src", "lib.rs"), "--quiet").Exit);
    }

    [Fact]
    public void BadConfigurationIsAUsageErrorNamingTheLine()
    {
        Write("unsafescope.toml", "[rules]\nUS1001 = \"warn\"\nUS9999 = \"off\"\n");
        Write("src/lib.rs", "fn f() {}\n");
        var (exit, _, err) = Run("analyze", _dir, "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("unsafescope.toml:3: unknown rule 'US9999'", err);
    }

    [Fact]
    public void CorrelateWritesASummaryAndACombinedSarifWithDistinctRuns()
    {
        var combined = Path.Combine(_dir, "combined.sarif");
        var summary = Path.Combine(_dir, "summary.md");
        var (exit, _, err) = Run("correlate", "--codeql", RepoPaths.Fixtures("codeql", "rust-action-extensions.sarif"),
            RepoPaths.Fixtures("inventory"), "--root", RepoPaths.Root, "--markdown", summary, "--sarif", combined);
        Assert.True(exit == 0, err);
        Assert.Contains("2 inside unsafe regions", File.ReadAllText(summary));
        using var doc = JsonDocument.Parse(File.ReadAllBytes(combined));
        var runs = doc.RootElement.GetProperty("runs").EnumerateArray().ToList();
        Assert.Equal(["CodeQL", "UnsafeScope"], runs.Select(r => r.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString()));
        Assert.Equal(["/language:rust/", "unsafescope/rust/"], runs.Select(r => r.GetProperty("automationDetails").GetProperty("id").GetString()));
        Assert.Equal(2, Run("correlate", RepoPaths.Fixtures("inventory")).Exit);
    }

    [Fact]
    public void SarifIsByteIdenticalAcrossThreadCounts()
    {
        var one = Path.Combine(_dir, "one.sarif");
        var eight = Path.Combine(_dir, "eight.sarif");
        Assert.Equal(0, Run("analyze", RepoPaths.Fixtures("inventory"), "--sarif", one, "--jobs", "1", "--quiet").Exit);
        Assert.Equal(0, Run("analyze", RepoPaths.Fixtures("inventory"), "--sarif", eight, "--jobs", "8", "--quiet").Exit);
        var bytes = File.ReadAllBytes(one);
        Assert.Equal(bytes, File.ReadAllBytes(eight));
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
    }

    [Fact]
    public void CacheAndShardsThenMergeWriteTheBytesOfOnePlainRun()
    {
        var fixtures = RepoPaths.Fixtures();
        string F(string name) => Path.Combine(_dir, name);
        Assert.Equal(0, Run("analyze", fixtures, "--sarif", F("plain.sarif"), "--json", F("plain.json"), "--quiet").Exit);
        var cold = Run("analyze", fixtures, "--sarif", F("cold.sarif"), "--json", F("cold.json"), "--cache", F("cache"), "--quiet");
        var warm = Run("analyze", fixtures, "--sarif", F("warm.sarif"), "--json", F("warm.json"), "--cache", F("cache"), "--quiet");
        Assert.Contains(" 0 miss(es)", warm.Out);
        Assert.Contains(" 0 hit(s)", cold.Out);
        for (int i = 1; i <= 3; i++)
        {
            var shard = Run("analyze", fixtures, "--shard", $"{i}/3", "--partial", F($"part{i}.bin"), "--jobs", $"{i}");
            Assert.Equal(0, shard.Exit);
            Assert.Contains($"shard {i}/3:", shard.Out);
        }
        Assert.Equal(0, Run("merge", F("part3.bin"), F("part1.bin"), F("part2.bin"), "--sarif", F("merged.sarif"), "--json", F("merged.json"), "--quiet").Exit);
        foreach (var name in new[] { "cold", "warm", "merged" })
        {
            Assert.Equal(File.ReadAllBytes(F("plain.sarif")), File.ReadAllBytes(F(name + ".sarif")));
            Assert.Equal(File.ReadAllBytes(F("plain.json")), File.ReadAllBytes(F(name + ".json")));
        }

        var missing = Run("merge", F("part1.bin"), F("part2.bin"), "--sarif", F("x.sarif"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("3/3 are missing", missing.Err);
        Assert.False(File.Exists(F("x.sarif")));
        Assert.Equal(2, Run("merge", F("plain.json")).Exit);
        Assert.Equal(2, Run("analyze", fixtures, "--shard", "1/3").Exit);
        Assert.Equal(2, Run("analyze", fixtures, "--shard", "4/3", "--partial", F("p.bin")).Exit);
        Assert.Equal(2, Run("analyze", fixtures, "--shard", "1/3", "--partial", F("p.bin"), "--sarif", F("p.sarif")).Exit);
    }

    [Fact]
    public void AQueryPackDeclaringABuiltInRuleIsAUsageError()
    {
        var (exit, _, err) = Run("analyze", RepoPaths.Fixtures("inventory"), "--queries", Path.Combine(RepoPaths.Root, "queries", "packs", "wdk-patterns.scm"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("declares rule US7001, which another analyzer or pack already declares", err);
    }
}
