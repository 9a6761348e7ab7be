using System.Globalization;
using System.Text.Json;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Reports;
using UnsafeScope.Text;

namespace UnsafeScope.Sarif;

/// <summary>
/// Writes an <see cref="AnalysisResult"/> as a SARIF 2.1.0 log for GitHub code scanning: one run, UTF-8 without BOM,
/// streamed, and deterministic (the same result and options give the same bytes; see
/// <see cref="SarifWriteOptions.IncludeTimes"/>). What is written and why is described in <c>docs/sarif.md</c>.
/// </summary>
public static class SarifLogWriter
{
    /// <summary><c>tool.driver.name</c>. Never "CodeQL": GitHub treats such runs as its own.</summary>
    public const string ToolName = "UnsafeScope";

    /// <summary>The <c>$schema</c> written.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The <c>uriBaseId</c> every artifact location is relative to.</summary>
    public const string SourceRootBaseId = "%SRCROOT%";

    /// <summary>The id of the notification written when results were left out to stay within the limit.</summary>
    public const string ResultsTruncatedNotificationId = "US0090";

    /// <summary>The result property counting related locations left out to stay within the limit.</summary>
    public const string RelatedLocationsOmittedProperty = "relatedLocationsOmitted";

    /// <summary>Writes <paramref name="result"/> to <paramref name="output"/>; the stream is left open.</summary>
    public static void Write(AnalysisResult result, SarifWriteOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        new Writer(result, options).Write(output);
    }

    /// <summary>Writes <paramref name="result"/> to a file, atomically (a failure leaves any old file as it was).</summary>
    public static void WriteFile(AnalysisResult result, SarifWriteOptions options, string path) =>
        AtomicFile.Write(path, stream => Write(result, options, stream));

    private sealed class Writer
    {
        private readonly AnalysisResult _result;
        private readonly SarifWriteOptions _options;
        private readonly List<DiagnosticDescriptor> _rules;
        private readonly Dictionary<string, int> _ruleIndex = new(StringComparer.Ordinal);
        private readonly string _sourceRootUri;
        private readonly string _uriPrefix = "";
        private readonly bool _mapped;
        private Utf8JsonWriter _w = null!;

        public Writer(AnalysisResult result, SarifWriteOptions options)
        {
            _result = result;
            _options = options;
            // The rules that ran, plus any rule a diagnostic names that is missing from that list; first one wins.
            var byId = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
            foreach (var d in result.Rules) byId.TryAdd(d.Id, d);
            foreach (var f in result.Files)
                foreach (var d in f.Diagnostics) byId.TryAdd(d.Id, d.Descriptor);
            _rules = [.. byId.Values.OrderBy(d => d.Id, StringComparer.Ordinal)];
            for (int i = 0; i < _rules.Count; i++) _ruleIndex[_rules[i].Id] = i;

            // GitHub reads artifact URIs as relative to the repository root. When the analyzed folder lies inside a
            // known checkout, %SRCROOT% is the checkout and every path gets the folder's place in it as a prefix.
            var baseDirectory = result.BaseDirectory;
            if (options.VersionControl?.LocalRoot is { } localRoot && RelativeFolder(localRoot, baseDirectory) is { } prefix)
            {
                _uriPrefix = prefix;
                _mapped = true;
                baseDirectory = localRoot;
            }
            _sourceRootUri = SarifUri.FromDirectory(baseDirectory);
        }

        // The path of `folder` below `root` with a trailing slash ("" when they are the same), or null when outside.
        private static string? RelativeFolder(string root, string folder)
        {
            var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            var r = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
            var f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            if (string.Equals(r, f, comparison)) return "";
            var rootWithSeparator = r.EndsWith(Path.DirectorySeparatorChar) ? r : r + Path.DirectorySeparatorChar;
            if (!f.StartsWith(rootWithSeparator, comparison)) return null;
            return f[rootWithSeparator.Length..].Replace(Path.DirectorySeparatorChar, '/') + "/";
        }

        public void Write(Stream output)
        {
            var (results, dropped) = ResultSelection.Select(_result, _options);
            var fingerprints = Fingerprints.Compute(results, _result, _options);

            using var w = new Utf8JsonWriter(output, OutputText.Json(_options.Indented));
            _w = w;
            w.WriteStartObject();
            w.WriteString("$schema", SchemaUri);
            w.WriteString("version", "2.1.0");
            w.WriteStartArray("runs");
            w.WriteStartObject();

            WriteTool();
            WriteInvocation(results.Count, dropped);
            w.WriteStartObject("automationDetails");
            w.WriteString("id", _options.Category);
            w.WriteEndObject();
            WriteVersionControl();
            w.WriteStartObject("originalUriBaseIds");
            w.WriteStartObject(SourceRootBaseId);
            w.WriteString("uri", _sourceRootUri);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("columnKind", "utf16CodeUnits");

            w.WriteStartArray("results");
            foreach (var r in results)
            {
                fingerprints.TryGetValue((r.Path, Fingerprints.StartLine(r)), out var hash);
                WriteResult(r, hash);
                if (w.BytesPending > 1 << 16) w.Flush();
            }
            w.WriteEndArray();

            w.WriteEndObject(); // run
            w.WriteEndArray();
            w.WriteEndObject();
            w.Flush();
        }

        private void WriteTool()
        {
            _w.WriteStartObject("tool");
            _w.WriteStartObject("driver");
            _w.WriteString("name", ToolName);
            _w.WriteString("semanticVersion", ToolInfo.Version);
            _w.WriteString("informationUri", ToolInfo.InformationUri);
            _w.WriteStartArray("rules");
            foreach (var rule in _rules) WriteRule(rule);
            _w.WriteEndArray();
            _w.WriteEndObject();
            _w.WriteEndObject();
        }

        private void WriteRule(DiagnosticDescriptor d)
        {
            var w = _w;
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("name", SarifText.Truncate(d.Name, SarifText.MaxNameLength));
            WriteMessage("shortDescription", SarifText.Truncate(d.Title, SarifText.MaxDescriptionLength));
            var full = string.IsNullOrWhiteSpace(d.Documentation.WhatItDoes) ? d.Title : d.Documentation.WhatItDoes.Trim();
            WriteMessage("fullDescription", SarifText.Truncate(full, SarifText.MaxDescriptionLength));
            w.WriteStartObject("defaultConfiguration");
            w.WriteBoolean("enabled", d.IsEnabledByDefault && d.DefaultSeverity != DiagnosticSeverity.Hidden);
            w.WriteString("level", Level(d.DefaultSeverity));
            w.WriteEndObject();
            w.WriteStartObject("help");
            w.WriteString("text", SarifText.HelpText(d));
            w.WriteString("markdown", SarifText.HelpMarkdown(d));
            w.WriteEndObject();
            w.WriteString("helpUri", d.HelpLinkUri);

            w.WriteStartObject("properties");
            w.WriteStartArray("tags");
            foreach (var tag in Tags(d)) w.WriteStringValue(tag);
            w.WriteEndArray();
            w.WriteString("precision", d.Precision);
            w.WriteString("problem.severity", d.DefaultSeverity switch
            {
                DiagnosticSeverity.Error => "error",
                DiagnosticSeverity.Warning => "warning",
                _ => "recommendation",
            });
            w.WriteString("category", d.Category);
            foreach (var (key, value) in d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (key is "tags" or "precision" or "problem.severity" or "category") continue;
                w.WriteString(key, value); // security-severity stays a string, as GitHub requires
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }

        // Distinct tags in the descriptor's order, "security" added when the rule has a security-severity (GitHub
        // ignores security-severity otherwise), at most GitHub's 20.
        private static List<string> Tags(DiagnosticDescriptor d)
        {
            var tags = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (d.Properties.ContainsKey("security-severity") && !d.Tags.Contains("security"))
            {
                tags.Add("security");
                seen.Add("security");
            }
            foreach (var t in d.Tags)
                if (!string.IsNullOrWhiteSpace(t) && seen.Add(t)) tags.Add(t);
            return tags.Count > 20 ? tags.GetRange(0, 20) : tags;
        }

        private void WriteInvocation(int written, int dropped)
        {
            var w = _w;
            w.WriteStartArray("invocations");
            w.WriteStartObject();
            w.WriteBoolean("executionSuccessful", _result.Succeeded);
            if (!string.IsNullOrEmpty(_options.CommandLine)) w.WriteString("commandLine", _options.CommandLine);
            if (_options.IncludeTimes)
            {
                w.WriteString("startTimeUtc", Time(_result.StartTime));
                w.WriteString("endTimeUtc", Time(_result.StartTime + _result.Elapsed));
            }

            var overrides = _result.RuleOverrides
                .Where(o => o.Value != ReportSeverity.Default)
                .OrderBy(o => o.Key, StringComparer.Ordinal)
                .ToList();
            if (overrides.Count > 0)
            {
                w.WriteStartArray("ruleConfigurationOverrides");
                foreach (var (id, severity) in overrides)
                {
                    w.WriteStartObject();
                    w.WriteStartObject("descriptor");
                    w.WriteString("id", id);
                    if (_ruleIndex.TryGetValue(id, out int index)) w.WriteNumber("index", index);
                    w.WriteEndObject();
                    w.WriteStartObject("configuration");
                    w.WriteBoolean("enabled", severity is not (ReportSeverity.Suppress or ReportSeverity.Hidden));
                    var level = severity switch
                    {
                        ReportSeverity.Error => "error",
                        ReportSeverity.Warn => "warning",
                        ReportSeverity.Info or ReportSeverity.Hidden => "note",
                        _ => null,
                    };
                    if (level is not null) w.WriteString("level", level);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            var notifications = _result.Notifications;
            if (dropped > 0)
            {
                int total = written + dropped;
                notifications = notifications.Add(new ToolNotification(ResultsTruncatedNotificationId, NotificationLevel.Warning,
                    string.Format(CultureInfo.InvariantCulture,
                        "The analysis found {0} results but a run may hold at most {1}; the {2} lowest-ranked were left out " +
                        "(ranking: unsuppressed first, then severity, path, position and rule id).",
                        total, _options.MaxResultsPerRun, dropped)));
            }
            if (notifications.Length > 0)
            {
                w.WriteStartArray("toolExecutionNotifications");
                foreach (var n in notifications) WriteNotification(n);
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndArray();
        }

        private void WriteNotification(ToolNotification n)
        {
            var w = _w;
            w.WriteStartObject();
            w.WriteStartObject("descriptor");
            w.WriteString("id", n.Id);
            w.WriteEndObject();
            w.WriteString("level", n.Level switch
            {
                NotificationLevel.Error => "error",
                NotificationLevel.Warning => "warning",
                _ => "note",
            });
            WriteMessage("message", SarifText.PlainMessage(n.Message, n.Id));
            if (n.Path.Length > 0)
            {
                w.WriteStartArray("locations");
                w.WriteStartObject();
                w.WriteStartObject("physicalLocation");
                WriteArtifactLocation(n.Path);
                if (n.Line > 0)
                {
                    w.WriteStartObject("region");
                    w.WriteNumber("startLine", n.Line);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }

        private void WriteVersionControl()
        {
            if (_options.VersionControl is not { } vc) return;
            _w.WriteStartArray("versionControlProvenance");
            _w.WriteStartObject();
            _w.WriteString("repositoryUri", vc.RepositoryUri);
            if (!string.IsNullOrEmpty(vc.RevisionId)) _w.WriteString("revisionId", vc.RevisionId);
            if (!string.IsNullOrEmpty(vc.Branch)) _w.WriteString("branch", vc.Branch);
            if (_mapped)
            {
                _w.WriteStartObject("mappedTo");
                _w.WriteString("uriBaseId", SourceRootBaseId);
                _w.WriteEndObject();
            }
            _w.WriteEndObject();
            _w.WriteEndArray();
        }

        private void WriteResult(PendingResult r, string? lineHash)
        {
            var w = _w;
            var d = r.Diagnostic;
            var related = d.RelatedLocations.Where(l => !l.Location.IsNone).ToList();
            int omitted = Math.Max(0, related.Count - _options.MaxLocationsPerResult);
            if (omitted > 0) related.RemoveRange(_options.MaxLocationsPerResult, omitted);

            w.WriteStartObject();
            w.WriteString("ruleId", d.Id);
            w.WriteNumber("ruleIndex", _ruleIndex[d.Id]);
            w.WriteString("level", Level(d.Severity));
            // GitHub takes security-severity from the rule only, so a finding's own risk travels as SARIF's result
            // rank (0-100, higher = more important): 100 minus the score of the region it sits in.
            if (d.RegionScore is { } score) w.WriteNumber("rank", 100 - score);
            WriteMessage("message", SarifText.ResultMessage(d.Message, d.Descriptor.Title, related.Count));

            w.WriteStartArray("locations");
            w.WriteStartObject();
            WritePhysicalLocation(r.Path, r.HasRegion ? d.Location.LineSpan : null);
            w.WriteEndObject();
            w.WriteEndArray();

            if (related.Count > 0)
            {
                w.WriteStartArray("relatedLocations");
                for (int i = 0; i < related.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", i + 1);
                    WritePhysicalLocation(related[i].Location.Path, related[i].Location.LineSpan);
                    WriteMessage("message", SarifText.PlainMessage(related[i].Message, "Related location."));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }

            // GitHub's line hash, and UnsafeScope's own line-shift-stable id (what --baseline reads back).
            var ownFingerprint = d.Fingerprint;
            if (lineHash is not null || ownFingerprint is not null)
            {
                w.WriteStartObject("partialFingerprints");
                if (lineHash is not null) w.WriteString("primaryLocationLineHash", lineHash);
                if (ownFingerprint is not null) w.WriteString("unsafescope/v1", ownFingerprint);
                w.WriteEndObject();
            }

            if (d.Suppression is { } s)
            {
                w.WriteStartArray("suppressions");
                w.WriteStartObject();
                w.WriteString("kind", string.Equals(s.Kind, "inSource", StringComparison.OrdinalIgnoreCase) ? "inSource" : "external");
                if (!string.IsNullOrWhiteSpace(s.Justification)) w.WriteString("justification", s.Justification.Trim());
                w.WriteEndObject();
                w.WriteEndArray();
            }

            var properties = d.Properties
                .Where(p => p.Key is not ("tags" or RelatedLocationsOmittedProperty or UnsafeScope.Diagnostics.Fingerprints.PropertyKey))
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .ToList();
            if (properties.Count > 0 || omitted > 0)
            {
                w.WriteStartObject("properties");
                foreach (var (key, value) in properties) w.WriteString(key, value);
                if (omitted > 0) w.WriteNumber(RelatedLocationsOmittedProperty, omitted);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        private void WritePhysicalLocation(string path, LinePositionSpan? span)
        {
            var w = _w;
            w.WriteStartObject("physicalLocation");
            WriteArtifactLocation(path);
            w.WriteStartObject("region");
            if (span is { } s)
            {
                w.WriteNumber("startLine", s.Start.Line + 1);
                w.WriteNumber("startColumn", s.Start.Character + 1);
                w.WriteNumber("endLine", s.End.Line + 1);
                w.WriteNumber("endColumn", s.End.Character + 1);
            }
            else
            {
                w.WriteNumber("startLine", 1); // about the whole file: GitHub wants a line
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private void WriteArtifactLocation(string path)
        {
            _w.WriteStartObject("artifactLocation");
            if (IsOutsideSourceRoot(path))
            {
                // A file outside the source root (another folder of a multi-folder run, another drive): an absolute
                // file: URI without uriBaseId, which GitHub and SARIF readers resolve as it is. A relative URI from
                // %SRCROOT% would need ../ segments or, across drives, could not be written at all.
                _w.WriteString("uri", SarifUri.FromFullPath(path, OperatingSystem.IsWindows()));
            }
            else
            {
                _w.WriteString("uri", SarifUri.FromRelativePath(_uriPrefix + path));
                _w.WriteString("uriBaseId", SourceRootBaseId);
            }
            _w.WriteEndObject();
        }

        // Files outside the base directory are recorded by their full path (see FileDiscovery.Relative).
        internal static bool IsOutsideSourceRoot(string path) => Path.IsPathRooted(path);

        private void WriteMessage(string name, string text)
        {
            _w.WriteStartObject(name);
            _w.WriteString("text", text);
            _w.WriteEndObject();
        }

        private static string Level(DiagnosticSeverity s) => s switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "note", // Info, and Hidden (SARIF's "none" is not a level GitHub accepts for rules)
        };

        private static string Time(DateTimeOffset t) =>
            t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}
