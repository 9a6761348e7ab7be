namespace UnsafeScope.Inventory;

/// <summary>A registry dependency as a Cargo.toml names it.</summary>
/// <param name="CodeName">The name paths use (<c>ffi</c> for <c>ffi = { package = "glib-sys" }</c>; dashes become underscores).</param>
/// <param name="Package">The package name (the registry folder is <c>&lt;package&gt;-&lt;version&gt;</c>).</param>
/// <param name="Requirement">The version requirement (<c>0.14</c>, <c>^1.2</c>, <c>&gt;=1, &lt;3</c>…).</param>
internal sealed record ManifestDependency(string CodeName, string Package, string Requirement);

/// <summary>
/// Reads the <c>[dependencies]</c> (also per target, and <c>[dependencies.x]</c> tables) of a Cargo.toml: the small
/// TOML subset manifests use. Path and git dependencies are left out (no registry folder); <c>workspace = true</c>
/// takes the workspace manifest's entry.
/// </summary>
internal static class CargoManifest
{
    public static List<ManifestDependency> Dependencies(string manifest, string? workspaceManifest = null)
    {
        var entries = Read(manifest, workspace: false);
        Dictionary<string, Dictionary<string, string>>? inherited = null;
        var result = new List<ManifestDependency>();
        foreach (var (key, fields) in entries)
        {
            var f = fields;
            if (f.TryGetValue("workspace", out var ws) && ws == "true")
            {
                inherited ??= workspaceManifest is null ? [] : Read(workspaceManifest, workspace: true);
                if (!inherited.TryGetValue(key, out var w)) continue;
                f = new Dictionary<string, string>(w, StringComparer.Ordinal);
                foreach (var (k, v) in fields) f.TryAdd(k, v);
            }
            if (f.ContainsKey("path") || f.ContainsKey("git") || !f.TryGetValue("version", out var req)) continue;
            result.Add(new ManifestDependency(key.Replace('-', '_'), f.GetValueOrDefault("package") ?? key, req));
        }
        return result;
    }

    /// <summary>Dependency key → its fields (a bare string value is the version).</summary>
    private static Dictionary<string, Dictionary<string, string>> Read(string text, bool workspace)
    {
        var deps = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        Dictionary<string, string> Entry(string key) => deps.TryGetValue(key, out var e) ? e : deps[key] = new(StringComparer.Ordinal);
        bool inList = false;      // [dependencies]: one dependency per key
        string? inTable = null;   // [dependencies.x]: x's fields
        foreach (var raw in text.Split('\n'))
        {
            var line = StripComment(raw).Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('['))
            {
                var parts = SplitOutsideQuotes(line.Trim('[', ']', ' '), '.');
                inList = false;
                inTable = null;
                int at = workspace ? (parts.Count >= 2 && parts[0] == "workspace" && parts[1] == "dependencies" ? 1 : -1)
                    : parts.Count >= 1 && parts[0] == "dependencies" ? 0
                    : parts.Count >= 3 && parts[0] == "target" && parts[2] == "dependencies" ? 2 : -1;
                if (at < 0) continue;
                if (parts.Count == at + 1) inList = true;
                else if (parts.Count == at + 2) inTable = Unquote(parts[at + 1]);
                continue;
            }
            int eq = IndexOutsideQuotes(line, '=');
            if (eq < 0 || (!inList && inTable is null)) continue;
            var keyParts = SplitOutsideQuotes(line[..eq].Trim(), '.').Select(Unquote).ToList();
            var value = line[(eq + 1)..].Trim();
            if (inTable is not null)
            {
                if (keyParts.Count == 1) Entry(inTable)[keyParts[0]] = Unquote(value);
                continue;
            }
            var entry = Entry(keyParts[0]);
            if (keyParts.Count == 2) entry[keyParts[1]] = Unquote(value);            // foo.version = "1"
            else if (value.StartsWith('{')) ReadInlineTable(value, entry);           // foo = { version = "1", package = "bar" }
            else if (value.StartsWith('"') || value.StartsWith('\'')) entry["version"] = Unquote(value);
        }
        return deps;
    }

    private static void ReadInlineTable(string value, Dictionary<string, string> into)
    {
        var inner = value.Trim().TrimStart('{').TrimEnd('}');
        foreach (var pair in SplitOutsideQuotes(inner, ','))
        {
            int eq = IndexOutsideQuotes(pair, '=');
            if (eq < 0) continue;
            var v = pair[(eq + 1)..].Trim();
            if (v.StartsWith('[')) continue; // features = [...]: not needed
            into[Unquote(pair[..eq].Trim())] = Unquote(v);
        }
    }

    private static string StripComment(string line)
    {
        int i = IndexOutsideQuotes(line, '#');
        return i < 0 ? line : line[..i];
    }

    private static int IndexOutsideQuotes(string s, char c)
    {
        char quote = '\0';
        int depth = 0;
        for (int i = 0; i < s.Length; i++)
        {
            var ch = s[i];
            if (quote != '\0') { if (ch == quote) quote = '\0'; continue; }
            if (ch is '"' or '\'') quote = ch;
            else if (ch is '[' or '{' && c != '#') depth++;
            else if (ch is ']' or '}' && c != '#') depth--;
            else if (ch == c && depth <= 0) return i;
        }
        return -1;
    }

    private static List<string> SplitOutsideQuotes(string s, char separator)
    {
        var parts = new List<string>();
        int start = 0;
        while (true)
        {
            int i = IndexOutsideQuotes(s[start..], separator);
            if (i < 0) { parts.Add(s[start..].Trim()); return parts; }
            parts.Add(s.Substring(start, i).Trim());
            start += i + 1;
        }
    }

    private static string Unquote(string s)
    {
        s = s.Trim();
        return s.Length >= 2 && (s[0] == '"' && s[^1] == '"' || s[0] == '\'' && s[^1] == '\'') ? s[1..^1] : s;
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
