using System.Collections.Immutable;
using System.Globalization;
using UnsafeScope.Analyzers;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Configuration;

/// <summary>A configuration problem, with the file and line it comes from.</summary>
public sealed class ConfigurationException(string file, int line, string problem)
    : Exception(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
{
    /// <summary>The configuration file.</summary>
    public string File { get; } = file;

    /// <summary>1-based line, or 0.</summary>
    public int Line { get; } = line;
}

/// <summary>
/// The configuration file <c>unsafescope.toml</c>: severity per rule and per category, rule options and
/// catalog packs. Found upward from the analyzed folder, or given explicitly.
/// <code>
/// [rules]
/// US1001 = "error"            # error | warn | info | hidden | off | default
/// [rules.US1002]
/// severity = "warn"
/// max-operations = 2           # other keys are rule options
/// [categories]
/// Driver = "warn"
/// [catalogs]
/// packs = ["vendor-apis.tsv"]  # relative to this file
/// [queries]
/// packs = ["our-rules.scm"]    # query packs (rules as tree-sitter queries)
/// </code>
/// </summary>
public sealed class UnsafeScopeConfig
{
    /// <summary>The file name looked for.</summary>
    public const string FileName = "unsafescope.toml";

    /// <summary>No configuration.</summary>
    public static UnsafeScopeConfig Empty { get; } = new("", [], [], [], [], []);

    private readonly List<(string Id, int Line)> _ruleLines;

    private UnsafeScopeConfig(string path, Dictionary<string, (ReportSeverity Severity, int Line)> rules,
        Dictionary<string, (ReportSeverity Severity, int Line)> categories, Dictionary<string, Dictionary<string, string>> options,
        List<string> packs, List<string> queryPacks, List<(string Id, int Line)>? ruleLines = null)
    {
        QueryPacks = [.. queryPacks];
        Path = path;
        RuleSeverities = rules.ToImmutableDictionary(k => k.Key, v => v.Value.Severity);
        CategorySeverities = categories.ToImmutableDictionary(k => k.Key, v => v.Value.Severity, StringComparer.OrdinalIgnoreCase);
        Options = new AnalyzerOptions(options.ToImmutableDictionary(k => k.Key, v => v.Value.ToImmutableDictionary()));
        CatalogPacks = [.. packs];
        _ruleLines = ruleLines ?? [];
        _categoryLines = categories.Select(c => (c.Key, c.Value.Line)).ToList();
    }

    private readonly List<(string Name, int Line)> _categoryLines;

    /// <summary>The file it was read from, or empty.</summary>
    public string Path { get; }

    /// <summary>Configured severity per rule id.</summary>
    public ImmutableDictionary<string, ReportSeverity> RuleSeverities { get; }

    /// <summary>Configured severity per category.</summary>
    public ImmutableDictionary<string, ReportSeverity> CategorySeverities { get; }

    /// <summary>Rule options.</summary>
    public AnalyzerOptions Options { get; }

    /// <summary>Query packs (absolute paths).</summary>
    public ImmutableArray<string> QueryPacks { get; }

    /// <summary>Catalog packs (absolute paths).</summary>
    public ImmutableArray<string> CatalogPacks { get; }

    /// <summary>
    /// A hash of what the configuration means (severities, options, packs), not of its text: part of the
    /// result-cache key. Pack contents enter the key through the catalog and the query packs themselves.
    /// </summary>
    internal string Fingerprint => _fingerprint ??= Driver.ContentHash.Of([
        .. RuleSeverities.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"rule {p.Key}={p.Value}"),
        .. CategorySeverities.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"category {p.Key.ToLowerInvariant()}={p.Value}"),
        .. Options.ByRule.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(r => r.Value.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"option {r.Key}.{o.Key}={o.Value}")),
        .. QueryPacks.Select(q => "queries " + q),
        .. CatalogPacks.Select(c => "catalog " + c)]);

    private string? _fingerprint;

    /// <summary>The configured severity of a rule (rule setting, else category setting, else Default).</summary>
    public ReportSeverity SeverityOf(DiagnosticDescriptor rule)
        => RuleSeverities.TryGetValue(rule.Id, out var s) && s != ReportSeverity.Default ? s
            : CategorySeverities.TryGetValue(rule.Category, out var c) ? c : ReportSeverity.Default;

    /// <summary>Whether a rule runs.</summary>
    public bool IsEnabled(DiagnosticDescriptor rule) => SeverityOf(rule) switch
    {
        ReportSeverity.Suppress => false,
        ReportSeverity.Default => rule.IsEnabledByDefault,
        _ => true,
    };

    /// <summary>The severity a rule's diagnostics are emitted with.</summary>
    public DiagnosticSeverity EffectiveSeverity(DiagnosticDescriptor rule) => SeverityOf(rule) switch
    {
        ReportSeverity.Error => DiagnosticSeverity.Error,
        ReportSeverity.Warn => DiagnosticSeverity.Warning,
        ReportSeverity.Info => DiagnosticSeverity.Info,
        ReportSeverity.Hidden => DiagnosticSeverity.Hidden,
        _ => rule.DefaultSeverity,
    };

    /// <summary>Checks rule ids and categories against the known rules; throws with file and line.</summary>
    public void Validate(IEnumerable<DiagnosticDescriptor> knownRules)
    {
        var rules = knownRules.ToList();
        foreach (var (id, line) in _ruleLines)
            if (!rules.Any(r => r.Id == id))
                throw new ConfigurationException(Path, line, $"unknown rule '{id}' (known: {string.Join(", ", rules.Select(r => r.Id).Order(StringComparer.Ordinal))})");
        foreach (var (name, line) in _categoryLines)
            if (!rules.Any(r => string.Equals(r.Category, name, StringComparison.OrdinalIgnoreCase)))
                throw new ConfigurationException(Path, line, $"unknown category '{name}' (known: {string.Join(", ", rules.Select(r => r.Category).Distinct().Order(StringComparer.Ordinal))})");
    }

    /// <summary>Finds <c>unsafescope.toml</c> in <paramref name="directory"/> or its parents.</summary>
    public static string? FindUpward(string directory)
    {
        for (var d = new DirectoryInfo(System.IO.Path.GetFullPath(directory)); d is not null; d = d.Parent)
        {
            var candidate = System.IO.Path.Combine(d.FullName, FileName);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Reads a configuration file.</summary>
    public static UnsafeScopeConfig Load(string path)
    {
        string text;
        try
        {
            text = IO.UntrustedFile.ReadAllText(path, 1 << 20);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, 0, $"cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses configuration text.</summary>
    public static UnsafeScopeConfig Parse(string text, string path)
    {
        var rules = new Dictionary<string, (ReportSeverity, int)>(StringComparer.Ordinal);
        var ruleLines = new List<(string, int)>();
        var categories = new Dictionary<string, (ReportSeverity, int)>(StringComparer.OrdinalIgnoreCase);
        var options = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var packs = new List<string>();
        var queryPacks = new List<string>();
        string section = "";
        var baseDir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path.Length > 0 ? path : ".")) ?? ".";
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = StripComment(raw).Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('['))
            {
                if (!line.EndsWith(']')) throw new ConfigurationException(path, lineNo, $"malformed section header '{line}'");
                section = line[1..^1].Trim();
                if (section is not ("rules" or "categories" or "catalogs" or "queries") && !section.StartsWith("rules.", StringComparison.Ordinal))
                    throw new ConfigurationException(path, lineNo, $"unknown section [{section}] (expected [rules], [rules.US####], [categories], [catalogs] or [queries])");
                if (section.StartsWith("rules.", StringComparison.Ordinal))
                {
                    var id = section[6..];
                    ruleLines.Add((id, lineNo));
                    options.TryAdd(id, new(StringComparer.Ordinal));
                }
                continue;
            }
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new ConfigurationException(path, lineNo, $"expected 'key = value', got '{line}'");
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            switch (section)
            {
                case "rules":
                    ruleLines.Add((key, lineNo));
                    rules[key] = (Severity(value, path, lineNo), lineNo);
                    break;
                case "categories":
                    categories[key] = (Severity(value, path, lineNo), lineNo);
                    break;
                case "catalogs":
                    if (key != "packs") throw new ConfigurationException(path, lineNo, $"unknown key '{key}' in [catalogs] (expected packs)");
                    packs.AddRange(List(value, path, lineNo).Select(p => PackPath(p, baseDir, path, lineNo, "--catalog")));
                    break;
                case "queries":
                    if (key != "packs") throw new ConfigurationException(path, lineNo, $"unknown key '{key}' in [queries] (expected packs)");
                    queryPacks.AddRange(List(value, path, lineNo).Select(p => PackPath(p, baseDir, path, lineNo, "--queries")));
                    break;
                case "":
                    throw new ConfigurationException(path, lineNo, $"'{key}' is outside any section");
                default:
                {
                    var id = section[6..];
                    if (key == "severity") rules[id] = (Severity(value, path, lineNo), lineNo);
                    else options[id][key] = Scalar(value, path, lineNo);
                    break;
                }
            }
        }
        return new UnsafeScopeConfig(path, rules, categories, options, packs, queryPacks, ruleLines);
    }

    /// <summary>
    /// The absolute path of a pack named in the configuration. The file usually comes from the analyzed repository,
    /// which is untrusted, so it may only name files in its own folder tree (links resolved): it cannot make the
    /// tool read, and echo in error messages, files elsewhere. Packs elsewhere are given on the command line.
    /// </summary>
    private static string PackPath(string pack, string baseDir, string path, int line, string option)
    {
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDir, pack));
        bool inside;
        try
        {
            inside = IO.UntrustedFile.IsInside(baseDir, full);
        }
        catch (IOException e)
        {
            throw new ConfigurationException(path, line, $"pack '{pack}': {e.Message}");
        }
        return inside ? full
            : throw new ConfigurationException(path, line, $"pack '{pack}' is outside the configuration's folder; a configuration names only packs in its own folder tree (give others with {option})");
    }

    private static string StripComment(string line)
    {
        bool inString = false;
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] == '"') inString = !inString;
            else if (line[i] == '#' && !inString) return line[..i];
        }
        return line;
    }

    private static ReportSeverity Severity(string value, string path, int line) => Scalar(value, path, line) switch
    {
        "error" => ReportSeverity.Error,
        "warn" or "warning" => ReportSeverity.Warn,
        "info" or "note" => ReportSeverity.Info,
        "hidden" => ReportSeverity.Hidden,
        "off" or "none" or "suppress" => ReportSeverity.Suppress,
        "default" => ReportSeverity.Default,
        var v => throw new ConfigurationException(path, line, $"severity '{v}' is not one of error, warn, info, hidden, off, default"),
    };

    private static string Scalar(string value, string path, int line)
    {
        if (value.StartsWith('"'))
            return value.Length >= 2 && value.EndsWith('"') ? value[1..^1] : throw new ConfigurationException(path, line, $"unterminated string {value}");
        if (value is "true" or "false" || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return value;
        throw new ConfigurationException(path, line, $"value '{value}' must be a quoted string, a number or true/false");
    }

    private static List<string> List(string value, string path, int line)
    {
        if (!value.StartsWith('[') || !value.EndsWith(']')) throw new ConfigurationException(path, line, "expected a list like [\"a.tsv\", \"b.tsv\"]");
        return [.. value[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => Scalar(v, path, line))];
    }
}
