using System.Text.RegularExpressions;
using UnsafeScope.Driver;
using UnsafeScope.Workspace;

namespace UnsafeScope.Tests.Rules;

/// <summary>
/// The driver configuration rules (US3xxx) on fixture packages under corpus/fixtures/configuration. Expectations are
/// written inline at the end of the line that must hold the finding, in the file's own comment syntax:
/// <c>#~ US3001 @col: message</c> in TOML, <c>//~ US3003 @col: message</c> in Rust; several may follow each other.
/// Every US3xxx finding must be expected, and every expectation found, with its column and message.
/// </summary>
public sealed partial class ConfigurationRuleTests
{
    public static TheoryData<string> Fixtures => new(Directory.GetDirectories(RepoPaths.Fixtures("configuration")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FindingsAreExactlyTheInlineExpectations(string fixture)
    {
        var dir = RepoPaths.Fixtures("configuration", fixture);
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 });
        var actual = result.Diagnostics.Where(d => d.Id.StartsWith("US3", StringComparison.Ordinal))
            .Select(d => $"{d.Location.Path}:{d.Location.StartLine} {d.Id} @{d.Location.LineSpan.Start.Character + 1}: {d.Message}")
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Expected(dir), actual);
    }

    [Fact]
    public void ConfigurationFindingsAreFilesOfTheirOwnInSarifAndJson()
    {
        var dir = RepoPaths.Fixtures("configuration", "kmdf-wrong");
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 });
        var manifest = Assert.Single(result.Files, f => f.Path == "Cargo.toml");
        Assert.Equal(FileStatus.Configuration, manifest.Status);
        Assert.Null(manifest.Inventory);
        // Fingerprinted from the manifest's lines, like source findings.
        Assert.All(manifest.Diagnostics, d => Assert.True(d.Properties.ContainsKey(UnsafeScope.Diagnostics.Fingerprints.PropertyKey)));
        using var sarif = new MemoryStream();
        UnsafeScope.Sarif.SarifLogWriter.Write(result, new UnsafeScope.Sarif.SarifWriteOptions(), sarif);
        var text = System.Text.Encoding.UTF8.GetString(sarif.ToArray());
        Assert.Contains("\"uri\": \"Cargo.toml\"", text);
        Assert.Contains("\"uri\": \".cargo/config.toml\"", text);
        Assert.Contains("\"ruleId\": \"US3001\"", text);
    }

    [Fact]
    public void TheRightDriverExposesItsConfiguration()
    {
        var dir = RepoPaths.Fixtures("configuration", "kmdf-right");
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 });
        var driver = Assert.Single(result.Crates).Driver;
        Assert.NotNull(driver);
        Assert.True(driver.IsKernelMode);
        Assert.True(driver.NoStd && driver.HasAllocator && driver.HasPanicHandler && driver.BuildScriptConfiguresWdk);
        Assert.Equal("src/lib.rs", driver.CrateRoot);
        Assert.Equal("Cargo.lock", driver.LockFile);
        Assert.Equal(["wdk 0.4.1", "wdk-alloc 0.4.1", "wdk-build 0.5.1", "wdk-panic 0.4.1", "wdk-sys 0.5.1"], driver.LockedWdkCrates.Select(l => $"{l.Name} {l.Version}"));
        Assert.Equal(LintLevel.Forbid, driver.LintLevelOf("clippy::undocumented_unsafe_blocks")?.Level);
        // A library built with wdk-build (like wdk-sys) is not a driver.
        var library = RepoPaths.Fixtures("configuration", "library");
        Assert.Null(Assert.Single(Analysis.Run(new AnalysisOptions { Paths = [library], BaseDirectory = library, Jobs = 1 }).Crates).Driver);
    }

    /// <summary>
    /// The lock file's wdk pins follow its content: edited between two runs of one process, the second run sees the
    /// edit (pins are memoized by content), a name spelled with a TOML escape still counts, and a lock that cannot
    /// name a wdk crate pins none.
    /// </summary>
    [Fact]
    public void LockFilePinsFollowTheLockFilesContent()
    {
        var dir = Path.Combine(Path.GetTempPath(), "us-lock-" + Guid.NewGuid().ToString("N"));
        try
        {
            var source = RepoPaths.Fixtures("configuration", "kmdf-right");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(dir, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            string[] Pins() => [.. Assert.Single(Analysis.Run(new AnalysisOptions { Paths = [dir], BaseDirectory = dir, Jobs = 1 }).Crates).Driver!
                .LockedWdkCrates.Select(l => $"{l.Name} {l.Version} line {l.Location.Line}")];
            var lockPath = Path.Combine(dir, "Cargo.lock");
            Assert.Contains("wdk-sys 0.5.1 line 37", Pins());

            File.WriteAllText(lockPath, "version = 4\n\n[[package]]\nname = \"kmdf-right\"\nversion = \"0.1.0\"\n\n[[package]]\nname = \"\\u0077dk-sys\"\nversion = \"0.6.0\"\n");
            Assert.Equal(["wdk-sys 0.6.0 line 8"], Pins());

            File.WriteAllText(lockPath, "version = 4\n\n[[package]]\nname = \"kmdf-right\"\nversion = \"0.1.0\"\n");
            Assert.Empty(Pins());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    private static List<string> Expected(string dir)
    {
        var expected = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".toml") || f.EndsWith(".rs")))
        {
            var rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in Marker().Matches(lines[i]))
                    expected.Add($"{rel}:{i + 1} {m.Groups["id"].Value} @{m.Groups["col"].Value}: {m.Groups["message"].Value.TrimEnd()}");
        }
        expected.Sort(StringComparer.Ordinal);
        return expected;
    }

    // `#~ US3001 @1: message` or `//~ …`, up to the next marker or the end of the line.
    [GeneratedRegex(@"(?:#|//)~ (?<id>US\d{4}) @(?<col>\d+): (?<message>.*?)(?= (?:#|//)~ US\d{4} @|$)")]
    private static partial Regex Marker();
}
