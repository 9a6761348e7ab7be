using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using UnsafeScope.Driver;
using UnsafeScope.Reports;
using UnsafeScope.Tests.Corpus;
using Xunit.Abstractions;

namespace UnsafeScope.Tests.Reports;

/// <summary>The HTML report: structure, escaping, no external resources, determinism, caps, and the CLI option.</summary>
public sealed partial class HtmlReportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-html-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    internal static string Html(AnalysisResult result, HtmlReportOptions? options = null)
    {
        using var ms = new MemoryStream();
        HtmlReport.Write(result, options ?? HtmlReportOptions.Default, ms);
        var bytes = ms.ToArray();
        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), "the page starts with a BOM");
        return new UTF8Encoding(false, true).GetString(bytes);
    }

    internal static AnalysisResult Fixtures(int jobs = 2) => Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = jobs });

    private void Write(string rel, string text)
    {
        var path = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    [GeneratedRegex("""\b(?:src|href|action|srcset|poster|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex UrlAttribute();

    [Fact]
    public void PageHasEverySectionAndIsByteIdenticalAcrossRunsAndThreadCounts()
    {
        var result = Fixtures(jobs: 1);
        var one = Html(result);
        var two = Html(Fixtures(jobs: 2));
        Assert.Equal(one, two);
        Assert.StartsWith("<!DOCTYPE html>", one, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", one, StringComparison.Ordinal);
        foreach (var id in new[] { "overview", "crates", "modules", "ffi", "regions", "findings", "notifications" })
            Assert.Contains($"<section id=\"{id}\"", one, StringComparison.Ordinal);
        foreach (var chart in new[] { "gauge", "histogram", "kinds", "heatmap", "apis", "mmio" })
            Assert.Contains($"<svg id=\"{chart}\"", one, StringComparison.Ordinal);
        Assert.Contains("<table id=\"crate-table\" class=\"sortable\">", one, StringComparison.Ordinal);
        Assert.Contains("<table id=\"module-table\" class=\"sortable\">", one, StringComparison.Ordinal);
        Assert.Equal(50, Regex.Count(one, "<article class=\"region\""));
        // The worst region comes first, with its score factors and a code excerpt.
        Assert.Matches(new Regex("id=\"region-1\">.*?<b>no-safety-comment</b>.*?<pre><span class=\"ctx\">", RegexOptions.Singleline), one);
        // Suppressed findings are counted apart from the active ones.
        int suppressed = result.Diagnostics.Count(d => d.IsSuppressed);
        Assert.True(suppressed > 0);
        Assert.Contains($"{suppressed} suppressed findings", one, StringComparison.Ordinal);
        Assert.DoesNotContain("run started", one, StringComparison.Ordinal);
    }

    [Fact]
    public void TheOverallScoreMatchesTheRollupAndTotalsAreShown()
    {
        var result = Fixtures();
        var html = Html(result);
        int score = UnsafeScope.Scoring.EncapsulationScore.Rollup(result.Files.Where(f => f.Inventory is not null).SelectMany(f => f.Inventory!.Regions));
        Assert.Contains($">{score}<span>/100</span></div>", html, StringComparison.Ordinal);
        Assert.Contains($"<div class=\"v\">{result.Totals.FfiCalls:N0}</div>", html, StringComparison.Ordinal);
        Assert.Contains($"<div class=\"v\">{result.Totals.MmioAccesses:N0}</div>", html, StringComparison.Ordinal);
        int errors = result.Diagnostics.Count(d => !d.IsSuppressed && d.Severity == Diagnostics.DiagnosticSeverity.Error);
        Assert.Contains($"<div class=\"l\">Errors</div><div class=\"v\">{errors:N0}</div>", html, StringComparison.Ordinal);
        int suppressed = result.Diagnostics.Count(d => d.IsSuppressed);
        Assert.Contains($"<div class=\"l\">Suppressed</div><div class=\"v\">{suppressed:N0}</div>", html, StringComparison.Ordinal);
        Assert.Contains("<svg id=\"factors\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PageLoadsNothingFromOutsideAndLinksOnlyToRuleDocs()
    {
        var result = Fixtures();
        var html = Html(result);
        var ruleLinks = result.Rules.Select(r => r.HelpLinkUri).ToHashSet(StringComparer.Ordinal);
        int links = 0;
        foreach (Match m in UrlAttribute().Matches(html))
        {
            var value = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value;
            if (value.StartsWith('#')) continue;
            Assert.True(ruleLinks.Contains(value), $"unexpected URL attribute: {m.Value}");
            Assert.StartsWith("<a href=", html[(m.Index - 3)..], StringComparison.Ordinal);
            links++;
        }
        Assert.True(links >= 20, $"only {links} rule links");
        foreach (var banned in new[] { "<link", "<img", "<iframe", "<object", "<embed", "@import", "src=", "//fonts.", "xlink:href" })
            Assert.DoesNotContain(banned, html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["url(#scale)"], Regex.Matches(html, @"url\([^)]*\)").Select(m => m.Value).Distinct());
        Assert.Equal(1, Regex.Count(html, "<script"));
    }

    [Fact]
    public void PathsAndCodeAreEscaped()
    {
        const string fileName = "x<script>&'q\".rs";
        Write("evil/Cargo.toml", "[package]\nname = \"evil<b>\"\nedition = \"2021\"\n");
        Write("evil/src/" + fileName, """
            /// </script><script>alert("doc")</script>
            pub fn read(p: *const u8) -> u8 {
                unsafe { *p } // </pre><script>alert(1)</script> & "q" 'a' <b>bold</b>
            }
            """);
        var html = Html(Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 1 }));
        Assert.Equal(1, Regex.Count(html, "<script"));
        Assert.DoesNotContain("<b>bold</b>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("</pre><script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39; &lt;b&gt;bold&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("x&lt;script&gt;&amp;&#39;q&quot;.rs", html, StringComparison.Ordinal);
        Assert.Contains("evil&lt;b&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil<b>", html, StringComparison.Ordinal);
        // The region's code is in the excerpt, escaped, on its line.
        Assert.Contains("<span class=\"hit\"><span class=\"ln\">3</span>    unsafe { *p } // &lt;/pre&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlCharactersAndQuotesCannotBreakOutOfAttributes()
    {
        Assert.Equal("a&lt;b&gt;&amp;&quot;&#39;\uFFFD\uFFFD\t\nz", HtmlReport.Escape("a<b>&\"'\0\u0085\t\nz"));
        Assert.Same("plain", HtmlReport.Escape("plain"));
    }

    [Fact]
    public void AnUnreadableSourceIsReportedInsteadOfFailing()
    {
        Write("gone/Cargo.toml", "[package]\nname = \"gone\"\n");
        Write("gone/src/lib.rs", "pub fn f(p: *const u8) -> u8 { unsafe { *p } }\n");
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 1 });
        File.Delete(Path.Combine(_dir, "gone", "src", "lib.rs"));
        var html = Html(result);
        Assert.Contains("<p class=\"unreadable\">The source could not be read: the file ", html, StringComparison.Ordinal);
        Assert.Contains("does not exist</p>", html, StringComparison.Ordinal);
        Assert.Contains("id=\"region-1\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void LongRegionsAreCutAroundTheirOperations()
    {
        var body = string.Join("\n", Enumerable.Range(0, 80).Select(i => i == 60 ? "        let v = *p;" : $"        let x{i} = {i};"));
        Write("long/Cargo.toml", "[package]\nname = \"long\"\n");
        Write("long/src/lib.rs", "pub fn f(p: *const u8) -> u8 {\n    unsafe {\n" + body + "\n        v\n    }\n}\n");
        var html = Html(Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 1 }), HtmlReportOptions.Default with { MaxExcerptLines = 10 });
        var pre = Regex.Match(html, "<pre>(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value;
        int shown = Regex.Count(pre, "<span class=\"(?:in|hit)\">");
        Assert.InRange(shown, 10, 12);
        Assert.Contains("<span class=\"hit\"><span class=\"ln\">63</span>        let v = *p;", pre, StringComparison.Ordinal);
        Assert.Contains("lines not shown", pre, StringComparison.Ordinal);
        Assert.Contains("<span class=\"ln\">84</span>    }", pre, StringComparison.Ordinal);
    }

    [Fact]
    public void CapsKeepTheWorstRowsAndSaySoAndTheTimestampIsOptIn()
    {
        var result = Fixtures();
        var html = Html(result, HtmlReportOptions.Default with { MaxModules = 3, MaxCrates = 2, MaxRegions = 4, MaxApis = 5, MaxFamilies = 3, IncludeTimestamp = true, Title = "Driver <audit>" });
        Assert.Equal(4, Regex.Count(html, "<article class=\"region\""));
        Assert.Contains("Showing the 3 worst of", html, StringComparison.Ordinal);
        Assert.Contains($"Showing the 2 worst of {result.Crates.Length} crates", html, StringComparison.Ordinal);
        Assert.Contains("Top 5 FFI APIs", html, StringComparison.Ordinal);
        Assert.Contains("other families", html, StringComparison.Ordinal);
        Assert.Contains("<title>Driver &lt;audit&gt;</title>", html, StringComparison.Ordinal);
        Assert.Contains("run started " + result.StartTime.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), html, StringComparison.Ordinal);
        var module = Regex.Match(html, "<table id=\"module-table\".*?</table>", RegexOptions.Singleline).Value;
        Assert.Equal(3, Regex.Count(module, "<tr><td class=\"path\""));
    }

    [Fact]
    public void AnEmptyRunStillGivesAPage()
    {
        var html = Html(Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 1 }));
        Assert.Contains("No crates were analyzed.", html, StringComparison.Ordinal);
        Assert.Contains("No FFI calls were found.", html, StringComparison.Ordinal);
        Assert.Contains("No scored unsafe regions.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCliWritesThePageWithHtml()
    {
        var page = Path.Combine(_dir, "out", "report.html");
        var (exit, _, err) = Cli.CliTests.Run("analyze", RepoPaths.Fixtures("inventory"), "--html", page, "--quiet");
        Assert.True(exit == 0, err);
        var html = File.ReadAllText(page);
        Assert.Contains("<section id=\"regions\"", html, StringComparison.Ordinal);
        Assert.Contains("fixture_driver", html, StringComparison.Ordinal);
        Assert.Contains("--html FILE", Cli.CliTests.Run("--help").Out, StringComparison.Ordinal);
    }

    [CorpusFact]
    public void TheWholeCorpusGivesASmallPageQuickly()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = ["/usr/share/cargo/registry"], Jobs = Environment.ProcessorCount });
        var watch = Stopwatch.StartNew();
        var html = Html(result);
        watch.Stop();
        long bytes = Encoding.UTF8.GetByteCount(html);
        output.WriteLine($"{result.Files.Length:N0} files: page of {bytes:N0} bytes written in {watch.Elapsed.TotalMilliseconds:N0} ms");
        Assert.True(bytes < 5 << 20, $"the page is {bytes:N0} bytes");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"writing the page took {watch.Elapsed}");
        Assert.Contains("Showing the 200 worst of", html, StringComparison.Ordinal);
        Assert.Equal(50, Regex.Count(html, "<article class=\"region\""));
        Assert.DoesNotContain("could not be read", html, StringComparison.Ordinal);
    }
}

/// <summary>A test that drives Debian's headless Chromium: skipped, visibly, where it is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Browser = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Browser))
            Skip = $"{Browser} is not installed (apt-get install chromium; .ci/run installs it): the browser tests of the HTML report did not run.";
    }
}

/// <summary>
/// The HTML report in a real browser (headless Chromium, no extra packages): it renders with its charts,
/// its script runs without a console error or exception, sorting and filtering work, and a screenshot is taken.
/// </summary>
public sealed class HtmlReportBrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-browser-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>
    /// Injected into a copy of the page under test. Chromium's stderr log prints every console message as
    /// INFO:CONSOLE whatever its level, and not failed resource loads; this hook records, in attributes of
    /// &lt;html&gt; that --dump-dom shows, every console.error, uncaught exception, unhandled rejection and
    /// failed resource load, then exercises the page's sorting, filtering and expand/collapse script.
    /// </summary>
    private const string Probe = """
        <script>
        (function () {
          var root = document.documentElement;
          function note(name, text) { root.setAttribute('data-probe-' + name, (root.getAttribute('data-probe-' + name) || '') + text + '\n'); }
          var original = console.error;
          console.error = function () { note('error', 'console.error: ' + Array.prototype.join.call(arguments, ' ')); return original.apply(console, arguments); };
          window.addEventListener('error', function (e) { note('error', e.message ? e.message : 'failed to load ' + (e.target && (e.target.src || e.target.href))); }, true);
          window.addEventListener('unhandledrejection', function (e) { note('error', 'unhandled rejection: ' + e.reason); });
          document.addEventListener('DOMContentLoaded', function () {
            try {
              var table = document.getElementById('crate-table');
              if (!table) return;
              var th = table.querySelector('th[data-key=score]');
              var col = Array.prototype.indexOf.call(th.parentNode.cells, th);
              var values = function () { return Array.prototype.map.call(table.tBodies[0].rows, function (r) { return parseFloat(r.cells[col].getAttribute('data-v')); }); };
              var ordered = function (v, dir) { for (var i = 1; i < v.length; i++) if ((v[i] - v[i - 1]) * dir < 0) return false; return v.length > 1 && v[0] !== v[v.length - 1]; };
              th.click();
              var asc = ordered(values(), 1) && th.getAttribute('aria-sort') === 'ascending';
              th.click();
              var desc = ordered(values(), -1) && th.getAttribute('aria-sort') === 'descending';
              root.setAttribute('data-probe-sort', asc && desc ? 'ok' : 'bad: ' + values().join(','));
              var input = document.querySelector('input[data-filter=crate-table]');
              var rows = table.tBodies[0].rows;
              input.value = 'no-such-crate-zzz'; input.dispatchEvent(new Event('input'));
              var none = Array.prototype.every.call(rows, function (r) { return r.hidden; });
              input.value = 'fixture_driver'; input.dispatchEvent(new Event('input'));
              var one = Array.prototype.filter.call(rows, function (r) { return !r.hidden; }).length === 1;
              input.value = ''; input.dispatchEvent(new Event('input'));
              var all = Array.prototype.every.call(rows, function (r) { return !r.hidden; });
              root.setAttribute('data-probe-filter', none && one && all ? 'ok' : 'bad');
              var details = document.querySelectorAll('#regions details.code');
              document.querySelector('button[data-toggle=regions]').click();
              var opened = Array.prototype.every.call(details, function (d) { return d.open; });
              document.querySelector('button[data-toggle=regions]').click();
              var closed = Array.prototype.every.call(details, function (d) { return !d.open; });
              root.setAttribute('data-probe-toggle', details.length > 0 && opened && closed ? 'ok' : 'bad');
            } catch (e) { note('error', 'probe: ' + e); }
          });
        })();
        </script>
        """;

    private static readonly Regex s_consoleLine = new(@":CONSOLE[(:]", RegexOptions.Compiled);

    private static (int Exit, string Out, string Err) Chromium(string userDataDir, params string[] args)
    {
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Browser) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run", "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--user-data-dir=" + userDataDir })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("chromium did not finish within 120 s: " + string.Join(' ', args));
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Loads <paramref name="html"/> with the probe and returns the DOM after the scripts ran and the console lines of the log.</summary>
    private (string Dom, List<string> Console) Load(string name, string html)
    {
        int at = html.IndexOf("<meta charset=\"utf-8\">", StringComparison.Ordinal);
        Assert.True(at >= 0, "no <meta charset> to put the probe after");
        at += "<meta charset=\"utf-8\">".Length;
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, html[..at] + "\n" + Probe + html[at..]);
        var (exit, dom, err) = Chromium(Path.Combine(_dir, "profile-" + name), "--dump-dom", new Uri(path).AbsoluteUri);
        Assert.True(exit == 0, $"chromium exited with {exit}: {err}");
        Assert.Contains("</html>", dom, StringComparison.Ordinal);
        return (dom, err.Split('\n').Where(l => s_consoleLine.IsMatch(l)).ToList());
    }

    private static string? ProbeAttribute(string dom, string name)
    {
        var m = Regex.Match(dom, $"<html[^>]*\\sdata-probe-{name}=\"([^\"]*)\"");
        return m.Success ? System.Net.WebUtility.HtmlDecode(m.Groups[1].Value) : null;
    }

    [ChromiumFact]
    public void TheErrorDetectionSeesADeliberateConsoleErrorExceptionAndMissingResource()
    {
        // The detector must fail on a broken page, or its silence on the report proves nothing.
        var (dom, console) = Load("broken.html", """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body><img src="missing.png" alt="">
            <script>console.error("deliberate console.error");</script>
            <script>null.boom();</script>
            </body></html>
            """);
        var errors = ProbeAttribute(dom, "error") ?? "";
        Assert.Contains("console.error: deliberate console.error", errors, StringComparison.Ordinal);
        Assert.Contains("Uncaught TypeError", errors, StringComparison.Ordinal);
        Assert.Contains("failed to load file://", errors, StringComparison.Ordinal);
        Assert.Contains(console, l => l.Contains("deliberate console.error", StringComparison.Ordinal));
        Assert.Contains(console, l => l.Contains("Uncaught TypeError", StringComparison.Ordinal));
    }

    [ChromiumFact]
    public void TheReportRendersItsChartsAndItsScriptRunsWithoutErrors()
    {
        var (dom, console) = Load("report.html", HtmlReportTests.Html(HtmlReportTests.Fixtures()));
        Assert.True(console.Count == 0, "console messages:\n" + string.Join('\n', console));
        Assert.Null(ProbeAttribute(dom, "error"));
        // The page's own script ran to its end (it marks <html>), and the probe saw it sort, filter and toggle.
        Assert.Matches("<html[^>]*class=\"js\"", dom);
        Assert.Equal("ok", ProbeAttribute(dom, "sort"));
        Assert.Equal("ok", ProbeAttribute(dom, "filter"));
        Assert.Equal("ok", ProbeAttribute(dom, "toggle"));
        // Chromium parsed the inline SVG charts into the DOM.
        foreach (var chart in new[] { "gauge", "histogram", "kinds", "heatmap", "apis", "mmio" })
            Assert.Matches(new Regex($"<svg id=\"{chart}\"[^>]*>((?!</svg>).)*<(rect|path)", RegexOptions.Singleline), dom);
        Assert.True(Regex.Count(dom, "<svg") > 100, "too few SVG elements in the rendered DOM");
        Assert.Equal(50, Regex.Count(dom, "<article class=\"region\""));
    }

    /// <summary>
    /// The readiness section of the configuration fixtures (a KMDF driver configured wrong, the same configured right, a
    /// UMDF driver, a library) renders every part, and its screenshot is the one committed in docs/images/readiness.png
    /// (same size; UNSAFESCOPE_BLESS=1 rewrites it).
    /// </summary>
    [ChromiumFact]
    public void TheReadinessSectionRendersEachPartAndMatchesTheCommittedScreenshot()
    {
        var fixtures = RepoPaths.Fixtures("configuration");
        var result = Analysis.Run(new AnalysisOptions { Paths = [fixtures], BaseDirectory = fixtures, Jobs = 1 });
        var html = HtmlReportTests.Html(result);
        var (dom, console) = Load("readiness.html", html);
        Assert.True(console.Count == 0, "console messages:\n" + string.Join('\n', console));
        var section = Regex.Match(dom, "<section id=\"readiness\".*?</section>", RegexOptions.Singleline).Value;
        Assert.Equal(3, Regex.Count(section, "<div class=\"readiness\">"));
        foreach (var part in new[] { "<h4>Configuration</h4>", "<h4>Pinned versions</h4>", "<h4>Unsafe surface</h4>", "<h4>Tested wrappers</h4>", "<h4>CodeQL</h4>", "WHCP, as of " })
            Assert.Equal(part.StartsWith('<') ? 3 : 1, Regex.Count(section, Regex.Escape(part)));
        Assert.Contains("<span class=\"check fail\">10 checks fail</span>", section);
        Assert.Equal(2, Regex.Count(section, "all checks pass"));

        // Only the readiness section, for a picture of it.
        var page = Path.Combine(_dir, "readiness-shot.html");
        File.WriteAllText(page, html.Replace("</style>", "main>section:not(#readiness){display:none}</style>", StringComparison.Ordinal));
        var png = Path.Combine(_dir, "readiness.png");
        var (exit, _, err) = Chromium(Path.Combine(_dir, "profile-readiness"), "--screenshot=" + png, "--window-size=1400,1800", new Uri(page).AbsoluteUri);
        Assert.True(exit == 0, $"chromium exited with {exit}: {err}");
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), "not a PNG");
        Assert.True(bytes.Length > 60_000, $"the screenshot is only {bytes.Length:N0} bytes");
        var committed = Path.Combine(RepoPaths.Root, "docs", "images", "readiness.png");
        if (Environment.GetEnvironmentVariable("UNSAFESCOPE_BLESS") == "1") File.Copy(png, committed, overwrite: true);
        var old = File.ReadAllBytes(committed);
        static (int, int) Size(byte[] b) => (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20)));
        Assert.Equal((1400, 1800), Size(bytes));
        Assert.Equal(Size(bytes), Size(old));
    }

    [ChromiumFact]
    public void AScreenshotOfTheReportIsTaken()
    {
        var page = Path.Combine(_dir, "shot.html");
        File.WriteAllText(page, HtmlReportTests.Html(HtmlReportTests.Fixtures()));
        var png = Path.Combine(_dir, "shot.png");
        var (exit, _, err) = Chromium(Path.Combine(_dir, "profile-shot"), "--screenshot=" + png, "--window-size=1400,2000", new Uri(page).AbsoluteUri);
        Assert.True(exit == 0, $"chromium exited with {exit}: {err}");
        var bytes = File.ReadAllBytes(png);
        Assert.True(bytes.AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), "not a PNG");
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.Equal((1400, 2000), (width, height));
        // A blank or unstyled page compresses to far less than a rendered one with charts and colour.
        Assert.True(bytes.Length > 60_000, $"the screenshot is only {bytes.Length:N0} bytes");
    }
}
