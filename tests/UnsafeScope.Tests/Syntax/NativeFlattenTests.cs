using UnsafeScope.Tests.Corpus;
using UnsafeScope.Tests.Packaging;

namespace UnsafeScope.Tests.Syntax;

public class NativeFlattenTests
{
    /// <summary>
    /// The shim flattens trees by walking tree-sitter's subtrees directly; tree-sitter's own cursor walk is the oracle:
    /// both must give the same records (span, parent, subtree end, previous sibling, symbol, field, flags) for every
    /// node of every corpus file (30 M nodes, syntax errors and aliases included).
    /// </summary>
    [SkippableFact]
    public void TheDirectFlattenWalkGivesWhatTheCursorWalkGives()
    {
        Skip.IfNot(ExternalTools.Find("gcc") is not null, "gcc is not installed (apt-get install gcc; .ci/run does)");
        Skip.IfNot(DebianCorpus.IsInstalled, "The Debian crate corpus is not installed (run corpus/install-debian-corpus.sh; .ci/run does).");
        var (exit, stdout, stderr) = ChildProcess.Run("bash", [Path.Combine(RepoPaths.Root, "native", "check-flatten.sh"), .. DebianCorpus.Roots],
            limit: TimeSpan.FromMinutes(10));
        Assert.True(exit == 0, stdout + stderr);
        Assert.Matches(@"^files \d{4,} nodes \d{7,} different 0$", stdout.Trim());
    }
}
