using System.Text.RegularExpressions;

namespace UnsafeScope.Tests.Scoring;

/// <summary>
/// corpus/unsound/devset.tsv, the labels the score's weights are fitted on (docs/scoring.md): well formed, every located
/// row traceable to its sources, and none of the crates the independent evaluation holds out.
/// </summary>
public sealed partial class DevelopmentSetTests
{
    // The crate versions issue #17 reserves for the independent evaluation; no version of them may enter the set.
    private static readonly HashSet<string> s_heldOut = new(StringComparer.Ordinal)
    {
        "anyhow", "array-macro", "bytes", "capnp", "const-cstr", "cxx", "failure", "gettext-rs", "git2", "grcov", "lru", "maxminddb",
        "memmap2", "openssl", "owning_ref", "pyo3", "rand", "sized-chunks", "spin", "stackvector", "time", "vm-memory", "whoami", "xcb",
    };

    private static readonly string[] s_columns = ["crate", "repo", "commit", "subdir", "file", "start", "end", "class", "analyzer", "origin", "item", "verified", "note"];

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_.-]+?)-(?<version>\d+\.\d+\.\d+[A-Za-z0-9.+-]*)$")]
    private static partial Regex CrateVersion();

    [GeneratedRegex(@"^[0-9a-f]{40}$")]
    private static partial Regex Sha();

    [Fact]
    public void EveryRowIsLocatedOrSaysWhyNot()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Root, "corpus", "unsound", "devset.tsv"));
        Assert.Equal(s_columns, lines[0].Split('\t'));
        int located = 0;
        var crates = new HashSet<string>(StringComparer.Ordinal);
        var spans = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var c = line.Split('\t');
            Assert.True(c.Length == s_columns.Length, $"{c.Length} columns: {line}");
            var m = CrateVersion().Match(c[0]);
            Assert.True(m.Success, $"crate is not name-version: {c[0]}");
            Assert.DoesNotContain(m.Groups["name"].Value, s_heldOut);
            Assert.Contains(c[11], (string[])["yes", "shifted", "skipped"]);
            Assert.Contains(c[7], (string[])["SendSyncVariance", "UninitExposure", "PanicSafety", "HigherOrderInvariant", "Other"]);
            if (c[11] == "skipped")
            {
                Assert.False(string.IsNullOrWhiteSpace(c[12]), $"a skipped row says why: {line}");
                continue;
            }
            located++;
            crates.Add(c[0]);
            Assert.True(c[1] == "debian" || (c[1].Count(ch => ch == '/') == 1 && Sha().IsMatch(c[2])), $"sources not traceable: {line}");
            Assert.EndsWith(".rs", c[4]);
            int start = int.Parse(c[5], System.Globalization.CultureInfo.InvariantCulture), end = int.Parse(c[6], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(start >= 1 && end >= start, $"bad span: {line}");
            Assert.True(spans.Add($"{c[0]}\t{c[4]}\t{start}\t{end}\t{c[7]}"), $"duplicate span: {line}"); // one span may carry two classes
        }
        // What docs/scoring.md and RESULTS.md report.
        Assert.Equal(289, located);
        Assert.Equal(159, crates.Count);
    }
}
