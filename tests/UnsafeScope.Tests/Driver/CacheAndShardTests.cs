using System.Collections;
using FsCheck;
using FsCheck.Xunit;
using UnsafeScope.Configuration;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Reports;
using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Driver;

/// <summary>The result cache and sharding give exactly the outputs of a plain run.</summary>
public sealed class CacheAndShardTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("unsafescope-cache-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>A copy of all fixtures (rules and inventory), so tests may edit files.</summary>
    private string CopyFixtures()
    {
        var root = Path.Combine(_work, "src");
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Fixtures(), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(RepoPaths.Fixtures(), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return root;
    }

    private static (byte[] Sarif, byte[] Json) Outputs(AnalysisResult result)
    {
        using var sarif = new MemoryStream();
        SarifLogWriter.Write(result, new SarifWriteOptions { IncludeTimes = false }, sarif);
        using var json = new MemoryStream();
        InventoryJsonWriter.Write(result, json);
        return (sarif.ToArray(), json.ToArray());
    }

    private static void AssertSameOutputs(AnalysisResult expected, AnalysisResult actual)
    {
        var (s1, j1) = Outputs(expected);
        var (s2, j2) = Outputs(actual);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(j1), System.Text.Encoding.UTF8.GetString(j2));
        Assert.Equal(System.Text.Encoding.UTF8.GetString(s1), System.Text.Encoding.UTF8.GetString(s2));
    }

    [Fact]
    public void AWarmRunReadsEveryFileFromTheCacheAndWritesTheSameBytes()
    {
        var root = CopyFixtures();
        var options = new AnalysisOptions { Paths = [root], Jobs = 2 };
        var plain = Analysis.Run(options);
        var cached = options with { CacheDirectory = Path.Combine(_work, "cache") };

        var cold = Analysis.Run(cached);
        var warm = Analysis.Run(cached with { Jobs = 1 });

        // Configuration files that hold findings (Cargo.toml of the configuration fixtures) are results, not cached sources.
        int analyzed = plain.Files.Count(f => f.Status != FileStatus.Configuration);
        Assert.True(analyzed >= 30, $"only {analyzed} fixture files");
        Assert.Equal((0, analyzed), (cold.CacheHits, cold.CacheMisses));
        Assert.Equal((analyzed, 0), (warm.CacheHits, warm.CacheMisses));
        Assert.NotEmpty(warm.Diagnostics);
        AssertSameOutputs(plain, cold);
        AssertSameOutputs(plain, warm);
    }

    /// <summary>
    /// A cold run misses every entry: each miss is asked of the file system, not learned from a thrown exception (one
    /// per file and crate, which the framework-dependent command paid for 19,618 times in a corpus run).
    /// </summary>
    [Fact]
    public void AColdRunMissesItsEntriesWithoutThrowing()
    {
        var root = CopyFixtures();
        var cache = Path.Combine(_work, "cache");
        int thrown = 0;
        // Process-wide: other tests' exceptions are told apart by the cache folder in the message.
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, e) =>
        {
            if (e.Exception is IOException && e.Exception.Message.Contains(cache, StringComparison.Ordinal)) Interlocked.Increment(ref thrown);
        };
        AppDomain.CurrentDomain.FirstChanceException += count;
        AnalysisResult cold;
        try
        {
            cold = Analysis.Run(new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = cache });
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= count;
        }
        Assert.Equal(0, cold.CacheHits);
        Assert.True(cold.CacheMisses > 10, $"{cold.CacheMisses} misses");
        Assert.Equal(0, thrown);
    }

    [Fact]
    public void AnEditedFileIsAnalyzedAgainAndItsCrateRelinked()
    {
        var root = CopyFixtures();
        var cache = Path.Combine(_work, "cache");
        var options = new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = cache };
        Analysis.Run(options);

        // Declaring an unsafe fn in one file changes what calls in the crate's other files resolve to.
        var lib = Directory.EnumerateFiles(Path.Combine(root, "inventory"), "*.rs", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.AppendAllText(lib, "\npub unsafe fn read_register(p: *const u32) -> u32 { *p }\n");
        var warm = Analysis.Run(options);
        var cold = Analysis.Run(options with { CacheDirectory = null });

        Assert.Equal(1, warm.CacheMisses);
        AssertSameOutputs(cold, warm);
    }

    [Fact]
    public void OtherConfigurationMissesTheCache()
    {
        var root = CopyFixtures();
        var cache = Path.Combine(_work, "cache");
        Analysis.Run(new AnalysisOptions { Paths = [root], CacheDirectory = cache });
        var config = UnsafeScopeConfig.Parse("[rules]\nUS1001 = \"none\"\n", Path.Combine(_work, "unsafescope.toml"));
        var options = new AnalysisOptions { Paths = [root], CacheDirectory = cache, Configuration = config };

        var warm = Analysis.Run(options);

        Assert.Equal(0, warm.CacheHits);
        Assert.DoesNotContain(warm.Diagnostics, d => d.Id == "US1001");
        AssertSameOutputs(Analysis.Run(options with { CacheDirectory = null }), warm);
    }

    [Fact]
    public void DamagedOrForeignCacheEntriesAreMissesNotErrors()
    {
        var root = CopyFixtures();
        var cache = Path.Combine(_work, "cache");
        var options = new AnalysisOptions { Paths = [root], CacheDirectory = cache };
        var cold = Analysis.Run(options);
        DeleteEntries(cache, CrateMagic); // else the crates' entries stand in for the damaged file records
        var entries = Directory.GetFiles(cache, "*.bin", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        File.WriteAllBytes(entries[0], File.ReadAllBytes(entries[0])[..40]); // truncated by a crash
        File.WriteAllText(entries[1], "not a cache entry");
        var swapped = File.ReadAllBytes(entries[3]);
        File.WriteAllBytes(entries[2], swapped); // another file's entry under this key

        var warm = Analysis.Run(options);

        Assert.Equal(3, warm.CacheMisses);
        AssertSameOutputs(cold, warm);
    }

    private const string FileMagic = "USCACHE\n", CrateMagic = "USCRATE\n";

    /// <summary>Deletes the cache entries of one kind (file records or linked crates); returns how many.</summary>
    private static int DeleteEntries(string cache, string magic)
    {
        int n = 0;
        foreach (var entry in Directory.GetFiles(cache, "*.bin", SearchOption.AllDirectories))
        {
            var head = new byte[magic.Length];
            using (var stream = File.OpenRead(entry)) stream.ReadExactly(head);
            if (System.Text.Encoding.ASCII.GetString(head) != magic) continue;
            File.Delete(entry);
            n++;
        }
        return n;
    }

    private static int SourceFilesUnder(string folder) => Directory.EnumerateFiles(folder, "*.rs", SearchOption.AllDirectories).Count();

    /// <summary>
    /// A cold run over a copy of the fixtures (changed first by <paramref name="prepare"/>) that fills a cache, whose
    /// file records are then deleted: a warm run can take unchanged crates only from their crates' entries.
    /// </summary>
    private (string Root, AnalysisOptions Options, AnalysisResult Cold) CrateEntriesOnly(Action<string>? prepare = null)
    {
        var root = CopyFixtures();
        prepare?.Invoke(root);
        var options = new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = Path.Combine(_work, "cache") };
        var cold = Analysis.Run(options);
        Assert.True(DeleteEntries(options.CacheDirectory, FileMagic) >= 30);
        return (root, options, cold);
    }

    [Fact]
    public void AnUnchangedCrateIsTakenWholeFromTheCrateCacheWithEveryFieldOfItsResults()
    {
        var (root, options, _) = CrateEntriesOnly();
        var edited = Path.Combine(root, "rules", "US1007", "src", "lib.rs");
        File.AppendAllText(edited, "\npub unsafe fn read_register(p: *const u32) -> u32 { *p }\n");

        var warm = Analysis.Run(options with { Jobs = 1 });
        var plain = Analysis.Run(options with { CacheDirectory = null });

        // The edited crate's files are read and analyzed again; every other crate came from its entry.
        Assert.Equal(SourceFilesUnder(Path.Combine(root, "rules", "US1007")), warm.CacheMisses);
        Assert.Equal(plain.Files.Count(f => f.Status != FileStatus.Configuration) - warm.CacheMisses, warm.CacheHits);
        AssertSameOutputs(plain, warm);
        // Inventories, crates (with this run's package and driver configuration) and notifications, field by field.
        AssertDeepEqual(plain.Files.Select(f => f with { Diagnostics = [] }).ToList(), warm.Files.Select(f => f with { Diagnostics = [] }).ToList(), "files");
        AssertDeepEqual(plain.Crates, warm.Crates, "crates");
        Assert.Equal(plain.Diagnostics.Select(Describe), warm.Diagnostics.Select(Describe));
        Assert.Contains(warm.Diagnostics, d => d.Location.Path.EndsWith("kmdf-wrong/Cargo.toml", StringComparison.Ordinal)); // replayed crate-action reports
    }

    public static TheoryData<string, string?> ConfigurationEdits() => new()
    {
        { "Cargo.toml", "\n[lints.clippy]\nundocumented_unsafe_blocks = \"deny\"\n" },
        { "Cargo.lock", "version = 3\n\n[[package]]\nname = \"wdk\"\nversion = \"0.4.0\"\n" },
        { ".cargo/config.toml", "\n[target.x86_64-pc-windows-msvc]\nrustflags = [\"-C\", \"target-feature=+crt-static\"]\n" },
        { "rust-toolchain.toml", null },
    };

    [Theory]
    [MemberData(nameof(ConfigurationEdits))]
    public void AConfigurationFileTheCrateWasConfiguredFromInvalidatesItsEntry(string file, string? appended)
    {
        var (root, options, _) = CrateEntriesOnly();
        var crate = Path.Combine(root, "configuration", "kmdf-wrong");
        var path = Path.Combine(crate, file);
        if (appended is null) File.Delete(path);
        else File.AppendAllText(path, appended);

        var warm = Analysis.Run(options);
        var plain = Analysis.Run(options with { CacheDirectory = null });

        Assert.Equal(SourceFilesUnder(crate), warm.CacheMisses);
        AssertSameOutputs(plain, warm);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AFileAddedToOrRemovedFromACrateInvalidatesItsEntry(bool add)
    {
        const string code = "pub fn deref(p: *const u8) -> u8 { unsafe { *p } }\n";
        static string Extra(string root) => Path.Combine(root, "rules", "US1006", "src", "extra.rs");
        var (root, options, _) = CrateEntriesOnly(add ? null : r => File.WriteAllText(Extra(r), code));
        var crate = Path.Combine(root, "rules", "US1006");
        if (add) File.WriteAllText(Extra(root), code);
        else File.Delete(Extra(root));

        var warm = Analysis.Run(options);
        var plain = Analysis.Run(options with { CacheDirectory = null });

        Assert.Equal(SourceFilesUnder(crate), warm.CacheMisses);
        AssertSameOutputs(plain, warm);
    }

    [Fact]
    public void EntriesUsedWithinADayAreNotRenewedAgain()
    {
        var root = CopyFixtures();
        var options = new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = Path.Combine(_work, "cache") };
        Analysis.Run(options);
        var entries = Directory.GetFiles(options.CacheDirectory, "*.bin", SearchOption.AllDirectories);
        var earlier = DateTime.UtcNow.AddHours(-2);
        foreach (var entry in entries) File.SetLastWriteTimeUtc(entry, earlier);

        var warm = Analysis.Run(options);
        Assert.Equal(0, warm.CacheMisses);
        // A warm run within the day reads its entries without writing their inodes (a corpus run renewed 9,800).
        Assert.All(entries, e => Assert.Equal(earlier, File.GetLastWriteTimeUtc(e)));
    }

    [Fact]
    public void ACrateTakenFromItsEntryKeepsItsFilesRecordsFromPruningByAge()
    {
        var root = CopyFixtures();
        var options = new AnalysisOptions { Paths = [root], Jobs = 2, CacheDirectory = Path.Combine(_work, "cache") };
        var cold = Analysis.Run(options);
        var entries = Directory.GetFiles(options.CacheDirectory, "*.bin", SearchOption.AllDirectories);
        var month = DateTime.UtcNow.AddDays(-30);
        foreach (var entry in entries) File.SetLastWriteTimeUtc(entry, month);

        var warm = Analysis.Run(options); // every crate from its entry
        Assert.Equal(0, warm.CacheMisses);

        // What `find DIR -type f -mtime +14 -delete` would delete: nothing, file records included.
        var stale = entries.Where(e => File.GetLastWriteTimeUtc(e) < DateTime.UtcNow.AddDays(-14)).ToList();
        Assert.Empty(stale);

        // So an edit after the pruning reads only the edited file's record afresh: its crate's other files are hits.
        var crate = Path.Combine(root, "rules", "US1007");
        File.AppendAllText(Path.Combine(crate, "src", "lib.rs"), "\npub unsafe fn read_register(p: *const u32) -> u32 { *p }\n");
        var edited = Analysis.Run(options);
        Assert.Equal(1, edited.CacheMisses);
        AssertSameOutputs(Analysis.Run(options with { CacheDirectory = null }), edited);
        Assert.Equal(cold.Files.Count(f => f.Status != FileStatus.Configuration) - 1, edited.CacheHits);
    }

    [Fact]
    public void DamagedCrateEntriesAreMissesAndTheirCratesAreAnalyzedAgain()
    {
        var (_, options, cold) = CrateEntriesOnly();
        var entries = Directory.GetFiles(options.CacheDirectory!, "*.bin", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.True(entries.Length >= 20, $"{entries.Length} crate entries");
        File.WriteAllBytes(entries[0], File.ReadAllBytes(entries[0])[..40]); // truncated by a crash
        File.WriteAllText(entries[1], "not a cache entry");
        File.WriteAllBytes(entries[2], File.ReadAllBytes(entries[3])); // another crate's entry under this key

        var warm = Analysis.Run(options);

        AssertSameOutputs(cold, warm);
        Assert.Equal(cold.Files.Count(f => f.Status != FileStatus.Configuration), warm.CacheMisses + warm.CacheHits);
        Assert.True(warm.CacheMisses >= 3, $"{warm.CacheMisses} misses");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void MergedShardsGiveTheOutputsOfOneRun(int count)
    {
        var root = CopyFixtures();
        var options = new AnalysisOptions { Paths = [root], Jobs = 2 };
        var single = Analysis.Run(options);

        var parts = new List<PartialAnalysis>();
        for (int i = count; i >= 1; i--)
        {
            var part = Analysis.RunPartial(options with { Jobs = 1 + i % 2 }, new AnalysisShard(i, count));
            using var stream = new MemoryStream();
            part.WriteTo(stream);
            stream.Position = 0;
            parts.Add(PartialAnalysis.ReadFrom(stream)); // as if from another machine
        }
        var merged = Analysis.Merge(parts, options with { Paths = [] });

        Assert.Equal(single.Files.Count(f => f.Status != FileStatus.Configuration), parts.Sum(p => p.FileCount));
        AssertSameOutputs(single, merged);
    }

    [Fact]
    public void MergeRefusesIncompleteOrMismatchedShards()
    {
        var root = CopyFixtures();
        var options = new AnalysisOptions { Paths = [root] };
        var one = Analysis.RunPartial(options, new AnalysisShard(1, 2));
        var two = Analysis.RunPartial(options, new AnalysisShard(2, 2));
        var otherConfig = options with { Configuration = UnsafeScopeConfig.Parse("[rules]\nUS1001 = \"error\"\n", "unsafescope.toml") };

        Assert.Contains("2/2 are missing", Assert.Throws<InvalidDataException>(() => Analysis.Merge([one], options)).Message);
        Assert.Contains("given 2 times", Assert.Throws<InvalidDataException>(() => Analysis.Merge([one, one, two], options)).Message);
        Assert.Contains("other options", Assert.Throws<InvalidDataException>(() => Analysis.Merge([one, two], otherConfig)).Message);
        var otherCount = Analysis.RunPartial(options, new AnalysisShard(1, 3));
        Assert.Contains("same run", Assert.Throws<InvalidDataException>(() => Analysis.Merge([otherCount, two], options)).Message);
        Assert.Throws<InvalidDataException>(() => PartialAnalysis.ReadFrom(new MemoryStream("USPART1\nxx"u8.ToArray())));
        Assert.Throws<InvalidDataException>(() => PartialAnalysis.ReadFrom(new MemoryStream("{}"u8.ToArray())));
    }

    /// <summary>Strings written once and referred to by number read back equal, interleaved with other fields.</summary>
    [Property(MaxTest = 200)]
    public bool NumberedStringsRoundTrip(string[] values, int[] numbers)
    {
        var strings = values.Select(v => v ?? "").ToArray();
        using var stream = new MemoryStream();
        using (var w = new RecordWriter(stream))
            for (int i = 0; i < strings.Length; i++)
            {
                w.Write(strings[i]);
                w.Write(numbers.Length > 0 ? numbers[i % numbers.Length] : i);
                if (i % 3 == 0) w.Write(strings[i / 2]); // repeats of earlier strings
            }
        stream.Position = 0;
        using var r = new RecordReader(stream);
        for (int i = 0; i < strings.Length; i++)
        {
            if (r.ReadString() != strings[i] || r.ReadInt32() != (numbers.Length > 0 ? numbers[i % numbers.Length] : i)) return false;
            if (i % 3 == 0 && r.ReadString() != strings[i / 2]) return false;
        }
        return stream.Position == stream.Length;
    }

    [Fact]
    public void ARepeatedStringIsWrittenOnceAndAReferencePastTheStringsReadIsDamage()
    {
        using var stream = new MemoryStream();
        using (var w = new RecordWriter(stream))
        {
            w.Write("src/lib.rs::module::Type");
            w.Write("src/lib.rs::module::Type");
        }
        Assert.Equal(1 + 1 + 24 + 1, stream.Length); // number 0, length, the 24 bytes; then its number (1)
        stream.Position = 0;
        using var r = new RecordReader(stream);
        var first = r.ReadString();
        Assert.Same(first, r.ReadString());
        using var damaged = new RecordReader(new MemoryStream([5]));
        Assert.Throws<InvalidDataException>(() => damaged.ReadString());
    }

    [Property(MaxTest = 200)]
    public bool EveryPathIsInExactlyOneShard(NonEmptyString path, PositiveInt n)
    {
        int count = 1 + n.Get % 64;
        return Enumerable.Range(1, count).Count(i => new AnalysisShard(i, count).Contains(path.Get)) == 1;
    }

    [Fact]
    public void ShardSpecificationsAreParsedStrictly()
    {
        Assert.True(AnalysisShard.TryParse("2/4", out var s));
        Assert.Equal(new AnalysisShard(2, 4), s);
        foreach (var bad in new[] { "0/4", "5/4", "1/0", "-1/2", "1", "/2", "a/b", "1/2/3", " 1/2" })
            Assert.False(AnalysisShard.TryParse(bad, out _), bad);
    }

    /// <summary>Every field of every record survives the binary form: a field added but not serialized fails here.</summary>
    [Fact]
    public void RecordsRoundTripEveryField()
    {
        var root = CopyFixtures();
        var session = AnalysisSession.Create(new AnalysisOptions { Paths = [root] });
        var locator = new CrateLocator(root);
        int withRegions = 0;
        foreach (var path in Directory.EnumerateFiles(root, "*.rs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var record = FileProcessor.ProcessFile(new SourceFile(path, Path.GetRelativePath(root, path)), session, locator, default);
            using var stream = new MemoryStream();
            using (var w = new RecordWriter(stream)) FileRecordFormat.Write(w, record);
            stream.Position = 0;
            var back = FileRecordFormat.Read(new RecordReader(stream), session.RulesById);
            Assert.NotNull(back);
            Assert.Equal(stream.Length, stream.Position);
            AssertDeepEqual(record.Result, back.Result, path);
            AssertDeepEqual(record.Facts, back.Facts, path);
            Assert.Equal(record.Diagnostics.Select(Describe), back.Diagnostics.Select(Describe));
            if (record.Facts is { Regions.Count: > 0 }) withRegions++;
        }
        Assert.True(withRegions >= 25, $"{withRegions} files with regions");
    }

    private static string Describe(Diagnostic d)
        => $"{d.Id} {d.Severity} {d.Location} {d.Location.SourceSpan} {d.Location.LineSpan} {d.Message} " +
           string.Join(";", d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)) + " " +
           string.Join(";", d.RelatedLocations) + " " + d.Suppression;

    // Walks properties of classes and records and elements of collections; compares strings and structs by Equals.
    private static void AssertDeepEqual(object? expected, object? actual, string where)
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{where}: one side is null");
            return;
        }
        var type = expected.GetType();
        Assert.Equal(type, actual.GetType());
        if (expected is string)
        {
            Assert.Equal((string)expected, (string)actual);
            return;
        }
        if (expected is IEnumerable e) // before value types: ImmutableArray compares by reference
        {
            var a = e.Cast<object?>().ToList();
            var b = ((IEnumerable)actual).Cast<object?>().ToList();
            Assert.True(a.Count == b.Count, $"{where}: {a.Count} elements != {b.Count}");
            for (int i = 0; i < a.Count; i++) AssertDeepEqual(a[i], b[i], $"{where}[{i}]");
            return;
        }
        if (type.IsValueType)
        {
            Assert.True(Equals(expected, actual), $"{where}: {expected} != {actual}");
            return;
        }
        foreach (var p in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            if (p.GetIndexParameters().Length == 0)
                AssertDeepEqual(p.GetValue(expected), p.GetValue(actual), $"{where}.{p.Name}");
    }
}
