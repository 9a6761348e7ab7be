using UnsafeScope.Diagnostics;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using UnsafeScope.IO;

namespace UnsafeScope.Workspace;

/// <summary>
/// Builds <see cref="CargoPackage"/>s the way cargo configures packages: finds the workspace root (upward from the
/// package, stopping at the filesystem root or at the folder holding <c>.git</c>), checks membership
/// (<c>members</c>/<c>exclude</c> globs, path dependencies), applies <c>[workspace.package]</c>,
/// <c>[workspace.dependencies]</c> and <c>[workspace.lints]</c> inheritance and reads the nearest
/// <c>.cargo/config.toml</c> and <c>rust-toolchain.toml</c>. Every file is read through <see cref="UntrustedFile"/>
/// (regular files only, capped) and parsed once; a file that cannot be read or parsed becomes one notification
/// naming file and line, and the packages that do not need it are unaffected.
/// </summary>
internal sealed class CargoModelLoader(string baseDirectory)
{
    private readonly ConcurrentDictionary<string, Lazy<TomlTable?>> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<CargoPackage?>> _packages = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<ToolNotification> _notifications = [];

    /// <summary>Notifications about unreadable or invalid TOML files, sorted (the order files were read in varies).</summary>
    public ImmutableArray<ToolNotification> Notifications => [.. _notifications.OrderBy(n => n.Path, StringComparer.Ordinal).ThenBy(n => n.Line).ThenBy(n => n.Message, StringComparer.Ordinal)];

    /// <summary>The package whose Cargo.toml is in <paramref name="directory"/> (absolute), or null when its manifest is invalid.</summary>
    public CargoPackage? Package(string directory)
        => _packages.GetOrAdd(directory, d => new Lazy<CargoPackage?>(() => Build(d), LazyThreadSafetyMode.ExecutionAndPublication)).Value;

    /// <summary>
    /// A path relative to the base directory, forward slashes; a workspace manifest above the base stays relative too
    /// (<c>../Cargo.toml</c>), so outputs do not depend on where the checkout lies. Another drive keeps its full path.
    /// </summary>
    public string Relative(string full)
    {
        var rel = Path.GetRelativePath(baseDirectory, full);
        return Path.IsPathRooted(rel) ? full.Replace('\\', '/') : rel.Length == 0 ? "." : rel.Replace('\\', '/');
    }

    private ManifestLocation At(string file, TomlNode node) => new(Relative(file), node.Line);

    /// <summary>A TOML file parsed once; null (with one notification) when it is missing, not a regular file, too big or invalid.</summary>
    internal TomlTable? Toml(string path)
    {
        t_consulted?.Add(path);
        return _files.GetOrAdd(path, p => new Lazy<TomlTable?>(() =>
        {
            var shown = Relative(p);
            try
            {
                if (!File.Exists(p)) return null;
                return TomlDocument.Read(p, shown);
            }
            catch (TomlSyntaxException e)
            {
                _notifications.Add(new ToolNotification(NotificationIds.InvalidToml, NotificationLevel.Warning,
                    $"Not valid TOML: line {e.Line}: {e.Problem}. Its settings were not read; the run goes on.", shown, e.Line));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _notifications.Add(new ToolNotification(NotificationIds.Unreadable, NotificationLevel.Warning,
                    $"Not read: {e.Message.Replace(p, shown, StringComparison.Ordinal)}", shown));
            }
            return null;
        }, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    // The TOML files the package being built on this thread consulted (also those found absent): what a cache of its
    // crate's results must key on. Thread-static because a package is built inside one Lazy, on the asking thread.
    [ThreadStatic] private static List<string>? t_consulted;

    private CargoPackage? Build(string dir)
    {
        var outer = t_consulted;
        var consulted = t_consulted = [];
        try
        {
            var package = BuildPackage(dir);
            if (package is not null) package.ConfigurationFiles = [.. consulted.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
            return package;
        }
        finally
        {
            t_consulted = outer;
            outer?.AddRange(consulted);
        }
    }

    private CargoPackage? BuildPackage(string dir)
    {
        var manifestPath = Path.Combine(dir, "Cargo.toml");
        var manifest = Toml(manifestPath);
        if (manifest is null) return null;
        var package = manifest.Table("package");
        var name = package?.String("name") ?? Path.GetFileName(dir);
        var result = new CargoPackage(name, Relative(dir), new ManifestLocation(Relative(manifestPath), package?.Line ?? 1));

        var (wsDir, ws) = FindWorkspace(dir, manifest, package);
        var wsPath = wsDir is null ? null : Path.Combine(wsDir, "Cargo.toml");
        if (wsPath is not null) result.WorkspaceManifest = new ManifestLocation(Relative(wsPath), ws!.Table("workspace")!.Line);
        var wsTable = ws?.Table("workspace");

        // [package] keys, [workspace.package] inheritance (`edition.workspace = true`).
        var inherited = ImmutableSortedDictionary.CreateBuilder<string, ManifestValue>(StringComparer.Ordinal);
        foreach (var (key, node) in package?.Entries ?? [])
        {
            if (node is not TomlTable { } t || t.Bool("workspace") != true) continue;
            if (wsTable?.Path("package")?[key] is { } v && wsPath is not null)
                inherited[key] = new ManifestValue(Text(v), At(wsPath, v));
            else
                _notifications.Add(new ToolNotification(NotificationIds.InvalidToml, NotificationLevel.Warning,
                    $"'{key}.workspace = true' but no workspace manifest above the package sets [workspace.package] {key}.", Relative(manifestPath), node.Line));
        }
        ManifestValue? Own(string key) => package?[key] is TomlScalar s ? new ManifestValue(s.ToString(), At(manifestPath, s)) : inherited.GetValueOrDefault(key);
        result.Edition = Own("edition");
        result.Version = Own("version");
        inherited.Remove("edition");
        inherited.Remove("version");
        result.InheritedPackageKeys = inherited.ToImmutable();

        result.Features = [.. (manifest.Table("features")?.Entries.Select(e => e.Key) ?? []).Order(StringComparer.Ordinal)];
        result.Targets = Targets(dir, manifest, package);
        result.Dependencies = Dependencies(manifestPath, manifest, wsPath, wsTable);
        result.Lints = Lints(manifestPath, manifest, wsPath, wsTable);
        result.DriverModel = DriverModel(manifestPath, package?.Path("metadata", "wdk"), inherited: false)
            ?? (wsPath is null ? null : DriverModel(wsPath, wsTable?.Path("metadata", "wdk"), inherited: true));
        // cargo reads [profile] of the workspace root only (a lone package is its own root).
        var profileFile = wsPath ?? manifestPath;
        var profiles = (wsPath is null ? manifest : ws)?.Table("profile");
        result.Profiles = [.. (profiles?.Entries ?? []).Where(p => p.Value is TomlTable)
            .SelectMany(p => ((TomlTable)p.Value).Entries.Where(e => e.Value is TomlScalar).Select(e => new ProfileSetting(p.Key, e.Key, Text(e.Value), At(profileFile, e.Value))))];
        (result.Rustflags, result.ToolchainChannel) = BuildEnvironment(dir);
        return result;
    }

    /// <summary>The workspace root above (or at) a package, when the package is one of its members.</summary>
    private (string? Dir, TomlTable? Manifest) FindWorkspace(string dir, TomlTable manifest, TomlTable? package)
    {
        if (manifest.Table("workspace") is not null) return (dir, manifest);
        if (package?.String("workspace") is { } explicitRoot)
        {
            var root = Path.GetFullPath(Path.Combine(dir, explicitRoot));
            return Toml(Path.Combine(root, "Cargo.toml")) is { } m && m.Table("workspace") is not null ? (root, m) : (null, null);
        }
        foreach (var d in Upward(dir))
        {
            if (Toml(Path.Combine(d, "Cargo.toml")) is not { } m || m.Table("workspace") is not { } ws) continue;
            // The first workspace above decides (cargo does not look further): a member, or not in a workspace.
            return IsMember(d, ws, m, dir) ? (d, m) : (null, null);
        }
        return (null, null);
    }

    /// <summary>The folders above <paramref name="dir"/>, up to the filesystem root or the repository root (the folder with <c>.git</c>).</summary>
    internal static IEnumerable<string> Upward(string dir)
    {
        if (IsRepositoryRoot(dir)) yield break;
        for (var d = Path.GetDirectoryName(dir); d is not null; d = Path.GetDirectoryName(d))
        {
            yield return d;
            if (IsRepositoryRoot(d)) yield break;
        }
    }

    private static bool IsRepositoryRoot(string dir)
    {
        var git = Path.Combine(dir, ".git");
        return Directory.Exists(git) || File.Exists(git);
    }

    private static bool IsMember(string root, TomlTable ws, TomlTable rootManifest, string dir)
    {
        var rel = Path.GetRelativePath(root, dir).Replace('\\', '/');
        foreach (var ex in ws.Array("exclude")?.Strings() ?? [])
        {
            var e = ex.Trim('/');
            if (rel == e || rel.StartsWith(e + "/", StringComparison.Ordinal)) return false;
        }
        foreach (var m in ws.Array("members")?.Strings() ?? [])
            if (Glob.Matches(m.Trim('/'), rel)) return true;
        // Path dependencies of the root package are members too.
        foreach (var table in DependencyTables(rootManifest))
            foreach (var (_, v) in table.Table.Entries)
                if (v is TomlTable t && t.String("path") is { } p && Path.GetFullPath(Path.Combine(root, p)) == Path.GetFullPath(dir)) return true;
        return false;
    }

    private static string Text(TomlNode node) => node switch
    {
        TomlScalar s => s.ToString(),
        TomlArray a => string.Join(" ", a.Items.Select(Text)),
        _ => "",
    };

    private ImmutableArray<CargoTarget> Targets(string dir, TomlTable manifest, TomlTable? package)
    {
        var targets = ImmutableArray.CreateBuilder<CargoTarget>();
        var lib = manifest.Table("lib");
        var libPath = lib?.String("path") ?? (File.Exists(Path.Combine(dir, "src", "lib.rs")) ? "src/lib.rs" : null);
        if (lib is not null || libPath is not null)
            targets.Add(new CargoTarget("lib", lib?.String("name") ?? package?.String("name")?.Replace('-', '_') ?? Path.GetFileName(dir), libPath,
                [.. lib?.Array("crate-type")?.Strings() ?? lib?.Array("crate_type")?.Strings() ?? []]));
        foreach (var (kind, key) in (ReadOnlySpan<(string, string)>)[("bin", "bin"), ("example", "example"), ("test", "test"), ("bench", "bench")])
            foreach (var t in manifest.Array(key)?.Items.OfType<TomlTable>() ?? [])
                targets.Add(new CargoTarget(kind, t.String("name") ?? "", t.String("path"), [.. t.Array("crate-type")?.Strings() ?? []]));
        if (!targets.Any(t => t.Kind == "bin") && File.Exists(Path.Combine(dir, "src", "main.rs")))
            targets.Add(new CargoTarget("bin", package?.String("name") ?? Path.GetFileName(dir), "src/main.rs", []));
        // `build = false` turns the build script off; `build = "path"` names it; else build.rs when present.
        var build = package?["build"];
        var buildPath = build is TomlScalar { Value: string s } ? s : build is TomlScalar { Value: false } ? null : File.Exists(Path.Combine(dir, "build.rs")) ? "build.rs" : null;
        if (buildPath is not null) targets.Add(new CargoTarget("build-script", "build-script-build", buildPath, []));
        return targets.ToImmutable();
    }

    /// <summary>[dependencies], [dev-dependencies], [build-dependencies], also under [target.'cfg'].</summary>
    internal static IEnumerable<(TomlTable Table, string Kind, string? Target)> DependencyTables(TomlTable manifest)
    {
        foreach (var (key, kind) in s_dependencyKeys)
            if (manifest.Table(key) is { } t) yield return (t, kind, null);
        foreach (var (target, node) in manifest.Table("target")?.Entries ?? [])
            if (node is TomlTable tt)
                foreach (var (key, kind) in s_dependencyKeys)
                    if (tt.Table(key) is { } t) yield return (t, kind, target);
    }

    private static readonly (string Key, string Kind)[] s_dependencyKeys =
        [("dependencies", "normal"), ("dev-dependencies", "dev"), ("dev_dependencies", "dev"), ("build-dependencies", "build"), ("build_dependencies", "build")];

    private ImmutableArray<CargoDependency> Dependencies(string manifestPath, TomlTable manifest, string? wsPath, TomlTable? ws)
    {
        var result = ImmutableArray.CreateBuilder<CargoDependency>();
        foreach (var (table, kind, target) in DependencyTables(manifest))
        {
            foreach (var (key, node) in table.Entries)
            {
                var own = node as TomlTable;
                bool workspace = own?.Bool("workspace") == true;
                TomlNode? source = node;
                if (workspace)
                {
                    source = ws?.Path("dependencies")?[key];
                    if (source is null)
                    {
                        _notifications.Add(new ToolNotification(NotificationIds.InvalidToml, NotificationLevel.Warning,
                            $"Dependency '{key}' has 'workspace = true' but [workspace.dependencies] has no '{key}'.", Relative(manifestPath), node.Line));
                        continue;
                    }
                }
                var fields = source as TomlTable;
                var version = source is TomlScalar { Value: string v } ? v : fields?.String("version");
                var features = (fields?.Array("features")?.Strings() ?? []).Concat(workspace ? own?.Array("features")?.Strings() ?? [] : []).Distinct(StringComparer.Ordinal);
                // A workspace path is relative to the workspace root; give it relative to the member like cargo resolves it.
                var path = fields?.String("path");
                if (path is not null && workspace && wsPath is not null)
                    path = Path.GetRelativePath(Path.GetDirectoryName(manifestPath)!, Path.Combine(Path.GetDirectoryName(wsPath)!, path)).Replace('\\', '/');
                result.Add(new CargoDependency(key, fields?.String("package") ?? key, version, path, kind, target, workspace,
                    own?.Bool("optional") ?? fields?.Bool("optional") ?? false, [.. features], At(manifestPath, node)));
            }
        }
        return result.ToImmutable();
    }

    private ImmutableArray<LintSetting> Lints(string manifestPath, TomlTable manifest, string? wsPath, TomlTable? ws)
    {
        var lints = manifest.Table("lints");
        if (lints is null) return [];
        string file = manifestPath, source = "manifest";
        if (lints.Bool("workspace") == true)
        {
            if (ws?.Table("lints") is not { } w || wsPath is null)
            {
                _notifications.Add(new ToolNotification(NotificationIds.InvalidToml, NotificationLevel.Warning,
                    $"'lints.workspace = true' but no workspace manifest above the package has [workspace.lints].", Relative(manifestPath), lints.Line));
                return [];
            }
            (lints, file, source) = (w, wsPath, "workspace");
        }
        var settings = new List<(int Priority, string Name, LintSetting Setting)>();
        foreach (var (tool, node) in lints.Entries)
        {
            if (node is not TomlTable toolTable) continue;
            foreach (var (name, value) in toolTable.Entries)
            {
                var levelText = value is TomlTable t ? t.String("level") : (value as TomlScalar)?.Value as string;
                var priority = value is TomlTable p ? (int)(p.Integer("priority") ?? 0) : 0;
                if (ParseLevel(levelText) is not { } level)
                {
                    _notifications.Add(new ToolNotification(NotificationIds.InvalidToml, NotificationLevel.Warning,
                        $"Lint '{name}' has level '{levelText}', not one of allow, warn, deny, forbid; it was ignored.", Relative(file), value.Line));
                    continue;
                }
                var lint = tool == "rust" ? name : tool + "::" + name;
                settings.Add((priority, name, new LintSetting(lint, level, priority, At(file, value), source)));
            }
        }
        // cargo passes [lints] to rustc sorted by priority, then by name in reverse order; a later flag wins.
        return [.. settings.OrderBy(s => s.Priority).ThenByDescending(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Setting.Lint, StringComparer.Ordinal).Select(s => s.Setting)];
    }

    internal static LintLevel? ParseLevel(string? text) => text switch
    {
        "allow" => LintLevel.Allow,
        "warn" => LintLevel.Warn,
        "deny" => LintLevel.Deny,
        "forbid" => LintLevel.Forbid,
        _ => null,
    };

    private WdkDriverModel? DriverModel(string file, TomlTable? wdk, bool inherited)
    {
        if (wdk?.Table("driver-model") is not { } model) return null;
        var type = model.String("driver-type") ?? "";
        var settings = model.Entries.Where(e => e.Value is TomlScalar).ToImmutableSortedDictionary(e => e.Key, e => Text(e.Value), StringComparer.Ordinal);
        return new WdkDriverModel(type, settings, At(file, (TomlNode?)model["driver-type"] ?? model), inherited);
    }

    /// <summary>
    /// <c>build.rustflags</c> / <c>target.*.rustflags</c> of the <c>.cargo/config.toml</c> files from the package up to
    /// the repository root (nearest first, as cargo merges them), and the nearest <c>rust-toolchain.toml</c>'s channel.
    /// </summary>
    private (ImmutableArray<ManifestValue>, ManifestValue?) BuildEnvironment(string dir)
    {
        var flags = ImmutableArray.CreateBuilder<ManifestValue>();
        ManifestValue? channel = null;
        foreach (var d in (IEnumerable<string>)[dir, .. Upward(dir)])
        {
            foreach (var name in (ReadOnlySpan<string>)["config.toml", "config"])
            {
                var path = Path.Combine(d, ".cargo", name);
                if (Toml(path) is not { } config) continue;
                AddFlags(flags, path, config.Path("build")?["rustflags"]);
                foreach (var (_, t) in config.Table("target")?.Entries ?? [])
                    if (t is TomlTable tt) AddFlags(flags, path, tt["rustflags"]);
                break;
            }
            if (channel is null)
            {
                var toolchain = Path.Combine(d, "rust-toolchain.toml");
                if (Toml(toolchain)?.Table("toolchain")?.Scalar("channel") is { } c) channel = new ManifestValue(c.ToString(), At(toolchain, c));
            }
        }
        return (flags.ToImmutable(), channel);

        void AddFlags(ImmutableArray<ManifestValue>.Builder into, string path, TomlNode? value)
        {
            if (value is TomlArray a)
                foreach (var item in a.Items) into.Add(new ManifestValue(Text(item), At(path, item)));
            else if (value is TomlScalar s)
                foreach (var f in s.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries)) into.Add(new ManifestValue(f, At(path, s)));
        }
    }
}

/// <summary>cargo's workspace member globs: <c>*</c>, <c>?</c> and <c>[…]</c> within one path segment.</summary>
internal static class Glob
{
    public static bool Matches(string pattern, string path)
    {
        var ps = pattern.Split('/');
        var xs = path.Split('/');
        if (ps.Length != xs.Length) return false;
        for (int i = 0; i < ps.Length; i++)
            if (!Segment(ps[i], 0, xs[i], 0)) return false;
        return true;
    }

    private static bool Segment(string p, int i, string s, int j)
    {
        while (i < p.Length)
        {
            switch (p[i])
            {
                case '*':
                    for (int k = j; k <= s.Length; k++)
                        if (Segment(p, i + 1, s, k)) return true;
                    return false;
                case '?':
                    if (j >= s.Length) return false;
                    break;
                case '[':
                {
                    int close = p.IndexOf(']', i + 1);
                    if (close < 0 || j >= s.Length) return false;
                    var set = p[(i + 1)..close];
                    bool negate = set.StartsWith('!');
                    if (negate) set = set[1..];
                    bool hit = false;
                    for (int k = 0; k < set.Length; k++)
                        if (k + 2 < set.Length && set[k + 1] == '-') { hit |= s[j] >= set[k] && s[j] <= set[k + 2]; k += 2; }
                        else hit |= s[j] == set[k];
                    if (hit == negate) return false;
                    i = close;
                    break;
                }
                default:
                    if (j >= s.Length || p[i] != s[j]) return false;
                    break;
            }
            i++;
            j++;
        }
        return j == s.Length;
    }
}
