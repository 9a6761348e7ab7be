using System.Text;
using System.Text.RegularExpressions;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Rules;

/// <summary>
/// Each folder of corpus/fixtures/rules is a crate for one rule. Its <c>//~ ID @col: message</c> markers are the expected
/// diagnostics, and <c>expected.stderr</c> beside it is the rendered snapshot of every diagnostic of the rule with its
/// notes (clippy's .stderr files); <c>UNSAFESCOPE_BLESS=1</c> rewrites the snapshots instead of comparing them.
/// </summary>
public partial class RuleFixtureTests
{
    /// <summary>The snapshot beside each fixture's sources.</summary>
    public const string SnapshotFile = "expected.stderr";

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var d in Directory.EnumerateDirectories(RepoPaths.Fixtures("rules")).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(d));
        return data;
    }

    // `//~ US1002 @5: message` (or `//~^ …`, one `^` per line above); the message runs to the next marker or the line's end.
    [GeneratedRegex(@"//~(\^*)\s+(US\d{4})\b(.*?)(?=//~|$)")]
    private static partial Regex Marker();

    [GeneratedRegex(@"^\s*@(\d+):\s(.+?)\s*$")]
    private static partial Regex ColumnAndMessage();

    private static bool Blessing => Environment.GetEnvironmentVariable("UNSAFESCOPE_BLESS") == "1";

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DiagnosticsMatchInlineMarkers(string fixture)
    {
        var (dir, rule, diagnostics) = Run(fixture);
        var expected = new List<string>();
        var malformed = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.rs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match m in Marker().Matches(lines[i]))
                {
                    if (m.Groups[2].Value != rule) continue;
                    if (ColumnAndMessage().Match(m.Groups[3].Value) is not { Success: true } cm)
                    {
                        malformed.Add($"{rel}:{i + 1}: `{m.Value.Trim()}` states no `@column: message`");
                        continue;
                    }
                    expected.Add($"{rel}:{i + 1 - m.Groups[1].Value.Length}:{cm.Groups[1].Value}: {cm.Groups[2].Value}");
                }
            }
        }
        Assert.Equal([], malformed);
        var actual = diagnostics.Where(d => !d.IsSuppressed)
            .Select(d => $"{d.Location.Path}:{d.Location.StartLine}:{d.Location.LineSpan.Start.Character + 1}: {d.Message}").ToList();
        expected.Sort(StringComparer.Ordinal);
        actual.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DiagnosticsMatchTheSnapshot(string fixture)
    {
        var (dir, _, diagnostics) = Run(fixture);
        var rendered = Render(diagnostics);
        var path = Path.Combine(dir, SnapshotFile);
        if (Blessing)
        {
            File.WriteAllText(path, rendered);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run the fixture tests with UNSAFESCOPE_BLESS=1 and review the new snapshot.");
        // Compared as lines, so a checkout with CRLF line ends still matches.
        Assert.Equal(rendered.Split('\n'), File.ReadAllText(path).Replace("\r\n", "\n").Split('\n'));
    }

    /// <summary>
    /// One line per diagnostic, <c>path:line:col: ID: message</c> (suppressed ones say why), then its related locations
    /// indented as notes; in source order, so a change of any message, column or note shows as a diff.
    /// </summary>
    internal static string Render(IEnumerable<Diagnostic> diagnostics)
    {
        static string At(UnsafeScope.Text.Location l) => $"{l.Path}:{l.StartLine}:{l.LineSpan.Start.Character + 1}";
        var sb = new StringBuilder();
        foreach (var d in diagnostics.OrderBy(d => d.Location.Path, StringComparer.Ordinal).ThenBy(d => d.Location.LineSpan.Start)
                     .ThenBy(d => d.Message, StringComparer.Ordinal).ThenBy(d => d.IsSuppressed))
        {
            sb.Append(At(d.Location)).Append(": ").Append(d.Id).Append(": ").Append(d.Message);
            if (d.Suppression is { } s) sb.Append(" [suppressed: ").Append(s.Justification).Append(']');
            sb.Append('\n');
            foreach (var r in d.RelatedLocations.OrderBy(r => r.Location.Path, StringComparer.Ordinal).ThenBy(r => r.Location.LineSpan.Start).ThenBy(r => r.Message, StringComparer.Ordinal))
                sb.Append("    ").Append(At(r.Location)).Append(": note: ").Append(r.Message).Append('\n');
        }
        return sb.ToString();
    }

    private static (string Dir, string Rule, List<Diagnostic> Diagnostics) Run(string fixture)
    {
        var dir = RepoPaths.Fixtures("rules", fixture);
        var rule = fixture.Split('-')[0];
        var configPath = Path.Combine(dir, UnsafeScopeConfig.FileName);
        var config = File.Exists(configPath) ? UnsafeScopeConfig.Load(configPath) : UnsafeScopeConfig.Empty;
        // Dependencies named in a fixture's Cargo.toml come from the fixtures' registry (fakeglib, …).
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], Configuration = config, Jobs = 1, DependencySources = [RepoPaths.Fixtures("registry")] });
        Assert.True(result.Succeeded, string.Join("\n", result.Notifications));
        return (dir, rule, result.Diagnostics.Where(d => d.Id == rule).ToList());
    }

    [Fact]
    public void MarkersStateColumnAndMessage()
    {
        var m = Marker().Match("    unsafe { *p } //~ US1002 @5: this `unsafe` block contains 2 unsafe operations, expected only one //~^ US1001 @1: x");
        Assert.Equal("US1002", m.Groups[2].Value);
        var cm = ColumnAndMessage().Match(m.Groups[3].Value);
        Assert.Equal("5", cm.Groups[1].Value);
        Assert.Equal("this `unsafe` block contains 2 unsafe operations, expected only one", cm.Groups[2].Value);
        Assert.DoesNotMatch(ColumnAndMessage(), Marker().Match("x //~ US1002").Groups[3].Value);
    }

    [Fact]
    public void FindingsUnderAllowOfTheEquivalentLintAreKeptAsSuppressed()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures("rules", "US1001-allow")] });
        var suppressed = result.Diagnostics.Where(d => d.Id == "US1001" && d.IsSuppressed).ToList();
        Assert.Equal(3, suppressed.Count);
        Assert.All(suppressed, d => Assert.Equal("#[allow(clippy::undocumented_unsafe_blocks)] in the source", d.Suppression!.Justification));
        Assert.Equal(2, result.Diagnostics.Count(d => d.Id == "US1001" && !d.IsSuppressed));
    }

    [Fact]
    public void EveryRuleHasAFixture()
    {
        var fixtures = Directory.EnumerateDirectories(RepoPaths.Fixtures("rules")).Select(d => Path.GetFileName(d).Split('-')[0]).ToHashSet();
        // Configuration rules (US3xxx) are checked on the packages of corpus/fixtures/configuration (ConfigurationRuleTests).
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Fixtures("configuration"), "*", SearchOption.AllDirectories))
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(file), @"(?:#|//)~ (US3\d{3}) @"))
                fixtures.Add(m.Groups[1].Value);
        var rules = UnsafeScope.Analyzers.BuiltInAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id);
        Assert.Equal([], rules.Where(r => !fixtures.Contains(r)).ToArray());
    }
}
