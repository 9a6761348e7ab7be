using UnsafeScope.Diagnostics;
using System.Collections.Immutable;

namespace UnsafeScope.Workspace;

/// <summary>A lint level as rustc and cargo spell it.</summary>
public enum LintLevel
{
    /// <summary><c>allow</c>: the lint is off.</summary>
    Allow,
    /// <summary><c>warn</c>.</summary>
    Warn,
    /// <summary><c>deny</c>: an error.</summary>
    Deny,
    /// <summary><c>forbid</c>: an error that code cannot lower.</summary>
    Forbid,
}

/// <summary>Where a manifest value was written: a file (relative to the run's base directory) and a 1-based line.</summary>
/// <param name="File">The TOML file (forward slashes, relative to the base directory; <c>../</c> when above it).</param>
/// <param name="Line">1-based line.</param>
public sealed record ManifestLocation(string File, int Line)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>A string value of a manifest and where it was written (for inherited values, the workspace's line).</summary>
/// <param name="Value">The value.</param>
/// <param name="Location">Where it was written.</param>
public sealed record ManifestValue(string Value, ManifestLocation Location);

/// <summary>One lint level setting of <c>[lints]</c> / <c>[workspace.lints]</c> or a crate-level <c>#![level(lint)]</c> attribute.</summary>
/// <param name="Lint">The lint or group: <c>clippy::undocumented_unsafe_blocks</c>, <c>clippy::all</c>, <c>unsafe_op_in_unsafe_fn</c>.</param>
/// <param name="Level">The level.</param>
/// <param name="Priority">cargo's <c>priority</c> (0 when not given); lower is passed to rustc first.</param>
/// <param name="Location">Where it was written.</param>
/// <param name="Source"><c>manifest</c> (the crate's <c>[lints]</c>), <c>workspace</c> (<c>[workspace.lints]</c> through <c>lints.workspace = true</c>) or <c>attribute</c>.</param>
public sealed record LintSetting(string Lint, LintLevel Level, int Priority, ManifestLocation Location, string Source);

/// <summary>A dependency of a package.</summary>
/// <param name="Name">The name the code uses (the key; <c>package =</c> renames).</param>
/// <param name="Package">The package depended on.</param>
/// <param name="Version">The version requirement, if any.</param>
/// <param name="Path">A path dependency's folder as written, if any.</param>
/// <param name="Kind"><c>normal</c>, <c>dev</c> or <c>build</c>.</param>
/// <param name="Target">The <c>[target.'…']</c> platform, if any.</param>
/// <param name="Workspace">True when inherited from <c>[workspace.dependencies]</c> (<c>dep.workspace = true</c>).</param>
/// <param name="Optional">True for an optional dependency.</param>
/// <param name="Features">Features asked for (the workspace's and the member's together).</param>
/// <param name="Location">Where it was declared in the member.</param>
public sealed record CargoDependency(string Name, string Package, string? Version, string? Path, string Kind, string? Target, bool Workspace, bool Optional,
    ImmutableArray<string> Features, ManifestLocation Location);

/// <summary>A build target of a package: library, binary, example, test, bench or build script.</summary>
/// <param name="Kind"><c>lib</c>, <c>bin</c>, <c>example</c>, <c>test</c>, <c>bench</c> or <c>build-script</c>.</param>
/// <param name="Name">The target name.</param>
/// <param name="Path">Its root source file, relative to the package folder, when written or inferred.</param>
/// <param name="CrateTypes">Its <c>crate-type</c> list (e.g. <c>cdylib</c> for a driver), empty when not given.</param>
public sealed record CargoTarget(string Kind, string Name, string? Path, ImmutableArray<string> CrateTypes);

/// <summary>A profile setting (<c>[profile.release] panic = "abort"</c>) from the workspace root's manifest (the one cargo reads).</summary>
/// <param name="Profile">The profile (<c>dev</c>, <c>release</c>, …).</param>
/// <param name="Key">The key (<c>panic</c>, <c>lto</c>, …).</param>
/// <param name="Value">The value as text.</param>
/// <param name="Location">Where it was written.</param>
public sealed record ProfileSetting(string Profile, string Key, string Value, ManifestLocation Location);

/// <summary>
/// The Windows driver configuration of <c>[package.metadata.wdk.driver-model]</c> (or the workspace's
/// <c>[workspace.metadata.wdk.driver-model]</c>), as cargo-wdk and wdk-build read it.
/// </summary>
/// <param name="DriverType"><c>KMDF</c>, <c>UMDF</c> or <c>WDM</c> (as written).</param>
/// <param name="Settings">Every key of the table (<c>kmdf-version-major</c>, <c>target-kmdf-version-minor</c>, …) as text, sorted.</param>
/// <param name="Location">Where <c>driver-type</c> (or the table) was written.</param>
/// <param name="Inherited">True when it comes from <c>[workspace.metadata.wdk]</c>.</param>
public sealed record WdkDriverModel(string DriverType, ImmutableSortedDictionary<string, string> Settings, ManifestLocation Location, bool Inherited)
{
    /// <summary>A numeric setting, or null.</summary>
    public int? Number(string key) => Settings.TryGetValue(key, out var v) && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}

/// <summary>
/// A Cargo package as cargo configures it: its manifest with <c>[workspace.package]</c> and
/// <c>[workspace.dependencies]</c> inheritance applied, its lint levels, driver model, profiles,
/// <c>.cargo/config.toml</c> rustflags and <c>rust-toolchain.toml</c> channel, each value with the line it was written on.
/// </summary>
public sealed class CargoPackage
{
    internal CargoPackage(string name, string root, ManifestLocation manifest)
    {
        Name = name;
        Root = root;
        Manifest = manifest;
    }

    /// <summary>
    /// Reads the package whose Cargo.toml is in <paramref name="directory"/> as cargo configures it (workspace root,
    /// inheritance, lint levels, driver model, profiles, rustflags, toolchain). Paths in the model are relative to
    /// <paramref name="baseDirectory"/> (default: <paramref name="directory"/>). Returns null when the manifest is
    /// missing, unreadable or not valid TOML; <paramref name="notifications"/> says why (file and line).
    /// </summary>
    public static CargoPackage? Load(string directory, out ImmutableArray<ToolNotification> notifications, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory));
        var loader = new CargoModelLoader(baseDirectory is null ? full : System.IO.Path.GetFullPath(baseDirectory));
        var package = System.IO.File.Exists(System.IO.Path.Combine(full, "Cargo.toml")) ? loader.Package(full) : null;
        notifications = loader.Notifications;
        return package;
    }

    /// <summary>The package name.</summary>
    public string Name { get; }

    /// <summary>
    /// Every TOML file (absolute path) the model was read from or looked for: manifests, workspace root,
    /// <c>.cargo/config.toml</c>, <c>rust-toolchain.toml</c>. A cached result of the crate is valid while they are unchanged.
    /// </summary>
    internal ImmutableArray<string> ConfigurationFiles { get; set; } = [];

    /// <summary>The package folder, relative to the base directory ("." for the base itself).</summary>
    public string Root { get; }

    /// <summary>Its Cargo.toml (line 1, or the <c>[package]</c> header's line).</summary>
    public ManifestLocation Manifest { get; }

    /// <summary>The workspace root's Cargo.toml when the package is a workspace member (also when it is the root itself).</summary>
    public ManifestLocation? WorkspaceManifest { get; internal set; }

    /// <summary>The edition as written or inherited; null when not given (cargo then uses 2015).</summary>
    public ManifestValue? Edition { get; internal set; }

    /// <summary>The edition cargo uses: <see cref="Edition"/> or 2015.</summary>
    public string EffectiveEdition => Edition?.Value ?? "2015";

    /// <summary>The version as written or inherited, or null.</summary>
    public ManifestValue? Version { get; internal set; }

    /// <summary>Other <c>[package]</c> keys inherited from <c>[workspace.package]</c> (<c>rust-version</c>, <c>license</c>…), by key.</summary>
    public ImmutableSortedDictionary<string, ManifestValue> InheritedPackageKeys { get; internal set; } = ImmutableSortedDictionary<string, ManifestValue>.Empty;

    /// <summary>The features the package declares (<c>[features]</c> keys), sorted.</summary>
    public ImmutableArray<string> Features { get; internal set; } = [];

    /// <summary>Its build targets (library, binaries…, build script).</summary>
    public ImmutableArray<CargoTarget> Targets { get; internal set; } = [];

    /// <summary>True when the package has a build script (<c>build.rs</c> or <c>package.build</c>).</summary>
    public bool HasBuildScript => Targets.Any(t => t.Kind == "build-script");

    /// <summary>Its dependencies, inheritance applied, in manifest order.</summary>
    public ImmutableArray<CargoDependency> Dependencies { get; internal set; } = [];

    /// <summary>The driver model, when the package (or its workspace) declares one.</summary>
    public WdkDriverModel? DriverModel { get; internal set; }

    /// <summary>Lint levels from <c>[lints]</c> (or <c>[workspace.lints]</c> through <c>lints.workspace = true</c>), in the order cargo passes them to rustc.</summary>
    public ImmutableArray<LintSetting> Lints { get; internal set; } = [];

    /// <summary>Profile settings of the workspace root's manifest (cargo ignores a member's <c>[profile]</c>).</summary>
    public ImmutableArray<ProfileSetting> Profiles { get; internal set; } = [];

    /// <summary><c>build.rustflags</c> (and <c>target.*.rustflags</c>) of the nearest <c>.cargo/config.toml</c> files, in the order found.</summary>
    public ImmutableArray<ManifestValue> Rustflags { get; internal set; } = [];

    /// <summary>The <c>toolchain.channel</c> of the nearest <c>rust-toolchain.toml</c>, or null.</summary>
    public ManifestValue? ToolchainChannel { get; internal set; }
}
