using System.Collections.Concurrent;
using UnsafeScope.Workspace;

namespace UnsafeScope.Inventory;

/// <summary>Where a file sits: its crate (nearest folder with a Cargo.toml) and its module path in that crate.</summary>
/// <param name="Name">Package name from Cargo.toml, or the folder name.</param>
/// <param name="Root">Absolute crate folder.</param>
/// <param name="Edition">The package edition, inherited from the workspace when so declared (cargo's default, 2015, when absent).</param>
/// <param name="Package">The package as cargo configures it; null outside a crate or when its Cargo.toml could not be read.</param>
internal sealed record CrateInfo(string Name, string Root, string Edition = "2015", CargoPackage? Package = null);

/// <summary>Finds each file's crate; manifests are read through the <see cref="CargoModelLoader"/> (once per folder).</summary>
internal sealed class CrateLocator(string baseDirectory)
{
    private readonly ConcurrentDictionary<string, CrateInfo?> _byDirectory = new(StringComparer.Ordinal);

    /// <summary>The packages' model (workspace inheritance, lints, driver model…) and its notifications.</summary>
    public CargoModelLoader Cargo { get; } = new(baseDirectory);

    /// <summary>The crate of a file; files outside any crate get their folder as a pseudo-crate.</summary>
    public CrateInfo Locate(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath) ?? "/";
        return Find(dir) ?? new CrateInfo(Path.GetFileName(dir.TrimEnd('/')) is { Length: > 0 } n ? n : "root", dir);
    }

    /// <summary>
    /// The crate of each file (as <see cref="Locate"/>), found side by side: finding a crate reads and models its
    /// manifest (TOML, workspace, build environment), which for a corpus of 300 crates kept one core busy at the start
    /// of every run. The loader's notifications are sorted, so the order crates are found in does not show.
    /// </summary>
    public CrateInfo[] LocateAll(IReadOnlyList<string> fullPaths, int jobs)
    {
        var crates = new CrateInfo[fullPaths.Count];
        Parallel.For(0, fullPaths.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i => crates[i] = Locate(fullPaths[i]));
        return crates;
    }

    /// <summary>The package whose Cargo.toml is in a crate root folder, or null.</summary>
    public CargoPackage? PackageAt(string crateRoot) => File.Exists(Path.Combine(crateRoot, "Cargo.toml")) ? Cargo.Package(crateRoot) : null;

    private CrateInfo? Find(string dir)
    {
        if (_byDirectory.TryGetValue(dir, out var cached)) return cached;
        CrateInfo? result = null;
        if (File.Exists(Path.Combine(dir, "Cargo.toml")))
        {
            // An unreadable or invalid manifest still makes a crate (named by its folder); the loader noted why.
            var package = Cargo.Package(dir);
            result = new CrateInfo(package?.Name ?? Path.GetFileName(dir), dir, package?.EffectiveEdition ?? "2015", package);
        }
        else if (Path.GetDirectoryName(dir) is { } parent && parent != dir)
            result = Find(parent);
        _byDirectory[dir] = result;
        return result;
    }

    /// <summary>The module path of a file in its crate: src/lib.rs → "", src/a/mod.rs → a, src/a/b.rs → a::b.</summary>
    public static string ModulePath(string crateRoot, string fullPath)
    {
        var rel = Path.GetRelativePath(crateRoot, fullPath).Replace('\\', '/');
        if (rel.StartsWith("..", StringComparison.Ordinal)) return "";
        var parts = rel.Split('/').ToList();
        if (parts.Count > 1 && parts[0] is "src" or "tests" or "examples" or "benches") parts.RemoveAt(0);
        if (parts.Count > 1 && parts[0] == "bin") return ""; // each binary is a crate root
        var file = parts[^1];
        parts.RemoveAt(parts.Count - 1);
        bool isRoot = parts.Count == 0 && file is "lib.rs" or "main.rs" or "build.rs";
        if (!isRoot && file != "mod.rs")
            parts.Add(Path.GetFileNameWithoutExtension(file));
        return string.Join("::", parts.Where(p => p.Length > 0));
    }
}
