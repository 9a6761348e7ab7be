using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Inventory;

/// <summary>Opt-in dependency sources: Cargo.toml dependencies, version selection, and what may be read.</summary>
public sealed class DependencySourcesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unsafescope-deps-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void ManifestDependenciesIncludeRenamedAndTargetOnesButNotPathGitOrDevOnes()
    {
        var deps = CargoManifest.Dependencies(UnsafeScope.IO.TomlDocument.Parse("""
            [package]
            name = "demo" # a comment
            [dependencies]
            libc = "0.2"
            ffi = { package = "glib-sys", version = "0.14", optional = true, features = ["v2_58"] }
            local = { path = "../local" }
            remote = { git = "https://example.com/r" }
            serde.version = "1"
            [dependencies.gobject_ffi]
            package = "gobject-sys"
            version = "0.14.0"
            [target.'cfg(any(unix, target_os = "wasi"))'.dependencies]
            rustix = { version = ">=0.35, <0.37" }
            [dev-dependencies]
            tempfile = "3"
            [workspace]
            """, "Cargo.toml"));
        Assert.Equal(
            ["libc libc 0.2", "ffi glib-sys 0.14", "serde serde 1", "gobject_ffi gobject-sys 0.14.0", "rustix rustix >=0.35, <0.37"],
            deps.Select(d => $"{d.CodeName} {d.Package} {d.Requirement}"));
    }

    [Fact]
    public void WorkspaceInheritedDependenciesTakeTheWorkspaceEntry()
    {
        Write("ws/Cargo.toml", "[workspace]\nmembers = [\"a\"]\n[workspace.dependencies]\nfoo-bar = { version = \"1.2\", package = \"foo\" }\n");
        Write("ws/a/Cargo.toml", "[package]\nname = \"a\"\n[dependencies]\nfoo-bar = { workspace = true }\n");
        var package = new UnsafeScope.Workspace.CargoModelLoader(_root).Package(Path.Combine(_root, "ws", "a"))!;
        var deps = CargoManifest.Dependencies(package);
        Assert.Equal("foo_bar foo 1.2", Assert.Single(deps.Select(d => $"{d.CodeName} {d.Package} {d.Requirement}")));
    }

    [Theory]
    [InlineData("0.14", "0.14.8", true)]
    [InlineData("0.14", "0.15.0", false)]
    [InlineData("^1.2.3", "1.9.0", true)]
    [InlineData("1.2.3", "1.2.2", false)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("~1.2", "1.2.9", true)]
    [InlineData("~1.2", "1.3.0", false)]
    [InlineData(">=0.35, <0.37", "0.36.1", true)]
    [InlineData(">=0.35, <0.37", "0.37.0", false)]
    [InlineData("=1.0.1", "1.0.1", true)]
    [InlineData("1.*", "1.7.0", true)]
    [InlineData("*", "3.0.0", true)]
    [InlineData("1", "2.0.0", false)]
    [InlineData("1.0", "1.1.0-beta.1", false)]
    public void VersionRequirementsFollowCargo(string requirement, string version, bool matches)
    {
        Assert.True(SemVersion.TryParse(version, out var v));
        Assert.Equal(matches, VersionRequirement.Matches(requirement, v));
    }

    [Fact]
    public void OnlyTheGivenFoldersAreReadAndLinksOutOfThemAreNotFollowed()
    {
        // An unsafe fn outside the dependency sources, reachable only through a symbolic link inside them.
        Write("outside/evil.rs", "pub unsafe fn evil() {}\n");
        Write("registry/dep-1.0.0/Cargo.toml", "[package]\nname = \"dep\"\nversion = \"1.0.0\"\n");
        Write("registry/dep-1.0.0/src/lib.rs", "pub unsafe fn real() {}\npub mod linked;\n");
        File.CreateSymbolicLink(Path.Combine(_root, "registry/dep-1.0.0/src/linked.rs"), Path.Combine(_root, "outside/evil.rs"));
        Write("app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n[dependencies]\ndep = \"1\"\ngone = \"2\"\n");
        Write("app/src/lib.rs", "pub unsafe fn f() {\n    dep::real();\n    dep::linked::evil();\n}\n");

        var without = Analysis.Run(new AnalysisOptions { Paths = [Path.Combine(_root, "app")], Jobs = 1 });
        Assert.Empty(Ops(without));

        var result = Analysis.Run(new AnalysisOptions { Paths = [Path.Combine(_root, "app")], Jobs = 1, DependencySources = [Path.Combine(_root, "registry")] });
        Assert.Equal(["real"], Ops(result));
        var note = Assert.Single(result.Notifications, n => n.Id == NotificationIds.DependencyNotFound);
        Assert.Contains("gone 2", note.Message);
        Assert.True(result.Succeeded);

        static List<string> Ops(AnalysisResult r) => [.. r.Files.SelectMany(f => f.Inventory!.Regions).SelectMany(x => x.Operations).Select(o => o.Name)];
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void AMissingDependencyOfManyCratesIsOneNoteNamingTheFirstCrateInOrder(int jobs)
    {
        Write("registry/dep-1.0.0/Cargo.toml", "[package]\nname = \"dep\"\nversion = \"1.0.0\"\n");
        Write("registry/dep-1.0.0/src/lib.rs", "pub unsafe fn real() {}\n");
        // Crates link side by side in any order (zeta, with the largest file, is analyzed and linked first on one
        // worker): the note must not name whichever asked first.
        foreach (var name in new[] { "zeta", "mid", "alpha", "omega" })
        {
            Write($"ws/{name}/Cargo.toml", $"[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n[dependencies]\ndep = \"1\"\ngone = \"2\"\n");
            Write($"ws/{name}/src/lib.rs", string.Concat(Enumerable.Repeat("pub fn f() { unsafe { dep::real() } }\n", name == "zeta" ? 400 : 200)));
        }

        var result = Analysis.Run(new AnalysisOptions { Paths = [Path.Combine(_root, "ws")], Jobs = jobs, DependencySources = [Path.Combine(_root, "registry")] });

        var note = Assert.Single(result.Notifications, n => n.Id == NotificationIds.DependencyNotFound);
        Assert.Equal("Dependency gone 2 (of alpha) is not in the dependency sources; calls of its unsafe functions are not recognized.", note.Message);
    }
}
