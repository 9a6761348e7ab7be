using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;

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

    private (int Exit, string Output) Dotnet(string workingDirectory, params string[] args) => Dotnet(workingDirectory, freshCache: true, args);

    // freshCache: false for builds of our own projects, which restore what the solution's build restored (the NativeAOT
    // compiler among them) from the machine's cache; the consumer's installs get a fresh one.
    private (int Exit, string Output) Dotnet(string workingDirectory, bool freshCache, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (freshCache) psi.Environment["NUGET_PACKAGES"] = Path.Combine(_dir, "nuget-cache");
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

    private static byte[] Entry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name);
        Assert.True(entry is not null, $"{name} is missing; the package holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static XElement Metadata(ZipArchive zip, string nuspec)
    {
        var doc = XDocument.Load(new MemoryStream(Entry(zip, nuspec)));
        return doc.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string HeadCommit()
    {
        var psi = new ProcessStartInfo("git", ["-C", RepoPaths.Root, "rev-parse", "HEAD"]) { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        var commit = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return commit;
    }

    /// <summary>Both runtimes' parsers are in the package, each built for its runtime: an x86-64 ELF and an x64 PE DLL.</summary>
    private static void CheckNativeParsers(ZipArchive package, string linuxFolder, string windowsFolder)
    {
        var so = Entry(package, linuxFolder + "libunsafescope_ts.so");
        Assert.True(so.AsSpan(0, 4).SequenceEqual((byte[])[0x7F, (byte)'E', (byte)'L', (byte)'F']) && BitConverter.ToUInt16(so, 18) == 62, "the linux-x64 parser is not an x86-64 ELF");
        var dll = package.GetEntry(windowsFolder + "unsafescope_ts.dll");
        Assert.True(dll is not null, "the win-x64 parser is missing: install x86_64-w64-mingw32-gcc (gcc-mingw-w64-x86-64) and rebuild");
        using var pe = new PEReader(new MemoryStream(Entry(package, dll.FullName)));
        Assert.Equal(Machine.Amd64, pe.PEHeaders.CoffHeader.Machine);
        Assert.True(pe.PEHeaders.IsDll, "the win-x64 parser is not a DLL");
    }

    /// <summary>The library package: assembly, XML docs, both native parsers, README, license, repository; symbols with SourceLink.</summary>
    private static void CheckLibraryPackage(string nupkg, string snupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        var metadata = Metadata(package, "UnsafeScope.nuspec");
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Contains("## Install from the packages", System.Text.Encoding.UTF8.GetString(Entry(package, "README.md")));
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.StartsWith("https://github.com/", repository.Attribute("url")?.Value); // the project's RepositoryUrl, or a GitHub remote (a fork)
        var commit = HeadCommit();
        Assert.Equal(commit, repository.Attribute("commit")?.Value);

        // Its one package dependency: Tomlyn, the TOML parser every manifest and configuration is read with (README lists it).
        var dependency = Assert.Single(metadata.Descendants(), e => e.Name.LocalName == "dependency");
        Assert.Equal("Tomlyn", dependency.Attribute("id")?.Value);
        Assert.Equal("2.11.1", dependency.Attribute("version")?.Value);
        Assert.Contains("Tomlyn 2.11.1", System.Text.Encoding.UTF8.GetString(Entry(package, "README.md")));

        var xmlDocs = System.Text.Encoding.UTF8.GetString(Entry(package, "lib/net10.0/UnsafeScope.xml"));
        Assert.Contains("<member name=\"T:UnsafeScope.Driver.Analysis\">", xmlDocs);
        // The native parser for each runtime, built for that runtime: x86-64 ELF and x64 PE.
        CheckNativeParsers(package, "runtimes/linux-x64/native/", "runtimes/win-x64/native/");

        // The symbols package holds the PDB of exactly this assembly, with SourceLink to the published commit and the
        // generated sources (not in git) embedded, so a debugger can step into every file.
        using var assembly = new PEReader(new MemoryStream(Entry(package, "lib/net10.0/UnsafeScope.dll")));
        var codeView = assembly.ReadCodeViewDebugDirectoryData(assembly.ReadDebugDirectory().Single(d => d.Type == DebugDirectoryEntryType.CodeView));
        using var symbols = ZipFile.OpenRead(snupkg);
        using var pdbProvider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(Entry(symbols, "lib/net10.0/UnsafeScope.pdb")));
        var pdb = pdbProvider.GetMetadataReader();
        Assert.Equal(codeView.Guid, new BlobContentId(pdb.DebugMetadataHeader!.Id).Guid);
        var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
        var embeddedSourceKind = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
        var sourceLink = pdb.CustomDebugInformation.Select(pdb.GetCustomDebugInformation).Single(c => pdb.GetGuid(c.Kind) == sourceLinkKind);
        using var map = JsonDocument.Parse(pdb.GetBlobBytes(sourceLink.Value));
        Assert.Contains(map.RootElement.GetProperty("documents").EnumerateObject(),
            d => d.Value.GetString() is { } url && url.StartsWith("https://raw.githubusercontent.com/", StringComparison.Ordinal) && url.EndsWith($"/{commit}/*", StringComparison.Ordinal));
        var embedded = pdb.Documents
            .Where(h => pdb.GetCustomDebugInformation(h).Any(c => pdb.GetGuid(pdb.GetCustomDebugInformation(c).Kind) == embeddedSourceKind))
            .Select(h => Path.GetFileName(pdb.GetString(pdb.GetDocument(h).Name))).ToList();
        Assert.Contains("RustSyntaxKind.g.cs", embedded);
    }

    /// <summary>
    /// The tool's pointer package: a DotnetTool named unsafescope whose platform packages are the NativeAOT command for
    /// linux-x64 and the framework-dependent one for any other platform, with README and license.
    /// </summary>
    private static void CheckToolPointerPackage(string nupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        var metadata = Metadata(package, "UnsafeScope.Tool.nuspec");
        Assert.Equal("MIT", Value(metadata, "license"));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Contains(metadata.Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        var settings = XDocument.Load(new MemoryStream(Entry(package, "tools/any/any/DotnetToolSettings.xml")));
        Assert.Equal("unsafescope", settings.Descendants().Single(e => e.Name.LocalName == "Command").Attribute("Name")?.Value);
        var platforms = settings.Descendants().Where(e => e.Name.LocalName == "RuntimeIdentifierPackage")
            .Select(e => $"{e.Attribute("RuntimeIdentifier")?.Value}={e.Attribute("Id")?.Value}").Order(StringComparer.Ordinal);
        Assert.Equal(["any=UnsafeScope.Tool.any", "linux-x64=UnsafeScope.Tool.linux-x64"], platforms);
        Entry(package, "README.md");
    }

    /// <summary>The framework-dependent platform package: the command's assemblies with both native parsers next to them.</summary>
    private static void CheckToolAnyPackage(string nupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        Assert.Contains(Metadata(package, "UnsafeScope.Tool.any.nuspec").Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetToolRidPackage");
        Entry(package, "tools/net10.0/any/UnsafeScope.Cli.dll");
        CheckNativeParsers(package, "tools/net10.0/any/", "tools/net10.0/any/");
    }

    /// <summary>The linux-x64 platform package: the NativeAOT executable and its parser only (no debug symbols, no Windows DLL).</summary>
    private static void CheckToolLinuxPackage(string nupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        Assert.Contains(Metadata(package, "UnsafeScope.Tool.linux-x64.nuspec").Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetToolRidPackage");
        var exe = Entry(package, "tools/any/linux-x64/UnsafeScope.Cli");
        Assert.True(exe.AsSpan(0, 4).SequenceEqual((byte[])[0x7F, (byte)'E', (byte)'L', (byte)'F']) && BitConverter.ToUInt16(exe, 18) == 62, "the command is not an x86-64 ELF executable");
        Entry(package, "tools/any/linux-x64/libunsafescope_ts.so");
        Assert.DoesNotContain(package.Entries, e => e.Name.EndsWith(".dbg", StringComparison.Ordinal) || e.Name.EndsWith(".dll", StringComparison.Ordinal));
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
        // The tool's platform packages are packed one by one (NativeAOT needs its platform), into their own artifacts
        // folder: the builds must not touch the obj/bin folders the running tests were built in. The native parsers
        // are the ones the solution's build made (a Windows runner cannot run their build script).
        var platforms = new List<string> { "any" };
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
            platforms.Add("linux-x64");
        foreach (var rid in platforms)
        {
            var (exit, output) = Dotnet(RepoPaths.Root, freshCache: false, "pack", "src/UnsafeScope.Cli/UnsafeScope.Cli.csproj", "-c", configuration, "-r", rid,
                "--artifacts-path", Path.Combine(_dir, "artifacts"), "-p:UnsafeScopeNativePrebuilt=true", "-o", feed);
            Assert.True(exit == 0, output);
        }
        CheckLibraryPackage(Path.Combine(feed, "UnsafeScope.0.1.0.nupkg"), Path.Combine(feed, "UnsafeScope.0.1.0.snupkg"));
        CheckToolPointerPackage(Path.Combine(feed, "UnsafeScope.Tool.0.1.0.nupkg"));
        CheckToolAnyPackage(Path.Combine(feed, "UnsafeScope.Tool.any.0.1.0.nupkg"));
        if (platforms.Contains("linux-x64")) CheckToolLinuxPackage(Path.Combine(feed, "UnsafeScope.Tool.linux-x64.0.1.0.nupkg"));
        // A consumer restores the library's dependency (Tomlyn) from its usual source; here the feed is the only
        // source, so the package comes from the local NuGet cache this build restored it into.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } c ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var tomlyn = Path.Combine(cache, "tomlyn", "2.11.1", "tomlyn.2.11.1.nupkg");
        Assert.True(File.Exists(tomlyn), $"{tomlyn} is missing: restore the solution first");
        File.Copy(tomlyn, Path.Combine(feed, "tomlyn.2.11.1.nupkg"));

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
        var command = Path.Combine(tools, OperatingSystem.IsWindows() ? "unsafescope.exe" : "unsafescope");
        if (platforms.Contains("linux-x64"))
        {
            // On linux-x64 the command is the native executable itself, not a launcher of the runtime.
            var target = new FileInfo(command).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? command;
            Assert.EndsWith(Path.Combine("unsafescope.tool.linux-x64", "0.1.0", "tools", "any", "linux-x64", "UnsafeScope.Cli"), target);
        }
        var json = Path.Combine(_dir, "out.json");
        var (toolExit, toolOutput) = RunTool(command, "analyze", rust, "--json", json, "--quiet");
        Assert.True(toolExit == 0, toolOutput);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(1, doc.RootElement.GetProperty("total").GetProperty("unsafeBlocks").GetInt32());
    }
}
