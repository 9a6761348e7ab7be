using System.Collections.Immutable;
using UnsafeScope.Diagnostics;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Driver;

/// <summary>
/// What the per-file stage of a run produces, before crates are linked: the file's result (status, size,
/// notifications), its facts and the diagnostics of node and query actions. This is the unit the result cache
/// stores and shards exchange; linking records gives the same result whichever way they were obtained.
/// </summary>
internal sealed record FileRecord(FileResult Result, FileFacts? Facts, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>The key of the file's bytes and place (<see cref="FileProcessor.ContentKey"/>) when a cache was used and the record may be cached: a crate's key is built from them.</summary>
    public string? ContentKey { get; init; }

    /// <summary>The key this record is stored under in the result cache, when it is: a crate entry lists its files' keys.</summary>
    public string? RecordKey { get; init; }
}

/// <summary>
/// Writes records with each distinct string once: a later occurrence is the number of the first (a record repeats its
/// module paths, crate, type and item names many times). Read back with <see cref="RecordReader"/> from the same start.
/// </summary>
internal sealed class RecordWriter(Stream output) : BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true)
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);

    public override void Write(string value)
    {
        if (_numbers.TryGetValue(value, out int number))
        {
            Write7BitEncodedInt(number + 1);
            return;
        }
        Write7BitEncodedInt(0);
        base.Write(value);
        _numbers.Add(value, _numbers.Count);
    }
}

/// <summary>Reads what <see cref="RecordWriter"/> wrote; a repeated string is the same instance as its first reading.</summary>
internal sealed class RecordReader(Stream input) : BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true)
{
    private readonly List<string> _strings = [];

    public override string ReadString()
    {
        int number = Read7BitEncodedInt();
        if (number == 0)
        {
            var s = base.ReadString();
            _strings.Add(s);
            return s;
        }
        // A damaged entry may name a string not read yet: that is bad data, as any other inconsistency.
        return (uint)(number - 1) < (uint)_strings.Count ? _strings[number - 1] : throw new InvalidDataException("A string reference points past the strings read.");
    }
}

/// <summary>
/// The binary form of <see cref="FileRecord"/>. Every field of the facts is written, in declaration order;
/// sets and maps keep their enumeration order, so a record read back behaves exactly like the original.
/// Bump <see cref="Version"/> whenever the layout or the meaning of a field changes.
/// </summary>
internal static class FileRecordFormat
{
    public const int Version = 13;

    public static void Write(BinaryWriter w, FileRecord record)
    {
        var r = record.Result;
        w.Write(r.Path);
        w.Write((byte)r.Status);
        w.Write(r.Bytes);
        w.Write(r.Lines);
        w.Write(r.SyntaxErrors);
        w.Write(r.Notifications.Length);
        foreach (var n in r.Notifications) WriteNotification(w, n);
        w.Write(record.Diagnostics.Length);
        foreach (var d in record.Diagnostics) WriteDiagnostic(w, d, r.Path);
        w.Write(record.Facts is not null);
        if (record.Facts is { } f) WriteFacts(w, f);
    }

    /// <summary>Reads a record; null when a diagnostic names a rule that <paramref name="rules"/> does not know.</summary>
    public static FileRecord? Read(BinaryReader rd, IReadOnlyDictionary<string, DiagnosticDescriptor> rules)
    {
        var path = rd.ReadString();
        var status = (FileStatus)rd.ReadByte();
        long bytes = rd.ReadInt64();
        int lines = rd.ReadInt32();
        int errors = rd.ReadInt32();
        var notifications = ImmutableArray.CreateBuilder<ToolNotification>(rd.ReadInt32());
        for (int i = notifications.Capacity; i > 0; i--) notifications.Add(ReadNotification(rd));
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>(rd.ReadInt32());
        bool complete = true;
        for (int i = diagnostics.Capacity; i > 0; i--)
        {
            var d = ReadDiagnostic(rd, path, rules);
            if (d is null) complete = false;
            else diagnostics.Add(d);
        }
        var facts = rd.ReadBoolean() ? ReadFacts(rd) : null;
        if (!complete) return null;
        var result = new FileResult { Path = path, Status = status, Bytes = bytes, Lines = lines, SyntaxErrors = errors, Notifications = notifications.MoveToImmutable() };
        return new FileRecord(result, facts, diagnostics.MoveToImmutable());
    }

    public static void WriteNotification(BinaryWriter w, ToolNotification n)
    {
        w.Write(n.Id);
        w.Write((byte)n.Level);
        w.Write(n.Message);
        w.Write(n.Path);
        w.Write(n.Line);
    }

    public static ToolNotification ReadNotification(BinaryReader rd)
        => new(rd.ReadString(), (NotificationLevel)rd.ReadByte(), rd.ReadString(), rd.ReadString(), rd.ReadInt32());

    internal static void WriteDiagnostic(BinaryWriter w, Diagnostic d, string path)
    {
        w.Write(d.Id);
        w.Write((byte)d.Severity);
        WriteLocation(w, d.Location, path);
        w.Write(d.Message);
        w.Write(d.RelatedLocations.Length);
        foreach (var rl in d.RelatedLocations)
        {
            WriteLocation(w, rl.Location, path);
            w.Write(rl.Message);
        }
        w.Write(d.Properties.Count);
        foreach (var (k, v) in d.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.Write(k);
            w.Write(v);
        }
        w.Write(d.Suppression is not null);
        if (d.Suppression is { } s)
        {
            w.Write(s.Kind);
            w.Write(s.Justification);
        }
    }

    internal static Diagnostic? ReadDiagnostic(BinaryReader rd, string path, IReadOnlyDictionary<string, DiagnosticDescriptor> rules)
    {
        var id = rd.ReadString();
        var severity = (DiagnosticSeverity)rd.ReadByte();
        var location = ReadLocation(rd, path);
        var message = rd.ReadString();
        var related = new RelatedLocation[rd.ReadInt32()];
        for (int i = 0; i < related.Length; i++) related[i] = new RelatedLocation(ReadLocation(rd, path), rd.ReadString());
        var properties = ImmutableDictionary<string, string>.Empty;
        if (rd.ReadInt32() is var count and > 0)
        {
            var builder = ImmutableDictionary.CreateBuilder<string, string>();
            for (int i = count; i > 0; i--) builder[rd.ReadString()] = rd.ReadString();
            properties = builder.ToImmutable();
        }
        Suppression? suppression = rd.ReadBoolean() ? new Suppression(rd.ReadString(), rd.ReadString()) : null;
        if (!rules.TryGetValue(id, out var descriptor)) return null;
        if (string.IsNullOrWhiteSpace(message)) throw new InvalidDataException("A diagnostic without a message.");
        return Diagnostic.Restore(descriptor, severity, location, message,
            System.Runtime.InteropServices.ImmutableCollectionsMarshal.AsImmutableArray(related), properties, suppression);
    }

    // Most locations are in the record's own file: a flag instead of the path.
    private static void WriteLocation(BinaryWriter w, Location l, string path)
    {
        bool same = l.Path == path && !ReferenceEquals(l, Location.None);
        w.Write(ReferenceEquals(l, Location.None) ? (byte)2 : same ? (byte)1 : (byte)0);
        if (ReferenceEquals(l, Location.None)) return;
        if (!same) w.Write(l.Path);
        w.Write(l.SourceSpan.Start);
        w.Write(l.SourceSpan.Length);
        w.Write(l.LineSpan.Start.Line);
        w.Write(l.LineSpan.Start.Character);
        w.Write(l.LineSpan.End.Line);
        w.Write(l.LineSpan.End.Character);
    }

    private static Location ReadLocation(BinaryReader rd, string path)
    {
        byte tag = rd.ReadByte();
        if (tag == 2) return Location.None;
        var p = tag == 1 ? path : rd.ReadString();
        var span = new TextSpan(rd.ReadInt32(), rd.ReadInt32());
        var lines = new LinePositionSpan(new LinePosition(rd.ReadInt32(), rd.ReadInt32()), new LinePosition(rd.ReadInt32(), rd.ReadInt32()));
        return new Location(p, span, lines);
    }

    private static void WriteFacts(BinaryWriter w, FileFacts f)
    {
        var path = f.Path;
        w.Write(f.Path);
        w.Write(f.Crate);
        w.Write(f.CrateRoot);
        w.Write(f.ModulePath);
        w.Write(f.ModuleDeclarations.Count);
        foreach (var (k, v) in f.ModuleDeclarations)
        {
            w.Write(k);
            w.Write(v);
        }
        w.Write(f.Edition);
        w.Write(f.AllowedLints.Count);
        foreach (var allowed in f.AllowedLints) WriteAllowedLint(w, allowed);
        w.Write(f.CrateLintAttributes.Count);
        foreach (var (level, lint, line) in f.CrateLintAttributes)
        {
            w.Write(level);
            w.Write(lint);
            w.Write(line);
        }
        w.Write(f.Suppressions.Count);
        foreach (var s in f.Suppressions) WriteSuppression(w, s, path);
        w.Write(f.Regions.Count);
        foreach (var r in f.Regions) WriteRegion(w, r, path);
        w.Write(f.MacroBodies.Count);
        foreach (var r in f.MacroBodies) WriteRegion(w, r, path);
        w.Write(f.FunctionDeclarations.Count);
        foreach (var d in f.FunctionDeclarations)
        {
            w.Write(d.Name);
            w.Write(d.Owner);
            w.Write((byte)d.Shape);
            w.Write(d.IsUnsafe);
            w.Write(d.IsPublic);
        }
        w.Write(f.FunctionBodies.Count);
        foreach (var b in f.FunctionBodies)
        {
            w.Write(b.Item);
            w.Write(b.Name);
            w.Write(b.OwnerType);
            w.Write(b.IsUnsafe);
            w.Write(b.Visibility);
            w.Write(b.IsTest);
            w.Write(b.InTestModule);
            WriteLocation(w, b.Location, path);
            w.Write(b.UnsafeBlocks);
            WriteStrings(w, b.Calls);
            w.Write(b.Module);
            w.Write(b.EndLine);
            w.Write(b.Generic);
            w.Write(b.LifetimeRisk);
            WriteStrings(w, b.Parameters);
            WriteStrings(w, b.UserCodeParameters);
            WriteStrings(w, b.Checks);
            WriteStrings(w, b.Flows);
            // Without making the sets of the many functions that have none.
            WriteStrings(w, b.HasTrusts ? b.Trusts : []);
            WriteStrings(w, b.HasFieldWrites ? b.FieldWrites : []);
        }
        w.Write(f.IsTestTarget);
        foreach (var set in Sets(f)) WriteStrings(w, set);
        w.Write(f.Imports.Count);
        foreach (var (k, v) in f.Imports)
        {
            w.Write(k);
            w.Write(v);
        }
        w.Write(f.Reexports.Count);
        foreach (var (module, target) in f.Reexports)
        {
            w.Write(module);
            w.Write(target);
        }
        WriteStrings(w, f.GlobImports);
        w.Write(f.Lines);
        w.Write(f.LineHashes is not null);
        if (f.LineHashes is { } hashes)
        {
            w.Write(hashes.Length);
            foreach (var h in hashes) w.Write(h);
        }
        w.Write(f.Functions);
        w.Write(f.Methods);
        w.Write(f.Impls);
        w.Write(f.Traits);
        w.Write(f.UnsafeFreeFunctions);
        w.Write(f.UnsafeMethodCount);
        w.Write(f.Items.Count);
        foreach (var d in f.Items)
        {
            w.Write((byte)d.Kind);
            w.Write(d.Name);
            w.Write(d.Module);
            w.Write(d.Owner);
            w.Write(d.Visibility);
            WriteLocation(w, d.Location, path);
            w.Write((int)d.Flags);
            w.Write(d.Type);
            w.Write(d.Trait);
            w.Write(d.Abi);
            WriteStrings(w, d.Members);
            WriteStrings(w, d.Generics);
        }
        w.Write(f.TypeScopes.Count);
        foreach (var t in f.TypeScopes)
        {
            w.Write(t.Start);
            w.Write(t.End);
            w.Write(t.Module);
            w.Write(t.SelfType);
            WriteStrings(w, t.Generics);
            WriteStrings(w, t.Bounds);
        }
        w.Write(f.Receivers.Count);
        foreach (var ((start, length), recipe) in f.Receivers)
        {
            w.Write(start);
            w.Write(length);
            w.Write(recipe);
        }
    }

    private static FileFacts ReadFacts(BinaryReader rd)
    {
        var f = new FileFacts { Path = rd.ReadString(), Crate = rd.ReadString() };
        var path = f.Path;
        f.CrateRoot = rd.ReadString();
        f.ModulePath = rd.ReadString();
        for (int i = rd.ReadInt32(); i > 0; i--) f.ModuleDeclarations.Add(rd.ReadString(), rd.ReadBoolean());
        f.Edition = rd.ReadString();
        for (int i = rd.ReadInt32(); i > 0; i--) f.AllowedLints.Add(ReadAllowedLint(rd));
        for (int i = rd.ReadInt32(); i > 0; i--) f.CrateLintAttributes.Add((rd.ReadString(), rd.ReadString(), rd.ReadInt32()));
        for (int i = rd.ReadInt32(); i > 0; i--)
            f.Suppressions.Add(ReadSuppression(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--) f.Regions.Add(ReadRegion(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--) f.MacroBodies.Add(ReadRegion(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--)
            f.FunctionDeclarations.Add(new FunctionDeclaration(rd.ReadString(), rd.ReadString(), (FunctionShape)rd.ReadByte(), rd.ReadBoolean(), rd.ReadBoolean()));
        for (int i = rd.ReadInt32(); i > 0; i--)
        {
            var b = new FunctionBody
            {
                Item = rd.ReadString(), Name = rd.ReadString(), OwnerType = rd.ReadString(), IsUnsafe = rd.ReadBoolean(), Visibility = rd.ReadString(),
                IsTest = rd.ReadBoolean(), InTestModule = rd.ReadBoolean(), Location = ReadLocation(rd, path),
            };
            b.UnsafeBlocks = rd.ReadInt32();
            b.Calls.UnionWith(ReadStrings(rd));
            b.Module = rd.ReadString();
            b.EndLine = rd.ReadInt32();
            b.Generic = rd.ReadBoolean();
            b.LifetimeRisk = rd.ReadString();
            // Only functions with unsafe code keep these (the extractor drops the others'): none made when empty.
            if (ReadStrings(rd) is { Length: > 0 } parameters) b.Parameters.AddRange(parameters);
            if (ReadStrings(rd) is { Length: > 0 } userCode) b.UserCodeParameters.UnionWith(userCode);
            if (ReadStrings(rd) is { Length: > 0 } checks) b.Checks.UnionWith(checks);
            if (ReadStrings(rd) is { Length: > 0 } flows) b.Flows.UnionWith(flows);
            if (ReadStrings(rd) is { Length: > 0 } trusts) b.Trusts.UnionWith(trusts);
            if (ReadStrings(rd) is { Length: > 0 } writes) b.FieldWrites.UnionWith(writes);
            f.FunctionBodies.Add(b);
        }
        f.IsTestTarget = rd.ReadBoolean();
        foreach (var set in Sets(f))
            foreach (var s in ReadStrings(rd)) set.Add(s);
        for (int i = rd.ReadInt32(); i > 0; i--) f.Imports.Add(rd.ReadString(), rd.ReadString());
        for (int i = rd.ReadInt32(); i > 0; i--) f.Reexports.Add((rd.ReadString(), rd.ReadString()));
        f.GlobImports.AddRange(ReadStrings(rd));
        f.Lines = rd.ReadInt32();
        if (rd.ReadBoolean())
        {
            var hashes = new ulong[rd.ReadInt32()];
            for (int i = 0; i < hashes.Length; i++) hashes[i] = rd.ReadUInt64();
            f.LineHashes = hashes;
        }
        f.Functions = rd.ReadInt32();
        f.Methods = rd.ReadInt32();
        f.Impls = rd.ReadInt32();
        f.Traits = rd.ReadInt32();
        f.UnsafeFreeFunctions = rd.ReadInt32();
        f.UnsafeMethodCount = rd.ReadInt32();
        for (int i = rd.ReadInt32(); i > 0; i--)
        {
            var kind = (ItemKind)rd.ReadByte();
            string name = rd.ReadString(), module = rd.ReadString();
            int owner = rd.ReadInt32();
            var visibility = rd.ReadString();
            var location = ReadLocation(rd, path);
            var flags = (ItemFlags)rd.ReadInt32();
            f.Items.Add(new ItemDeclaration(kind, name, module, owner, visibility, location, flags)
            {
                Type = rd.ReadString(), Trait = rd.ReadString(), Abi = rd.ReadString(), Members = [.. ReadStrings(rd)], Generics = [.. ReadStrings(rd)],
            });
        }
        for (int i = rd.ReadInt32(); i > 0; i--)
            f.TypeScopes.Add(new TypeScope(rd.ReadInt32(), rd.ReadInt32(), rd.ReadString(), rd.ReadString(), [.. ReadStrings(rd)]) { Bounds = [.. ReadStrings(rd)] });
        for (int i = rd.ReadInt32(); i > 0; i--)
            f.Receivers[(rd.ReadInt32(), rd.ReadInt32())] = rd.ReadString();
        return f;
    }

    // The name sets, in one fixed order for writing and reading.
    private static HashSet<string>[] Sets(FileFacts f) =>
    [
        f.MacroCalls, f.ExternFunctions, f.SafeExternFunctions, f.ExternStatics, f.StaticMuts, f.UnionFields, f.StructFields,
        f.RawPointerFields, f.NonNullFields, f.PointerCellFields, f.NonPointerFields, f.UnsafeFnPointerFields, f.TypedFields,
        f.TypedPointerFields, f.PointerReturningFunctions, f.TypesWithPublicRawFields, f.PointerAliases, f.UnsafeFnConsts,
        f.UnsafeFnTupleFields, f.PublicTypes, f.UnionTypedFields, f.DocTestCalls, f.MarkerAttributes, f.DerefUnionFields, f.PlaceUnionFields, f.DerefUnionTypedFields, f.PathModules,
        f.SendSyncVariance,
    ];

    private static void WriteRegion(BinaryWriter w, RegionDraft r, string path)
    {
        WriteRegionFacts(w, r.Region, path);
        w.Write(r.HasBody);
        w.Write(r.DocHidden);
        w.Write(r.Module);
        WriteStrings(w, r.PointerParameters);
        WriteStrings(w, r.Cfgs);
        w.Write(r.HasInnerCfg);
        w.Write(r.Operations.Count);
        foreach (var o in r.Operations) WriteOperation(w, o, path);
        w.Write(r.FfiCalls.Count);
        foreach (var c in r.FfiCalls) WriteFfiCall(w, c, path);
        w.Write(r.Mmio.Count);
        foreach (var m in r.Mmio) WriteMmio(w, m, path);
        w.Write(r.Candidates.Count);
        foreach (var c in r.Candidates)
        {
            w.Write((byte)c.Kind);
            w.Write(c.Name);
            w.Write(c.Path);
            WriteLocation(w, c.Location, path);
            w.Write(c.Base);
            w.Write(c.RawReceiver);
            w.Write((byte)c.Origin.Kind);
            w.Write(c.Origin.Name is not null); // default(PointerOrigin) has no name, PointerOrigin.None an empty one
            if (c.Origin.Name is not null) w.Write(c.Origin.Name);
            WriteOperands(w, c.Operands, c.Cfg, path);
        }
    }

    // The facts of UnsafeRegion the walk decides (what the linker adds is recomputed at every link): a new region fact
    // is one property of UnsafeRegion, set by the extractor, plus a line in each of these two.
    internal static void WriteRegionFacts(BinaryWriter w, UnsafeRegion r, string path)
    {
        w.Write((byte)r.Kind);
        WriteLocation(w, r.Location, path);
        w.Write(r.InMacro);
        w.Write(r.Item);
        w.Write(r.Name);
        w.Write(r.Visibility);
        w.Write(r.HasSafetyComment);
        w.Write(r.HasInvariantComment);
        w.Write((byte)r.SafetyCommentPlacement);
        w.Write(r.SafetyComment);
        w.Write(r.HasSafetyDoc);
        w.Write(r.Abi);
        w.Write(r.OwnerType);
        w.Write(r.ExpandedFrom);
        w.Write(r.EnclosingAbi);
        w.Write(r.InUnsafeFunction);
        w.Write(r.MacroRules);
    }

    internal static UnsafeRegion ReadRegionFacts(BinaryReader rd, string path) => new()
    {
        Kind = (RegionKind)rd.ReadByte(),
        Location = ReadLocation(rd, path),
        InMacro = rd.ReadBoolean(),
        Item = rd.ReadString(),
        Name = rd.ReadString(),
        Visibility = rd.ReadString(),
        HasSafetyComment = rd.ReadBoolean(),
        HasInvariantComment = rd.ReadBoolean(),
        SafetyCommentPlacement = (SafetyCommentPlacement)rd.ReadByte(),
        SafetyComment = rd.ReadString(),
        HasSafetyDoc = rd.ReadBoolean(),
        Abi = rd.ReadString(),
        OwnerType = rd.ReadString(),
        ExpandedFrom = rd.ReadString(),
        EnclosingAbi = rd.ReadString(),
        InUnsafeFunction = rd.ReadBoolean(),
        MacroRules = rd.ReadString(),
    };

    // One element each, shared by file records (facts) and crate entries (linked inventories and finishing facts).
    internal static void WriteOperation(BinaryWriter w, UnsafeOperation o, string path)
    {
        w.Write((byte)o.Kind);
        w.Write(o.Name);
        WriteLocation(w, o.Location, path);
        WriteOperands(w, o.Operands, o.Cfg, path);
    }

    internal static UnsafeOperation ReadOperation(BinaryReader rd, string path)
    {
        var o = new UnsafeOperation((OperationKind)rd.ReadByte(), rd.ReadString(), ReadLocation(rd, path));
        var (operands, cfg) = ReadOperands(rd, path);
        return o with { Operands = operands, Cfg = cfg };
    }

    internal static void WriteFfiCall(BinaryWriter w, FfiCall c, string path)
    {
        w.Write(c.Name);
        w.Write(c.Family);
        w.Write(c.Risk);
        w.Write((byte)c.Form);
        w.Write(c.Source);
        WriteLocation(w, c.Location, path);
    }

    internal static FfiCall ReadFfiCall(BinaryReader rd, string path)
        => new(rd.ReadString(), rd.ReadString(), rd.ReadString(), (FfiCallForm)rd.ReadByte(), rd.ReadString(), ReadLocation(rd, path));

    internal static void WriteMmio(BinaryWriter w, MmioAccess m, string path)
    {
        w.Write(m.Kind);
        w.Write(m.Api);
        w.Write(m.Base);
        WriteLocation(w, m.Location, path);
    }

    internal static MmioAccess ReadMmio(BinaryReader rd, string path) => new(rd.ReadString(), rd.ReadString(), rd.ReadString(), ReadLocation(rd, path));

    internal static void WriteSuppression(BinaryWriter w, SuppressionComment s, string path)
    {
        WriteLocation(w, s.Location, path);
        w.Write(s.TargetLine);
        WriteStrings(w, s.Ids);
        w.Write(s.Reason);
    }

    internal static SuppressionComment ReadSuppression(BinaryReader rd, string path) => new(ReadLocation(rd, path), rd.ReadInt32(), ReadStrings(rd), rd.ReadString());

    internal static void WriteAllowedLint(BinaryWriter w, (TextSpan Scope, string Lint) allowed)
    {
        w.Write(allowed.Scope.Start);
        w.Write(allowed.Scope.Length);
        w.Write(allowed.Lint);
    }

    internal static (TextSpan Scope, string Lint) ReadAllowedLint(BinaryReader rd) => (new TextSpan(rd.ReadInt32(), rd.ReadInt32()), rd.ReadString());

    private static void WriteOperands(BinaryWriter w, System.Collections.Immutable.ImmutableArray<Operand> operands, string cfg, string path)
    {
        w.Write(operands.Length);
        foreach (var o in operands)
        {
            w.Write(o.Name);
            WriteLocation(w, o.Location, path);
        }
        w.Write(cfg);
    }

    private static (System.Collections.Immutable.ImmutableArray<Operand> Operands, string Cfg) ReadOperands(BinaryReader rd, string path)
    {
        var operands = new Operand[rd.ReadInt32()];
        for (int i = 0; i < operands.Length; i++) operands[i] = new Operand(rd.ReadString(), ReadLocation(rd, path));
        return ([.. operands], rd.ReadString());
    }

    private static RegionDraft ReadRegion(BinaryReader rd, string path)
    {
        var r = new RegionDraft
        {
            Region = ReadRegionFacts(rd, path),
            HasBody = rd.ReadBoolean(),
            DocHidden = rd.ReadBoolean(),
            Module = rd.ReadString(),
            PointerParameters = [.. ReadStrings(rd)],
            Cfgs = [.. ReadStrings(rd)],
        };
        r.HasInnerCfg = rd.ReadBoolean();
        for (int i = rd.ReadInt32(); i > 0; i--) r.Operations.Add(ReadOperation(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--) r.FfiCalls.Add(ReadFfiCall(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--) r.Mmio.Add(ReadMmio(rd, path));
        for (int i = rd.ReadInt32(); i > 0; i--)
        {
            var c = new Candidate((CandidateKind)rd.ReadByte(), rd.ReadString(), rd.ReadString(), ReadLocation(rd, path), rd.ReadString(), rd.ReadBoolean(),
                new PointerOrigin((PointerOriginKind)rd.ReadByte(), rd.ReadBoolean() ? rd.ReadString() : null!));
            var (operands, cfg) = ReadOperands(rd, path);
            r.Candidates.Add(c with { Operands = operands, Cfg = cfg });
        }
        return r;
    }

    internal static void WriteStrings(BinaryWriter w, IReadOnlyCollection<string> strings)
    {
        w.Write(strings.Count);
        foreach (var s in strings) w.Write(s);
    }

    internal static string[] ReadStrings(BinaryReader rd)
    {
        var a = new string[rd.ReadInt32()];
        for (int i = 0; i < a.Length; i++) a[i] = rd.ReadString();
        return a;
    }
}
