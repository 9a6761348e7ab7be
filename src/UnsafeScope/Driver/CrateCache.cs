using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.IO;
using UnsafeScope.Text;
using UnsafeScope.Workspace;

namespace UnsafeScope.Driver;

/// <summary>
/// One file of a linked crate as a cache stores it: its result with the linked inventory (diagnostics not yet
/// finished), the diagnostics its own record and the crate's file actions gave it, what finishing them needs, and the
/// key of its file record ("" when it has none), which a hit keeps fresh.
/// </summary>
internal sealed record CachedFile(FileResult Result, ImmutableArray<Diagnostic> Diagnostics, CachedFinishing? Finishing, string RecordKey);

/// <summary>What <see cref="FinishingFacts"/> a linked file kept; the reload of other lines' hashes is this run's.</summary>
internal sealed record CachedFinishing(string CrateRoot, List<SuppressionComment> Suppressions, List<(TextSpan Scope, string Lint)> AllowedLints,
    int[] Lines, ulong[] Hashes, bool Reloadable);

/// <summary>
/// What linking a crate produced, enough to stand in for the link: every file of the crate in output order, the
/// crate's inventory (its package and driver configuration are taken from this run's manifests, which the key
/// covers), the crate root's lint attributes and the facts the driver configuration reads, and the diagnostics its
/// crate actions reported (into any file, configuration files included), in the order they were reported.
/// </summary>
internal sealed record CachedCrate(ImmutableArray<CachedFile> Files, CrateInventory Crate, ImmutableArray<LintSetting> LintAttributes,
    ImmutableArray<CrateSourceFile> SourceFiles, ImmutableArray<Diagnostic> Reports);

/// <summary>
/// A cache of linked crates (issue #14, item 5), next to the per-file records in the result cache's folder. A crate's
/// key covers the run's fingerprint, the base directory, the crate's root, every file of it (path, bytes and place,
/// hence also the crate's macros, which come from those files), and the bytes of every configuration file its package
/// model and driver configuration read (manifests, workspace root, <c>.cargo/config.toml</c>,
/// <c>rust-toolchain.toml</c>, build script, <c>Cargo.lock</c>), present or absent. An unchanged crate then costs
/// a stat of each file (its digest from <see cref="ContentDigests"/>; a read where stamps cannot be told) and one
/// entry, instead of its file records, its link and its actions.
/// Not used with dependency sources (<c>--deps</c>): the key would have to cover their folders (their macros and
/// declarations) too.
/// </summary>
internal sealed class CrateCache
{
    /// <summary>Bump when the entry layout changes (the file record format's version is part of the run fingerprint).</summary>
    private const int Version = 2;

    private static ReadOnlySpan<byte> Magic => "USCRATE\n"u8;

    private readonly ResultCache _store;
    private readonly AnalysisSession _session;
    private readonly string _baseDirectory;
    private readonly CrateLocator _locator;
    private readonly ConcurrentDictionary<string, string> _configurationDigests = new(StringComparer.Ordinal);

    private readonly ContentDigests? _memo;

    private CrateCache(ResultCache store, AnalysisSession session, string baseDirectory, CrateLocator locator)
    {
        (_store, _session, _baseDirectory, _locator) = (store, session, baseDirectory, locator);
        _memo = ContentDigests.Open(store, baseDirectory);
    }

    /// <summary>The run's crate cache: null without a result cache, or with dependency sources.</summary>
    public static CrateCache? For(AnalysisSession session, string baseDirectory, CrateLocator locator)
        => session.Cache is { } store && session.Options.DependencySources.IsDefaultOrEmpty ? new(store, session, baseDirectory, locator) : null;

    /// <summary>The key of a crate whose files (in output order) have these content keys (<see cref="FileProcessor.ContentKey"/>).</summary>
    public string Key(string crateRoot, IEnumerable<(string Path, string FileKey)> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in (ReadOnlySpan<string>)["crate " + Version, _session.Fingerprint, _baseDirectory, crateRoot])
            ContentHash.Append(hash, part);
        var package = _locator.PackageAt(crateRoot);
        IEnumerable<string> configuration = package is null ? [Path.Combine(crateRoot, "Cargo.toml")]
            : [.. package.ConfigurationFiles, .. DriverConfiguration.InputFiles(package, _baseDirectory)];
        foreach (var file in configuration)
        {
            ContentHash.Append(hash, file);
            ContentHash.Append(hash, ConfigurationDigest(file));
        }
        foreach (var (path, key) in files)
        {
            ContentHash.Append(hash, path);
            ContentHash.Append(hash, key);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // The SHA-256 of a file's bytes: from the memo of earlier runs when the file's stamp is unchanged, else read.
    private byte[] DigestOf(string path, long maxBytes)
        => _memo?.Digest(path, maxBytes) ?? UntrustedFile.UseAllBytes(path, maxBytes, bytes => SHA256.HashData(bytes));

    /// <summary>Keeps the digests of the files this run read for the next run (after every crate was looked up).</summary>
    public void SaveDigests() => _memo?.Save();

    /// <summary>The memo of file digests this run reads and keeps; null where stamps cannot be told.</summary>
    public ContentDigests? Digests => _memo;

    // A configuration file's bytes, hashed once per run (a workspace's root manifest is shared by its members).
    private string ConfigurationDigest(string path) => _configurationDigests.GetOrAdd(path, p =>
    {
        try
        {
            return File.Exists(p) ? Convert.ToHexStringLower(DigestOf(p, 16 << 20)) : "absent";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable";
        }
    });

    /// <summary>
    /// Works out a crate's files' keys (in output order; a file is read only when the digest memo has no digest under
    /// its current stamp) and loads the crate's entry; null on a miss, or when a file cannot be read now (its own
    /// analysis reports why). Crates are looked up side by side (FileWorkers).
    /// </summary>
    /// <param name="crateRoot">The crate's root.</param>
    /// <param name="files">Its files, in output order.</param>
    /// <param name="contentKeys">Receives each file's content key, when given.</param>
    /// <param name="renewed">The entry was stale and renewed, so its files' records are renewed with it (<see cref="TakeHits"/>).</param>
    public CachedCrate? Probe(string crateRoot, IReadOnlyList<SourceFile> files, string?[]? contentKeys, out bool renewed)
    {
        renewed = false;
        var keys = new (string, string)[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            try
            {
                var file = files[i];
                keys[i] = (file.RelativePath, FileProcessor.ContentKey(file, DigestOf(file.FullPath, _session.Options.MaxFileBytes), _session, _locator));
                if (contentKeys is not null) contentKeys[i] = keys[i].Item2;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Unreadable now, or grown past the size limit: a miss, and the file's own analysis says why.
                return null;
            }
        }
        return _store.Load(Key(crateRoot, keys), Magic, reader => CrateRecordFormat.Read(reader, _session.RulesById), out renewed);
    }

    /// <summary>Stores a linked crate under its key; failures only cost time on the next run.</summary>
    public void Store(string key, CachedCrate crate) => _store.Store(key, Magic, writer => CrateRecordFormat.Write(writer, crate));

    /// <summary>
    /// Counts the files of a crate taken from the cache as cache hits, and, when the crate's entry was renewed
    /// (<paramref name="renewed"/>), makes their file records look used too: pruning by age (docs/scaling.md) would
    /// otherwise delete the records of a crate served whole for weeks, and the first edit in it would analyze all of
    /// its files again. The entry and its records are renewed together, at most once a day.
    /// </summary>
    public void TakeHits(CachedCrate crate, bool renewed)
    {
        _store.CountHits(crate.Files.Length);
        if (!renewed) return;
        foreach (var file in crate.Files)
            if (file.RecordKey.Length > 0) _store.Touch(file.RecordKey);
    }
}

/// <summary>The binary form of <see cref="CachedCrate"/>, with the file record format's parts.</summary>
internal static class CrateRecordFormat
{
    public static void Write(BinaryWriter w, CachedCrate c)
    {
        w.Write(c.Files.Length);
        foreach (var f in c.Files) WriteFile(w, f);
        WriteCrate(w, c.Crate);
        w.Write(c.LintAttributes.Length);
        foreach (var s in c.LintAttributes)
        {
            w.Write(s.Lint);
            w.Write((byte)s.Level);
            w.Write(s.Priority);
            w.Write(s.Location.File);
            w.Write(s.Location.Line);
            w.Write(s.Source);
        }
        w.Write(c.SourceFiles.Length);
        foreach (var s in c.SourceFiles)
        {
            w.Write(s.Path);
            w.Write(s.ModulePath);
            w.Write(s.IsTestTarget);
            FileRecordFormat.WriteStrings(w, [.. s.MarkerAttributes.Order(StringComparer.Ordinal)]);
            w.Write(s.ExportsDriverEntry);
        }
        w.Write(c.Reports.Length);
        foreach (var d in c.Reports) FileRecordFormat.WriteDiagnostic(w, d, "");
    }

    /// <summary>Reads an entry; null when a diagnostic names a rule that <paramref name="rules"/> does not know.</summary>
    public static CachedCrate? Read(BinaryReader rd, IReadOnlyDictionary<string, DiagnosticDescriptor> rules)
    {
        bool complete = true;
        var files = new CachedFile[rd.ReadInt32()];
        for (int i = 0; i < files.Length; i++) files[i] = ReadFile(rd, rules, ref complete);
        var crate = ReadCrate(rd);
        var lints = new LintSetting[rd.ReadInt32()];
        for (int i = 0; i < lints.Length; i++)
            lints[i] = new LintSetting(rd.ReadString(), (LintLevel)rd.ReadByte(), rd.ReadInt32(), new ManifestLocation(rd.ReadString(), rd.ReadInt32()), rd.ReadString());
        var sources = new CrateSourceFile[rd.ReadInt32()];
        for (int i = 0; i < sources.Length; i++)
            sources[i] = new CrateSourceFile(rd.ReadString(), rd.ReadString(), rd.ReadBoolean(), FileRecordFormat.ReadStrings(rd).ToHashSet(StringComparer.Ordinal), rd.ReadBoolean());
        var reports = ReadDiagnostics(rd, "", rules, ref complete);
        return complete ? new CachedCrate(Owned(files), crate, Owned(lints), Owned(sources), reports) : null;
    }

    // An array read for one entry becomes its immutable array without a copy (a warm run reads every crate's inventories).
    private static ImmutableArray<T> Owned<T>(T[] array) => array.Length == 0 ? [] : System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(array);

    private static void WriteFile(BinaryWriter w, CachedFile f)
    {
        var r = f.Result;
        w.Write(f.RecordKey);
        w.Write(r.Path);
        w.Write((byte)r.Status);
        w.Write(r.Bytes);
        w.Write(r.Lines);
        w.Write(r.SyntaxErrors);
        w.Write(r.Notifications.Length);
        foreach (var n in r.Notifications) FileRecordFormat.WriteNotification(w, n);
        w.Write(f.Diagnostics.Length);
        foreach (var d in f.Diagnostics) FileRecordFormat.WriteDiagnostic(w, d, r.Path);
        w.Write(r.Inventory is not null);
        if (r.Inventory is { } inventory) WriteInventory(w, inventory);
        w.Write(f.Finishing is not null);
        if (f.Finishing is not { } k) return;
        w.Write(k.CrateRoot);
        w.Write(k.Suppressions.Count);
        foreach (var s in k.Suppressions) FileRecordFormat.WriteSuppression(w, s, r.Path);
        w.Write(k.AllowedLints.Count);
        foreach (var allowed in k.AllowedLints) FileRecordFormat.WriteAllowedLint(w, allowed);
        w.Write(k.Lines.Length);
        for (int i = 0; i < k.Lines.Length; i++)
        {
            w.Write(k.Lines[i]);
            w.Write(k.Hashes[i]);
        }
        w.Write(k.Reloadable);
    }

    private static CachedFile ReadFile(BinaryReader rd, IReadOnlyDictionary<string, DiagnosticDescriptor> rules, ref bool complete)
    {
        var recordKey = rd.ReadString();
        var path = rd.ReadString();
        var status = (FileStatus)rd.ReadByte();
        long bytes = rd.ReadInt64();
        int lines = rd.ReadInt32();
        int errors = rd.ReadInt32();
        var notifications = new ToolNotification[rd.ReadInt32()];
        for (int i = 0; i < notifications.Length; i++) notifications[i] = FileRecordFormat.ReadNotification(rd);
        var diagnostics = ReadDiagnostics(rd, path, rules, ref complete);
        var inventory = rd.ReadBoolean() ? ReadInventory(rd, path) : null;
        var result = new FileResult { Path = path, Status = status, Bytes = bytes, Lines = lines, SyntaxErrors = errors, Inventory = inventory, Notifications = Owned(notifications) };
        if (!rd.ReadBoolean()) return new CachedFile(result, diagnostics, null, recordKey);
        var crateRoot = rd.ReadString();
        var suppressions = new List<SuppressionComment>();
        for (int i = rd.ReadInt32(); i > 0; i--) suppressions.Add(FileRecordFormat.ReadSuppression(rd, path));
        var allowed = new List<(TextSpan, string)>();
        for (int i = rd.ReadInt32(); i > 0; i--) allowed.Add(FileRecordFormat.ReadAllowedLint(rd));
        var kept = new int[rd.ReadInt32()];
        var hashes = new ulong[kept.Length];
        for (int i = 0; i < kept.Length; i++) (kept[i], hashes[i]) = (rd.ReadInt32(), rd.ReadUInt64());
        return new CachedFile(result, diagnostics, new CachedFinishing(crateRoot, suppressions, allowed, kept, hashes, rd.ReadBoolean()), recordKey);
    }

    private static ImmutableArray<Diagnostic> ReadDiagnostics(BinaryReader rd, string path, IReadOnlyDictionary<string, DiagnosticDescriptor> rules, ref bool complete)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>(rd.ReadInt32());
        for (int i = diagnostics.Capacity; i > 0; i--)
        {
            if (FileRecordFormat.ReadDiagnostic(rd, path, rules) is { } d) diagnostics.Add(d);
            else complete = false;
        }
        return diagnostics.DrainToImmutable();
    }

    private static void WriteInventory(BinaryWriter w, FileInventory f)
    {
        var path = f.Path;
        w.Write(path);
        w.Write(f.Crate);
        w.Write(f.Edition);
        WriteCounts(w, f.Counts);
        w.Write(f.Regions.Length);
        foreach (var r in f.Regions)
        {
            // The walk's facts as the file record writes them, then what linking and scoring added.
            FileRecordFormat.WriteRegionFacts(w, r, path);
            w.Write(r.IsExported);
            FileRecordFormat.WriteStrings(w, r.PointerParameters);
            w.Write(r.IsActive);
            w.Write(r.Score);
            w.Write(r.ScoreFactors.Length);
            foreach (var s in r.ScoreFactors)
            {
                w.Write(s.Name);
                w.Write(s.Points);
                w.Write(s.Detail);
            }
            w.Write(r.Operations.Length);
            foreach (var o in r.Operations) FileRecordFormat.WriteOperation(w, o, path);
            w.Write(r.FfiCalls.Length);
            foreach (var c in r.FfiCalls) FileRecordFormat.WriteFfiCall(w, c, path);
            w.Write(r.Mmio.Length);
            foreach (var m in r.Mmio) FileRecordFormat.WriteMmio(w, m, path);
        }
    }

    private static FileInventory ReadInventory(BinaryReader rd, string resultPath)
    {
        var path = rd.ReadString();
        string crate = rd.ReadString(), edition = rd.ReadString();
        var counts = ReadCounts(rd);
        var regions = new UnsafeRegion[rd.ReadInt32()];
        for (int i = 0; i < regions.Length; i++)
        {
            var facts = FileRecordFormat.ReadRegionFacts(rd, path);
            bool exported = rd.ReadBoolean();
            var pointers = FileRecordFormat.ReadStrings(rd);
            bool active = rd.ReadBoolean();
            int score = rd.ReadInt32();
            var factors = new ScoreFactor[rd.ReadInt32()];
            for (int k = 0; k < factors.Length; k++) factors[k] = new ScoreFactor(rd.ReadString(), rd.ReadInt32(), rd.ReadString());
            var operations = new UnsafeOperation[rd.ReadInt32()];
            for (int k = 0; k < operations.Length; k++) operations[k] = FileRecordFormat.ReadOperation(rd, path);
            var calls = new FfiCall[rd.ReadInt32()];
            for (int k = 0; k < calls.Length; k++) calls[k] = FileRecordFormat.ReadFfiCall(rd, path);
            var mmio = new MmioAccess[rd.ReadInt32()];
            for (int k = 0; k < mmio.Length; k++) mmio[k] = FileRecordFormat.ReadMmio(rd, path);
            regions[i] = facts with
            {
                IsExported = exported, PointerParameters = Owned(pointers), IsActive = active, Score = score,
                ScoreFactors = Owned(factors), Operations = Owned(operations), FfiCalls = Owned(calls), Mmio = Owned(mmio),
            };
        }
        if (path != resultPath) throw new InvalidDataException("An inventory does not belong to its file.");
        return new FileInventory(path, crate, Owned(regions), counts, edition);
    }

    private static void WriteCounts(BinaryWriter w, InventoryCounts c)
    {
        foreach (int n in (ReadOnlySpan<int>)[c.UnsafeBlocks, c.UnsafeFunctions, c.UnsafeImpls, c.UnsafeTraits, c.ExternBlocks, c.StaticMuts, c.FfiCalls,
            c.MmioAccesses, c.Lines, c.UnsafeLines, c.Functions, c.UnsafeFreeFunctions, c.Methods, c.UnsafeMethods, c.Impls, c.Traits])
            w.Write(n);
    }

    private static InventoryCounts ReadCounts(BinaryReader rd) => new()
    {
        UnsafeBlocks = rd.ReadInt32(), UnsafeFunctions = rd.ReadInt32(), UnsafeImpls = rd.ReadInt32(), UnsafeTraits = rd.ReadInt32(),
        ExternBlocks = rd.ReadInt32(), StaticMuts = rd.ReadInt32(), FfiCalls = rd.ReadInt32(), MmioAccesses = rd.ReadInt32(),
        Lines = rd.ReadInt32(), UnsafeLines = rd.ReadInt32(), Functions = rd.ReadInt32(), UnsafeFreeFunctions = rd.ReadInt32(),
        Methods = rd.ReadInt32(), UnsafeMethods = rd.ReadInt32(), Impls = rd.ReadInt32(), Traits = rd.ReadInt32(),
    };

    private static void WriteCrate(BinaryWriter w, CrateInventory c)
    {
        w.Write(c.Name);
        w.Write(c.Root);
        w.Write(c.Files);
        WriteCounts(w, c.Counts);
        w.Write(c.Edition);
        w.Write(c.Score);
        w.Write(c.EncapsulatingFunctions.Length);
        foreach (var e in c.EncapsulatingFunctions)
        {
            w.Write(e.Item);
            w.Write(e.Path);
            w.Write(e.Line);
            w.Write(e.Tested);
            w.Write(e.ReachedFrom);
        }
        w.Write(c.ExposedFunctions.Length);
        foreach (var e in c.ExposedFunctions)
        {
            w.Write(e.Item);
            w.Write(e.Path);
            w.Write(e.StartLine);
            w.Write(e.EndLine);
            w.Write(e.Exposure);
            w.Write(e.ExposedThrough);
            w.Write(e.Score);
            FileRecordFormat.WriteStrings(w, e.Reaches);
        }
        w.Write(c.TrustedSafeFunctions.Length);
        foreach (var t in c.TrustedSafeFunctions)
        {
            w.Write(t.Item);
            w.Write(t.Path);
            w.Write(t.StartLine);
            w.Write(t.EndLine);
            w.Write(t.Exposure);
            w.Write(t.ExposedThrough);
            w.Write(t.Field);
            w.Write(t.Source);
            FileRecordFormat.WriteStrings(w, t.TrustedBy);
        }
    }

    private static CrateInventory ReadCrate(BinaryReader rd)
    {
        string name = rd.ReadString(), root = rd.ReadString();
        int files = rd.ReadInt32();
        var counts = ReadCounts(rd);
        string edition = rd.ReadString();
        int score = rd.ReadInt32();
        var encapsulating = new EncapsulatingFunction[rd.ReadInt32()];
        for (int i = 0; i < encapsulating.Length; i++)
            encapsulating[i] = new EncapsulatingFunction(rd.ReadString(), rd.ReadString(), rd.ReadInt32(), rd.ReadBoolean(), rd.ReadString());
        var exposed = new ExposedFunction[rd.ReadInt32()];
        for (int i = 0; i < exposed.Length; i++)
            exposed[i] = new ExposedFunction(rd.ReadString(), rd.ReadString(), rd.ReadInt32(), rd.ReadInt32(), rd.ReadInt32(), rd.ReadString(), rd.ReadInt32(), Owned(FileRecordFormat.ReadStrings(rd)));
        var trusted = new TrustedSafeFunction[rd.ReadInt32()];
        for (int i = 0; i < trusted.Length; i++)
            trusted[i] = new TrustedSafeFunction(rd.ReadString(), rd.ReadString(), rd.ReadInt32(), rd.ReadInt32(), rd.ReadInt32(), rd.ReadString(), rd.ReadString(), rd.ReadString(),
                Owned(FileRecordFormat.ReadStrings(rd)));
        return new CrateInventory(name, root, files, counts, edition, score)
        {
            EncapsulatingFunctions = Owned(encapsulating),
            ExposedFunctions = Owned(exposed),
            TrustedSafeFunctions = Owned(trusted),
        };
    }
}
