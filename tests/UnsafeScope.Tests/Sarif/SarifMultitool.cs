using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// The official SARIF Multitool (npm <c>@microsoft/sarif-multitool-linux</c>, a self-contained Linux binary), fetched
/// with <c>npm pack</c> into <c>artifacts/tools/</c> the first time it is needed, checked against its published
/// sha512, and unpacked there. <c>npm pack</c> runs no install script.
/// </summary>
internal static class SarifMultitool
{
    public const string Package = "@microsoft/sarif-multitool-linux";
    public const string Version = "5.7.0";

    /// <summary>The registry's <c>dist.integrity</c> of the tarball (<c>npm view PACKAGE@VERSION dist.integrity</c>).</summary>
    public const string Integrity = "sha512-NxUbpq6ISCWoTQ/NfOYEwEDKq1Heka/rMoJ5R5LMydcAZQX/X7g5mWHcgxDub+0M07LC96tZ5LZHvF1Qy3gjTA==";

    private static readonly Lazy<(string? Path, string? Problem)> s_install = new(Install, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Folder => Path.Combine(RepoPaths.Root, "artifacts", "tools", $"sarif-multitool-{Version}");

    /// <summary>The executable, installing it when missing; null with the reason when that is not possible here.</summary>
    public static (string? Path, string? Problem) Executable => s_install.Value;

    /// <summary>Validates <paramref name="sarifPath"/> with the schema and the SARIF and GitHub rules; returns the report's results.</summary>
    public static MultitoolReport Validate(string sarifPath)
    {
        var (exe, problem) = Executable;
        if (exe is null) throw new InvalidOperationException("The SARIF Multitool is not available: " + problem);
        var report = sarifPath + ".validation.sarif";
        var (code, output) = Run(exe, Path.GetDirectoryName(sarifPath)!,
            "validate", sarifPath, "--rule-kind", "Sarif;Gh", "--output", report, "--log", "ForceOverwrite");
        if (code != 0 || !File.Exists(report))
            throw new InvalidOperationException($"Sarif.Multitool validate exited with {code}:\n{output}");
        return MultitoolReport.Load(report, output);
    }

    /// <summary>
    /// Has the Multitool compute <c>primaryLocationLineHash</c> itself (<c>rewrite --insert RollingHashPartialFingerprints</c>,
    /// the SARIF SDK's own implementation, which reads the files through the log's <c>originalUriBaseIds</c>) and
    /// returns the rewritten log's bytes.
    /// </summary>
    public static byte[] InsertRollingHashFingerprints(string sarifPath)
    {
        var (exe, problem) = Executable;
        if (exe is null) throw new InvalidOperationException("The SARIF Multitool is not available: " + problem);
        var rewritten = sarifPath + ".rehashed.sarif";
        var (code, output) = Run(exe, Path.GetDirectoryName(sarifPath)!,
            "rewrite", sarifPath, "--insert", "RollingHashPartialFingerprints", "--output", rewritten, "--log", "ForceOverwrite");
        if (code != 0 || !File.Exists(rewritten))
            throw new InvalidOperationException($"Sarif.Multitool rewrite exited with {code}:\n{output}");
        return File.ReadAllBytes(rewritten);
    }

    private static (string? Path, string? Problem) Install()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            return (null, "the npm package holds a linux-x64 binary only");
        var exe = Path.Combine(Folder, "package", "Sarif.Multitool");
        if (File.Exists(exe)) return (exe, null);

        var staging = Folder + $".staging-{Environment.ProcessId}";
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            Directory.CreateDirectory(staging);
            var (code, output) = Run("npm", staging, "pack", "--silent", $"{Package}@{Version}");
            if (code != 0) return (null, $"npm pack failed ({code}): {output.Trim()}");
            var tarball = Directory.GetFiles(staging, "*.tgz").SingleOrDefault();
            if (tarball is null) return (null, "npm pack left no tarball");

            var sha = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tarball)));
            if (sha != Integrity) return (null, $"tarball integrity {sha} is not the published {Integrity}");

            using (var gz = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
                TarFile.ExtractToDirectory(gz, staging, overwriteFiles: true);
            var staged = Path.Combine(staging, "package", "Sarif.Multitool");
            if (!File.Exists(staged)) return (null, "the tarball has no package/Sarif.Multitool");
            File.SetUnixFileMode(staged, File.GetUnixFileMode(staged) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            File.Delete(tarball);

            Directory.CreateDirectory(Path.GetDirectoryName(Folder)!);
            try
            {
                Directory.Move(staging, Folder);
            }
            catch (IOException) when (File.Exists(exe))
            {
                // Another test process installed it first.
            }
            return File.Exists(exe) ? (exe, null) : (null, "installing into " + Folder + " failed");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidDataException)
        {
            return (null, e.GetType().Name + ": " + e.Message);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
        }
    }

    private static (int Code, string Output) Run(string file, string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The Multitool is a .NET app: it must not need ICU, which minimal machines lack.
        psi.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

/// <summary>One finding of the Multitool about a validated log.</summary>
/// <param name="RuleId">SARIF1001…, GH1001…</param>
/// <param name="Level">error, warning or note (a missing level is SARIF's default, warning).</param>
/// <param name="MessageId">The message id (e.g. <c>Warning_Default</c>).</param>
/// <param name="Arguments">The message arguments (the first is the JSON path in the validated log).</param>
internal sealed record MultitoolFinding(string RuleId, string Level, string MessageId, IReadOnlyList<string> Arguments)
{
    public override string ToString() => $"{Level} {RuleId} {MessageId}: {string.Join(" | ", Arguments)}";
}

/// <summary>The Multitool's validation report, read as plain JSON.</summary>
internal sealed record MultitoolReport(IReadOnlyList<MultitoolFinding> Findings, string ConsoleOutput)
{
    public IEnumerable<MultitoolFinding> Errors => Findings.Where(f => f.Level == "error");

    public IEnumerable<MultitoolFinding> Warnings => Findings.Where(f => f.Level == "warning");

    public static MultitoolReport Load(string path, string console)
    {
        var bytes = File.ReadAllBytes(path);
        using var doc = JsonDocument.Parse(bytes.AsMemory(StartAfterBom(bytes)));
        var findings = new List<MultitoolFinding>();
        foreach (var run in doc.RootElement.GetProperty("runs").EnumerateArray())
        {
            if (!run.TryGetProperty("results", out var results)) continue;
            foreach (var r in results.EnumerateArray())
            {
                var level = r.TryGetProperty("level", out var l) ? l.GetString()! : "warning";
                var message = r.GetProperty("message");
                var id = message.TryGetProperty("id", out var mid) ? mid.GetString()! : "";
                var args = message.TryGetProperty("arguments", out var a) ? a.EnumerateArray().Select(x => x.GetString() ?? "").ToList() : [];
                findings.Add(new MultitoolFinding(r.GetProperty("ruleId").GetString()!, level, id, args));
            }
        }
        return new MultitoolReport(findings, console);
    }

    private static int StartAfterBom(byte[] b) => b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF ? 3 : 0;
}
