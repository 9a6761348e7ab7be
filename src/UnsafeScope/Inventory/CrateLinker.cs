using System.Collections.Immutable;
using UnsafeScope.Catalogs;

namespace UnsafeScope.Inventory;

/// <summary>
/// Resolves each file's candidates with what the whole crate declares (unsafe functions, extern
/// functions and statics, static muts, unions) and the catalogs, then freezes the regions.
/// Resolution prefers precision: a name that is also a safe function of the crate is not counted.
/// </summary>
internal sealed class CrateLinker
{
    private readonly ApiCatalog _catalog;
    private readonly HashSet<string> _unsafeFunctions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafeMethods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _safeFunctions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _externFunctions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _externStatics = new(StringComparer.Ordinal);
    private readonly HashSet<string> _staticMuts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unionFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _structFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rawPointerFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pointerReturning = new(StringComparer.Ordinal);
    private readonly HashSet<string> _publicRawTypes = new(StringComparer.Ordinal);
    private readonly Scoring.ScoringContext _scoring;
    private readonly Dictionary<string, bool> _modules = new(StringComparer.Ordinal);

    public CrateLinker(ApiCatalog catalog, IEnumerable<FileFacts> crateFiles)
    {
        _catalog = catalog;
        foreach (var f in crateFiles)
        {
            _unsafeFunctions.UnionWith(f.UnsafeFunctions);
            _unsafeMethods.UnionWith(f.UnsafeMethods);
            _safeFunctions.UnionWith(f.SafeFunctions);
            _externFunctions.UnionWith(f.ExternFunctions);
            _externStatics.UnionWith(f.ExternStatics);
            _staticMuts.UnionWith(f.StaticMuts);
            _unionFields.UnionWith(f.UnionFields);
            _structFields.UnionWith(f.StructFields);
            _rawPointerFields.UnionWith(f.RawPointerFields);
            _pointerReturning.UnionWith(f.PointerReturningFunctions);
            _publicRawTypes.UnionWith(f.TypesWithPublicRawFields);
            foreach (var (path, isPub) in f.ModuleDeclarations) _modules[path] = isPub;
        }
        _scoring = new Scoring.ScoringContext(_publicRawTypes);
    }

    public FileInventory Link(FileFacts facts)
    {
        var scoring = _scoring;
        bool fileExported = ModuleExported(facts.ModulePath);
        var regions = ImmutableArray.CreateBuilder<UnsafeRegion>(facts.Regions.Count);
        foreach (var draft in facts.Regions.OrderBy(r => r.Location.SourceSpan.Start).ThenBy(r => r.Kind))
        {
            var ops = new List<UnsafeOperation>(draft.Operations);
            var ffi = new List<FfiCall>(draft.FfiCalls);
            foreach (var c in draft.Candidates)
                Resolve(c, facts, ops, ffi);
            var region = new UnsafeRegion
            {
                Kind = draft.Kind,
                Location = draft.Location,
                InMacro = draft.InMacro,
                ExpandedFrom = draft.ExpandedFrom,
                Item = draft.Item,
                Name = draft.Name,
                Visibility = draft.Visibility,
                HasSafetyComment = draft.HasSafetyComment,
                IsExported = fileExported && !draft.InPrivateModule && !draft.DocHidden && draft.Visibility == "pub",
                SafetyCommentPlacement = draft.SafetyCommentPlacement,
                HasSafetyDoc = draft.HasSafetyDoc,
                Abi = draft.Abi,
                OwnerType = draft.OwnerType,
                EnclosingAbi = draft.EnclosingAbi,
                InUnsafeFunction = draft.InUnsafeFunction,
                Operations = [.. ops.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind)],
                FfiCalls = [.. ffi.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Name, StringComparer.Ordinal)],
                Mmio = [.. draft.Mmio.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind, StringComparer.Ordinal)],
            };
            if (Scoring.EncapsulationScore.IsScored(region.Kind))
            {
                var (score, factors) = Scoring.EncapsulationScore.Compute(region, scoring);
                region = region with { Score = score, ScoreFactors = factors };
            }
            regions.Add(region);
        }
        var frozen = regions.ToImmutable();
        return new FileInventory(facts.Path, facts.Crate, frozen, Count(facts, frozen), facts.Edition);
    }

    /// <summary>Every module on the path is declared <c>pub</c> (undeclared ones, e.g. behind #[path] or macros, count as public).</summary>
    private bool ModuleExported(string modulePath)
    {
        if (modulePath.Length == 0) return true;
        var parts = modulePath.Split("::");
        for (int i = 1; i <= parts.Length; i++)
            if (_modules.TryGetValue(string.Join("::", parts[..i]), out var isPub) && !isPub) return false;
        return true;
    }

    private void Resolve(Candidate c, FileFacts file, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        switch (c.Kind)
        {
            case CandidateKind.Call:
                ResolveCall(c, file, ops, ffi);
                break;
            case CandidateKind.MethodCall:
                if (_unsafeMethods.Contains(c.Name) && !_safeFunctions.Contains(c.Name))
                    ops.Add(new UnsafeOperation(OperationKind.UnsafeMethodCall, c.Name, c.Location));
                else if (_catalog.UnsafeStdMethods.TryGetValue(c.Name, out var receiver) && (receiver == "any" || c.RawReceiver) && !_safeFunctions.Contains(c.Name))
                    ops.Add(new UnsafeOperation(OperationKind.UnsafeMethodCall, c.Name, c.Location));
                break;
            case CandidateKind.Deref:
                if (c.RawReceiver
                    || (c.Origin.Length > 0 && _pointerReturning.Contains(c.Origin))
                    || (c.Name.Length > 0 && _rawPointerFields.Contains(c.Name)))
                    ops.Add(new UnsafeOperation(OperationKind.RawPointerDeref, c.Base, c.Location));
                break;
            case CandidateKind.Ident:
                if (_staticMuts.Contains(c.Name))
                    ops.Add(new UnsafeOperation(OperationKind.StaticMutAccess, c.Name, c.Location));
                else if (_externStatics.Contains(c.Name))
                    ops.Add(new UnsafeOperation(OperationKind.ExternStaticAccess, c.Name, c.Location));
                break;
            case CandidateKind.Field:
                if (_unionFields.Contains(c.Name) && !_structFields.Contains(c.Name))
                    ops.Add(new UnsafeOperation(OperationKind.UnionFieldAccess, c.Name, c.Location));
                break;
        }
    }

    private void ResolveCall(Candidate c, FileFacts file, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        var name = c.Name;
        if (name.Length == 0) return;
        bool isPath = c.Path.Contains("::", StringComparison.Ordinal);
        var form = isPath ? FfiCallForm.Path : FfiCallForm.Call;
        if (_externFunctions.Contains(name))
        {
            ops.Add(new UnsafeOperation(OperationKind.ExternCall, name, c.Location));
            ffi.Add(Classify(name, form, c, "extern-decl"));
            return;
        }
        if (IsFfiCratePath(c.Path) && !_safeFunctions.Contains(name))
        {
            ops.Add(new UnsafeOperation(OperationKind.ExternCall, name, c.Location));
            ffi.Add(Classify(name, FfiCallForm.Path, c, "ffi-crate"));
            return;
        }
        if (IsLinuxBindings(c.Path))
        {
            ops.Add(new UnsafeOperation(OperationKind.ExternCall, name, c.Location));
            ffi.Add(new FfiCall(name, "linux", "unknown", FfiCallForm.Path, "linux-bindings", c.Location));
            return;
        }
        if (!_safeFunctions.Contains(name))
        {
            if (_catalog.Apis.ContainsKey(name))
            {
                ops.Add(new UnsafeOperation(OperationKind.ExternCall, name, c.Location));
                ffi.Add(Classify(name, form, c, "catalog"));
                return;
            }
            if (_catalog.FamilyOf(name) is not null && FromBindingsCrate(c.Path, file))
            {
                ops.Add(new UnsafeOperation(OperationKind.ExternCall, name, c.Location));
                ffi.Add(Classify(name, form, c, "family-rule"));
                return;
            }
            if (_unsafeFunctions.Contains(name))
            {
                ops.Add(new UnsafeOperation(OperationKind.UnsafeCall, name, c.Location));
                return;
            }
            if (_catalog.UnsafeStdFree.Contains(name) || EndsWithStdPath(c.Path) || _catalog.UnsafeStdPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
                ops.Add(new UnsafeOperation(OperationKind.UnsafeCall, name, c.Location));
        }
    }

    private FfiCall Classify(string name, FfiCallForm form, Candidate c, string source)
    {
        if (_catalog.Apis.TryGetValue(name, out var e)) return new FfiCall(name, e.Family, e.Risk, form, source == "extern-decl" ? "extern-decl" : "catalog", c.Location);
        if (_catalog.FamilyOf(name) is { } f) return new FfiCall(name, f.Family, f.DefaultRisk, form, source == "extern-decl" ? "extern-decl" : "family-rule", c.Location);
        return new FfiCall(name, "unknown", "unknown", form, source, c.Location);
    }

    /// <summary>A call through a C binding crate: <c>libc::f</c>, <c>foo_sys::f</c>, or the usual <c>ffi::f</c> alias of one.</summary>
    private static bool IsFfiCratePath(string path)
    {
        var segments = path.Split("::");
        if (segments.Length < 2 || segments[^1].Length == 0 || char.IsUpper(segments[^1][0]) && segments[^1].Any(char.IsLower)) return false; // Type::new is not FFI
        for (int i = 0; i < segments.Length - 1; i++)
            if (segments[i] is "libc" or "ffi" || segments[i].EndsWith("_sys", StringComparison.Ordinal)) return i == segments.Length - 2 || segments[i] != "ffi";
        return false;
    }

    private static bool IsLinuxBindings(string path)
    {
        var segments = path.Split("::");
        return segments.Length >= 2 && segments[^2] == "bindings";
    }

    /// <summary>The path (after import resolution) goes through a bindings crate, or the file glob-imports one.</summary>
    private static bool FromBindingsCrate(string path, FileFacts file)
    {
        static bool IsBindings(string p) => p.StartsWith("wdk_sys", StringComparison.Ordinal) || p.StartsWith("wdk::", StringComparison.Ordinal)
            || p.StartsWith("crate::ntddk", StringComparison.Ordinal) || p.Contains("_sys::", StringComparison.Ordinal) || p.StartsWith("$crate::", StringComparison.Ordinal);
        if (path.Contains("::", StringComparison.Ordinal)) return IsBindings(path);
        foreach (var g in file.GlobImports)
            if (IsBindings(g + "::")) return true;
        return false;
    }

    private bool EndsWithStdPath(string path)
    {
        foreach (var p in _catalog.UnsafeStdPaths)
            if (path == p || path.EndsWith("::" + p, StringComparison.Ordinal)) return true;
        return false;
    }

    private static InventoryCounts Count(FileFacts facts, ImmutableArray<UnsafeRegion> regions)
    {
        var unsafeLines = new bool[facts.Lines + 2];
        int blocks = 0, fns = 0, impls = 0, traits = 0, externs = 0, statics = 0, ffi = 0, mmio = 0;
        foreach (var r in regions)
        {
            switch (r.Kind)
            {
                case RegionKind.UnsafeBlock: blocks++; break;
                case RegionKind.UnsafeFn: fns++; break;
                case RegionKind.UnsafeImpl: impls++; break;
                case RegionKind.UnsafeTrait: traits++; break;
                case RegionKind.ExternBlock: externs++; break;
                case RegionKind.StaticMut: statics++; break;
            }
            ffi += r.FfiCalls.Length;
            mmio += r.Mmio.Length;
            if (r.Kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn)
                for (int l = r.StartLine; l <= r.EndLine && l < unsafeLines.Length; l++) unsafeLines[l] = true;
        }
        return new InventoryCounts
        {
            UnsafeBlocks = blocks,
            UnsafeFunctions = fns,
            UnsafeImpls = impls,
            UnsafeTraits = traits,
            ExternBlocks = externs,
            StaticMuts = statics,
            FfiCalls = ffi,
            MmioAccesses = mmio,
            Lines = facts.Lines,
            UnsafeLines = unsafeLines.Count(b => b),
            Functions = facts.Functions,
            UnsafeFreeFunctions = facts.UnsafeFreeFunctions,
            Methods = facts.Methods,
            UnsafeMethods = facts.UnsafeMethodCount,
            Impls = facts.Impls,
            Traits = facts.Traits,
        };
    }
}
