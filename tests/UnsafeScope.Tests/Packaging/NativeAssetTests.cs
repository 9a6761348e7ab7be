using UnsafeScope.Tests.Hardening;

namespace UnsafeScope.Tests.Packaging;

/// <summary>
/// The native parser libraries: a package or Windows publish without the win-x64 library fails the build with what to
/// install; a missing one is rebuilt where the cross-compiler is installed; a program without its library says so in
/// one sentence and exits 3.
/// </summary>
public sealed class NativeAssetTests : IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-native-");

    public void Dispose() => _tmp.Dispose();

    private static string NativeArtifacts => Path.Combine(RepoPaths.Root, "artifacts", "native");

    private static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static (int Exit, string Output) Run(string file, params string[] args)
    {
        var (exit, stdout, stderr) = ChildProcess.Run(file, args);
        return (exit, stdout + stderr);
    }

    // A copy of artifacts/native with the Linux library, the generated sources and the verified downloads, but no win-x64 library.
    private string NativeArtifactsWithoutWindowsLibrary()
    {
        var copy = Path.Combine(_tmp.Path, "native") + Path.DirectorySeparatorChar;
        foreach (var folder in new[] { "linux-x64", "generated", "download" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(NativeArtifacts, folder)))
            {
                var target = Path.Combine(copy, folder, Path.GetFileName(file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        return copy;
    }

    [Fact]
    public void APackWithoutTheWindowsLibraryFailsAndSaysWhatToInstall()
    {
        var native = NativeArtifactsWithoutWindowsLibrary();
        foreach (var project in new[] { "src/UnsafeScope/UnsafeScope.csproj", "src/UnsafeScope.Cli/UnsafeScope.Cli.csproj" })
        {
            var (exit, output) = Run("dotnet", "pack", project, "-c", Configuration, "--no-build", "-o", Path.Combine(_tmp.Path, "feed"), $"-p:NativeArtifacts={native}");
            Assert.NotEqual(0, exit);
            Assert.Contains("error USN004", output);
            Assert.Contains("apt-get install gcc-mingw-w64-x86-64", output);
        }
        Assert.False(Directory.Exists(Path.Combine(_tmp.Path, "feed")) && Directory.EnumerateFiles(Path.Combine(_tmp.Path, "feed"), "*.nupkg").Any(),
            "a package was written without the Windows library");
    }

    [Fact]
    public void AWindowsPublishWithoutTheWindowsLibraryFailsButALinuxPublishDoesNot()
    {
        // PrepareForPublish is where every publish starts: the check runs before anything is copied.
        var native = NativeArtifactsWithoutWindowsLibrary();
        string[] Args(string rid) => ["msbuild", "src/UnsafeScope.Cli/UnsafeScope.Cli.csproj", "-nologo", "-t:PrepareForPublish",
            $"-p:Configuration={Configuration}", $"-p:RuntimeIdentifier={rid}", $"-p:NativeArtifacts={native}"];
        var (exit, output) = Run("dotnet", Args("win-x64"));
        Assert.NotEqual(0, exit);
        Assert.Contains("error USN004: Cannot publish for win-x64", output);
        Assert.Contains("apt-get install gcc-mingw-w64-x86-64", output);
        (exit, output) = Run("dotnet", Args("linux-x64"));
        Assert.True(exit == 0, output);
        Assert.DoesNotContain("USN004", output);
    }

    [SkippableFact]
    public void AMissingWindowsLibraryIsRebuiltWhereTheCrossCompilerIsInstalled()
    {
        Skip.IfNot(ExternalTools.Find("x86_64-w64-mingw32-gcc") is not null, "x86_64-w64-mingw32-gcc is not installed (apt-get install gcc-mingw-w64-x86-64; .ci/run does)");
        var native = NativeArtifactsWithoutWindowsLibrary();
        // The Linux library and the generated sources are newer than every input: only the missing DLL makes the target run.
        var (exit, output) = Run("dotnet", "msbuild", "src/UnsafeScope/UnsafeScope.csproj", "-nologo", "-t:BuildNativeParser", $"-p:Configuration={Configuration}", $"-p:NativeArtifacts={native}");
        Assert.True(exit == 0, output);
        var dll = Path.Combine(native, "win-x64", "unsafescope_ts.dll");
        Assert.True(File.Exists(dll), output);
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(dll));
        Assert.Equal(System.Reflection.PortableExecutable.Machine.Amd64, pe.PEHeaders.CoffHeader.Machine);
    }

    /// <summary>
    /// The Linux library is built with a profile recorded while the repository's tracked Rust fixtures are parsed
    /// (native/pgo/train.c): every object gets its counts, the profile changes the code, and the plain -O2 build
    /// stays available. What the profile is worth is measured in benchmarks/README (session 23), not here.
    /// </summary>
    [SkippableFact]
    public void TheLinuxLibraryIsBuiltWithAProfileOfTheRepositorysFixtures()
    {
        Skip.IfNot(ExternalTools.Find("gcc") is not null && ExternalTools.Find("node") is not null, "gcc or node is not installed (.ci/run installs both)");
        byte[] Build(string name, string pgo) => File.ReadAllBytes(Path.Combine(BuildNative(name, pgo), "linux-x64", "libunsafescope_ts.so"));
        var trained = Build("trained", "1");
        var training = File.ReadAllLines(Path.Combine(_tmp.Path, "trained", "pgo", "training.list"));
        Assert.True(training.Length >= 100, $"{training.Length} training files");
        Assert.All(training, f => Assert.True(f.StartsWith(Path.Combine(RepoPaths.Root, "corpus", "fixtures") + "/", StringComparison.Ordinal)
            || f.StartsWith(Path.Combine(RepoPaths.Root, "tests") + "/", StringComparison.Ordinal), f));
        foreach (var obj in new[] { "lib", "parser", "scanner", "unsafescope_ts" })
            Assert.True(new FileInfo(Path.Combine(_tmp.Path, "trained", "pgo", "obj", obj + ".gcda")) is { Exists: true, Length: > 0 }, $"no profile for {obj}.o");
        var plain = Build("plain", "0");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_tmp.Path, "plain", "pgo", "obj"), "*.gcda"));
        Assert.False(trained.AsSpan().SequenceEqual(plain), "the profile did not change the library");
    }

    [SkippableFact]
    public void TheWindowsLibraryHasTheSameBytesFromAnyBuildFolder()
    {
        Skip.IfNot(ExternalTools.Find("gcc") is not null && ExternalTools.Find("node") is not null && ExternalTools.Find("x86_64-w64-mingw32-gcc") is not null,
            "gcc, node or the MinGW cross-compiler is not installed (.ci/run installs them)");
        // ld's output depended on the objects' paths (gcc's temporary files) and named the DLL after its .tmp file.
        var (first, second) = (BuildNative("one", "0"), BuildNative(Path.Combine("another", "folder"), "0"));
        foreach (var library in new[] { Path.Combine("win-x64", "unsafescope_ts.dll"), Path.Combine("linux-x64", "libunsafescope_ts.so") })
            Assert.True(File.ReadAllBytes(Path.Combine(first, library)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(second, library))), library + " differs");
        var dll = File.ReadAllBytes(Path.Combine(first, "win-x64", "unsafescope_ts.dll"));
        Assert.True(dll.AsSpan().IndexOf("unsafescope_ts.dll\0"u8) >= 0, "the export directory does not name unsafescope_ts.dll");
        Assert.True(dll.AsSpan().IndexOf("unsafescope_ts.dll.tmp"u8) < 0, "the DLL names its temporary file");
    }

    /// <summary>native/build.sh into a folder of the test's (from the verified tarballs: no npm); the folder.</summary>
    private string BuildNative(string name, string pgo)
    {
        var output = Path.Combine(_tmp.Path, name);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(NativeArtifacts, "download")))
        {
            Directory.CreateDirectory(Path.Combine(output, "download"));
            File.Copy(file, Path.Combine(output, "download", Path.GetFileName(file)));
        }
        var (exit, stdout, stderr) = ChildProcess.Run("bash", [Path.Combine(RepoPaths.Root, "native", "build.sh"), output],
            env: new Dictionary<string, string?> { ["UNSAFESCOPE_NATIVE_PGO"] = pgo }, limit: TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, stdout + stderr);
        return output;
    }

    [Fact]
    public void AProgramWithoutItsNativeLibrarySaysSoInOneSentenceAndExits3()
    {
        // The command's own files, without the parser library next to them.
        var app = Path.Combine(_tmp.Path, "app");
        Directory.CreateDirectory(app);
        foreach (var name in new[] { "UnsafeScope.Cli.dll", "UnsafeScope.Cli.runtimeconfig.json", "UnsafeScope.Cli.deps.json", "UnsafeScope.dll" })
            File.Copy(Path.Combine(Path.GetDirectoryName(CliProcess.Dll)!, name), Path.Combine(app, name));
        var (exit, output) = Run("dotnet", "exec", Path.Combine(app, "UnsafeScope.Cli.dll"), "analyze", RepoPaths.Fixtures("rules", "US1001"), "--quiet");
        Assert.Equal(3, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("unsafescope: The native parser ", line);
        Assert.Contains("is missing or cannot be loaded", line);
        Assert.DoesNotContain("Exception", output);
    }
}

/// <summary>Programs looked up on PATH, as a shell would.</summary>
internal static class ExternalTools
{
    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in OperatingSystem.IsWindows() ? [name + ".exe", name] : new[] { name })
            {
                var full = Path.Combine(dir, candidate);
                if (File.Exists(full)) return full;
            }
        }
        return null;
    }
}
