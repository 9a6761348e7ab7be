using System.Collections.Immutable;
using System.Text.RegularExpressions;
using UnsafeScope.Text;

namespace UnsafeScope.Workspace;

/// <summary>A crate pinned in <c>Cargo.lock</c>: name, exact version and where the lock file says so.</summary>
/// <param name="Name">The package name (<c>wdk-sys</c>).</param>
/// <param name="Version">The locked version.</param>
/// <param name="Location">The <c>name = …</c> line of its <c>[[package]]</c> entry.</param>
public sealed record LockedPackage(string Name, string Version, ManifestLocation Location);

/// <summary>
/// What the driver configuration rules (US3xxx) and the readiness page know of one driver package: its
/// <see cref="CargoPackage"/>, its driver model (its own or the workspace's), what its crate root declares, its build
/// script and lock file. A package is a driver when its build script calls <c>configure_wdk_binary_build</c>, when it is
/// a <c>cdylib</c> with a driver model (its own or its workspace's) or a dependency on <c>wdk</c>/<c>wdk-sys</c>, or when
/// it has a driver model and exports <c>DriverEntry</c> outside its integration tests. Metadata alone does not make a
/// driver: windows-drivers-rs configures its binding-test crates (tests/config-kmdf, wdk-sys-tests) with it, and those
/// are libraries; so is wdk-sys, whose test stubs export a <c>DriverEntry</c>.
/// </summary>
public sealed partial class DriverConfiguration
{
    private readonly string _baseDirectory;
    private readonly Dictionary<string, SourceText?> _texts = new(StringComparer.Ordinal);

    private readonly LintPolicy _lints;

    private DriverConfiguration(CargoPackage package, string baseDirectory, LintPolicy lints)
    {
        Package = package;
        _baseDirectory = baseDirectory;
        _lints = lints;
    }

    /// <summary>
    /// The level the package's own configuration (<c>[lints]</c>, inherited <c>[workspace.lints]</c>, crate-root
    /// attributes) sets for a lint (<c>clippy::undocumented_unsafe_blocks</c>, <c>unsafe_op_in_unsafe_fn</c>), with the
    /// setting that decided it; null when it sets none.
    /// </summary>
    public (LintLevel Level, LintSetting Setting)? LintLevelOf(string lint) => _lints.LevelOf(lint);

    /// <summary>The package as cargo configures it.</summary>
    public CargoPackage Package { get; }

    /// <summary>The driver model: the package's, else the workspace's; null when neither declares one.</summary>
    public WdkDriverModel? Model => Package.DriverModel;

    /// <summary>KMDF or WDM: the driver runs in the kernel (no std, no unwinding, its own allocator and panic handler).</summary>
    public bool IsKernelMode => Model?.DriverType.ToUpperInvariant() is "KMDF" or "WDM";

    /// <summary>The crate root (src/lib.rs, else src/main.rs), relative to the base directory, or null when not analyzed.</summary>
    public string? CrateRoot { get; private init; }

    /// <summary>The crate root has <c>#![no_std]</c> (also under <c>cfg_attr</c>).</summary>
    public bool NoStd { get; private init; }

    /// <summary>A <c>#[global_allocator]</c> in the crate, or a dependency on wdk-alloc.</summary>
    public bool HasAllocator { get; private init; }

    /// <summary>A <c>#[panic_handler]</c> in the crate, or a dependency on wdk-panic.</summary>
    public bool HasPanicHandler { get; private init; }

    /// <summary>The build script, relative to the base directory, or null when there is none.</summary>
    public string? BuildScript { get; private init; }

    /// <summary>The build script calls <c>configure_wdk_binary_build</c> (wdk-build's entry point for driver binaries).</summary>
    public bool BuildScriptConfiguresWdk { get; private init; }

    /// <summary>The workspace's (or package's) <c>Cargo.lock</c>, relative to the base directory, or null when absent.</summary>
    public string? LockFile { get; private init; }

    /// <summary>The wdk crates (<c>wdk</c>, <c>wdk-sys</c>, <c>wdk-build</c>, <c>wdk-alloc</c>, <c>wdk-panic</c>, <c>wdk-macros</c>) pinned in the lock file.</summary>
    public ImmutableArray<LockedPackage> LockedWdkCrates { get; private init; } = [];

    private static readonly string[] s_wdkCrates = ["wdk", "wdk-sys", "wdk-build", "wdk-alloc", "wdk-panic", "wdk-macros"];

    /// <summary>The configuration of a driver package, or null when the package is not a driver.</summary>
    internal static DriverConfiguration? For(CargoPackage? package, IReadOnlyList<CrateSourceFile> files, string baseDirectory, LintPolicy lints)
    {
        if (package is null) return null;
        var packageDir = Path.GetFullPath(Path.Combine(baseDirectory, package.Root));
        bool DependsOn(string name, string kind = "normal") => package.Dependencies.Any(d => d.Package == name && d.Kind == kind);
        var build = package.HasBuildScript ? BuildScriptPath(package, packageDir) : null;
        var buildText = build is null ? null : ReadText(build, 1 << 20);
        bool configures = buildText is not null && ConfigureWdkBinary().IsMatch(buildText);
        bool cdylib = package.Targets.Any(t => t.Kind == "lib" && t.CrateTypes.Contains("cdylib"));
        bool exportsEntry = files.Any(f => !f.IsTestTarget && f.ExportsDriverEntry);
        bool isDriver = configures || cdylib && (package.DriverModel is not null || DependsOn("wdk") || DependsOn("wdk-sys"))
            || exportsEntry && package.DriverModel is not null;
        if (!isDriver) return null;

        var root = files.Where(f => f.ModulePath.Length == 0 && IsCrateRoot(f.Path, package.Root))
            .OrderBy(f => f.Path.EndsWith("lib.rs", StringComparison.Ordinal) ? 0 : 1).ThenBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault();
        var (lockPath, locked) = ReadLock(package, baseDirectory);
        return new DriverConfiguration(package, baseDirectory, lints)
        {
            CrateRoot = root?.Path,
            NoStd = root?.MarkerAttributes.Contains("crate:no_std") == true,
            HasAllocator = DependsOn("wdk-alloc") || files.Any(f => f.MarkerAttributes.Contains("global_allocator")),
            HasPanicHandler = DependsOn("wdk-panic") || files.Any(f => f.MarkerAttributes.Contains("panic_handler")),
            BuildScript = build is null ? null : Relative(baseDirectory, build),
            BuildScriptConfiguresWdk = configures,
            LockFile = lockPath is null ? null : Relative(baseDirectory, lockPath),
            LockedWdkCrates = locked,
        };
    }

    private static bool IsCrateRoot(string path, string packageRoot)
    {
        var prefix = packageRoot == "." ? "" : packageRoot + "/";
        return path == prefix + "src/lib.rs" || path == prefix + "src/main.rs";
    }

    private static string? BuildScriptPath(CargoPackage package, string packageDir)
    {
        var path = BuildScriptCandidate(package, packageDir);
        return File.Exists(path) ? path : null;
    }

    private static string BuildScriptCandidate(CargoPackage package, string packageDir)
        => Path.Combine(packageDir, package.Targets.FirstOrDefault(t => t.Kind == "build-script")?.Path ?? "build.rs");

    private static string LockPath(CargoPackage package, string baseDirectory)
        => Path.GetFullPath(Path.Combine(baseDirectory, Path.GetDirectoryName(package.WorkspaceManifest?.File ?? package.Manifest.File) ?? "", "Cargo.lock"));

    /// <summary>
    /// The files besides the package's TOML that <see cref="For"/> reads (build script, lock file), absolute, present or not:
    /// what a cached result of the crate must key on besides <see cref="CargoPackage.ConfigurationFiles"/>.
    /// </summary>
    internal static IEnumerable<string> InputFiles(CargoPackage package, string baseDirectory)
    {
        if (package.HasBuildScript) yield return BuildScriptCandidate(package, Path.GetFullPath(Path.Combine(baseDirectory, package.Root)));
        yield return LockPath(package, baseDirectory);
    }

    /// <summary>Cargo.lock next to the workspace root's manifest (or the package's), and the wdk crates it pins.</summary>
    private static (string? Path, ImmutableArray<LockedPackage> Locked) ReadLock(CargoPackage package, string baseDirectory)
    {
        var lockPath = LockPath(package, baseDirectory);
        if (!File.Exists(lockPath)) return (null, []);
        if (ReadText(lockPath, 16 << 20) is not { } text) return (lockPath, []);
        var shown = Relative(baseDirectory, lockPath);
        // A workspace's crates share its lock file: parsed once per content (a 24 KB lock parsed for each of a small
        // repository's crates was a seventh of its whole run), and not at all when it cannot name a wdk crate (no
        // "wdk" and no escape that could spell it).
        if (!text.Contains("wdk", StringComparison.Ordinal) && !text.Contains('\\')) return (lockPath, []);
        // Keyed by the text itself up to 1 MiB (so the memo holds at most 16 MiB, and a small repository's run needs no
        // SHA-256, whose OpenSSL costs about 6 ms at start-up), by its hash beyond: a lock file may be megabytes. A hash
        // key cannot equal a text here, which names wdk or holds a backslash.
        var key = (shown, text.Length <= 1 << 20 ? text : "sha256:" + IO.ContentHash.Of([text]));
        if (s_lockPins.TryGetValue(key, out var pinned)) return (lockPath, pinned);
        pinned = ParseLock(text, shown);
        if (s_lockPins.Count >= 16) s_lockPins.Clear(); // a few workspaces per run; never stale: keyed by content
        s_lockPins[key] = pinned;
        return (lockPath, pinned);
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Shown, string Text), ImmutableArray<LockedPackage>> s_lockPins = new();

    private static ImmutableArray<LockedPackage> ParseLock(string text, string shown)
    {
        IO.TomlTable lockFile;
        try
        {
            lockFile = IO.TomlDocument.Parse(text, shown);
        }
        catch (IO.TomlSyntaxException)
        {
            return []; // the readiness page says the lock file holds no wdk pins; cargo itself would refuse it
        }
        var locked = ImmutableArray.CreateBuilder<LockedPackage>();
        foreach (var entry in lockFile.Array("package")?.Items.OfType<IO.TomlTable>() ?? [])
            if (entry.String("name") is { } name && s_wdkCrates.Contains(name) && entry.String("version") is { } version)
                locked.Add(new LockedPackage(name, version, new ManifestLocation(shown, entry["name"]!.Line)));
        return [.. locked.OrderBy(l => l.Name, StringComparer.Ordinal).ThenBy(l => l.Version, StringComparer.Ordinal)];
    }

    private static string? ReadText(string path, long cap)
    {
        try
        {
            return IO.UntrustedFile.ReadAllText(path, cap);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Relative(string baseDirectory, string full)
    {
        var rel = Path.GetRelativePath(baseDirectory, full);
        return Path.IsPathRooted(rel) ? full.Replace('\\', '/') : rel.Replace('\\', '/');
    }

    /// <summary>
    /// The location of line <paramref name="line"/> of a configuration file (relative to the base directory), spanning
    /// the line's text without its indentation, for diagnostics on manifests. Line 1 when the file cannot be read.
    /// </summary>
    public Location LocationOf(string file, int line)
    {
        if (!_texts.TryGetValue(file, out var text))
        {
            var bytes = ReadBytes(Path.Combine(_baseDirectory, file));
            _texts[file] = text = bytes is null ? null : SourceText.From(bytes, file);
        }
        if (text is null || text.LineCount == 0) return new Location(file, default, default);
        var span = text.GetLineSpan(Math.Clamp(line - 1, 0, text.LineCount - 1));
        var content = text.GetText(span);
        int start = span.Start + (content.Length - content.TrimStart().Length);
        int end = span.Start + System.Text.Encoding.UTF8.GetByteCount(content.TrimEnd());
        return text.GetLocation(TextSpan.FromBounds(start, Math.Max(start, end)));
    }

    /// <summary>The first line of a configuration file whose text, trimmed, starts with <paramref name="prefix"/> (<c>[lib]</c>), or null.</summary>
    public int? FindLine(string file, string prefix)
    {
        LocationOf(file, 1); // reads the file once
        if (_texts[file] is not { } text) return null;
        for (int i = 0; i < text.LineCount; i++)
            if (text.GetText(text.GetLineSpan(i)).TrimStart().StartsWith(prefix, StringComparison.Ordinal)) return i + 1;
        return null;
    }

    /// <inheritdoc cref="LocationOf(string, int)"/>
    public Location LocationOf(ManifestLocation at) => LocationOf(at.File, at.Line);

    private static byte[]? ReadBytes(string path)
    {
        try
        {
            return IO.UntrustedFile.ReadAllBytes(path, 16 << 20);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\bconfigure_wdk_binary_build\s*\(")]
    private static partial Regex ConfigureWdkBinary();
}

/// <summary>
/// What the driver configuration needs to know of one source file of the crate (read from the inventory by the
/// driver stage, so this layer does not depend on it).
/// </summary>
/// <param name="Path">Path relative to the base directory.</param>
/// <param name="ModulePath">The file's module path in its crate ("" for a crate root).</param>
/// <param name="IsTestTarget">Whether the file belongs to a test target (tests/, benches/).</param>
/// <param name="MarkerAttributes">Marker attributes: <c>crate:no_std</c>, <c>global_allocator</c>, <c>panic_handler</c>.</param>
/// <param name="ExportsDriverEntry">Whether the file defines an exported <c>DriverEntry</c>.</param>
internal sealed record CrateSourceFile(string Path, string ModulePath, bool IsTestTarget, IReadOnlySet<string> MarkerAttributes, bool ExportsDriverEntry);
