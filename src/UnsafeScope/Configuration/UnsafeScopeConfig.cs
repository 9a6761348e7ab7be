using UnsafeScope.IO;
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
/// The <c>[target]</c> section of <c>unsafescope.toml</c>: the target triple (<c>--target</c> overrides it), the enabled
/// Cargo features (null: unknown) and extra cfgs.
/// </summary>
public sealed record TargetSettings(string? Triple, ImmutableArray<string>? Features, ImmutableArray<string> Cfgs)
{
    /// <summary>Nothing fixed.</summary>
    public static TargetSettings None { get; } = new(null, null, []);

    /// <summary>Whether the section fixes anything.</summary>
    public bool IsEmpty => Triple is null && Features is null && Cfgs.IsDefaultOrEmpty;

    /// <summary>Stable text of what is fixed (for fingerprints).</summary>
    public string Describe() => $"{Triple} features={(Features is { } f ? string.Join(',', f) : "?")} cfg={string.Join(',', Cfgs.IsDefault ? [] : Cfgs)}";
}

/// <summary>A set of settings a configuration starts from.</summary>
public enum AnalysisPreset
{
    /// <summary>No preset: each rule's defaults and the crate's own lint levels.</summary>
    None,
    /// <summary>The Linux kernel's <c>rust_common_flags</c>: unsafe_op_in_unsafe_fn denied, SAFETY lints warned, <c>// INVARIANT:</c> accepted as a justification.</summary>
    LinuxKernel,
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
/// # preset = "linux-kernel"    # top level: start from the kernel's rust_common_flags
/// [target]                     # fixes cfgs: code under a false cfg stays in the inventory, inactive, with no findings
/// triple = "x86_64-pc-windows-msvc"
/// features = ["nightly"]       # exactly the enabled Cargo features
/// cfg = ["tokio_unstable", 'backend = "mmio"']   # extra --cfg values
/// </code>
/// </summary>
public sealed class UnsafeScopeConfig
{
    /// <summary>The file name looked for.</summary>
    public const string FileName = "unsafescope.toml";

    /// <summary>No configuration.</summary>
    public static UnsafeScopeConfig Empty { get; } = new("", [], [], [], [], []);

    /// <summary>The <c>[target]</c> section: the triple, features and extra cfgs the configuration fixes (none by default).</summary>
    public TargetSettings Target { get; private init; } = TargetSettings.None;

    private readonly List<(string Id, int Line)> _ruleLines;

    private UnsafeScopeConfig(string path, Dictionary<string, (ReportSeverity Severity, int Line)> rules,
        Dictionary<string, (ReportSeverity Severity, int Line)> categories, Dictionary<string, Dictionary<string, string>> options,
        List<string> packs, List<string> queryPacks, List<(string Id, int Line)>? ruleLines = null, AnalysisPreset preset = AnalysisPreset.None)
    {
        _source = (rules, categories, options, packs, queryPacks, ruleLines);
        Preset = preset;
        // A preset fills in what the file does not set (the file overrides it, rule by rule and option by option).
        rules = new(rules, StringComparer.Ordinal);
        options = options.ToDictionary(o => o.Key, o => new Dictionary<string, string>(o.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (id, severity) in PresetSeverities(preset))
            rules.TryAdd(id, (severity, 0));
        foreach (var (id, key, value) in PresetOptions(preset))
        {
            if (!options.TryGetValue(id, out var o)) options[id] = o = new(StringComparer.Ordinal);
            o.TryAdd(key, value);
        }
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

    private readonly (Dictionary<string, (ReportSeverity, int)> Rules, Dictionary<string, (ReportSeverity, int)> Categories,
        Dictionary<string, Dictionary<string, string>> Options, List<string> Packs, List<string> QueryPacks, List<(string, int)>? RuleLines) _source;

    /// <summary>The preset this configuration starts from (<c>preset = "linux-kernel"</c>, or <c>--preset</c>).</summary>
    public AnalysisPreset Preset { get; }

    /// <summary>This configuration on top of a preset (the file's own settings still win).</summary>
    public UnsafeScopeConfig WithPreset(AnalysisPreset preset)
        => preset == Preset ? this : new(Path, _source.Rules, _source.Categories, _source.Options, _source.Packs, _source.QueryPacks, _source.RuleLines, preset) { Target = Target };

    /// <summary>The preset names the configuration and <c>--preset</c> accept.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = ["linux-kernel", "none"];

    /// <summary>The preset of a name (<c>linux-kernel</c>, <c>none</c>), or null.</summary>
    public static AnalysisPreset? PresetNamed(string name) => name switch
    {
        "linux-kernel" => AnalysisPreset.LinuxKernel,
        "none" => AnalysisPreset.None,
        _ => null,
    };

    /// <summary>
    /// The Linux kernel's <c>rust_common_flags</c> (Makefile): <c>-Dunsafe_op_in_unsafe_fn</c>,
    /// <c>-Wclippy::undocumented_unsafe_blocks</c>, <c>-Wclippy::unnecessary_safety_comment</c>, <c>-Wclippy::unnecessary_safety_doc</c>.
    /// </summary>
    private static IEnumerable<(string Id, ReportSeverity Severity)> PresetSeverities(AnalysisPreset preset) => preset switch
    {
        AnalysisPreset.LinuxKernel => [("US1007", ReportSeverity.Error), ("US1001", ReportSeverity.Warn), ("US1005", ReportSeverity.Warn), ("US1004", ReportSeverity.Warn)],
        _ => [],
    };

    // The kernel denies unsafe_op_in_unsafe_fn whatever the edition, and justifies some unsafe code with `// INVARIANT:`.
    private static IEnumerable<(string Id, string Key, string Value)> PresetOptions(AnalysisPreset preset) => preset switch
    {
        AnalysisPreset.LinuxKernel => [("US1007", "all-editions", "true"), ("US1001", "accept-invariant", "true")],
        _ => [],
    };

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
    internal string Fingerprint => _fingerprint ??= ContentHash.Of([
        .. RuleSeverities.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"rule {p.Key}={p.Value}"),
        .. CategorySeverities.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"category {p.Key.ToLowerInvariant()}={p.Value}"),
        .. Options.ByRule.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(r => r.Value.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"option {r.Key}.{o.Key}={o.Value}")),
        .. QueryPacks.Select(q => "queries " + q),
        "preset " + Preset,
        "target " + Target.Describe(),
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
            text = IO.UntrustedFile.ReadAllText(path, IO.TomlDocument.MaxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, 0, $"cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses configuration text (TOML, read by Tomlyn: escapes, literal strings, inline tables all work).</summary>
    public static UnsafeScopeConfig Parse(string text, string path)
    {
        IO.TomlTable root;
        try
        {
            root = IO.TomlDocument.Parse(text, path);
        }
        catch (IO.TomlSyntaxException e)
        {
            throw new ConfigurationException(path, e.Line, e.Problem);
        }
        var rules = new Dictionary<string, (ReportSeverity, int)>(StringComparer.Ordinal);
        var ruleLines = new List<(string, int)>();
        var categories = new Dictionary<string, (ReportSeverity, int)>(StringComparer.OrdinalIgnoreCase);
        var options = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var packs = new List<string>();
        var queryPacks = new List<string>();
        var preset = AnalysisPreset.None;
        var target = TargetSettings.None;
        var baseDir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path.Length > 0 ? path : ".")) ?? ".";
        foreach (var (section, node) in root.Entries)
        {
            if (section == "preset")
            {
                var name = Scalar(node, path);
                preset = PresetNamed(name) ?? throw new ConfigurationException(path, node.Line, $"unknown preset '{name}' (known: {string.Join(", ", PresetNames)})");
                continue;
            }
            if (node is not IO.TomlTable table)
                throw new ConfigurationException(path, node.Line, $"'{section}' is outside any section");
            switch (section)
            {
                case "rules":
                    foreach (var (id, value) in table.Entries)
                    {
                        ruleLines.Add((id, value.Line));
                        options.TryAdd(id, new(StringComparer.Ordinal));
                        if (value is IO.TomlTable ruleTable)
                        {
                            foreach (var (key, v) in ruleTable.Entries)
                                if (key == "severity") rules[id] = (Severity(v, path), v.Line);
                                else options[id][key] = Scalar(v, path);
                        }
                        else rules[id] = (Severity(value, path), value.Line);
                    }
                    break;
                case "categories":
                    foreach (var (name, value) in table.Entries) categories[name] = (Severity(value, path), value.Line);
                    break;
                case "catalogs" or "queries":
                    foreach (var (key, value) in table.Entries)
                    {
                        if (key != "packs") throw new ConfigurationException(path, value.Line, $"unknown key '{key}' in [{section}] (expected packs)");
                        if (value is not IO.TomlArray list) throw new ConfigurationException(path, value.Line, "expected a list like [\"a.tsv\", \"b.tsv\"]");
                        (section == "catalogs" ? packs : queryPacks).AddRange(list.Items.Select(v =>
                            PackPath(Scalar(v, path), baseDir, path, v.Line, section == "catalogs" ? "--catalog" : "--queries")));
                    }
                    break;
                case "target":
                    target = ReadTarget(table, path);
                    break;
                default:
                    throw new ConfigurationException(path, table.Line, $"unknown section [{section}] (expected [rules], [rules.US####], [categories], [catalogs], [queries] or [target])");
            }
        }
        return new UnsafeScopeConfig(path, rules, categories, options, packs, queryPacks, ruleLines, preset) { Target = target };
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

    private static TargetSettings ReadTarget(IO.TomlTable table, string path)
    {
        string? triple = null;
        ImmutableArray<string>? features = null;
        var cfgs = ImmutableArray<string>.Empty;
        foreach (var (key, value) in table.Entries)
        {
            switch (key)
            {
                case "triple":
                    triple = Scalar(value, path).Trim();
                    if (Semantics.TargetConfiguration.Parse(triple) is null)
                        throw new ConfigurationException(path, value.Line, $"'{triple}' is not a target triple (arch-vendor-os[-env], e.g. x86_64-pc-windows-msvc)");
                    break;
                case "features":
                    features = List(value);
                    break;
                case "cfg":
                    cfgs = List(value);
                    foreach (var c in cfgs)
                        if (!IsCfgOption(c))
                            throw new ConfigurationException(path, value.Line, $"cfg '{c}' is not a name or name = \"value\" (as rustc's --cfg takes it)");
                    break;
                default:
                    throw new ConfigurationException(path, value.Line, $"unknown key '{key}' in [target] (expected triple, features or cfg)");
            }
        }
        return new TargetSettings(triple, features, cfgs);

        ImmutableArray<string> List(IO.TomlNode value) => value is IO.TomlArray list
            ? [.. list.Items.Select(v => Scalar(v, path))]
            : throw new ConfigurationException(path, value.Line, "expected a list like [\"a\", \"b\"]");
    }

    // rustc's --cfg: an identifier, optionally = "string".
    private static bool IsCfgOption(string cfg)
    {
        var eq = cfg.IndexOf('=');
        var name = (eq < 0 ? cfg : cfg[..eq]).Trim();
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_')) return false;
        if (eq < 0) return true;
        var value = cfg[(eq + 1)..].Trim();
        return value.Length >= 2 && value[0] == '"' && value[^1] == '"' && value.IndexOf('"', 1) == value.Length - 1;
    }

    private static ReportSeverity Severity(IO.TomlNode value, string path) => Scalar(value, path) switch
    {
        "error" => ReportSeverity.Error,
        "warn" or "warning" => ReportSeverity.Warn,
        "info" or "note" => ReportSeverity.Info,
        "hidden" => ReportSeverity.Hidden,
        "off" or "none" or "suppress" => ReportSeverity.Suppress,
        "default" => ReportSeverity.Default,
        var v => throw new ConfigurationException(path, value.Line, $"severity '{v}' is not one of error, warn, info, hidden, off, default"),
    };

    private static string Scalar(IO.TomlNode value, string path) => value is IO.TomlScalar { Value: string or bool or long or double } s
        ? s.ToString()
        : throw new ConfigurationException(path, value.Line, "the value must be a string, a number or true/false");
}
