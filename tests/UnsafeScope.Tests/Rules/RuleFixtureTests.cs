using System.Text.RegularExpressions;
using UnsafeScope.Configuration;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Rules;

/// <summary>Each folder of corpus/fixtures/rules is a crate for one rule; its <c>//~ ID</c> markers are the expected diagnostics.</summary>
public partial class RuleFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var d in Directory.EnumerateDirectories(RepoPaths.Fixtures("rules")).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(d));
        return data;
    }

    [GeneratedRegex(@"//~(\^*)\s+(US\d{4})")]
    private static partial Regex Marker();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DiagnosticsMatchInlineMarkers(string fixture)
    {
        var dir = RepoPaths.Fixtures("rules", fixture);
        var rule = fixture.Split('-')[0];
        var configPath = Path.Combine(dir, UnsafeScopeConfig.FileName);
        var config = File.Exists(configPath) ? UnsafeScopeConfig.Load(configPath) : UnsafeScopeConfig.Empty;
        // Dependencies named in a fixture's Cargo.toml come from the fixtures' registry (fakeglib, …).
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], Configuration = config, Jobs = 1, DependencySources = [RepoPaths.Fixtures("registry")] });
        Assert.True(result.Succeeded, string.Join("\n", result.Notifications));

        var expected = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.rs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in Marker().Matches(lines[i]))
                    if (m.Groups[2].Value == rule)
                        expected.Add($"{rel}:{i + 1 - m.Groups[1].Value.Length}");
        }
        var actual = result.Diagnostics.Where(d => d.Id == rule && !d.IsSuppressed).Select(d => $"{d.Location.Path}:{d.Location.StartLine}").ToList();
        expected.Sort(StringComparer.Ordinal);
        actual.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
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
        var rules = UnsafeScope.Analyzers.BuiltInAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id);
        Assert.Equal([], rules.Where(r => !fixtures.Contains(r)).ToArray());
    }
}
