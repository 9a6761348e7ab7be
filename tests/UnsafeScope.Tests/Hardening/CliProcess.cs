using System.Diagnostics;

namespace UnsafeScope.Tests.Hardening;

/// <summary>The unsafescope command as a child process, with a time limit so that a hang fails the test instead of stalling CI.</summary>
internal static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "UnsafeScope.Cli.dll");

    /// <summary>Starts <c>dotnet exec UnsafeScope.Cli.dll args</c>, or <paramref name="shellPrefix"/> then that command under bash.</summary>
    public static Process Start(IEnumerable<string> args, string? shellPrefix = null)
    {
        ProcessStartInfo psi;
        if (shellPrefix is null)
        {
            psi = new ProcessStartInfo("dotnet");
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(Dll);
        }
        else
        {
            psi = new ProcessStartInfo("bash");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(shellPrefix + "; exec dotnet exec \"$0\" \"$@\"");
            psi.ArgumentList.Add(Dll);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(psi)!;
    }

    public static (int Exit, string Out, string Err) Run(params string[] args) => Run(TimeSpan.FromMinutes(2), null, args);

    public static (int Exit, string Out, string Err) Run(TimeSpan limit, string? shellPrefix, params string[] args)
    {
        using var p = Start(args, shellPrefix);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"unsafescope {string.Join(' ', args)} did not finish within {limit}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs <paramref name="action"/> on a worker thread and fails the test if it has not finished within <paramref name="limit"/>.</summary>
    public static T Within<T>(TimeSpan limit, Func<T> action)
    {
        var task = Task.Run(action);
        Assert.True(task.Wait(limit), $"did not finish within {limit}");
        return task.Result;
    }

    public static void MakeFifo(string path)
    {
        using var p = Process.Start("mkfifo", [path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
