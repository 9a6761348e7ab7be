namespace UnsafeScope.Tests.Corpus;

/// <summary>The Debian-packaged crate corpus (corpus/install-debian-corpus.sh); .ci/run installs it.</summary>
public static class DebianCorpus
{
    public static readonly string[] Roots = ["/usr/share/cargo/registry", "/usr/src/rustc-1.63.0/library"];

    public static bool IsInstalled => Roots.All(Directory.Exists);
}

/// <summary>A test over the real corpus: skipped, visibly, where the corpus is not installed.</summary>
public sealed class CorpusFactAttribute : FactAttribute
{
    public CorpusFactAttribute()
    {
        if (!DebianCorpus.IsInstalled)
            Skip = "The Debian crate corpus is not installed (run corpus/install-debian-corpus.sh; .ci/run does).";
    }
}
