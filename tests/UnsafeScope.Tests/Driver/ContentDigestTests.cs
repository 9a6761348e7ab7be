using System.Security.Cryptography;
using UnsafeScope.Driver;
using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Driver;

/// <summary>
/// The memo of file digests a cached run keeps (issue #14: an unchanged file costs a stat, not a read): a digest is
/// reused only while every field of the file's stamp holds, and only when the file had been quiet before its read.
/// </summary>
public sealed class ContentDigestTests : IDisposable
{
    private const string Reason = "File stamps need statx (Linux); elsewhere every file is read and no memo is kept.";
    private readonly TempFolder _dir = new("unsafescope-digests-");

    public void Dispose() => _dir.Dispose();

    private string Cache => Path.Combine(_dir.Path, "cache");

    private ContentDigests Open(long quietNs = 0) => ContentDigests.Open(new ResultCache(Cache), _dir.Path, quietNs) ?? throw new InvalidOperationException("no memo");

    /// <summary>Writes src/lib.rs, takes its digest through a memo and saves the memo; the file's path.</summary>
    private string Remembered(string text = "pub fn f() {}\n", long quietNs = 0)
    {
        var file = _dir.Write("src/lib.rs", text);
        var memo = Open(quietNs);
        Assert.Equal(Sha(text), memo.Digest(file, 1 << 20));
        memo.Save();
        return file;
    }

    private static byte[] Sha(string text) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Keys are hashed in one call over the length-prefixed parts and the tail: the same value as hashing them
    /// incrementally, which is how entries written before were keyed (a cache stays valid across the change).
    /// </summary>
    [FsCheck.Xunit.Property]
    public bool AOneCallKeyEqualsTheIncrementalHashOfItsParts(string[] parts, byte[] tail, FsCheck.PositiveInt repeat)
    {
        parts = [.. parts.Where(p => p is not null).Select(p => string.Concat(Enumerable.Repeat(p, repeat.Get % 40 + 1)))];
        tail ??= [];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts) UnsafeScope.IO.ContentHash.Append(hash, part);
        hash.AppendData(tail);
        return Convert.ToHexStringLower(hash.GetHashAndReset()) == UnsafeScope.IO.ContentHash.Of(parts, tail);
    }

    [SkippableFact]
    public void ADigestIsReadOnceThenTakenFromTheMemoWhileTheStampHolds()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var file = _dir.Write("src/lib.rs", "pub fn f() {}\n");
        var first = Open();
        Assert.Equal(Sha("pub fn f() {}\n"), first.Digest(file, 1 << 20));
        Assert.Equal(0, first.Reused);
        first.Save();

        var second = Open();
        Assert.Equal(Sha("pub fn f() {}\n"), second.Digest(file, 1 << 20));
        Assert.Equal(1, second.Reused);
    }

    [SkippableFact]
    public void ASameSizeRewriteWithItsModificationTimeSetBackIsReadAgain()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var file = Remembered("pub fn a() {}\n");
        var modified = File.GetLastWriteTimeUtc(file);

        // What tar or rsync -t leave: other bytes of the same length under the old modification time.
        File.WriteAllText(file, "pub fn b() {}\n");
        File.SetLastWriteTimeUtc(file, modified);
        var second = Open();

        Assert.Equal(Sha("pub fn b() {}\n"), second.Digest(file, 1 << 20));
        Assert.Equal(0, second.Reused);
    }

    [SkippableFact]
    public void AFileWrittenJustBeforeItsReadIsNotKept()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var file = Remembered(quietNs: ContentDigests.QuietNs);

        var second = Open(ContentDigests.QuietNs);
        second.Digest(file, 1 << 20);

        Assert.Equal(0, second.Reused);
    }

    [SkippableFact]
    public void ADamagedMemoIsAnEmptyOneAndItsFileIsWrittenAnew()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var file = Remembered();
        var memo = Assert.Single(Directory.GetFiles(Path.Combine(Cache, "digests")));
        var bytes = File.ReadAllBytes(memo);
        File.WriteAllBytes(memo, bytes[..(bytes.Length - 5)]);

        var second = Open();
        Assert.Equal(Sha("pub fn f() {}\n"), second.Digest(file, 1 << 20));
        Assert.Equal(0, second.Reused);
        second.Save();
        var third = Open();
        third.Digest(file, 1 << 20);
        Assert.Equal(1, third.Reused);
    }

    [SkippableFact]
    public void AFileOverTheSizeLimitIsReadAndRefusedEvenWithADigestKept()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var file = Remembered();

        Assert.Throws<IOException>(() => Open().Digest(file, 4));
    }

    [SkippableFact]
    public void LineValuesAreKeptWithTheDigestAndComputedAgainOnlyForLinesNotAskedBefore()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var text = "fn a() {}\nfn b() {}\nfn a() {}\n";
        var file = _dir.Write("src/lib.rs", text);
        var expected = LineHash.Compute(text.AsSpan());
        int computed = 0;
        Dictionary<int, string> Compute(ReadOnlySpan<byte> bytes, IReadOnlySet<int> lines)
        {
            computed++;
            return LineHash.Compute(bytes, lines);
        }

        var first = Open();
        var once = first.LineValues(file, new HashSet<int> { 1, 3, 9 }, 1 << 20, Compute);
        first.Save();
        var second = Open();
        var again = second.LineValues(file, new HashSet<int> { 3, 9 }, 1 << 20, Compute);
        var more = second.LineValues(file, new HashSet<int> { 2 }, 1 << 20, Compute);
        second.Save();
        var third = Open();
        var all = third.LineValues(file, new HashSet<int> { 1, 2, 3 }, 1 << 20, Compute);

        Assert.Equal(new Dictionary<int, string> { [1] = expected[0], [3] = expected[2] }, once); // line 9 is past the end
        Assert.Equal(new Dictionary<int, string> { [3] = expected[2] }, again);
        Assert.Equal(new Dictionary<int, string> { [2] = expected[1] }, more);
        Assert.Equal(new Dictionary<int, string> { [1] = expected[0], [2] = expected[1], [3] = expected[2] }, all);
        Assert.Equal(2, computed); // the first run's read, and line 2's
        Assert.Equal((1, 1), (second.Reused, third.Reused));
    }

    /// <summary>
    /// A warm run after a same-size edit whose modification time was set back gives a plain run's outputs, and the
    /// files that did not change were not read for their keys.
    /// </summary>
    [SkippableFact]
    public void AWarmRunReadsOnlyTheFilesWhoseStampChangedAndGivesAPlainRunsOutputs()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), Reason);
        var root = Path.Combine(_dir.Path, "crate");
        var lib = Write(root, "src/lib.rs", "mod regs;\npub fn read(p: *const u32) -> u32 { unsafe { regs::get(p) } }\n");
        Write(root, "src/regs.rs", "pub unsafe fn get(p: *const u32) -> u32 { *p }\n");
        Write(root, "Cargo.toml", "[package]\nname = \"c\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
        // The memo keeps only files that were quiet for two seconds before they were read.
        Thread.Sleep(TimeSpan.FromTicks(ContentDigests.QuietNs / 100) + TimeSpan.FromMilliseconds(200));
        var options = new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = Cache };
        var cold = Analysis.Run(options);
        var before = Assert.Single(cold.Diagnostics, d => d.Id == "US1001");
        Assert.Equal((2, 37), (before.Location.StartLine, before.Location.LineSpan.Start.Character + 1));
        var baseDirectory = FileDiscovery.ResolveBaseDirectory(options);
        var memo = ContentDigests.Open(new ResultCache(Cache), baseDirectory)!;
        foreach (var f in Directory.GetFiles(root, "*", SearchOption.AllDirectories)) memo.Digest(f, 1 << 20);
        Assert.Equal(3, memo.Reused);

        // Same length, modification time set back: the finding's column moves, which the outputs must show.
        var modified = File.GetLastWriteTimeUtc(lib);
        File.WriteAllText(lib, "mod regs;\npub fn read(p: *const u32) -> u32 {unsafe  { regs::get(p) } }\n");
        File.SetLastWriteTimeUtc(lib, modified);
        var warm = Analysis.Run(options);
        var plain = Analysis.Run(options with { CacheDirectory = null });

        Assert.Equal((1, 1), (warm.CacheHits, warm.CacheMisses));
        var us1001 = Assert.Single(warm.Diagnostics, d => d.Id == "US1001");
        Assert.Equal((2, 36), (us1001.Location.StartLine, us1001.Location.LineSpan.Start.Character + 1));
        Assert.Equal(Outputs(plain), Outputs(warm));
    }

    private static string Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static (string Sarif, string Json) Outputs(AnalysisResult result)
    {
        using var sarif = new MemoryStream();
        SarifLogWriter.Write(result, new SarifWriteOptions { IncludeTimes = false }, sarif);
        using var json = new MemoryStream();
        UnsafeScope.Reports.InventoryJsonWriter.Write(result, json);
        return (System.Text.Encoding.UTF8.GetString(sarif.ToArray()), System.Text.Encoding.UTF8.GetString(json.ToArray()));
    }
}
