namespace UnsafeScope.Inventory;

/// <summary>A registry dependency as a Cargo.toml names it.</summary>
/// <param name="CodeName">The name paths use (<c>ffi</c> for <c>ffi = { package = "glib-sys" }</c>; dashes become underscores).</param>
/// <param name="Package">The package name (the registry folder is <c>&lt;package&gt;-&lt;version&gt;</c>).</param>
/// <param name="Requirement">The version requirement (<c>0.14</c>, <c>^1.2</c>, <c>&gt;=1, &lt;3</c>…).</param>
internal sealed record ManifestDependency(string CodeName, string Package, string Requirement);

/// <summary>The registry dependencies of a manifest (path and git dependencies have no registry folder; dev-dependencies are left out).</summary>
internal static class CargoManifest
{
    /// <summary>From the package model (workspace inheritance applied).</summary>
    public static List<ManifestDependency> Dependencies(Workspace.CargoPackage package)
        => [.. package.Dependencies.Where(d => d.Path is null && d.Version is not null && d.Kind != "dev")
            .Select(d => new ManifestDependency(d.Name.Replace('-', '_'), d.Package, d.Version!))];

    /// <summary>From a dependency's own (published, so self-contained) Cargo.toml.</summary>
    public static List<ManifestDependency> Dependencies(IO.TomlTable manifest)
    {
        var result = new List<ManifestDependency>();
        foreach (var (table, kind, _) in Workspace.CargoModelLoader.DependencyTables(manifest))
            if (kind != "dev") // tests' dependencies are not the library's
            foreach (var (key, node) in table.Entries)
            {
                var fields = node as IO.TomlTable;
                var version = node is IO.TomlScalar { Value: string v } ? v : fields?.String("version");
                if (version is null || fields?["path"] is not null || fields?["git"] is not null) continue;
                result.Add(new ManifestDependency(key.Replace('-', '_'), fields?.String("package") ?? key, version));
            }
        return result;
    }
}

/// <summary>A semantic version (<c>1.2.3</c>, <c>0.3.0-beta.1</c>; build metadata ignored).</summary>
internal readonly record struct SemVersion(int Major, int Minor, int Patch, string Pre) : IComparable<SemVersion>
{
    public static bool TryParse(string text, out SemVersion version)
    {
        version = default;
        var s = text.Split('+')[0];
        int dash = s.IndexOf('-');
        var pre = dash >= 0 ? s[(dash + 1)..] : "";
        var nums = (dash >= 0 ? s[..dash] : s).Split('.');
        if (nums.Length != 3 || !int.TryParse(nums[0], out var a) || !int.TryParse(nums[1], out var b) || !int.TryParse(nums[2], out var c)) return false;
        version = new SemVersion(a, b, c, pre);
        return true;
    }

    public int CompareTo(SemVersion other)
    {
        int r = Major.CompareTo(other.Major);
        if (r == 0) r = Minor.CompareTo(other.Minor);
        if (r == 0) r = Patch.CompareTo(other.Patch);
        if (r != 0) return r;
        // A pre-release sorts before its release.
        if (Pre.Length == 0) return other.Pre.Length == 0 ? 0 : 1;
        return other.Pre.Length == 0 ? -1 : string.CompareOrdinal(Pre, other.Pre);
    }

    public static bool operator <(SemVersion a, SemVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(SemVersion a, SemVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(SemVersion a, SemVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(SemVersion a, SemVersion b) => a.CompareTo(b) >= 0;
}

/// <summary>A Cargo version requirement: comma-separated comparators, a bare version meaning <c>^</c>.</summary>
internal static class VersionRequirement
{
    public static bool Matches(string requirement, SemVersion v)
    {
        bool anyPre = false;
        foreach (var part in requirement.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            anyPre |= part.Contains('-');
            if (!MatchesOne(part, v)) return false;
        }
        // Pre-releases only when asked for.
        return v.Pre.Length == 0 || anyPre;
    }

    private static bool MatchesOne(string comparator, SemVersion v)
    {
        var c = comparator.Trim();
        if (c is "*" or "") return true;
        string op = c.StartsWith(">=", StringComparison.Ordinal) || c.StartsWith("<=", StringComparison.Ordinal) ? c[..2]
            : c[0] is '^' or '~' or '=' or '>' or '<' ? c[..1] : "^";
        var rest = c[(op == "^" && c[0] != '^' ? 0 : op.Length)..].Trim();
        int dash = rest.IndexOf('-');
        var pre = dash >= 0 ? rest[(dash + 1)..] : "";
        var fields = (dash >= 0 ? rest[..dash] : rest).Split('.');
        int? F(int i) => i < fields.Length && int.TryParse(fields[i], out var n) ? n : null;
        int? major = F(0), minor = F(1), patch = F(2);
        if (major is null) return true; // `*`
        var low = new SemVersion(major.Value, minor ?? 0, patch ?? 0, pre);
        switch (op)
        {
            case "=":
                return minor is null ? v.Major == major : patch is null ? v.Major == major && v.Minor == minor : v.CompareTo(low) == 0;
            case ">": return minor is null ? v.Major > major : patch is null ? (v.Major, v.Minor).CompareTo((major.Value, minor.Value)) > 0 : v > low;
            case ">=": return v >= low;
            case "<": return v < low;
            case "<=": return minor is null ? v.Major <= major : patch is null ? (v.Major, v.Minor).CompareTo((major.Value, minor.Value)) <= 0 : v <= low;
            case "~":
                return v >= low && (minor is null ? v.Major == major : v.Major == major && v.Minor == minor);
            default: // ^ (and wildcards 1.*, 1.2.*)
                if (fields.Length > 1 && fields[^1] == "*")
                    return minor is null ? v.Major == major : v.Major == major && v.Minor == minor;
                if (v < low) return false;
                if (major > 0 || minor is null) return v.Major == major;
                if (minor > 0 || patch is null) return v.Major == 0 && v.Minor == minor;
                return v.Major == 0 && v.Minor == 0 && v.Patch == patch;
        }
    }
}
