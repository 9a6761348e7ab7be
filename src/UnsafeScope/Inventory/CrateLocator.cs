using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace UnsafeScope.Inventory;

/// <summary>Where a file sits: its crate (nearest folder with a Cargo.toml) and its module path in that crate.</summary>
/// <param name="Name">Package name from Cargo.toml, or the folder name.</param>
/// <param name="Root">Absolute crate folder.</param>
/// <param name="Edition">The package edition (cargo's default, 2015, when absent).</param>
internal sealed record CrateInfo(string Name, string Root, string Edition = "2015");

internal sealed partial class CrateLocator
{
    private readonly ConcurrentDictionary<string, CrateInfo?> _byDirectory = new(StringComparer.Ordinal);

    [GeneratedRegex("""^\s*name\s*=\s*["']([^"']+)["']""", RegexOptions.Multiline)]
    private static partial Regex NameLine();

    [GeneratedRegex("""^\s*edition\s*=\s*["'](\d{4})["']""", RegexOptions.Multiline)]
    private static partial Regex EditionLine();

    /// <summary>The crate of a file; files outside any crate get their folder as a pseudo-crate.</summary>
    public CrateInfo Locate(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath) ?? "/";
        return Find(dir) ?? new CrateInfo(Path.GetFileName(dir.TrimEnd('/')) is { Length: > 0 } n ? n : "root", dir);
    }

    private CrateInfo? Find(string dir)
    {
        if (_byDirectory.TryGetValue(dir, out var cached)) return cached;
        CrateInfo? result = null;
        var manifest = Path.Combine(dir, "Cargo.toml");
        if (File.Exists(manifest))
        {
            var (name, edition) = Package(manifest);
            result = new CrateInfo(name ?? Path.GetFileName(dir), dir, edition ?? "2015");
        }
        else if (Path.GetDirectoryName(dir) is { } parent && parent != dir)
            result = Find(parent);
        _byDirectory[dir] = result;
        return result;
    }

    private static (string? Name, string? Edition) Package(string manifest)
    {
        try
        {
            var text = IO.UntrustedFile.ReadAllText(manifest, 1 << 20); // a committed link to /dev/zero must not exhaust memory
            int package = text.IndexOf("[package]", StringComparison.Ordinal);
            if (package < 0) return (null, null);
            int next = text.IndexOf("\n[", package + 9, StringComparison.Ordinal);
            var section = next < 0 ? text[package..] : text[package..next];
            var m = NameLine().Match(section);
            var e = EditionLine().Match(section);
            return (m.Success ? m.Groups[1].Value : null, e.Success ? e.Groups[1].Value : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
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
