using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;

namespace UnsafeScope.Tests.Driver;

public sealed class DriverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unsafescope-driver-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, byte[] content)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private string Write(string relative, string content) => Write(relative, System.Text.Encoding.UTF8.GetBytes(content));

    [Fact]
    public void BadFilesBecomeNotificationsAndGoodFilesAreKept()
    {
        Write("src/lib.rs", "pub fn f() { unsafe { g() } }");
        Write("src/bin.rs", [(byte)'f', (byte)'n', 0, 1, 2]);
        Write("src/big.rs", new string('/', 5000));
        Write("src/latin1.rs", [(byte)'f', (byte)'n', (byte)' ', 0xE9, (byte)'(', (byte)')', (byte)'{', (byte)'}']);
        Write("src/broken.rs", "fn f( {");
        Write("src/dir with space/é.rs", "fn ok() {}");
        Write("target/debug/build/gen.rs", "fn skipped() {}");
        Write(".git/x.rs", "fn skipped() {}");
        Write("README.md", "not rust");

        var result = Analysis.Run(new AnalysisOptions { Paths = [_root], MaxFileBytes = 4096, Jobs = 2 });

        Assert.Equal(["src/big.rs", "src/bin.rs", "src/broken.rs", "src/dir with space/é.rs", "src/latin1.rs", "src/lib.rs"], result.Files.Select(f => f.Path));
        FileResult F(string p) => result.Files.Single(f => f.Path == p);
        Assert.Equal(FileStatus.Skipped, F("src/big.rs").Status);
        Assert.Equal(NotificationIds.TooLarge, Assert.Single(F("src/big.rs").Notifications).Id);
        Assert.Equal(NotificationIds.Binary, Assert.Single(F("src/bin.rs").Notifications).Id);
        Assert.Equal(FileStatus.Analyzed, F("src/latin1.rs").Status);
        Assert.Equal(NotificationIds.InvalidUtf8, F("src/latin1.rs").Notifications[0].Id);
        Assert.Equal(FileStatus.Analyzed, F("src/broken.rs").Status);
        Assert.True(F("src/broken.rs").SyntaxErrors > 0);
        Assert.Equal(NotificationIds.ParseErrors, Assert.Single(F("src/broken.rs").Notifications).Id);
        Assert.Equal(FileStatus.Analyzed, F("src/lib.rs").Status);
        Assert.Empty(F("src/lib.rs").Notifications);
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void MissingPathIsAnErrorButTheRestIsAnalyzed()
    {
        Write("a.rs", "fn a() {}");
        var result = Analysis.Run(new AnalysisOptions { Paths = [Path.Combine(_root, "a.rs"), Path.Combine(_root, "nope")], BaseDirectory = _root });
        Assert.Equal("a.rs", Assert.Single(result.Files).Path);
        Assert.Equal(NotificationIds.PathNotFound, Assert.Single(result.Notifications).Id);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public void SymlinkLoopsAreNotFollowed()
    {
        Write("a/x.rs", "fn x() {}");
        Directory.CreateSymbolicLink(Path.Combine(_root, "a", "loop"), _root);
        File.CreateSymbolicLink(Path.Combine(_root, "a", "link.rs"), "/etc/hostname");
        var result = Analysis.Run(new AnalysisOptions { Paths = [_root] });
        Assert.Equal("a/x.rs", Assert.Single(result.Files).Path);
        Assert.Equal(2, result.Notifications.Count(n => n.Id == NotificationIds.SymlinkSkipped));
    }

    [SkippableFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // skipped there, first thing
    public void UnreadableFileIsReported()
    {
        Skip.If(OperatingSystem.IsWindows(), "Unix file modes (chmod 000) do not exist on Windows");
        Skip.If(Environment.UserName == "root", "running as root, which reads every file whatever its mode (CliFaultTests covers this as nobody)");
        var p = Write("locked.rs", "fn f() {}");
        File.SetUnixFileMode(p, UnixFileMode.None);
        var result = Analysis.Run(new AnalysisOptions { Paths = [_root] });
        Assert.Equal(NotificationIds.Unreadable, Assert.Single(result.Notifications).Id);
    }

    [Fact]
    public void ResultsDoNotDependOnTheNumberOfJobs()
    {
        for (int i = 0; i < 40; i++)
            Write($"m{i % 7}/f{i}.rs", $"fn f{i}() {{ unsafe {{ g({i}) }} }}" + new string('\n', i * 13) + (i % 5 == 0 ? "fn broken(" : ""));
        var one = Analysis.Run(new AnalysisOptions { Paths = [_root], Jobs = 1 });
        var many = Analysis.Run(new AnalysisOptions { Paths = [_root], Jobs = 8 });
        Assert.Equal(one.Files, many.Files, new FileResultComparer());
        Assert.Equal(one.Notifications.ToArray(), many.Notifications.ToArray());
    }

    private sealed class FileResultComparer : IEqualityComparer<FileResult>
    {
        public bool Equals(FileResult? x, FileResult? y)
            => x!.Path == y!.Path && x.Status == y.Status && x.Bytes == y.Bytes && x.Lines == y.Lines && x.SyntaxErrors == y.SyntaxErrors
               && x.Notifications.SequenceEqual(y.Notifications);

        public int GetHashCode(FileResult obj) => obj.Path.GetHashCode(StringComparison.Ordinal);
    }
}
