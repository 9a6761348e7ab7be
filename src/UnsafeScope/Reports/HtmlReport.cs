using System.Buffers;
using System.Globalization;
using System.Text;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Scoring;

namespace UnsafeScope.Reports;

/// <summary>What the HTML report shows and how much of it (the caps keep the page small on large corpora).</summary>
public sealed record HtmlReportOptions
{
    /// <summary>The defaults: no timestamp, worst 200 modules, worst 50 regions, 25 lines of code each.</summary>
    public static HtmlReportOptions Default { get; } = new();

    /// <summary>The page title; by default "UnsafeScope report: " and the analyzed folder's name.</summary>
    public string? Title { get; init; }

    /// <summary>Show when the run started (<see cref="AnalysisResult.StartTime"/>); off by default so the page is deterministic.</summary>
    public bool IncludeTimestamp { get; init; }

    /// <summary>Crate rows at most (worst first).</summary>
    public int MaxCrates { get; init; } = 500;

    /// <summary>Module (file) rows at most (worst first).</summary>
    public int MaxModules { get; init; } = 200;

    /// <summary>Worst-encapsulated regions shown with their code.</summary>
    public int MaxRegions { get; init; } = 50;

    /// <summary>Code lines shown per region: all of a short one, else its first lines and those around its unsafe operations (two lines of context above are extra).</summary>
    public int MaxExcerptLines { get; init; } = 25;

    /// <summary>The readiness of the driver packages (<see cref="ReadinessReport.Build"/>); null: built from the result with the built-in catalogs and no CodeQL SARIF.</summary>
    public System.Collections.Immutable.ImmutableArray<DriverReadiness>? Readiness { get; init; }

    /// <summary>The certification fact shown under the readiness section; null: the built-in catalog's.</summary>
    public Catalogs.CertificationFact? Certification { get; init; }

    /// <summary>Bars in the top-FFI-API chart.</summary>
    public int MaxApis { get; init; } = 20;

    /// <summary>FFI family rows in the heat map; the rest are folded into one row.</summary>
    public int MaxFamilies { get; init; } = 16;

    /// <summary>Tool notifications listed (all are counted).</summary>
    public int MaxNotifications { get; init; } = 300;
}

/// <summary>
/// Writes one self-contained HTML page (inline CSS, server-side SVG charts, a little inline JS for sorting
/// and filtering; no external resources) summarizing a run: totals and the overall encapsulation score,
/// crates and modules by unsafe density and score, the FFI surface as a heat map and top-API chart, the
/// worst-encapsulated regions with their code, findings by rule and tool notifications. Deterministic:
/// the same result gives the same bytes (no time unless <see cref="HtmlReportOptions.IncludeTimestamp"/>).
/// </summary>
public static class HtmlReport
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;
    private static readonly string[] s_riskTiers = ["high", "medium", "low", "unknown"];

    /// <summary>Writes the page for <paramref name="result"/> to <paramref name="output"/> (UTF-8, no BOM; the stream stays open).</summary>
    public static void Write(AnalysisResult result, HtmlReportOptions options, Stream output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        new Page(result, options, w).Render();
    }

    /// <summary>HTML-escapes text for element content and double- or single-quoted attributes; control characters become U+FFFD.</summary>
    internal static string Escape(string s)
    {
        var span = s.AsSpan();
        int i = span.IndexOfAny(s_special);
        if (i < 0) return s;
        var sb = new StringBuilder(s.Length + 16);
        sb.Append(span[..i]);
        for (; i < span.Length; i++)
        {
            char c = span[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\t' or '\n': sb.Append(c); break;
                default:
                    if (char.IsControl(c)) sb.Append('\uFFFD');
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    private static readonly SearchValues<char> s_special = SearchValues.Create(
        "&<>\"'" + new string([.. Enumerable.Range(0, 32).Select(c => (char)c).Where(c => c is not ('\t' or '\n'))]) + "\u007f"
        + new string([.. Enumerable.Range(0x80, 32).Select(c => (char)c)]));

    /// <summary>The colour of a score on the red (0) → amber (50) → green (100) scale, as #rrggbb.</summary>
    internal static string ScoreColor(int score)
    {
        (int At, int R, int G, int B)[] stops = [(0, 0x99, 0x1b, 0x1b), (25, 0xdc, 0x26, 0x26), (50, 0xf5, 0x9e, 0x0b), (75, 0x84, 0xcc, 0x16), (100, 0x16, 0xa3, 0x4a)];
        score = Math.Clamp(score, 0, 100);
        for (int i = 1; i < stops.Length; i++)
        {
            if (score > stops[i].At) continue;
            var (a, b) = (stops[i - 1], stops[i]);
            double t = (double)(score - a.At) / (b.At - a.At);
            return Hex(Lerp(a.R, b.R, t), Lerp(a.G, b.G, t), Lerp(a.B, b.B, t));
        }
        return Hex(stops[^1].R, stops[^1].G, stops[^1].B);
    }

    private static int Lerp(int a, int b, double t) => (int)Math.Round(a + (b - a) * t, MidpointRounding.AwayFromZero);

    private static string Hex(int r, int g, int b) => string.Create(s_inv, $"#{r:x2}{g:x2}{b:x2}");

    /// <summary>Mixes <paramref name="color"/> (#rrggbb) into a near-white base by <paramref name="t"/> in [0, 1].</summary>
    private static string Tint(string color, double t)
    {
        int r = Convert.ToInt32(color[1..3], 16), g = Convert.ToInt32(color[3..5], 16), b = Convert.ToInt32(color[5..7], 16);
        return Hex(Lerp(0xf1, r, t), Lerp(0xf5, g, t), Lerp(0xf9, b, t));
    }

    /// <summary>Dark or white text, whichever reads on <paramref name="background"/>.</summary>
    private static string InkOn(string background)
    {
        double r = Convert.ToInt32(background[1..3], 16), g = Convert.ToInt32(background[3..5], 16), b = Convert.ToInt32(background[5..7], 16);
        return (0.299 * r + 0.587 * g + 0.114 * b) / 255 > 0.62 ? "#1e293b" : "#ffffff";
    }

    private static string RiskColor(string risk) => risk switch
    {
        "high" => "#dc2626",
        "medium" => "#f59e0b",
        "low" => "#0ea5e9",
        _ => "#64748b",
    };

    private static string SeverityName(DiagnosticSeverity s) => s switch
    {
        DiagnosticSeverity.Error => "error",
        DiagnosticSeverity.Warning => "warning",
        DiagnosticSeverity.Info => "note",
        _ => "hidden",
    };

    private static string N(long n) => n.ToString("N0", s_inv);

    private static string F(double d, int decimals = 1) => d.ToString("F" + decimals.ToString(s_inv), s_inv);

    private static string Percent(double fraction) => fraction switch
    {
        <= 0 => "0%",
        < 0.001 => "<0.1%",
        < 0.1 => F(fraction * 100, 2) + "%",
        _ => F(fraction * 100) + "%",
    };

    private static double Density(InventoryCounts c) => c.Lines == 0 ? 0 : (double)c.UnsafeLines / c.Lines;

    /// <summary>A file's place in the report: its result, crate and counts.</summary>
    private sealed record ModuleRow(FileResult File, FileInventory Inventory, CrateInventory? Crate, int Findings);

    /// <summary>One crate row: the rollup plus what the report counts itself.</summary>
    private sealed record CrateRow(CrateInventory Crate, int Regions, int Findings);

    private sealed class Page(AnalysisResult result, HtmlReportOptions options, TextWriter w)
    {
        private readonly List<ModuleRow> _modules = [];
        private readonly List<(FileResult File, UnsafeRegion Region)> _regions = [];
        private readonly List<CrateRow> _crates = [];
        private readonly List<Diagnostic> _diagnostics = [];
        private readonly Dictionary<string, (string[]? Lines, string Error)> _sources = new(StringComparer.Ordinal);
        private int _overallScore;

        public void Render()
        {
            Collect();
            w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            w.Write("<meta name=\"generator\" content=\"UnsafeScope " + Escape(ToolInfo.Version) + "\">\n");
            w.Write("<title>" + Escape(Title) + "</title>\n<style>\n" + Css + "</style>\n</head>\n<body>\n");
            Header();
            w.Write("<main>\n");
            Overview();
            Crates();
            Modules();
            Ffi();
            Readiness();
            WorstRegions();
            Findings();
            Notifications();
            w.Write("</main>\n<footer>Generated by UnsafeScope " + Escape(ToolInfo.Version) + " · scores are explained in docs/scoring.md · rule pages in docs/rules</footer>\n");
            w.Write("<script>\n" + Script + "</script>\n</body>\n</html>\n");
        }

        private string Title => options.Title ?? "UnsafeScope report: " + AnalyzedName;

        private string AnalyzedName
        {
            get
            {
                var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(result.BaseDirectory));
                return name.Length > 0 ? name : result.BaseDirectory;
            }
        }

        private void Collect()
        {
            var crateByRoot = new Dictionary<string, CrateInventory>(StringComparer.Ordinal);
            foreach (var c in result.Crates) crateByRoot.TryAdd(c.Root, c);
            var regionsByCrate = new Dictionary<CrateInventory, int>(ReferenceEqualityComparer.Instance);
            var findingsByCrate = new Dictionary<CrateInventory, int>(ReferenceEqualityComparer.Instance);
            foreach (var f in result.Files)
            {
                _diagnostics.AddRange(f.Diagnostics);
                if (f.Inventory is not { } inv) continue;
                var crate = CrateOf(f.Path, crateByRoot);
                int findings = f.Diagnostics.Count(d => !d.IsSuppressed && d.Severity != DiagnosticSeverity.Hidden);
                if (crate is not null)
                {
                    regionsByCrate[crate] = regionsByCrate.GetValueOrDefault(crate) + inv.Regions.Length;
                    findingsByCrate[crate] = findingsByCrate.GetValueOrDefault(crate) + findings;
                }
                if (!inv.Regions.IsEmpty) _modules.Add(new ModuleRow(f, inv, crate, findings));
                foreach (var r in inv.Regions) _regions.Add((f, r));
            }
            foreach (var c in result.Crates)
                _crates.Add(new CrateRow(c, regionsByCrate.GetValueOrDefault(c), findingsByCrate.GetValueOrDefault(c)));
            _overallScore = EncapsulationScore.Rollup(_regions.Select(x => x.Region));
        }

        /// <summary>The crate whose root is the nearest folder above <paramref name="path"/>.</summary>
        private static CrateInventory? CrateOf(string path, Dictionary<string, CrateInventory> byRoot)
        {
            for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
                if (byRoot.TryGetValue(path[..slash], out var c)) return c;
            return byRoot.GetValueOrDefault(".");
        }

        private IEnumerable<Diagnostic> Active => _diagnostics.Where(d => !d.IsSuppressed && d.Severity != DiagnosticSeverity.Hidden);

        // ---------------------------------------------------------------- header and overview

        private void Header()
        {
            int analyzed = result.Files.Count(f => f.Status == FileStatus.Analyzed);
            w.Write("<header class=\"top\">\n<div class=\"brand\">UnsafeScope · unsafe &amp; FFI surface</div>\n");
            w.Write("<h1>" + Escape(Title) + "</h1>\n<p class=\"sub\"><code>" + Escape(result.BaseDirectory) + "</code> · ");
            w.Write(N(analyzed) + " files analyzed in " + N(result.Crates.Length) + (result.Crates.Length == 1 ? " crate" : " crates"));
            if (options.IncludeTimestamp)
                w.Write(" · run started " + Escape(result.StartTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", s_inv)));
            w.Write(" · UnsafeScope " + Escape(ToolInfo.Version) + "</p>\n<nav>");
            foreach (var (id, label) in new[] { ("overview", "Overview"), ("crates", "Crates"), ("modules", "Modules"), ("ffi", "FFI surface"), ("readiness", "Driver readiness"), ("regions", "Worst regions"), ("findings", "Findings"), ("notifications", "Notifications") })
                w.Write("<a href=\"#" + id + "\">" + label + "</a>");
            w.Write("</nav>\n</header>\n");
        }

        private void Overview()
        {
            var t = result.Totals;
            int analyzed = result.Files.Count(f => f.Status == FileStatus.Analyzed);
            int skipped = result.Files.Count(f => f.Status == FileStatus.Skipped);
            var active = Active.ToList();
            int errors = active.Count(d => d.Severity == DiagnosticSeverity.Error);
            int warnings = active.Count(d => d.Severity == DiagnosticSeverity.Warning);
            int notes = active.Count(d => d.Severity == DiagnosticSeverity.Info);
            int suppressed = _diagnostics.Count(d => d.IsSuppressed);
            var scored = _regions.Where(x => EncapsulationScore.IsScored(x.Region.Kind)).ToList();
            string color = ScoreColor(_overallScore);

            w.Write("<section id=\"overview\" class=\"card overview\">\n<div class=\"score-card\">\n<div class=\"label\">Encapsulation score</div>\n");
            w.Write("<div class=\"big\" style=\"color:" + color + "\">" + _overallScore.ToString(s_inv) + "<span>/100</span></div>\n");
            w.Write(Gauge(_overallScore));
            w.Write("<p class=\"muted\">Mean of " + N(scored.Count) + " scored regions, weighted by their unsafe operations. "
                + "100 = every unsafe region documented, small and behind a safe API.</p>\n");
            var factors = scored.SelectMany(x => x.Region.ScoreFactors.Select(f => f.Name).Distinct()).GroupBy(n => n)
                .Select(g => (Label: g.Key, Value: (long)g.Count())).OrderByDescending(f => f.Value).ThenBy(f => f.Label, StringComparer.Ordinal).Take(8).ToList();
            if (factors.Count > 0)
            {
                w.Write("<figure><figcaption>Why scores drop</figcaption>\n");
                w.Write(BarChart("factors", factors.Select(f => (f.Label, f.Value, "#ef4444", "")).ToList(), 300));
                w.Write("</figure>\n");
            }
            w.Write("</div>\n<div>\n<div class=\"tiles t5\">\n");
            Tile("Files", N(analyzed), skipped > 0 ? N(skipped) + " skipped" : N(t.Lines) + " lines");
            Tile("Unsafe regions", N(_regions.Count), N(scored.Count) + " scored");
            Tile("Unsafe density", Percent(Density(t)), N(t.UnsafeLines) + " of " + N(t.Lines) + " lines");
            Tile("FFI calls", N(t.FfiCalls), N(_regions.Sum(x => x.Region.FfiCalls.Count(c => c.Risk == "high"))) + " high-risk");
            Tile("MMIO accesses", N(t.MmioAccesses), "volatile, port, register");
            w.Write("</div>\n<div class=\"tiles t4\">\n");
            Tile("Errors", N(errors), "findings", "error");
            Tile("Warnings", N(warnings), "findings", "warning");
            Tile("Notes", N(notes), "findings", "note");
            Tile("Suppressed", N(suppressed), "in source, config or baseline", "suppressed");
            w.Write("</div>\n<div class=\"charts\">\n<figure><figcaption>Region scores</figcaption>\n");
            w.Write(Histogram(scored.Select(x => x.Region.Score)));
            w.Write("</figure>\n<figure><figcaption>Unsafe regions by kind</figcaption>\n");
            var kinds = _regions.GroupBy(x => x.Region.Kind).Select(g => (Label: RegionKinds.Name(g.Key), Value: (long)g.Count()))
                .OrderByDescending(k => k.Value).ThenBy(k => k.Label, StringComparer.Ordinal).ToList();
            w.Write(kinds.Count == 0 ? "<p class=\"empty\">No unsafe regions.</p>\n"
                : BarChart("kinds", kinds.Select(k => (k.Label, k.Value, "#6366f1", "")).ToList(), 460));
            w.Write("</figure>\n</div>\n</div>\n</section>\n");
        }

        private void Tile(string label, string value, string sub, string? severity = null)
        {
            w.Write("<div class=\"tile" + (severity is null ? "" : " t-" + severity) + "\"><div class=\"l\">" + Escape(label) + "</div><div class=\"v\">"
                + Escape(value) + "</div><div class=\"s\">" + Escape(sub) + "</div></div>\n");
        }

        // ---------------------------------------------------------------- crates and modules

        private void Crates()
        {
            w.Write("<section id=\"crates\" class=\"card\">\n<h2>Crates</h2>\n<p class=\"lead\">Unsafe density (lines inside unsafe blocks and unsafe functions per line) and encapsulation score per crate, worst score first. Click a column to sort.</p>\n");
            if (_crates.Count == 0)
            {
                w.Write("<p class=\"empty\">No crates were analyzed.</p>\n</section>\n");
                return;
            }
            var rows = _crates.OrderBy(c => c.Crate.Score).ThenByDescending(c => c.Crate.Counts.UnsafeLines)
                .ThenBy(c => c.Crate.Root, StringComparer.Ordinal).Take(options.MaxCrates).ToList();
            double maxDensity = rows.Max(r => Density(r.Crate.Counts));
            Filter("crate-table", "crates");
            w.Write("<div class=\"scroll\">\n<table id=\"crate-table\" class=\"sortable\">\n<thead><tr><th>Crate</th><th class=\"num\">Files</th><th class=\"num\">Lines</th>"
                + "<th class=\"num\">Unsafe density</th><th class=\"num\">Regions</th><th class=\"num\">FFI</th><th class=\"num\">MMIO</th>"
                + "<th class=\"num\">Findings</th><th class=\"num\" data-key=\"score\">Score</th></tr></thead>\n<tbody>\n");
            foreach (var r in rows)
            {
                var c = r.Crate;
                w.Write("<tr><td data-v=\"" + Escape(c.Name) + "\"><b>" + Escape(c.Name) + "</b> <span class=\"path\">" + Escape(c.Root) + " · " + Escape(c.Edition) + "</span></td>");
                NumCell(c.Files);
                NumCell(c.Counts.Lines);
                DensityCell(c.Counts, maxDensity);
                NumCell(r.Regions);
                NumCell(c.Counts.FfiCalls);
                NumCell(c.Counts.MmioAccesses);
                NumCell(r.Findings);
                ScoreCell(c.Score);
                w.Write("</tr>\n");
            }
            w.Write("</tbody>\n</table>\n</div>\n");
            if (_crates.Count > rows.Count)
                w.Write("<p class=\"note\">Showing the " + N(rows.Count) + " worst of " + N(_crates.Count) + " crates; the JSON inventory (--json) has them all.</p>\n");
            w.Write("</section>\n");
        }

        private void Modules()
        {
            int analyzed = result.Files.Count(f => f.Inventory is not null);
            w.Write("<section id=\"modules\" class=\"card\">\n<h2>Modules</h2>\n<p class=\"lead\">Files holding unsafe code (" + N(_modules.Count) + " of " + N(analyzed)
                + " analyzed files), worst encapsulation score first; density bars are scaled to the densest file shown.</p>\n");
            if (_modules.Count == 0)
            {
                w.Write("<p class=\"empty\">No file holds unsafe code.</p>\n</section>\n");
                return;
            }
            var rows = _modules.OrderBy(m => m.Inventory.Score).ThenByDescending(m => m.Inventory.Counts.UnsafeLines)
                .ThenBy(m => m.File.Path, StringComparer.Ordinal).Take(options.MaxModules).ToList();
            double maxDensity = rows.Max(r => Density(r.Inventory.Counts));
            Filter("module-table", "modules");
            w.Write("<div class=\"scroll\">\n<table id=\"module-table\" class=\"sortable\">\n<thead><tr><th>Module</th><th>Crate</th><th class=\"num\">Lines</th>"
                + "<th class=\"num\">Unsafe density</th><th class=\"num\">Regions</th><th class=\"num\">FFI</th><th class=\"num\">MMIO</th>"
                + "<th class=\"num\">Findings</th><th class=\"num\">Score</th></tr></thead>\n<tbody>\n");
            foreach (var m in rows)
            {
                var c = m.Inventory.Counts;
                w.Write("<tr><td class=\"path\" data-v=\"" + Escape(m.File.Path) + "\">" + PathHtml(m.File.Path) + "</td><td>" + Escape(m.Inventory.Crate) + "</td>");
                NumCell(c.Lines);
                DensityCell(c, maxDensity);
                NumCell(m.Inventory.Regions.Length);
                NumCell(c.FfiCalls);
                NumCell(c.MmioAccesses);
                NumCell(m.Findings);
                ScoreCell(m.Inventory.Score);
                w.Write("</tr>\n");
            }
            w.Write("</tbody>\n</table>\n</div>\n");
            if (_modules.Count > rows.Count)
                w.Write("<p class=\"note\">Showing the " + N(rows.Count) + " worst of " + N(_modules.Count) + " modules with unsafe code; the JSON inventory (--json) has them all.</p>\n");
            w.Write("</section>\n");
        }

        private void Filter(string table, string what) =>
            w.Write("<input class=\"filter\" type=\"search\" placeholder=\"Filter " + what + "…\" data-filter=\"" + table + "\" aria-label=\"Filter " + what + "\">\n");

        private void NumCell(long n) => w.Write("<td class=\"n\" data-v=\"" + n.ToString(s_inv) + "\">" + N(n) + "</td>");

        private void DensityCell(InventoryCounts c, double max)
        {
            double d = Density(c);
            double width = max <= 0 ? 0 : Math.Max(d > 0 ? 1 : 0, 90 * d / max);
            w.Write("<td class=\"n\" data-v=\"" + F(d * 100, 4) + "\" title=\"" + N(c.UnsafeLines) + " of " + N(c.Lines) + " lines\"><span class=\"cell\">"
                + "<svg class=\"bar\" width=\"90\" height=\"10\" viewBox=\"0 0 90 10\" aria-hidden=\"true\"><rect width=\"90\" height=\"10\" rx=\"2\" fill=\"#eef2f7\"/>"
                + "<rect width=\"" + F(width) + "\" height=\"10\" rx=\"2\" fill=\"#6366f1\"/></svg><span>" + Percent(d) + "</span></span></td>");
        }

        private void ScoreCell(int score)
        {
            string color = ScoreColor(score);
            w.Write("<td class=\"n\" data-v=\"" + score.ToString(s_inv) + "\"><span class=\"cell\"><svg class=\"bar\" width=\"80\" height=\"10\" viewBox=\"0 0 80 10\" aria-hidden=\"true\">"
                + "<rect width=\"80\" height=\"10\" rx=\"2\" fill=\"#eef2f7\"/><rect width=\"" + F(0.8 * score) + "\" height=\"10\" rx=\"2\" fill=\"" + color + "\"/></svg>"
                + "<span class=\"badge\" style=\"background:" + color + ";color:" + InkOn(color) + "\">" + score.ToString(s_inv) + "</span></span></td>");
        }

        // ---------------------------------------------------------------- FFI

        private void Readiness()
        {
            var drivers = options.Readiness ?? ReadinessReport.Build(result);
            w.Write("<section id=\"readiness\" class=\"card\">\n<h2>Driver readiness</h2>\n");
            if (drivers.IsEmpty)
            {
                w.Write("<p class=\"lead\">No Windows driver package (no <code>[package.metadata.wdk.driver-model]</code>, and no <code>cdylib</code> depending on wdk) was found.</p>\n</section>\n");
                return;
            }
            w.Write("<p class=\"lead\">The early adopters' checklist per driver package: configuration that compiles but can corrupt the kernel, pinned tools, the unsafe surface, how much of its encapsulation tests reach, and CodeQL.</p>\n");
            foreach (var d in drivers)
            {
                int failed = d.Checks.Count(c => c.Outcome == ReadinessOutcome.Fail);
                w.Write("<div class=\"readiness\">\n<h3>" + Escape(d.Crate) + " <span class=\"muted\">" + Escape(d.Root) + "</span> <span class=\"model\">" + Escape(d.DriverModel) + "</span> ");
                w.Write(failed == 0 ? "<span class=\"check pass\">all checks pass</span>" : "<span class=\"check fail\">" + N(failed) + (failed == 1 ? " check fails" : " checks fail") + "</span>");
                w.Write("</h3>\n<div class=\"ready-grid\">\n<div>\n<h4>Configuration</h4>\n<table class=\"checks\">\n");
                foreach (var c in d.Checks)
                {
                    var cls = c.Outcome switch { ReadinessOutcome.Pass => "pass", ReadinessOutcome.Off => "off", _ => "fail" };
                    w.Write("<tr><td><span class=\"check " + cls + "\">" + cls + "</span></td><td><code>" + Escape(c.RuleId) + "</code> " + Escape(c.Title));
                    foreach (var p in c.Problems) w.Write("<div class=\"problem\">" + Escape(p) + "</div>");
                    w.Write("</td></tr>\n");
                }
                w.Write("</table>\n</div>\n<div>\n<h4>Pinned versions</h4>\n<p>Rust toolchain: " + (d.Toolchain is { } t ? "<code>" + Escape(t) + "</code>" : "<span class=\"check fail\">not pinned</span>") + "</p>\n<p>wdk crates in Cargo.lock: ");
                w.Write(d.Pins.IsEmpty ? "<span class=\"muted\">none</span>" : string.Join(", ", d.Pins.Select(p => "<code>" + Escape(p.Name) + " " + Escape(p.Version) + "</code>")));
                w.Write("</p>\n<h4>Unsafe surface</h4>\n<p>" + N(d.Regions) + " regions · FFI calls ");
                w.Write(string.Join(" · ", new[] { "high", "medium", "low", "unknown" }.Select(r => d.FfiByRisk.GetValueOrDefault(r) is var n && n > 0 ? "<span class=\"risk-" + r + "\">" + N(n) + " " + r + "</span>" : "0 " + r)));
                w.Write(" · " + N(d.Mmio) + " hardware accesses · score ");
                ScoreBadge(d.Score);
                w.Write("</p>\n<h4>Tested wrappers</h4>\n<p>" + N(d.TestedWrappers) + " of " + N(d.Wrappers) + " safe functions that encapsulate unsafe code are reached by a test");
                if (d.Wrappers > 0)
                {
                    int pct = (int)Math.Round(100.0 * d.TestedWrappers / d.Wrappers, MidpointRounding.AwayFromZero);
                    w.Write(" <span class=\"bar\"><span style=\"width:" + pct.ToString(s_inv) + "%\"></span></span> " + pct.ToString(s_inv) + "%");
                }
                w.Write("</p>\n<h4>CodeQL</h4>\n<p>" + Escape(ReadinessReport.CodeQlText(d.CodeQl)) + "</p>\n</div>\n</div>\n</div>\n");
            }
            if ((options.Certification ?? ReadinessReport.Certification(null)) is { } fact)
                w.Write("<p class=\"note whcp\"><b>" + Escape(fact.Program) + ", as of " + fact.AsOf.ToString("yyyy-MM-dd", s_inv) + ":</b> " + Escape(fact.Fact) + "</p>\n");
            w.Write("</section>\n");
        }

        private void ScoreBadge(int score) => w.Write("<span class=\"badge\" style=\"background:" + ScoreColor(score) + ";color:#fff\">" + score.ToString(s_inv) + "</span>");

        private void Ffi()
        {
            var calls = _regions.SelectMany(x => x.Region.FfiCalls).ToList();
            w.Write("<section id=\"ffi\" class=\"card\">\n<h2>FFI surface</h2>\n<p class=\"lead\">" + N(calls.Count)
                + " calls across the FFI boundary, by API family and the catalog's risk tier (darker = more calls).</p>\n");
            if (calls.Count == 0)
            {
                w.Write("<p class=\"empty\">No FFI calls were found.</p>\n");
            }
            else
            {
                w.Write("<div class=\"ffi-grid\">\n<figure><figcaption>Families × risk tiers</figcaption>\n" + HeatMap(calls) + "</figure>\n");
                var apis = calls.GroupBy(c => (c.Name, c.Family, c.Risk)).Select(g => (g.Key, Count: (long)g.Count()))
                    .OrderByDescending(a => a.Count).ThenBy(a => a.Key.Name, StringComparer.Ordinal).ThenBy(a => a.Key.Family, StringComparer.Ordinal)
                    .ThenBy(a => a.Key.Risk, StringComparer.Ordinal).Take(options.MaxApis).ToList();
                w.Write("<figure><figcaption>Top " + N(apis.Count) + " FFI APIs</figcaption>\n");
                w.Write(BarChart("apis", apis.Select(a => (a.Key.Name, a.Count, RiskColor(a.Key.Risk), a.Key.Family + " · " + a.Key.Risk)).ToList(), 560));
                w.Write(Legend());
                w.Write("</figure>\n</div>\n");
                // WDK calls recognized by how they are reached (wdk-sys paths, the WDF macro) that the API catalog lacks.
                var gaps = calls.Where(c => c.Uncatalogued).GroupBy(c => c.Name).Select(g => (Name: g.Key, Family: g.First().Family, Count: g.Count()))
                    .OrderByDescending(g => g.Count).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();
                if (gaps.Count > 0)
                    w.Write("<p id=\"uncatalogued\" class=\"lead\">Uncatalogued WDK APIs (" + N(gaps.Count) + "; risk unknown, family from the name prefix): "
                        + string.Join(", ", gaps.Take(options.MaxApis).Select(g => "<code>" + Escape(g.Name) + "</code> <span class=\"path\">" + Escape(g.Family) + " · " + N(g.Count) + "</span>")) + "</p>\n");
            }
            var mmio = _regions.SelectMany(x => x.Region.Mmio).GroupBy(m => m.Kind).Select(g => (Label: g.Key, Value: (long)g.Count()))
                .OrderByDescending(k => k.Value).ThenBy(k => k.Label, StringComparer.Ordinal).ToList();
            if (mmio.Count > 0)
            {
                w.Write("<figure><figcaption>Hardware accesses by kind (" + N(mmio.Sum(m => m.Value)) + ")</figcaption>\n");
                w.Write(BarChart("mmio", mmio.Select(m => (m.Label, m.Value, "#0d9488", "")).ToList(), 560));
                w.Write("</figure>\n");
            }
            w.Write("</section>\n");
        }

        private static string Legend()
        {
            var sb = new StringBuilder("<p class=\"legend\">");
            foreach (var r in s_riskTiers)
                sb.Append("<span><i style=\"background:" + RiskColor(r) + "\"></i>" + r + "</span>");
            return sb.Append("</p>\n").ToString();
        }

        private string HeatMap(List<FfiCall> calls)
        {
            var tiers = s_riskTiers.Concat(calls.Select(c => c.Risk).Where(r => !s_riskTiers.Contains(r)).Distinct().OrderBy(r => r, StringComparer.Ordinal)).ToList();
            var families = calls.GroupBy(c => c.Family).Select(g => (Name: g.Key, Total: g.Count(), ByRisk: g.GroupBy(c => c.Risk).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal)))
                .OrderByDescending(f => f.Total).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
            if (families.Count > options.MaxFamilies)
            {
                var rest = families.Skip(options.MaxFamilies - 1).ToList();
                var merged = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var f in rest)
                    foreach (var (risk, n) in f.ByRisk) merged[risk] = merged.GetValueOrDefault(risk) + n;
                families = [.. families.Take(options.MaxFamilies - 1), ($"{rest.Count} other families", rest.Sum(f => f.Total), merged)];
            }
            int max = families.SelectMany(f => f.ByRisk.Values).DefaultIfEmpty(0).Max();
            const int labelW = 150, cellW = 84, cellH = 30, top = 26, totalW = 70;
            int width = labelW + tiers.Count * cellW + totalW, height = top + families.Count * cellH + 4;
            var sb = new StringBuilder();
            sb.Append("<svg id=\"heatmap\" class=\"chart\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\" aria-label=\"FFI calls by family and risk\">\n");
            for (int j = 0; j < tiers.Count; j++)
                sb.Append("<text x=\"" + (labelW + j * cellW + cellW / 2) + "\" y=\"16\" text-anchor=\"middle\" class=\"hd\" fill=\"" + RiskColor(tiers[j]) + "\">" + Escape(tiers[j]) + "</text>");
            sb.Append("<text x=\"" + (labelW + tiers.Count * cellW + totalW - 6) + "\" y=\"16\" text-anchor=\"end\" class=\"hd\">total</text>\n");
            for (int i = 0; i < families.Count; i++)
            {
                var f = families[i];
                int y = top + i * cellH;
                sb.Append("<text x=\"" + (labelW - 10) + "\" y=\"" + (y + cellH / 2 + 4) + "\" text-anchor=\"end\">" + Escape(Clip(f.Name, 20)) + "<title>" + Escape(f.Name) + "</title></text>");
                for (int j = 0; j < tiers.Count; j++)
                {
                    int n = f.ByRisk.GetValueOrDefault(tiers[j]);
                    double t = n == 0 || max == 0 ? 0 : 0.18 + 0.82 * Math.Log(1 + n) / Math.Log(1 + max);
                    string fill = n == 0 ? "#f8fafc" : Tint(RiskColor(tiers[j]), t);
                    int x = labelW + j * cellW;
                    sb.Append("<rect x=\"" + (x + 2) + "\" y=\"" + (y + 2) + "\" width=\"" + (cellW - 4) + "\" height=\"" + (cellH - 4) + "\" rx=\"4\" fill=\"" + fill + "\"><title>"
                        + Escape(f.Name) + " × " + Escape(tiers[j]) + ": " + N(n) + " calls</title></rect>");
                    if (n > 0)
                        sb.Append("<text x=\"" + (x + cellW / 2) + "\" y=\"" + (y + cellH / 2 + 4) + "\" text-anchor=\"middle\" class=\"v\" fill=\"" + InkOn(fill) + "\">" + N(n) + "</text>");
                }
                sb.Append("<text x=\"" + (labelW + tiers.Count * cellW + totalW - 6) + "\" y=\"" + (y + cellH / 2 + 4) + "\" text-anchor=\"end\" class=\"v\">" + N(f.Total) + "</text>\n");
            }
            return sb.Append("</svg>\n").ToString();
        }

        // ---------------------------------------------------------------- worst regions

        private void WorstRegions()
        {
            var scored = _regions.Where(x => EncapsulationScore.IsScored(x.Region.Kind)).ToList();
            var worst = scored.OrderBy(x => x.Region.Score).ThenBy(x => x.File.Path, StringComparer.Ordinal)
                .ThenBy(x => x.Region.StartLine).ThenBy(x => x.Region.Location.LineSpan.Start.Character).ThenBy(x => x.Region.Kind)
                .Take(options.MaxRegions).ToList();
            w.Write("<section id=\"regions\" class=\"card\">\n<h2>Worst-encapsulated regions</h2>\n<p class=\"lead\">The " + N(worst.Count) + " lowest-scoring of "
                + N(scored.Count) + " scored regions, with what took the points off, what they call, and their code. "
                + "<button type=\"button\" data-toggle=\"regions\">Expand / collapse all code</button></p>\n");
            if (worst.Count == 0) w.Write("<p class=\"empty\">No scored unsafe regions.</p>\n");
            for (int i = 0; i < worst.Count; i++) Region(i + 1, worst[i].File, worst[i].Region, open: i < 10);
            w.Write("</section>\n");
        }

        private void Region(int rank, FileResult file, UnsafeRegion r, bool open)
        {
            string color = ScoreColor(r.Score);
            w.Write("<article class=\"region\" id=\"region-" + rank.ToString(s_inv) + "\">\n<header><span class=\"rank\">#" + rank.ToString(s_inv) + "</span>");
            w.Write("<span class=\"badge big-badge\" style=\"background:" + color + ";color:" + InkOn(color) + "\" title=\"encapsulation score\">" + r.Score.ToString(s_inv) + "</span>");
            w.Write("<span class=\"kind\">" + Escape(RegionKinds.Name(r.Kind)) + "</span><code class=\"item\">" + Escape(r.Item.Length > 0 ? r.Item : "(top level)") + "</code>");
            w.Write("<span class=\"loc\">" + Escape(file.Path) + ":" + r.StartLine.ToString(s_inv) + "</span>");
            w.Write("<span class=\"tags\"><span class=\"tag\">" + Escape(r.Visibility) + "</span>");
            if (r.InMacro) w.Write("<span class=\"tag warn\">in macro</span>");
            if (r.InUnsafeFunction) w.Write("<span class=\"tag\">in unsafe fn</span>");
            if (r.EnclosingAbi.Length > 0) w.Write("<span class=\"tag\">extern \"" + Escape(r.EnclosingAbi) + "\" callback</span>");
            w.Write(r.HasSafetyComment ? "<span class=\"tag ok\">SAFETY comment</span>" : "");
            w.Write("</span></header>\n<div class=\"facts\">\n<div><h4>Score factors" + (r.ScoreFactors.IsEmpty ? " <span class=\"none\">none</span>" : "") + "</h4>\n");
            if (!r.ScoreFactors.IsEmpty)
            {
                w.Write("<ul class=\"factors\">\n");
                foreach (var f in r.ScoreFactors)
                    w.Write("<li><span class=\"pts\">" + f.Points.ToString(s_inv).Replace("-", "\u2212", StringComparison.Ordinal) + "</span>"
                        + "<svg width=\"48\" height=\"8\" viewBox=\"0 0 48 8\" aria-hidden=\"true\"><rect width=\"" + Math.Min(48, -f.Points * 48 / 40).ToString(s_inv) + "\" height=\"8\" rx=\"2\" fill=\"#ef4444\"/></svg>"
                        + "<b>" + Escape(f.Name) + "</b><span class=\"muted\">" + Escape(f.Detail) + "</span></li>\n");
                w.Write("</ul>\n");
            }
            w.Write("</div>\n<div><h4>FFI calls" + (r.FfiCalls.IsEmpty ? " <span class=\"none\">none</span>" : "") + "</h4>\n");
            if (!r.FfiCalls.IsEmpty)
            {
                w.Write("<ul class=\"chips\">");
                var groups = r.FfiCalls.GroupBy(c => (c.Name, c.Family, c.Risk)).ToList();
                foreach (var g in groups.Take(MaxListItems))
                    w.Write("<li title=\"line " + string.Join(", ", g.Select(c => c.Line.ToString(s_inv)).Distinct()) + "\"><i style=\"background:" + RiskColor(g.Key.Risk) + "\"></i><code>" + Escape(g.Key.Name)
                        + "</code>" + (g.Count() > 1 ? " <b>×" + g.Count().ToString(s_inv) + "</b>" : "") + " <span class=\"muted\">" + Escape(g.Key.Family) + " · " + Escape(g.Key.Risk) + "</span></li>");
                if (groups.Count > MaxListItems) w.Write("<li class=\"more\">+" + N(groups.Count - MaxListItems) + " more</li>");
                w.Write("</ul>\n");
            }
            w.Write("<h4>Operations" + (r.Operations.IsEmpty && r.Mmio.IsEmpty ? " <span class=\"none\">none</span>" : "") + "</h4>\n");
            if (!r.Operations.IsEmpty || !r.Mmio.IsEmpty)
            {
                var items = r.Operations.Select(o => (o.Line, Escape(RegionKinds.Describe(o.Kind)) + " <code>" + Escape(Clip(o.Name, 80)) + "</code>"))
                    .Concat(r.Mmio.Select(m => (m.Line, "hardware " + Escape(m.Kind) + " <code>" + Escape(Clip(m.Api, 60)) + "</code>" + (m.Base.Length > 0 ? " on <code>" + Escape(Clip(m.Base, 60)) + "</code>" : ""))))
                    .ToList();
                w.Write("<ul class=\"ops\">");
                foreach (var (line, html) in items.Take(MaxListItems))
                    w.Write("<li><span class=\"ln\">" + line.ToString(s_inv) + "</span>" + html + "</li>");
                if (items.Count > MaxListItems) w.Write("<li class=\"more\"><span class=\"ln\"></span>… and " + N(items.Count - MaxListItems) + " more</li>");
                w.Write("</ul>\n");
            }
            w.Write("</div>\n</div>\n");
            Excerpt(file, r, open);
            w.Write("</article>\n");
        }

        private void Excerpt(FileResult file, UnsafeRegion r, bool open)
        {
            var (lines, error) = Source(file.Path);
            w.Write("<details class=\"code\"" + (open ? " open" : "") + "><summary>Code, " + (r.EndLine > r.StartLine ? "lines " + r.StartLine.ToString(s_inv) + "–" + r.EndLine.ToString(s_inv) : "line " + r.StartLine.ToString(s_inv)) + "</summary>\n");
            if (lines is null)
            {
                w.Write("<p class=\"unreadable\">The source could not be read: " + Escape(error) + "</p>\n</details>\n");
                return;
            }
            var hits = new HashSet<int>(r.Operations.Select(o => o.Line).Concat(r.FfiCalls.Select(c => c.Line)).Concat(r.Mmio.Select(m => m.Line)));
            int last = Math.Min(r.EndLine, lines.Length);
            var shown = ExcerptLines(r.StartLine, last, hits, options.MaxExcerptLines);
            w.Write("<pre>");
            for (int n = Math.Max(1, r.StartLine - 2); n < r.StartLine && n <= lines.Length; n++)
                CodeLine(n, lines[n - 1], "ctx");
            int previous = r.StartLine - 1;
            foreach (int n in shown)
            {
                if (n > previous + 1) Gap(n - previous - 1);
                CodeLine(n, lines[n - 1], hits.Contains(n) ? "hit" : "in");
                previous = n;
            }
            if (previous < r.EndLine && r.StartLine <= lines.Length) Gap(r.EndLine - previous, r.EndLine);
            w.Write("</pre>\n");
            if (r.StartLine > lines.Length)
                w.Write("<p class=\"unreadable\">The file has only " + N(lines.Length) + " lines now; it changed after the analysis.</p>\n");
            w.Write("</details>\n");
        }

        private void CodeLine(int n, string text, string cls) =>
            w.Write("<span class=\"" + cls + "\"><span class=\"ln\">" + n.ToString(s_inv) + "</span>" + Escape(Clip(text.TrimEnd('\r'), 180)) + "\n</span>");

        private void Gap(int count, int toLine = 0) =>
            w.Write("<span class=\"gap\"><span class=\"ln\">⋯</span>" + N(count) + (count == 1 ? " line" : " lines") + (toLine > 0 ? " more, to line " + toLine.ToString(s_inv) : " not shown") + "\n</span>");

        /// <summary>
        /// The region lines to show: all of them when they fit in <paramref name="budget"/>; otherwise its first two
        /// lines, each unsafe operation with a line around it, its last line, then more lines around the operations
        /// and after the start, up to the budget.
        /// </summary>
        private static SortedSet<int> ExcerptLines(int start, int end, IEnumerable<int> hits, int budget)
        {
            var keep = new SortedSet<int>();
            void Add(int line)
            {
                if (line >= start && line <= end && keep.Count < budget) keep.Add(line);
            }
            if (end - start + 1 <= budget)
            {
                for (int n = start; n <= end; n++) keep.Add(n);
                return keep;
            }
            var inside = hits.Where(h => h >= start && h <= end).Distinct().Order().ToList();
            Add(start);
            Add(start + 1);
            foreach (int h in inside)
            {
                Add(h - 1);
                Add(h);
                Add(h + 1);
            }
            Add(end);
            for (int radius = 2; radius <= 4 && keep.Count < budget; radius++)
                foreach (int h in inside)
                {
                    Add(h - radius);
                    Add(h + radius);
                }
            for (int n = start + 2; n <= end && keep.Count < budget; n++) Add(n);
            // A single hidden line between two shown ones is shown rather than elided.
            foreach (int n in keep.ToList())
                if (!keep.Contains(n + 1) && keep.Contains(n + 2)) keep.Add(n + 1);
            return keep;
        }

        private (string[]? Lines, string Error) Source(string path)
        {
            if (_sources.TryGetValue(path, out var cached)) return cached;
            (string[]?, string) entry;
            try
            {
                var full = IO.UntrustedFile.FullPathOf(result.BaseDirectory, path);
                entry = !File.Exists(full) ? (null, "the file " + full + " does not exist")
                    : (IO.UntrustedFile.ReadAllText(full, 64L << 20).Split('\n'), "");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                entry = (null, e.Message);
            }
            _sources[path] = entry;
            return entry;
        }

        // ---------------------------------------------------------------- findings and notifications

        private void Findings()
        {
            var rules = result.Rules.Concat(_diagnostics.Select(d => d.Descriptor)).DistinctBy(d => d.Id).ToList();
            var byRule = _diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            var rows = rules.Select(d =>
            {
                var list = byRule.GetValueOrDefault(d.Id) ?? [];
                var active = list.Where(x => !x.IsSuppressed).ToList();
                return (Rule: d, Active: active, Suppressed: list.Count - active.Count);
            }).OrderByDescending(x => x.Active.Count).ThenByDescending(x => x.Suppressed).ThenBy(x => x.Rule.Id, StringComparer.Ordinal).ToList();
            int total = rows.Sum(x => x.Active.Count), suppressed = rows.Sum(x => x.Suppressed);
            w.Write("<section id=\"findings\" class=\"card\">\n<h2>Findings by rule</h2>\n<p class=\"lead\">" + N(total) + " findings from " + N(rows.Count(x => x.Active.Count > 0))
                + " rules; " + N(suppressed) + " suppressed findings (in source, by configuration or baseline) are counted separately. Rule ids link to their documentation.</p>\n");
            if (rows.Count == 0)
            {
                w.Write("<p class=\"empty\">No rules ran.</p>\n</section>\n");
                return;
            }
            int max = Math.Max(1, rows.Max(x => x.Active.Count));
            w.Write("<table id=\"rule-table\" class=\"sortable\">\n<thead><tr><th>Rule</th><th>Name</th><th>Category</th><th>Level</th><th class=\"num\">Findings</th><th class=\"num\">Suppressed</th></tr></thead>\n<tbody>\n");
            foreach (var (rule, active, supp) in rows)
            {
                var levels = active.GroupBy(d => d.Severity).OrderByDescending(g => g.Key).ToList();
                string top = levels.Count > 0 ? SeverityName(levels[0].Key) : SeverityName(rule.DefaultSeverity);
                w.Write("<tr" + (active.Count == 0 && supp == 0 ? " class=\"quiet\"" : "") + "><td data-v=\"" + Escape(rule.Id) + "\"><a href=\"" + Escape(rule.HelpLinkUri) + "\">" + Escape(rule.Id) + "</a></td>");
                w.Write("<td data-v=\"" + Escape(rule.Name) + "\"><b>" + Escape(rule.Name) + "</b><div class=\"muted\">" + Escape(rule.Title) + "</div></td><td>" + Escape(rule.Category) + "</td><td data-v=\"" + Escape(top) + "\">");
                if (levels.Count == 0) w.Write("<span class=\"sev sev-" + top + " dim\">" + top + "</span>");
                foreach (var g in levels)
                    w.Write("<span class=\"sev sev-" + SeverityName(g.Key) + "\">" + SeverityName(g.Key) + (levels.Count > 1 ? " " + N(g.Count()) : "") + "</span>");
                w.Write("</td><td class=\"n\" data-v=\"" + active.Count.ToString(s_inv) + "\"><span class=\"cell\"><svg class=\"bar\" width=\"120\" height=\"10\" viewBox=\"0 0 120 10\" aria-hidden=\"true\">"
                    + "<rect width=\"120\" height=\"10\" rx=\"2\" fill=\"#eef2f7\"/><rect width=\"" + F(active.Count == 0 ? 0 : Math.Max(1, 120.0 * active.Count / max)) + "\" height=\"10\" rx=\"2\" fill=\"" + SeverityColor(top) + "\"/></svg>"
                    + "<span>" + N(active.Count) + "</span></span></td>");
                NumCell(supp);
                w.Write("</tr>\n");
            }
            w.Write("</tbody>\n</table>\n</section>\n");
        }

        private static string SeverityColor(string severity) => severity switch
        {
            "error" => "#dc2626",
            "warning" => "#d97706",
            "note" => "#2563eb",
            _ => "#94a3b8",
        };

        private void Notifications()
        {
            var all = result.Notifications;
            int errors = all.Count(n => n.Level == NotificationLevel.Error), warnings = all.Count(n => n.Level == NotificationLevel.Warning);
            int skipped = result.Files.Count(f => f.Status == FileStatus.Skipped);
            w.Write("<section id=\"notifications\" class=\"card\">\n<h2>Tool notifications</h2>\n");
            if (all.IsEmpty)
            {
                w.Write("<p class=\"lead\">None: every file was read and parsed cleanly.</p>\n</section>\n");
                return;
            }
            w.Write("<p class=\"lead\">" + N(all.Length) + " notifications (" + N(errors) + " errors, " + N(warnings) + " warnings, " + N(all.Length - errors - warnings)
                + " notes); " + N(skipped) + " files were skipped.</p>\n<details><summary>By kind</summary>\n<table><thead><tr><th>Id</th><th>Level</th><th class=\"num\">Count</th><th>Example</th></tr></thead>\n<tbody>\n");
            foreach (var g in all.GroupBy(n => (n.Id, n.Level)).OrderByDescending(g => g.Key.Level).ThenBy(g => g.Key.Id, StringComparer.Ordinal))
            {
                var ex = g.First();
                w.Write("<tr><td>" + Escape(g.Key.Id) + "</td><td><span class=\"sev sev-" + LevelName(g.Key.Level) + "\">" + LevelName(g.Key.Level) + "</span></td>");
                NumCell(g.Count());
                w.Write("<td>" + Escape(ex.Message) + "</td></tr>\n");
            }
            w.Write("</tbody>\n</table>\n</details>\n<details><summary>All notifications" + (all.Length > options.MaxNotifications ? " (first " + N(options.MaxNotifications) + ")" : "") + "</summary>\n");
            w.Write("<table><thead><tr><th>Id</th><th>Level</th><th>Where</th><th>Message</th></tr></thead>\n<tbody>\n");
            foreach (var n in all.Take(options.MaxNotifications))
            {
                string where = n.Path.Length == 0 ? "" : n.Line > 0 ? n.Path + ":" + n.Line.ToString(s_inv) : n.Path;
                w.Write("<tr><td>" + Escape(n.Id) + "</td><td><span class=\"sev sev-" + LevelName(n.Level) + "\">" + LevelName(n.Level) + "</span></td><td class=\"path\">"
                    + Escape(where) + "</td><td>" + Escape(n.Message) + "</td></tr>\n");
            }
            w.Write("</tbody>\n</table>\n");
            if (all.Length > options.MaxNotifications)
                w.Write("<p class=\"note\">… and " + N(all.Length - options.MaxNotifications) + " more; the JSON inventory (--json) lists them all.</p>\n");
            w.Write("</details>\n</section>\n");
        }

        private static string LevelName(NotificationLevel level) => level switch
        {
            NotificationLevel.Error => "error",
            NotificationLevel.Warning => "warning",
            _ => "note",
        };
    }

    // -------------------------------------------------------------------- charts

    private const int MaxListItems = 12;

    /// <summary>A path with the folder muted and break opportunities after each slash.</summary>
    private static string PathHtml(string path)
    {
        int slash = path.LastIndexOf('/');
        var file = "<b>" + Escape(path[(slash + 1)..]) + "</b>";
        return slash < 0 ? file : "<span class=\"dir\">" + Escape(path[..(slash + 1)]).Replace("/", "/<wbr>", StringComparison.Ordinal) + "</span>" + file;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    /// <summary>The 0–100 colour scale with a marker at <paramref name="score"/>.</summary>
    private static string Gauge(int score)
    {
        const int w = 280, x0 = 10;
        var sb = new StringBuilder("<svg id=\"gauge\" class=\"chart\" width=\"300\" height=\"48\" viewBox=\"0 0 300 48\" role=\"img\" aria-label=\"score " + score.ToString(s_inv) + " of 100\">\n<defs><linearGradient id=\"scale\">");
        foreach (var at in new[] { 0, 25, 50, 75, 100 })
            sb.Append("<stop offset=\"" + at.ToString(s_inv) + "%\" stop-color=\"" + ScoreColor(at) + "\"/>");
        sb.Append("</linearGradient></defs>\n<rect x=\"" + x0 + "\" y=\"14\" width=\"" + w + "\" height=\"12\" rx=\"6\" fill=\"url(#scale)\"/>\n");
        double x = x0 + w * score / 100.0;
        sb.Append("<path d=\"M" + F(x - 7) + " 4 L" + F(x + 7) + " 4 L" + F(x) + " 13 Z\" fill=\"#1e293b\"/>\n<rect x=\"" + F(x - 1.5) + "\" y=\"12\" width=\"3\" height=\"16\" fill=\"#1e293b\"/>\n");
        foreach (var at in new[] { 0, 50, 100 })
            sb.Append("<text x=\"" + F(x0 + w * at / 100.0) + "\" y=\"42\" text-anchor=\"" + (at == 0 ? "start" : at == 100 ? "end" : "middle") + "\" class=\"ax\">" + at.ToString(s_inv) + "</text>");
        return sb.Append("\n</svg>\n").ToString();
    }

    /// <summary>Region scores in ten bins (0–9 … 90–100), each bar coloured by its scores.</summary>
    private static string Histogram(IEnumerable<int> scores)
    {
        var bins = new long[10];
        foreach (var s in scores) bins[Math.Clamp(s, 0, 100) == 100 ? 9 : Math.Clamp(s, 0, 99) / 10]++;
        long max = Math.Max(1, bins.Max());
        const int barW = 38, gap = 6, h = 130, top = 18, left = 6;
        int width = left + 10 * (barW + gap), height = top + h + 22;
        var sb = new StringBuilder("<svg id=\"histogram\" class=\"chart\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\" aria-label=\"histogram of region scores\">\n");
        sb.Append("<line x1=\"" + left + "\" x2=\"" + (width - gap) + "\" y1=\"" + (top + h) + "\" y2=\"" + (top + h) + "\" stroke=\"#cbd5e1\"/>\n");
        for (int i = 0; i < 10; i++)
        {
            double bh = bins[i] == 0 ? 0 : Math.Max(2, h * bins[i] / (double)max);
            int x = left + i * (barW + gap);
            string label = i == 9 ? "90–100" : (i * 10).ToString(s_inv) + "–" + (i * 10 + 9).ToString(s_inv);
            sb.Append("<rect x=\"" + x + "\" y=\"" + F(top + h - bh) + "\" width=\"" + barW + "\" height=\"" + F(bh) + "\" rx=\"3\" fill=\"" + ScoreColor(i * 10 + 5) + "\"><title>score "
                + label + ": " + N(bins[i]) + " regions</title></rect>");
            if (bins[i] > 0)
                sb.Append("<text x=\"" + (x + barW / 2) + "\" y=\"" + F(top + h - bh - 4) + "\" text-anchor=\"middle\" class=\"v\">" + Short(bins[i]) + "</text>");
            sb.Append("<text x=\"" + (x + barW / 2) + "\" y=\"" + (top + h + 15) + "\" text-anchor=\"middle\" class=\"ax\">" + (i * 10).ToString(s_inv) + "</text>\n");
        }
        return sb.Append("</svg>\n").ToString();
    }

    /// <summary>Compact counts for chart labels: 950, 9.5k, 95k.</summary>
    private static string Short(long n) => n < 1000 ? n.ToString(s_inv) : n < 10_000 ? F(n / 1000.0) + "k" : (n / 1000).ToString(s_inv) + "k";

    /// <summary>A horizontal bar chart: label, bar (scaled to the largest value), value and an optional note.</summary>
    private static string BarChart(string id, IReadOnlyList<(string Label, long Value, string Color, string Note)> items, int width)
    {
        const int rowH = 22;
        int labelW = Math.Clamp(items.Max(i => Math.Min(i.Label.Length, 32)) * 7 + 12, 60, 240);
        int noteW = items.Any(i => i.Note.Length > 0) ? Math.Min(170, items.Max(i => i.Note.Length) * 6 + 16) : 0;
        int valueW = 56;
        int barMax = Math.Max(60, width - labelW - noteW - valueW);
        long max = Math.Max(1, items.Max(i => i.Value));
        int height = items.Count * rowH + 4;
        var sb = new StringBuilder("<svg id=\"" + id + "\" class=\"chart\" width=\"" + width + "\" height=\"" + height + "\" viewBox=\"0 0 " + width + " " + height + "\" role=\"img\">\n");
        for (int i = 0; i < items.Count; i++)
        {
            var (label, value, color, note) = items[i];
            int y = i * rowH + 2;
            double bw = value == 0 ? 0 : Math.Max(2, barMax * value / (double)max);
            sb.Append("<text x=\"" + (labelW - 8) + "\" y=\"" + (y + 15) + "\" text-anchor=\"end\" class=\"mono\">" + Escape(Clip(label, 32)) + "<title>" + Escape(label) + "</title></text>");
            sb.Append("<rect x=\"" + labelW + "\" y=\"" + (y + 4) + "\" width=\"" + F(bw) + "\" height=\"" + (rowH - 8) + "\" rx=\"3\" fill=\"" + color + "\"/>");
            sb.Append("<text x=\"" + F(labelW + bw + 6) + "\" y=\"" + (y + 15) + "\" class=\"v\">" + N(value) + "</text>");
            if (note.Length > 0)
                sb.Append("<text x=\"" + (width - 4) + "\" y=\"" + (y + 15) + "\" text-anchor=\"end\" class=\"ax\">" + Escape(Clip(note, 28)) + "</text>");
            sb.Append('\n');
        }
        return sb.Append("</svg>\n").ToString();
    }

    // -------------------------------------------------------------------- page assets

    private const string Css = """
        :root{--bg:#f3f5f9;--card:#fff;--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--accent:#4f46e5}
        *{box-sizing:border-box}
        html{scroll-behavior:smooth}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        code,pre,.mono,.path,.loc{font-family:ui-monospace,"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace}
        .top{background:linear-gradient(120deg,#0f172a,#1e293b 55%,#312e81);color:#e2e8f0;padding:26px 40px 0}
        .brand{font-size:12px;letter-spacing:.14em;text-transform:uppercase;color:#a5b4fc;font-weight:700}
        .top h1{margin:6px 0 6px;font-size:26px;color:#fff;font-weight:700;overflow-wrap:anywhere}
        .sub{margin:0;color:#cbd5e1;overflow-wrap:anywhere}
        .sub code{color:#fff;background:rgba(255,255,255,.1);padding:1px 6px;border-radius:4px}
        nav{display:flex;gap:2px;margin-top:18px;flex-wrap:wrap}
        nav a{color:#cbd5e1;text-decoration:none;padding:9px 14px;border-radius:8px 8px 0 0;font-size:13px;font-weight:600}
        nav a:hover{background:var(--bg);color:var(--ink)}
        main{max-width:1360px;margin:0 auto;padding:24px 32px 40px}
        .card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:20px 24px;margin:0 0 24px;box-shadow:0 1px 3px rgba(15,23,42,.05)}
        h2{font-size:19px;margin:0 0 4px}
        h4{margin:0 0 6px;font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
        .lead{color:var(--muted);margin:0 0 14px}
        .muted{color:var(--muted)}
        .note,.empty{color:var(--muted);font-style:italic;margin:10px 0 0}
        .overview{display:grid;grid-template-columns:330px 1fr;gap:28px}
        .score-card{border-right:1px solid var(--line);padding-right:24px}
        .score-card .label{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);font-weight:700}
        .big{font-size:96px;font-weight:800;line-height:1;margin:8px 0 6px;letter-spacing:-.03em}
        .big span{font-size:22px;color:var(--muted);font-weight:600;letter-spacing:0;margin-left:4px}
        .tiles{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin-bottom:12px}
        .tiles.t5{grid-template-columns:repeat(5,minmax(0,1fr))}
        .tile{border:1px solid var(--line);border-radius:10px;padding:10px 14px;background:#fafbfd;border-top:3px solid #6366f1}
        .tile .l{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.06em;font-weight:700}
        .tile .v{font-size:24px;font-weight:750;font-variant-numeric:tabular-nums}
        .tile .s{color:var(--muted);font-size:12px}
        .tile.t-error{border-top-color:#dc2626}.tile.t-error .v{color:#b91c1c}
        .tile.t-warning{border-top-color:#d97706}.tile.t-warning .v{color:#b45309}
        .tile.t-note{border-top-color:#2563eb}.tile.t-note .v{color:#1d4ed8}
        .tile.t-suppressed{border-top-color:#94a3b8}.tile.t-suppressed .v{color:#64748b}
        .charts{display:grid;grid-template-columns:auto 1fr;gap:28px;margin-top:8px;align-items:start}
        figure{margin:0}
        figcaption{font-size:12px;font-weight:700;color:var(--muted);text-transform:uppercase;letter-spacing:.06em;margin:0 0 8px}
        .ffi-grid{display:grid;grid-template-columns:auto 1fr;gap:36px;align-items:start;margin-bottom:18px}
        svg.chart{max-width:100%;height:auto;font-size:12px;overflow:visible}
        svg.chart text:not([fill]){fill:var(--ink)}
        svg.chart text.v{font-weight:700;font-size:11px}
        svg.chart text.ax{fill:var(--muted);font-size:11px}
        svg.chart text.hd{font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.05em}
        svg.chart text.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11.5px}
        .legend{display:flex;gap:14px;font-size:12px;color:var(--muted);margin:6px 0 0}
        .legend i,.chips i{display:inline-block;width:10px;height:10px;border-radius:3px;margin-right:5px;vertical-align:-1px}
        .filter{width:280px;padding:7px 10px;border:1px solid var(--line);border-radius:8px;margin:0 0 10px;font:inherit}
        .scroll{max-height:560px;overflow:auto;border:1px solid var(--line);border-radius:10px}
        table{border-collapse:collapse;width:100%;font-size:13px}
        th{text-align:left;font-weight:700;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em;border-bottom:2px solid var(--line);padding:8px 10px;white-space:nowrap;position:sticky;top:0;background:#fff;z-index:1}
        td{border-bottom:1px solid #eef2f7;padding:5px 10px;vertical-align:middle}
        th.num,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tbody tr:hover{background:#f8fafc}
        tr.quiet{color:#94a3b8}
        .sortable th{cursor:pointer;user-select:none}
        .sortable th::after{content:" \2195";color:#cbd5e1}
        .sortable th[aria-sort=ascending]::after{content:" \2191";color:var(--accent)}
        .sortable th[aria-sort=descending]::after{content:" \2193";color:var(--accent)}
        td.path,.path{font-size:12px}
        td.path b{font-weight:600}
        .dir{color:var(--muted)}
        span.path{color:var(--muted)}
        .cell{display:inline-flex;align-items:center;gap:8px;justify-content:flex-end}
        .cell span{min-width:44px;text-align:right}
        .badge{display:inline-block;min-width:34px;text-align:center;padding:1px 7px;border-radius:999px;font-weight:750;font-size:12px}
        .sev{display:inline-block;padding:0 7px;border-radius:999px;font-size:11px;font-weight:700;margin-right:4px;color:#fff}
        .sev-error{background:#dc2626}.sev-warning{background:#d97706}.sev-note{background:#2563eb}.sev-hidden{background:#94a3b8}
        .sev.dim{opacity:.35}
        .readiness{border:1px solid var(--line);border-radius:12px;padding:12px 16px;margin:12px 0}
        .readiness h3{margin:0 0 10px;font-size:16px}
        .readiness .model{font-size:12px;font-weight:700;background:#0f172a;color:#fff;border-radius:6px;padding:1px 8px;margin:0 6px}
        .ready-grid{display:grid;grid-template-columns:1.3fr 1fr;gap:24px}
        .ready-grid p{margin:4px 0 12px}
        table.checks td{padding:3px 6px;vertical-align:top;font-size:13px}
        .check{display:inline-block;padding:0 8px;border-radius:999px;font-size:11px;font-weight:700;color:#fff}
        .check.pass{background:#16a34a}.check.fail{background:#dc2626}.check.off{background:#94a3b8}
        .problem{color:var(--muted);font-size:12px;font-family:ui-monospace,monospace}
        .risk-high{color:#dc2626;font-weight:700}.risk-medium{color:#d97706;font-weight:700}
        .bar{display:inline-block;width:120px;height:8px;background:var(--line);border-radius:4px;vertical-align:middle}
        .bar span{display:block;height:8px;background:#16a34a;border-radius:4px}
        .whcp{border-left:3px solid var(--accent);padding-left:10px;font-style:normal}
        a{color:var(--accent)}
        button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);background:#fff;border-radius:6px;cursor:pointer;margin-left:8px}
        .region{border:1px solid var(--line);border-radius:12px;margin:12px 0;overflow:hidden}
        .region>header{display:flex;flex-wrap:wrap;align-items:center;gap:10px;padding:8px 14px;background:#f8fafc;border-bottom:1px solid var(--line)}
        .rank{color:var(--muted);font-weight:700;font-size:12px;min-width:26px}
        .big-badge{font-size:15px;min-width:44px;padding:3px 10px}
        .kind{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;background:#e0e7ff;color:#3730a3;padding:2px 8px;border-radius:6px}
        .item{font-weight:700;overflow-wrap:anywhere}
        .loc{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
        .tags{margin-left:auto;display:flex;gap:6px;flex-wrap:wrap}
        .tag{font-size:11px;border:1px solid var(--line);border-radius:999px;padding:0 8px;color:var(--muted);background:#fff}
        .tag.warn{border-color:#fcd34d;color:#92400e;background:#fffbeb}
        .tag.ok{border-color:#86efac;color:#166534;background:#f0fdf4}
        .facts{display:grid;grid-template-columns:1.3fr 1fr;gap:22px;padding:10px 16px 4px}
        .factors,.ops,.chips{list-style:none;margin:0 0 10px;padding:0}
        .factors li{display:grid;grid-template-columns:32px 50px max-content 1fr;align-items:baseline;gap:8px;padding:1px 0}
        .factors svg{align-self:start;margin-top:5px}
        h4 .none{font-weight:400;text-transform:none;letter-spacing:0;margin-left:6px;color:#94a3b8}
        .pts{font-weight:800;color:#b91c1c;min-width:30px;text-align:right;font-variant-numeric:tabular-nums}
        .chips{display:flex;flex-wrap:wrap;gap:6px}
        .chips li{border:1px solid var(--line);border-radius:999px;padding:1px 10px;font-size:12px}
        .ops li{font-size:12.5px;padding:1px 0}
        .ops .ln{display:inline-block;min-width:44px;color:var(--muted);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:11px}
        details.code{border-top:1px solid var(--line)}
        details.code>summary{padding:6px 16px;font-size:12px;color:var(--muted);cursor:pointer}
        details.code .unreadable{border-top:1px solid var(--line)}
        details.code pre{margin:0;padding:10px 0;background:#0f172a;color:#e2e8f0;font-size:12.5px;line-height:1.5;overflow-x:auto;tab-size:4}
        pre>span{display:block;padding:0 16px 0 0;white-space:pre}
        pre .ln{display:inline-block;width:56px;padding-right:14px;text-align:right;color:#64748b;user-select:none;border-right:3px solid transparent;margin-right:12px}
        pre .ctx{opacity:.5}
        pre .in .ln{border-right-color:#475569}
        pre .hit{background:rgba(239,68,68,.16)}
        pre .gap{color:#94a3b8;font-style:italic;background:#1e293b}
        .chips li.more,.ops li.more{color:var(--muted);border:0}
        pre .hit .ln{border-right-color:#ef4444;color:#fca5a5}
        .unreadable{margin:0;padding:10px 16px;color:#b45309;background:#fffbeb}
        details>summary{cursor:pointer}
        #notifications details{margin:8px 0}
        #notifications summary{font-weight:600}
        footer{text-align:center;color:var(--muted);font-size:12px;padding:0 0 28px}
        @media (max-width:1000px){.overview,.charts,.ffi-grid,.facts{grid-template-columns:1fr}.score-card{border-right:0;padding-right:0}.tiles,.tiles.t5{grid-template-columns:repeat(2,minmax(0,1fr))}}

        """;

    private const string Script = """
        (function () {
          'use strict';
          document.documentElement.classList.add('js');
          function key(cell, numeric) {
            var v = cell.getAttribute('data-v');
            if (v === null) v = cell.textContent;
            return numeric ? parseFloat(v) : v.toLowerCase();
          }
          document.querySelectorAll('table.sortable').forEach(function (table) {
            var heads = table.tHead.rows[0].cells;
            Array.prototype.forEach.call(heads, function (th, col) {
              th.addEventListener('click', function () {
                var numeric = th.classList.contains('num');
                var asc = th.getAttribute('aria-sort') !== 'ascending';
                Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
                th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
                  return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
                });
                rows.forEach(function (r) { body.appendChild(r); });
              });
            });
          });
          document.querySelectorAll('input[data-filter]').forEach(function (input) {
            var table = document.getElementById(input.getAttribute('data-filter'));
            input.addEventListener('input', function () {
              var q = input.value.trim().toLowerCase();
              Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
                r.hidden = q.length > 0 && r.textContent.toLowerCase().indexOf(q) < 0;
              });
            });
          });
          document.querySelectorAll('button[data-toggle]').forEach(function (button) {
            button.addEventListener('click', function () {
              var all = document.querySelectorAll('#' + button.getAttribute('data-toggle') + ' details.code');
              var open = Array.prototype.some.call(all, function (d) { return !d.open; });
              all.forEach(function (d) { d.open = open; });
            });
          });
        })();

        """;
}
