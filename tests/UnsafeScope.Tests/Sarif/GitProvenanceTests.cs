using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Sarif;

/// <summary>Provenance read from a repository's files only; the repositories here are made of plain files.</summary>
public sealed class GitProvenanceTests : IDisposable
{
    private const string Sha = "0123456789abcdef0123456789abcdef01234567";
    private const string Sha2 = "89abcdef0123456789abcdef0123456789abcdef";
    private readonly string _root = Directory.CreateTempSubdirectory("unsafescope-git-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private string Write(string relative, string content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private const string Config = """
        [core]
        	repositoryformatversion = 0
        	bare = false
        [remote "upstream"]
        	url = https://example.com/upstream/driver.git
        [remote "origin"]
        	url = https://github.com/example/driver.git
        	fetch = +refs/heads/*:refs/remotes/origin/*
        [branch "main"]
        	remote = origin
        """;

    [Fact]
    public void LooseRefOnABranch()
    {
        Write("repo/.git/config", Config);
        Write("repo/.git/HEAD", "ref: refs/heads/main\n");
        Write("repo/.git/refs/heads/main", Sha + "\n");
        Directory.CreateDirectory(Path.Combine(_root, "repo", "crates", "a"));

        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "repo", "crates", "a"));
        Assert.Equal(new VersionControlInfo("https://github.com/example/driver.git", Sha, "main", Path.Combine(_root, "repo")), info);
    }

    [Fact]
    public void PackedRefAndBranchWithSlashes()
    {
        Write("repo/.git/config", Config);
        Write("repo/.git/HEAD", "ref: refs/heads/feature/sarif\n");
        Write("repo/.git/packed-refs", $"# pack-refs with: peeled fully-peeled sorted\n{Sha2} refs/heads/main\n{Sha} refs/heads/feature/sarif\n^{Sha2}\n");

        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "repo"))!;
        Assert.Equal(("feature/sarif", Sha), (info.Branch, info.RevisionId));
    }

    [Fact]
    public void DetachedHead()
    {
        Write("repo/.git/config", Config);
        Write("repo/.git/HEAD", Sha.ToUpperInvariant() + "\n");
        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "repo"))!;
        Assert.Null(info.Branch);
        Assert.Equal(Sha, info.RevisionId);
    }

    [Fact]
    public void UnbornBranchHasNoRevision()
    {
        Write("repo/.git/config", Config);
        Write("repo/.git/HEAD", "ref: refs/heads/main\n");
        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "repo"))!;
        Assert.Equal("main", info.Branch);
        Assert.Null(info.RevisionId);
    }

    [Fact]
    public void WorktreeWithGitFileAndCommonDir()
    {
        // A linked worktree: <wt>/.git is a file naming <main>/.git/worktrees/wt, whose commondir points back.
        Write("main/.git/config", Config);
        Write("main/.git/refs/heads/sarif", Sha + "\n");
        Write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/sarif\n");
        Write("main/.git/worktrees/wt/commondir", "../..\n");
        Write("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");

        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "wt"))!;
        Assert.Equal(new VersionControlInfo("https://github.com/example/driver.git", Sha, "sarif", Path.Combine(_root, "wt")), info);
    }

    [Theory]
    [InlineData("https://github.com/example/driver.git", "https://github.com/example/driver.git")]
    [InlineData("https://user:ghp_secret@github.com/example/driver", "https://github.com/example/driver")]
    [InlineData("git@github.com:example/driver.git", "ssh://github.com/example/driver.git")]
    [InlineData("ssh://git@example.com:2222/x/y.git", "ssh://example.com:2222/x/y.git")]
    [InlineData("https://github.com:443/example/driver", "https://github.com/example/driver")]
    [InlineData("/srv/git/driver.git", null)]
    [InlineData("../driver", null)]
    [InlineData("file:///srv/git/driver.git", null)]
    [InlineData("C:\\src\\driver", null)]
    [InlineData("ext::sh -c touch% /tmp/pwned", null)]
    public void RemoteUrlsLoseCredentialsAndLocalPathsAreDropped(string url, string? expected) =>
        Assert.Equal(expected, GitProvenance.NormalizeRemoteUrl(url));

    [Fact]
    public void QuotedUrlsAndCommentsInConfig()
    {
        var path = Write("c/config", "# comment\n[Remote \"origin\"] ; header comment\n  URL = \"https://example.com/a b.git\" # trailing\n");
        Assert.Equal("https://example.com/a b.git", GitProvenance.ReadOriginUrl(path));
        Assert.Equal("https://example.com/a%20b.git", GitProvenance.NormalizeRemoteUrl("https://example.com/a b.git"));
    }

    [Fact]
    public void NoRepositoryOrNoOriginGivesNothing()
    {
        Directory.CreateDirectory(Path.Combine(_root, "plain"));
        // The temporary folder itself is not inside a repository on a normal machine; guard against one above it.
        if (GitProvenance.FindGitDir(_root) is null)
            Assert.Null(VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "plain")));

        Write("noorigin/.git/config", "[remote \"upstream\"]\n\turl = https://example.com/x.git\n");
        Write("noorigin/.git/HEAD", "ref: refs/heads/main\n");
        Assert.Null(VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "noorigin")));
    }

    [Fact]
    public void RefNamesCannotLeaveTheGitFolder()
    {
        Write("secret.txt", Sha + "\n");
        Write("repo/.git/config", Config);
        Write("repo/.git/HEAD", "ref: ../../secret.txt\n");
        var info = VersionControlInfo.FromGitWorkTree(Path.Combine(_root, "repo"))!;
        Assert.Null(info.RevisionId);
    }

    [SkippableFact]
    public void ThisCheckoutIsReadWithoutRunningGit()
    {
        // The repository these tests are built from (a clone or a worktree); it may have no origin.
        var found = GitProvenance.FindGitDir(RepoPaths.Root);
        Skip.If(found is null, $"the sources at {RepoPaths.Root} are not a git checkout (an exported tree)");
        Assert.Equal(RepoPaths.Root, found.Value.WorkTree);
        var info = VersionControlInfo.FromGitWorkTree(RepoPaths.Root);
        if (info is not null)
        {
            Assert.True(Uri.TryCreate(info.RepositoryUri, UriKind.Absolute, out _));
            Assert.True(info.RevisionId is null || info.RevisionId.Length is 40 or 64);
        }
    }
}
