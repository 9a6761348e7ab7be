using System.Diagnostics;
using System.Text.Json;

namespace UnsafeScope.Tests.Packaging;

/// <summary>
/// Packs the library and the tool, installs both from a local folder feed into a fresh project and a fresh
/// tool path (with their own NuGet cache, so nothing stale is reused), and runs an analysis through each.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-consumer-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (int Exit, string Output) Dotnet(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-cache");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    private static (int Exit, string Output) RunTool(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + err.Result);
    }

    [Fact]
    public void LibraryAndToolInstallFromAFolderFeedAndWork()
    {
        // The configuration the tests were built with: pack exactly those binaries.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var feed = Path.Combine(_dir, "feed");
        foreach (var project in new[] { "src/UnsafeScope/UnsafeScope.csproj", "src/UnsafeScope.Cli/UnsafeScope.Cli.csproj" })
        {
            var (exit, output) = Dotnet(RepoPaths.Root, "pack", project, "-c", configuration, "--no-build", "-o", feed);
            Assert.True(exit == 0, output);
        }

        var rust = Path.Combine(_dir, "crate");
        Directory.CreateDirectory(Path.Combine(rust, "src"));
        File.WriteAllText(Path.Combine(rust, "Cargo.toml"), "[package]\nname = \"consumer_demo\"\nversion = \"0.1.0\"\n");
        File.WriteAllText(Path.Combine(rust, "src", "lib.rs"), "pub fn f(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n");

        // 1. A fresh project using the library package.
        var app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "app.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestoreSources>$(MSBuildThisFileDirectory)../feed</RestoreSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="UnsafeScope" Version="0.1.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using UnsafeScope.Driver;
            var result = Analysis.Run(new AnalysisOptions { Paths = [args[0]] });
            var totals = result.Totals;
            Console.WriteLine($"blocks={totals.UnsafeBlocks} findings={result.Diagnostics.Count()} rules={result.Rules.Length} first={result.Diagnostics.First().Id}");
            """);
        var (runExit, runOutput) = Dotnet(app, "run", "--", rust);
        Assert.True(runExit == 0, runOutput);
        Assert.Contains("blocks=1 ", runOutput);
        Assert.Contains("first=US1001", runOutput);

        // 2. The tool, installed into a fresh tool path.
        var tools = Path.Combine(_dir, "tools");
        var (installExit, installOutput) = Dotnet(_dir, "tool", "install", "UnsafeScope.Tool", "--tool-path", tools, "--add-source", feed, "--version", "0.1.0");
        Assert.True(installExit == 0, installOutput);
        var json = Path.Combine(_dir, "out.json");
        var (toolExit, toolOutput) = RunTool(Path.Combine(tools, OperatingSystem.IsWindows() ? "unsafescope.exe" : "unsafescope"), "analyze", rust, "--json", json, "--quiet");
        Assert.True(toolExit == 0, toolOutput);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetProperty("unsafeBlocks").GetInt32());
    }
}
