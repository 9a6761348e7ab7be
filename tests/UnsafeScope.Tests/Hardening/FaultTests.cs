using UnsafeScope.Diagnostics;
using System.Text;
using UnsafeScope.Driver;
using UnsafeScope.Reports;

namespace UnsafeScope.Tests.Hardening;

[Collection(nameof(Isolated))]
public sealed class FaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("unsafescope-fault-").FullName;

    public void Dispose()
    {
        foreach (var f in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories))
            File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(_dir, true);
    }

    private string Write(string rel, string text)
    {
        var p = Path.Combine(_dir, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(p)!);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void PathologicalInputsAreHandledAndOtherFilesKept()
    {
        Write("deep.rs", "fn f() { let x = " + new string('[', 10_000) + new string(']', 10_000) + "; }");
        Write("long_line.rs", "fn f() { let s = \"" + new string('x', 10 * 1024 * 1024) + "\"; }");
        Write("huge.rs", string.Concat(Enumerable.Repeat("fn f() {}\n", 5_300_000))); // about 50 MB
        Write("mixed.rs", "fn f() { /* \u00e9 */ }\n");
        File.AppendAllText(Path.Combine(_dir, "mixed.rs"), "\u0000", Encoding.Latin1);
        Write("ok.rs", "pub fn g(p: *const u8) -> u8 { unsafe { *p } }");
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 });
        FileResult F(string p) => result.Files.Single(f => f.Path == p);
        Assert.Equal(FileStatus.Analyzed, F("deep.rs").Status);
        Assert.Equal(FileStatus.Analyzed, F("long_line.rs").Status);
        Assert.Equal(NotificationIds.TooLarge, Assert.Single(F("huge.rs").Notifications).Id);
        Assert.Equal(NotificationIds.Binary, Assert.Single(F("mixed.rs").Notifications).Id);
        Assert.Equal(1, F("ok.rs").Inventory!.Counts.UnsafeBlocks);
        Assert.Contains(F("ok.rs").Diagnostics, d => d.Id == "US1001");
    }

    [Fact]
    public void AParseTimeLimitSkipsOnlyThatFile()
    {
        Write("slow.rs", string.Concat(Enumerable.Repeat("fn f() { let x = [1, 2, 3]; unsafe { g(&x) } }\n", 200_000)));
        Write("fast.rs", "fn f() {}");
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], ParseTimeout = TimeSpan.FromMilliseconds(1) });
        Assert.Equal(NotificationIds.ParseFailed, Assert.Single(result.Files.Single(f => f.Path == "slow.rs").Notifications).Id);
        Assert.Equal(FileStatus.Analyzed, result.Files.Single(f => f.Path == "fast.rs").Status);
    }

    [Fact]
    public async Task FilesDeletedDuringTheRunBecomeNotifications()
    {
        for (int i = 0; i < 200; i++) Write($"f{i:D3}.rs", $"fn f{i}() {{ unsafe {{ g() }} }}\n" + new string('\n', i * 50));
        var deleter = Task.Run(() =>
        {
            for (int i = 0; i < 200; i += 2) File.Delete(Path.Combine(_dir, $"f{i:D3}.rs"));
        });
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 });
        await deleter;
        Assert.True(result.Files.Length <= 200);
        Assert.All(result.Files.Where(f => f.Status == FileStatus.Skipped), f => Assert.Equal(NotificationIds.Unreadable, f.Notifications[0].Id));
        Assert.All(result.Files.Where(f => f.Status == FileStatus.Analyzed), f => Assert.Equal(1, f.Inventory!.Counts.UnsafeBlocks));
    }

    [Fact]
    public void AFailingWriteLeavesTheOldOutputIntact()
    {
        var target = Path.Combine(_dir, "out.sarif");
        File.WriteAllText(target, "previous complete output");
        Assert.Throws<IOException>(() => AtomicFile.Write(target, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk full");
        }));
        Assert.Equal("previous complete output", File.ReadAllText(target));
        Assert.Single(Directory.EnumerateFiles(_dir)); // no temporary file left behind
    }

    [Fact]
    public void CancellationStopsTheRunWithoutAResult()
    {
        for (int i = 0; i < 300; i++) Write($"c{i}.rs", string.Concat(Enumerable.Repeat("fn f() { unsafe { g() } }\n", 2000)));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.ThrowsAny<OperationCanceledException>(() => Analysis.Run(new AnalysisOptions { Paths = [_dir], Jobs = 2 }, null, cts.Token));
    }
}

/// <summary>Tests that measure the whole process (memory) run alone, after the parallel ones.</summary>
[CollectionDefinition(nameof(Isolated), DisableParallelization = true)]
public sealed class Isolated;
