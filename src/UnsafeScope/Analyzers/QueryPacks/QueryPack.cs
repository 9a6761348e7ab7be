using UnsafeScope.IO;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using UnsafeScope.Diagnostics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Analyzers.QueryPacks;

/// <summary>A query pack that cannot be used: the file, line and problem.</summary>
public sealed class QueryPackException(string file, int line, string problem) : Exception($"{file}:{line}: {problem}")
{
    /// <summary>The pack file.</summary>
    public string File { get; } = file;

    /// <summary>1-based line.</summary>
    public int Line { get; } = line;
}

/// <summary>
/// A pack of rules written as tree-sitter queries (<c>queries/packs/*.scm</c>, or a user's file). Each rule
/// is a block of <c>; key: value</c> header comments (rule, title, severity, precision, message, what, why,
/// example, instead, and optionally cwe, security-severity, tags) followed by its query patterns, up to the next
/// <c>; rule:</c>. The capture <c>@match</c> (else the first capture) is reported; <c>{name}</c> in the
/// message is replaced by the text of capture <c>@name</c>. See queries/README.md.
/// </summary>
public sealed partial class QueryPack : RustAnalyzer
{
    private readonly ImmutableArray<DiagnosticDescriptor> _rules;
    private readonly RustQuery _query;
    private readonly ImmutableArray<int> _ruleOfPattern;

    // One query per pack: tree-sitter walks each file once per pack, whatever the number of rules.
    private QueryPack(string file, ImmutableArray<DiagnosticDescriptor> rules, RustQuery query, ImmutableArray<int> ruleOfPattern, string text)
    {
        File = file;
        _text = text;
        _rules = rules;
        _query = query;
        _ruleOfPattern = ruleOfPattern;
    }

    /// <summary>The pack's file name.</summary>
    public string File { get; }

    /// <summary>A hash of the pack's name and text: part of the result-cache key; hashed on first use, as the catalog's.</summary>
    internal string Fingerprint => _fingerprint ??= ContentHash.Of(File, _text);

    private readonly string _text;
    private string? _fingerprint;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _rules;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
        => context.RegisterQueryAction(_query, c =>
        {
            var match = c.Match;
            var rule = _rules[_ruleOfPattern[match.Pattern]];
            var target = match["match"] ?? match.Captures[0].Node;
            var message = Placeholder().Replace(rule.MessageFormat, m => match[m.Groups[1].Value] is { } n ? OneLine(n.Text) : m.Value);
            c.ReportDiagnostic(Diagnostic.CreateWithMessage(rule, target.Location, message));
        });

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_.]*)\}")]
    private static partial Regex Placeholder();

    private static string OneLine(string s) => s.Length > 80 ? s[..77].ReplaceLineEndings(" ") + "..." : s.ReplaceLineEndings(" ");

    /// <summary>The packs that ship with UnsafeScope (embedded from queries/packs).</summary>
    public static ImmutableArray<QueryPack> BuiltIn { get; } = LoadBuiltIn();

    private static ImmutableArray<QueryPack> LoadBuiltIn()
    {
        var assembly = typeof(QueryPack).Assembly;
        var packs = ImmutableArray.CreateBuilder<QueryPack>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("UnsafeScope.packs.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            packs.Add(Parse(reader.ReadToEnd(), "queries/packs/" + name["UnsafeScope.packs.".Length..]));
        }
        return packs.ToImmutable();
    }

    /// <summary>Reads a pack file; throws <see cref="QueryPackException"/> or <see cref="QueryException"/> naming file and line.</summary>
    public static QueryPack Load(string path)
    {
        string text;
        try
        {
            text = IO.UntrustedFile.ReadAllText(path, RustQuery.MaxSourceLength * 4L); // UTF-8: up to 4 bytes a character
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryPackException(path, 0, $"cannot be read: {e.Message}");
        }
        return Parse(text, path);
    }

    /// <summary>Parses pack text.</summary>
    public static QueryPack Parse(string text, string file)
    {
        if (text.Length > RustQuery.MaxSourceLength)
            throw new QueryPackException(file, 1, $"the pack is {text.Length:N0} characters; the limit is {RustQuery.MaxSourceLength:N0}");
        var lines = text.Split('\n');
        var rules = ImmutableArray.CreateBuilder<DiagnosticDescriptor>();
        var ruleStarts = new List<int>(); // 1-based first line of each rule's section
        int i = 0;
        while (i < lines.Length)
        {
            if (!IsHeader(lines[i], "rule")) { i++; continue; }
            int start = i;
            var header = new Dictionary<string, (string Value, int Line)>(StringComparer.Ordinal);
            while (i < lines.Length && lines[i].TrimStart().StartsWith(';'))
            {
                var body = lines[i].TrimStart().TrimStart(';').Trim();
                int colon = body.IndexOf(':');
                if (colon > 0 && !body[..colon].Contains(' '))
                {
                    var key = body[..colon].Trim();
                    var value = body[(colon + 1)..].Trim().Replace("\\n", "\n", StringComparison.Ordinal);
                    header[key] = header.TryGetValue(key, out var old) ? (old.Value + "\n" + value, old.Line) : (value, i + 1);
                }
                i++;
            }
            int patternStart = i;
            while (i < lines.Length && !IsHeader(lines[i], "rule")) i++;
            if (string.IsNullOrWhiteSpace(string.Concat(lines[patternStart..i].Where(l => !l.TrimStart().StartsWith(';')))))
                throw new QueryPackException(file, start + 1, "the rule has no query patterns");
            rules.Add(Descriptor(header, file, start + 1));
            ruleStarts.Add(start + 1);
        }
        if (rules.Count == 0) throw new QueryPackException(file, 1, "no '; rule: US#### Name' header");
        // The headers are query comments, so the whole file is one query; its patterns belong to the rule above them.
        var query = RustQuery.Create(text, file);
        var ruleOfPattern = query.PatternLines.Select(line => ruleStarts.FindLastIndex(s => s <= line)).ToImmutableArray();
        if (ruleOfPattern.Any(r => r < 0))
            throw new QueryPackException(file, query.PatternLines[ruleOfPattern.IndexOf(-1)], "a query pattern stands before the first '; rule:' header");
        return new QueryPack(file, rules.ToImmutable(), query, ruleOfPattern, text);
    }

    private static bool IsHeader(string line, string key)
    {
        var t = line.TrimStart();
        return t.StartsWith(';') && t.TrimStart(';').TrimStart().StartsWith(key + ":", StringComparison.Ordinal);
    }

    private static DiagnosticDescriptor Descriptor(Dictionary<string, (string Value, int Line)> h, string file, int line)
    {
        string Get(string key, string? fallback = null)
            => h.TryGetValue(key, out var v) ? v.Value : fallback ?? throw new QueryPackException(file, line, $"the rule has no '; {key}:' line");
        var idAndName = Get("rule").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (idAndName.Length != 2) throw new QueryPackException(file, line, "write '; rule: US#### ImperativeName'");
        var severity = Get("severity", "warning") switch
        {
            "error" => DiagnosticSeverity.Error,
            "warning" => DiagnosticSeverity.Warning,
            "note" or "info" => DiagnosticSeverity.Info,
            var s => throw new QueryPackException(file, h["severity"].Line, $"severity '{s}' is not error, warning or note"),
        };
        var properties = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var tags = new List<string> { "unsafe", "pattern" };
        if (h.TryGetValue("security-severity", out var ss))
        {
            properties["security-severity"] = ss.Value;
            tags.Add("security");
        }
        if (h.TryGetValue("cwe", out var cwe))
        {
            if (!int.TryParse(cwe.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) throw new QueryPackException(file, cwe.Line, "cwe must be a number");
            properties["cwe"] = $"CWE-{n}";
            tags.Add($"external/cwe/cwe-{n}");
        }
        if (h.TryGetValue("tags", out var t)) tags.AddRange(t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        properties["pack"] = System.IO.Path.GetFileName(file);
        try
        {
            return new DiagnosticDescriptor(idAndName[0], idAndName[1], Get("title"), Get("message"), "Pattern", severity, true,
                new RuleDocumentation(Get("what"), Get("why"), Get("example"), Get("instead"), Get("configuration", "None.")),
                Get("precision", "medium"), [.. tags.Distinct()], properties.ToImmutable());
        }
        catch (ArgumentException e)
        {
            throw new QueryPackException(file, line, e.Message);
        }
    }
}
