using System.Text.RegularExpressions;
using UnsafeScope.Analyzers;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Rules;

/// <summary>Meta-tests that keep rule conventions honest (as clippy's and roslyn-analyzers' do).</summary>
public partial class RuleConventionTests
{
    private static readonly List<UnsafeScope.Diagnostics.DiagnosticDescriptor> s_rules =
        [.. BuiltInAnalyzers.Create().SelectMany(a => a.SupportedDiagnostics).OrderBy(d => d.Id, StringComparer.Ordinal)];

    [Fact]
    public void CommittedRuleDocsMatchTheDescriptors()
    {
        var dir = Path.Combine(RepoPaths.Root, "docs", "rules");
        foreach (var d in s_rules)
        {
            var path = Path.Combine(dir, d.Id + ".md");
            Assert.True(File.Exists(path), $"{path} is missing: run `unsafescope docs docs/rules`");
            Assert.True(RuleDocs.Page(d).ReplaceLineEndings("\n") == File.ReadAllText(path), $"{path} is stale: run `unsafescope docs docs/rules`");
        }
        Assert.Equal(RuleDocs.Index(s_rules).ReplaceLineEndings("\n"), File.ReadAllText(Path.Combine(dir, "README.md")));
        var extra = Directory.EnumerateFiles(dir, "US*.md").Select(p => Path.GetFileNameWithoutExtension(p)!).Except(s_rules.Select(r => r.Id)).ToArray();
        Assert.Equal([], extra);
    }

    [GeneratedRegex(@"US\d{4}\.([A-Za-z]+)\.cs$")]
    private static partial Regex RuleFile();

    [Fact]
    public void EachRuleLivesInAFileNamedByIdAndName()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", "UnsafeScope", "Analyzers", "Rules"), "US*.cs", SearchOption.AllDirectories)
            .Select(p => Path.GetFileName(p)!).ToHashSet(StringComparer.Ordinal);
        foreach (var d in s_rules.Where(r => r.Category is not ("Suppression" or "Pattern"))) // pattern rules live in queries/packs
            Assert.Contains($"{d.Id}.{d.Name}.cs", files);
    }

    [Fact]
    public void IdsAreUniqueAndInTheirCategoryRange()
    {
        Assert.Equal(s_rules.Count, s_rules.Select(r => r.Id).Distinct().Count());
        foreach (var d in s_rules)
        {
            var expected = d.Category switch { "Hygiene" => '1', "Driver" => '2', "Configuration" => '3', "Pattern" => '7', "Suppression" => '9', _ => '?' };
            Assert.True(d.Id[2] == expected, $"{d.Id} is outside the {d.Category} range");
        }
    }

    [Fact]
    public void MessagesFollowTheStyle()
    {
        foreach (var d in s_rules)
        {
            Assert.False(d.MessageFormat.EndsWith('.'), $"{d.Id}: messages do not end with a period (clippy style)");
            Assert.True(char.IsLower(d.MessageFormat[0]) || d.MessageFormat[0] is '{' or '`', $"{d.Id}: messages start in lower case");
            Assert.False(string.IsNullOrWhiteSpace(d.Documentation.Example));
            if (d.Properties.ContainsKey("security-severity")) Assert.Contains("security", d.Tags);
        }
    }
}
