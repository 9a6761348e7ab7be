using System.Diagnostics;
using System.Text;

namespace UnsafeScope.Tests;

/// <summary>A program run to completion with a time limit (a hang fails the test instead of stalling CI); output as UTF-8.</summary>
internal static class ChildProcess
{
    /// <param name="env">Variables to set (null value: remove).</param>
    public static (int Exit, string Out, string Err) Run(string file, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? env = null, TimeSpan? limit = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var wait = limit ?? TimeSpan.FromMinutes(5);
        if (!p.WaitForExit(wait))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish within {wait}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The unsafescope command of this build (<c>dotnet exec UnsafeScope.Cli.dll</c>).</summary>
    public static (int Exit, string Out, string Err) RunCli(IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? env = null, TimeSpan? limit = null)
        => Run("dotnet", ["exec", Hardening.CliProcess.Dll, .. args], workingDirectory, env, limit);
}
