using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;

namespace UnsafeScope.Correlation;

/// <summary>An alert read from another tool's SARIF (CodeQL's, typically).</summary>
/// <param name="Tool">The run's tool name.</param>
/// <param name="RuleId">Rule id (from ruleId, rule.id, or the rule at ruleIndex / rule.index in the driver or the extension named by rule.toolComponent).</param>
/// <param name="RuleName">Short description or name of the rule, when the log has it.</param>
/// <param name="SecuritySeverity">The rule's security-severity, or empty.</param>
/// <param name="Message">Message text.</param>
/// <param name="Uri">The primary location's URI as written.</param>
/// <param name="Path">The URI decoded to a relative path with forward slashes.</param>
/// <param name="Line">1-based start line (0 when absent).</param>
public sealed record ExternalAlert(string Tool, string RuleId, string RuleName, string SecuritySeverity, string Message, string Uri, string Path, int Line);

/// <summary>An alert and the unsafe region it falls in, if any.</summary>
/// <param name="Alert">The alert.</param>
/// <param name="File">Our file it matched (null when the alert's file was not analyzed).</param>
/// <param name="Region">The innermost unsafe region holding the alert's line, or null.</param>
public sealed record CorrelatedAlert(ExternalAlert Alert, string? File, UnsafeRegion? Region);

/// <summary>Reads SARIF logs of other tools and places their alerts in UnsafeScope's unsafe regions.</summary>
public static class CodeQlCorrelation
{
    /// <summary>Reads every result of every run of a SARIF log. Throws <see cref="InvalidDataException"/> with the reason on a malformed log.</summary>
    public static ImmutableArray<ExternalAlert> ReadAlerts(string sarifPath)
    {
        JsonDocument doc;
        try
        {
            using (var stream = IO.UntrustedFile.OpenRead(sarifPath, 64 * 1024)) doc = JsonDocument.Parse(stream);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{sarifPath}: cannot read SARIF: {e.Message}", e);
        }
        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("runs", out var runs) || runs.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{sarifPath}: not a SARIF log (no runs array).");
            var alerts = ImmutableArray.CreateBuilder<ExternalAlert>();
            foreach (var run in runs.EnumerateArray())
            {
                var tool = run.GetProperty("tool");
                var driver = tool.GetProperty("driver");
                var toolName = Str(driver, "name");
                var driverRules = Rules(driver);
                var extensions = tool.TryGetProperty("extensions", out var ext) && ext.ValueKind == JsonValueKind.Array
                    ? ext.EnumerateArray().Select(Rules).ToList() : [];
                if (!run.TryGetProperty("results", out var results)) continue;
                foreach (var r in results.EnumerateArray())
                {
                    // The rule: by id, else by index into the driver or into the extension the result names.
                    JsonElement? rule = null;
                    var ruleId = Str(r, "ruleId");
                    if (r.TryGetProperty("rule", out var rr))
                    {
                        if (ruleId.Length == 0) ruleId = Str(rr, "id");
                        int index = rr.TryGetProperty("index", out var ix) ? ix.GetInt32() : -1;
                        var component = rr.TryGetProperty("toolComponent", out var tc) && tc.TryGetProperty("index", out var ti) ? ti.GetInt32() : -1;
                        var list = component >= 0 && component < extensions.Count ? extensions[component] : driverRules;
                        if (index >= 0 && index < list.Count) rule = list[index];
                    }
                    else if (r.TryGetProperty("ruleIndex", out var ri) && ri.GetInt32() is var i && i >= 0 && i < driverRules.Count)
                    {
                        rule = driverRules[i];
                    }
                    rule ??= driverRules.Concat(extensions.SelectMany(e => e)).FirstOrDefault(x => Str(x, "id") == ruleId) is { ValueKind: JsonValueKind.Object } found ? found : null;
                    if (ruleId.Length == 0 && rule is { } ru) ruleId = Str(ru, "id");
                    var ruleName = rule is { } rn ? (rn.TryGetProperty("shortDescription", out var sd) ? Str(sd, "text") : Str(rn, "name")) : "";
                    var security = rule is { } rs && rs.TryGetProperty("properties", out var props) && props.TryGetProperty("security-severity", out var ss) ? ss.ToString() : "";
                    var message = r.TryGetProperty("message", out var m) ? Str(m, "text") : "";
                    string uri = "";
                    int line = 0;
                    if (r.TryGetProperty("locations", out var locs) && locs.ValueKind == JsonValueKind.Array && locs.GetArrayLength() > 0
                        && locs[0].TryGetProperty("physicalLocation", out var pl))
                    {
                        if (pl.TryGetProperty("artifactLocation", out var al)) uri = Str(al, "uri");
                        if (pl.TryGetProperty("region", out var reg) && reg.TryGetProperty("startLine", out var sl)) line = sl.GetInt32();
                    }
                    alerts.Add(new ExternalAlert(toolName, ruleId, ruleName, security, message, uri, UriToPath(uri), line));
                }
            }
            return alerts.ToImmutable();
        }
    }

    private static List<JsonElement> Rules(JsonElement component)
        => component.TryGetProperty("rules", out var rules) && rules.ValueKind == JsonValueKind.Array ? [.. rules.EnumerateArray()] : [];

    private static string Str(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    /// <summary>A SARIF artifact URI as a relative path: file:// and leading ./ removed, percent-escapes decoded.</summary>
    public static string UriToPath(string uri)
    {
        var s = uri;
        if (s.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) s = s[7..];
        s = Uri.UnescapeDataString(s).Replace('\\', '/');
        while (s.StartsWith("./", StringComparison.Ordinal)) s = s[2..];
        return s;
    }

    /// <summary>Places each alert in the innermost unsafe region of the analyzed file it points into (matched by longest path suffix).</summary>
    public static ImmutableArray<CorrelatedAlert> Correlate(IEnumerable<ExternalAlert> alerts, AnalysisResult result)
    {
        var files = result.Files.Where(f => f.Inventory is not null).ToList();
        var output = ImmutableArray.CreateBuilder<CorrelatedAlert>();
        foreach (var a in alerts)
        {
            var file = MatchFile(a.Path, files);
            UnsafeRegion? region = null;
            if (file?.Inventory is { } inv && a.Line > 0)
            {
                foreach (var r in inv.Regions)
                {
                    if (r.Kind is RegionKind.UnsafeAttribute or RegionKind.ExternFn or RegionKind.ExternStatic) continue;
                    if (a.Line < r.StartLine || a.Line > r.EndLine) continue;
                    if (region is null || (r.EndLine - r.StartLine) < (region.EndLine - region.StartLine)) region = r;
                }
            }
            output.Add(new CorrelatedAlert(a, file?.Path, region));
        }
        return output.ToImmutable();
    }

    /// <summary>
    /// The analyzed file sharing the most trailing path segments with the alert's path: the two tools'
    /// source roots may differ. Ambiguous or weak (fewer than three segments) matches give no file.
    /// </summary>
    private static FileResult? MatchFile(string path, List<FileResult> files)
    {
        if (path.Length == 0) return null;
        var want = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        FileResult? best = null;
        int bestScore = 0;
        bool tie = false;
        foreach (var f in files)
        {
            if (f.Path == path) return f;
            var have = f.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            int score = 0;
            while (score < want.Length && score < have.Length && want[^(score + 1)] == have[^(score + 1)]) score++;
            if (score > bestScore) (best, bestScore, tie) = (f, score, false);
            else if (score == bestScore && score > 0) tie = true;
        }
        // src/lib.rs alone is shared by every crate: demand three segments (or the whole alert path) and a unique best.
        return !tie && bestScore >= Math.Min(3, want.Length) ? best : null;
    }

    /// <summary>A markdown summary: each alert inside an unsafe region with that region's score and FFI calls.</summary>
    public static string ToMarkdown(IReadOnlyList<CorrelatedAlert> correlated)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        int inUnsafe = correlated.Count(c => c.Region is not null), matchedFiles = correlated.Count(c => c.File is not null);
        sb.AppendLine("# CodeQL alerts in unsafe code").AppendLine();
        sb.AppendLine(string.Create(inv, $"{correlated.Count} alert(s); {matchedFiles} in analyzed Rust files; {inUnsafe} inside unsafe regions.")).AppendLine();
        if (inUnsafe > 0)
        {
            sb.AppendLine("| Alert | Rule | Security severity | Location | Region | Score | FFI calls |").AppendLine("|---|---|---:|---|---|---:|---|");
            foreach (var c in correlated.Where(c => c.Region is not null).OrderBy(c => c.Region!.Score).ThenBy(c => c.File, StringComparer.Ordinal).ThenBy(c => c.Alert.Line))
            {
                var r = c.Region!;
                var ffi = string.Join(", ", r.FfiCalls.Select(f => $"{f.Name} ({f.Risk})").Distinct());
                sb.AppendLine(string.Create(inv, $"| {Cell(FirstSentence(c.Alert.Message))} | `{c.Alert.RuleId}` | {c.Alert.SecuritySeverity} | {c.File}:{c.Alert.Line} | {RegionKinds.Name(r.Kind)} `{r.Item}` (lines {r.StartLine}-{r.EndLine}) | {r.Score} | {Cell(ffi)} |"));
            }
            sb.AppendLine();
        }
        var outside = correlated.Where(c => c.Region is null).ToList();
        if (outside.Count > 0)
        {
            sb.AppendLine("Alerts outside unsafe regions (or in files UnsafeScope did not analyze):").AppendLine();
            foreach (var c in outside.OrderBy(c => c.Alert.Path, StringComparer.Ordinal).ThenBy(c => c.Alert.Line))
                sb.AppendLine(string.Create(inv, $"- `{c.Alert.RuleId}` at {c.Alert.Path}:{c.Alert.Line}{(c.File is null ? " (file not analyzed)" : "")}"));
        }
        return Reports.OutputText.Lf(sb);
    }

    /// <summary>The correlation as JSON (deterministic).</summary>
    public static void WriteJson(IReadOnlyList<CorrelatedAlert> correlated, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, Reports.OutputText.Json());
        w.WriteStartObject();
        w.WriteStartArray("alerts");
        foreach (var c in correlated)
        {
            w.WriteStartObject();
            w.WriteString("tool", c.Alert.Tool);
            w.WriteString("ruleId", c.Alert.RuleId);
            w.WriteString("message", c.Alert.Message);
            w.WriteString("uri", c.Alert.Uri);
            w.WriteNumber("line", c.Alert.Line);
            if (c.Alert.SecuritySeverity.Length > 0) w.WriteString("securitySeverity", c.Alert.SecuritySeverity);
            if (c.File is not null) w.WriteString("file", c.File);
            if (c.Region is { } r)
            {
                w.WriteStartObject("region");
                w.WriteString("kind", RegionKinds.Name(r.Kind));
                w.WriteString("item", r.Item);
                w.WriteNumber("startLine", r.StartLine);
                w.WriteNumber("endLine", r.EndLine);
                w.WriteNumber("score", r.Score);
                w.WriteBoolean("hasSafetyComment", r.HasSafetyComment);
                Reports.InventoryJsonWriter.WriteFfiCalls(w, r.FfiCalls);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string FirstSentence(string s)
    {
        int i = s.IndexOf(". ", StringComparison.Ordinal);
        return i > 0 ? s[..(i + 1)] : s;
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
