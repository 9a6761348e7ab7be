using System.Text.Json;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.IO;
using UnsafeScope.Workspace;

namespace UnsafeScope.Tests.Inventory;

/// <summary>The package model cargo would build from corpus/fixtures/cargo, and what it changes in a run.</summary>
public class CargoWorkspaceTests
{
    private static string Features(params string[] parts) => RepoPaths.Fixtures(["cargo", "features", .. parts]);

    private static (CargoPackage Package, CargoModelLoader Loader) Load(string root, params string[] member)
    {
        var loader = new CargoModelLoader(root);
        return (loader.Package(Path.Combine([root, .. member]))!, loader);
    }

    [Fact]
    public void WorkspacePackageKeysAreInheritedWithTheWorkspaceLine()
    {
        var (p, loader) = Load(Features(), "driver");
        Assert.Empty(loader.Notifications);
        Assert.Equal("sample-driver", p.Name);
        Assert.Equal("driver", p.Root);
        Assert.Equal(new ManifestLocation("Cargo.toml", 2), p.WorkspaceManifest);
        Assert.Equal(new ManifestValue("2024", new ManifestLocation("Cargo.toml", 11)), p.Edition);
        Assert.Equal("2024", p.EffectiveEdition);
        Assert.Equal(new ManifestValue("0.3.1", new ManifestLocation("Cargo.toml", 12)), p.Version);
        Assert.Equal("MIT OR Apache-2.0", p.InheritedPackageKeys["license"].Value); // a literal string, as written
        Assert.Equal(["default", "nightly"], p.Features.ToArray());
    }

    [Fact]
    public void DependenciesInheritFromTheWorkspaceWithRenamesFeaturesTargetsAndKinds()
    {
        var (p, _) = Load(Features(), "driver");
        var deps = p.Dependencies.ToDictionary(d => d.Name);
        var wdk = deps["wdk-sys"];
        Assert.True(wdk.Workspace);
        Assert.Equal("0.4.0", wdk.Version);
        Assert.Equal(["kmdf", "test-stubs"], wdk.Features.ToArray()); // the workspace's and the member's
        Assert.Equal(new ManifestLocation("driver/Cargo.toml", 20), wdk.Location);
        Assert.Equal("real-name", deps["renamed"].Package);   // `renamed.workspace = true`: dotted key, renamed in the workspace
        Assert.Equal("1.2", deps["renamed"].Version);
        Assert.Equal("../crates/helper", deps["helper"].Path); // a workspace path, seen from the member
        Assert.Equal("cfg(windows)", deps["windows-sys"].Target);
        Assert.True(deps["windows-sys"].Optional);
        Assert.Equal("cfg(unix)", deps["libc"].Target);        // [target."cfg(unix)".dependencies.libc] table
        Assert.Equal("0.2", deps["libc"].Version);
        Assert.Equal("dev", deps["tempfile"].Kind);
        Assert.Equal("build", deps["wdk-build"].Kind);
        // Registry lookups (--deps) take the normal and build dependencies with a version, not path or dev ones.
        Assert.Equal(["wdk_sys wdk-sys 0.4.0", "renamed real-name 1.2", "wdk_build wdk-build 0.4", "windows_sys windows-sys 0.59", "libc libc 0.2"],
            UnsafeScope.Inventory.CargoManifest.Dependencies(p).Select(d => $"{d.CodeName} {d.Package} {d.Requirement}"));
    }

    [Fact]
    public void LintsComeFromTheWorkspaceInTheOrderCargoPassesThem()
    {
        // cargo sorts its --warn/--deny/… flags by priority, then by lint name in reverse order.
        var (p, _) = Load(Features(), "driver");
        Assert.Equal(["clippy::all deny -1", "unsafe_op_in_unsafe_fn forbid 0", "clippy::undocumented_unsafe_blocks forbid 0", "clippy::missing_safety_doc allow 0"],
            p.Lints.Select(l => $"{l.Lint} {l.Level.ToString().ToLowerInvariant()} {l.Priority}"));
        Assert.All(p.Lints, l => Assert.Equal("workspace", l.Source));
        var policy = new LintPolicy(p.Lints);
        Assert.Equal(LintLevel.Forbid, policy.LevelOf("rustc::unsafe_op_in_unsafe_fn")!.Value.Level);
        Assert.Equal(LintLevel.Allow, policy.LevelOf("clippy::missing_safety_doc")!.Value.Level); // the lint beats its group (later flag)
        Assert.Equal(LintLevel.Deny, policy.LevelOf("clippy::mut_from_ref")!.Value.Level);        // clippy::all (correctness)
        Assert.Null(policy.LevelOf("clippy::multiple_unsafe_ops_per_block"));                     // restriction: not in clippy::all

        var (helper, _) = Load(Features(), "crates", "helper");
        Assert.Equal("2021", helper.EffectiveEdition); // its own edition
        var own = Assert.Single(helper.Lints);
        Assert.Equal(("clippy::undocumented_unsafe_blocks", LintLevel.Warn, 1, "manifest"), (own.Lint, own.Level, own.Priority, own.Source));
    }

    [Fact]
    public void ForbidCannotBeLoweredAndGroupsFollowPriority()
    {
        var at = new ManifestLocation("Cargo.toml", 1);
        var policy = new LintPolicy([
            new LintSetting("clippy::restriction", LintLevel.Warn, -1, at, "manifest"),
            new LintSetting("clippy::undocumented_unsafe_blocks", LintLevel.Forbid, 0, at, "manifest"),
            new LintSetting("clippy::undocumented_unsafe_blocks", LintLevel.Allow, 0, at, "attribute"),
            new LintSetting("clippy::unnecessary_safety_doc", LintLevel.Allow, 0, at, "attribute")]);
        Assert.Equal(LintLevel.Forbid, policy.LevelOf("clippy::undocumented_unsafe_blocks")!.Value.Level);
        Assert.Equal(LintLevel.Allow, policy.LevelOf("clippy::unnecessary_safety_doc")!.Value.Level);
        Assert.Equal(LintLevel.Warn, policy.LevelOf("clippy::multiple_unsafe_ops_per_block")!.Value.Level);
        Assert.Equal(LintLevel.Warn, policy.LevelOf("clippy::multiple-unsafe-ops-per-block")!.Value.Level); // dashes as rustc accepts them
    }

    [Fact]
    public void DriverModelTargetsProfilesRustflagsAndToolchainCarryTheirLines()
    {
        var (p, _) = Load(Features(), "driver");
        var model = p.DriverModel!;
        Assert.Equal("UMDF", model.DriverType);  // the package's own table wins over the workspace's
        Assert.False(model.Inherited);
        Assert.Equal(2, model.Number("umdf-version-major"));
        Assert.Equal(33, model.Number("target-umdf-version-minor"));
        Assert.Equal(new ManifestLocation("driver/Cargo.toml", 15), model.Location);
        Assert.Equal(["lib cdylib", "build-script "], p.Targets.Select(t => $"{t.Kind} {string.Join(',', t.CrateTypes)}"));
        Assert.True(p.HasBuildScript);
        Assert.Equal(["dev panic abort", "release panic abort", "release lto true"], p.Profiles.Select(s => $"{s.Profile} {s.Key} {s.Value}"));
        Assert.Equal(new ManifestLocation("Cargo.toml", 35), p.Profiles[0].Location);
        Assert.Equal(["-C", "target-feature=+crt-static", "-D", "warnings"], p.Rustflags.Select(f => f.Value));
        Assert.Equal(new ManifestLocation(".cargo/config.toml", 2), p.Rustflags[0].Location);
        Assert.Equal(new ManifestValue("nightly-2025-06-01", new ManifestLocation("rust-toolchain.toml", 2)), p.ToolchainChannel);

        var (helper, _) = Load(Features(), "crates", "helper");
        Assert.Equal(("KMDF", true), (helper.DriverModel!.DriverType, helper.DriverModel.Inherited)); // [workspace.metadata.wdk]
        Assert.Equal(1, helper.DriverModel.Number("kmdf-version-major"));
    }

    [Fact]
    public void ThePublicEntryReadsOnePackage()
    {
        var p = CargoPackage.Load(Features("driver"), out var notes, baseDirectory: Features());
        Assert.Empty(notes);
        Assert.Equal(("sample-driver", "driver", "2024"), (p!.Name, p.Root, p.EffectiveEdition));
        Assert.Null(CargoPackage.Load(RepoPaths.Fixtures("cargo", "broken", "bad"), out notes));
        Assert.Equal(("Cargo.toml", 3), (Assert.Single(notes).Path, notes[0].Line));
    }

    [Fact]
    public void AnExcludedCrateIsNotAMemberAndItsInheritedKeysAreReported()
    {
        var (p, loader) = Load(Features(), "crates", "excluded");
        Assert.Null(p.WorkspaceManifest);
        Assert.Null(p.Edition);
        Assert.Equal("2015", p.EffectiveEdition);
        var note = Assert.Single(loader.Notifications);
        Assert.Equal((NotificationIds.InvalidToml, "crates/excluded/Cargo.toml", 3), (note.Id, note.Path, note.Line));
        Assert.Contains("edition.workspace = true", note.Message);
    }

    [Theory]
    [InlineData("crates/*", "crates/helper", true)]
    [InlineData("crates/*", "crates/a/b", false)]
    [InlineData("drivers/?mdf-*", "drivers/kmdf-echo", true)]
    [InlineData("drivers/[ku]mdf", "drivers/umdf", true)]
    [InlineData("drivers/[!ku]mdf", "drivers/umdf", false)]
    [InlineData("driver", "driver", true)]
    public void MemberGlobsMatchOneSegmentEach(string pattern, string path, bool expected)
        => Assert.Equal(expected, Glob.Matches(pattern, path));

    [Fact]
    public void ATomlSyntaxErrorNamesFileAndLineAndTheOtherCratesKeepTheirResults()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("cargo", "broken")], Jobs = 1 });
        var note = Assert.Single(result.Notifications, n => n.Id == NotificationIds.InvalidToml);
        Assert.Equal(("bad/Cargo.toml", 3), (note.Path, note.Line));
        Assert.StartsWith("Not valid TOML: line 3:", note.Message);
        Assert.Contains("string", note.Message, StringComparison.OrdinalIgnoreCase);
        // The good crate is configured by its workspace; the broken one is still analyzed, named by its folder.
        var good = result.Crates.Single(c => c.Name == "good");
        Assert.Equal("2024", good.Edition);
        Assert.Equal("2024", good.Package!.EffectiveEdition);
        var bad = result.Crates.Single(c => c.Root == "bad");
        Assert.Equal(("bad", "2015"), (bad.Name, bad.Edition));
        Assert.Null(bad.Package);
        Assert.Equal(1, bad.Counts.UnsafeBlocks);
        Assert.Contains(result.Diagnostics, d => d.Id == "US1001" && d.Location.Path == "good/src/lib.rs");
        Assert.Contains(result.Diagnostics, d => d.Id == "US1001" && d.Location.Path == "bad/src/lib.rs");
    }

    [Fact]
    public void TomlReaderHandlesEveryFeatureManifestsUse()
    {
        var t = TomlDocument.Parse(""""
            a.b.c = 1
            "quoted key".x = 'C:\no\escape'
            esc = "tab\t\"q\"\u00e9\\"
            multi = """
            line one
            line two"""
            arr = [
              1,   # comment
              2,
            ]
            inline = { x = { y = true }, z = [1, 2] }
            [target.'cfg(all(windows, target_arch = "x86_64"))'.dependencies]
            d = "1"
            [[bin]]
            name = "one"
            [[bin]]
            name = "two"
            """", "t.toml");
        Assert.Equal(1L, t.Path("a", "b")!.Integer("c"));
        Assert.Equal(@"C:\no\escape", t.Path("quoted key")!.String("x"));
        Assert.Equal("tab\t\"q\"é\\", t.String("esc"));
        Assert.Equal("line one\nline two", t.String("multi"));
        Assert.Equal([1L, 2L], t.Array("arr")!.Items.Cast<TomlScalar>().Select(s => s.Value));
        Assert.True(t.Path("inline", "x")!.Bool("y"));
        Assert.Equal("1", t.Path("target", "cfg(all(windows, target_arch = \"x86_64\"))", "dependencies")!.String("d"));
        Assert.Equal(["one", "two"], t.Array("bin")!.Items.Cast<TomlTable>().Select(b => b.String("name")));
        Assert.Equal(7, t.Array("arr")!.Line); // after the three lines of the multi-line string
    }

    [Theory]
    [InlineData("[a]\nx = 1\n[a]\ny = 2\n", 3, "The key `a` is already defined")]
    [InlineData("a = { x = 1 }\na.y = 2\n", 2, "The key `a` is already defined")]
    [InlineData("x = 1\nx = 2\n", 2, "The key `x` is already defined")]
    [InlineData("x = [1,\n", 1, "Expecting a closing `]` for an array")]
    public void InvalidTomlIsAnErrorWithItsLine(string text, int line, string problem)
    {
        var e = Assert.Throws<TomlSyntaxException>(() => TomlDocument.Parse(text, "x.toml"));
        Assert.Equal(line, e.Line);
        Assert.Contains(problem, e.Message);
        Assert.StartsWith($"x.toml:{line}: ", e.Message);
    }

    [Fact]
    public void WorkspaceEditionAndLintLevelsSetRuleLevels()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("rules", "US1007-workspace")], Jobs = 1 });
        Assert.DoesNotContain(result.Notifications, n => n.Level != NotificationLevel.Note);
        var us1007 = result.Diagnostics.Where(d => d.Id == "US1007").ToList();
        Assert.Equal(["driver/src/lib.rs:6", "legacy/src/lib.rs:4"], us1007.Select(d => $"{d.Location.Path}:{d.Location.StartLine}"));
        Assert.All(us1007, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity)); // forbid
        Assert.All(us1007, d => Assert.False(d.IsSuppressed));
        // undocumented_unsafe_blocks = "allow": US1001 findings are kept, suppressed, with the manifest line.
        var us1001 = result.Diagnostics.Where(d => d.Id == "US1001").ToList();
        Assert.NotEmpty(us1001);
        Assert.All(us1001, d => Assert.Equal("clippy::undocumented_unsafe_blocks = \"allow\" at Cargo.toml:13", d.Suppression!.Justification));
        // #![deny(clippy::multiple_unsafe_ops_per_block)] in the crate root: an error.
        var us1002 = Assert.Single(result.Diagnostics, d => d.Id == "US1002");
        Assert.Equal(DiagnosticSeverity.Error, us1002.Severity);
        Assert.Equal("driver/src/lib.rs", us1002.Location.Path);

        // unsafescope.toml overrides the crate's levels.
        var config = UnsafeScopeConfig.Parse("[rules]\nUS1007 = \"info\"\nUS1001 = \"warn\"\n", "unsafescope.toml");
        var overridden = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("rules", "US1007-workspace")], Jobs = 1, Configuration = config });
        Assert.All(overridden.Diagnostics.Where(d => d.Id == "US1007"), d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.All(overridden.Diagnostics.Where(d => d.Id == "US1001"), d => Assert.False(d.IsSuppressed));
    }

    [Fact]
    public void ALintCleanDriverWorkspaceHasNoFindingsOfTheEquivalentRules()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("cargo", "lint-clean-driver")], Jobs = 1 });
        var crate = Assert.Single(result.Crates);
        Assert.Equal("2024", crate.Edition);
        Assert.Equal("KMDF", crate.Package!.DriverModel!.DriverType);
        Assert.True(crate.Package.DriverModel.Inherited is false);
        Assert.True(crate.Counts.UnsafeBlocks >= 3);
        var equivalent = result.Rules.Where(r => r.Properties.ContainsKey("equivalent")).Select(r => r.Id).ToHashSet();
        Assert.Contains("US1001", equivalent);
        var findings = result.Diagnostics.Where(d => !d.IsSuppressed && (equivalent.Contains(d.Id) || d.Id is "US2010" or "US2011" or "US2012"))
            .Select(d => $"{d.Id} {d.Location.Path}:{d.Location.StartLine} {d.Message}").ToList();
        Assert.Equal([], findings);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "US1005");
    }

    [Fact]
    public void ThePackageIsWrittenIntoTheJsonInventory()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [Features()], Jobs = 1 });
        using var stream = new MemoryStream();
        UnsafeScope.Reports.InventoryJsonWriter.Write(result, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var driver = doc.RootElement.GetProperty("crates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "sample-driver");
        Assert.Equal("2024", driver.GetProperty("edition").GetString());
        var package = driver.GetProperty("package");
        Assert.Equal("UMDF", package.GetProperty("driverModel").GetProperty("driverType").GetString());
        Assert.Equal(11, package.GetProperty("editionLocation").GetProperty("line").GetInt32());
        Assert.Equal("Cargo.toml", package.GetProperty("editionLocation").GetProperty("file").GetString());
        Assert.Equal("abort", package.GetProperty("profiles")[0].GetProperty("value").GetString());
        Assert.True(package.GetProperty("buildScript").GetBoolean());
    }
}
