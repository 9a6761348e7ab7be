using System.Collections.Immutable;
using UnsafeScope.Catalogs;

namespace UnsafeScope.Inventory;

/// <summary>
/// Resolves each file's candidates with what the whole crate declares (functions, extern functions and
/// statics, static muts, unions, pointer-typed fields) and the catalogs, then freezes the regions.
/// Calls resolve like rustc would where syntax allows: plain and module paths to the free functions of
/// that module, <c>Type::f</c> to that type's items, <c>x.m()</c> to methods. Where that is not enough,
/// by name, preferring precision: a name that is also a safe function of the same shape is not counted.
/// </summary>
internal sealed class CrateLinker
{
    private readonly ApiCatalog _catalog;
    private readonly FunctionIndex _index;
    private readonly CrateDependencies _deps;
    private readonly HashSet<string> _externFunctions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _externStatics = new(StringComparer.Ordinal);
    private readonly HashSet<string> _staticMuts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unionFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _structFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rawPointerFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nonNullFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pointerCellFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nonPointerFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafeFnFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _typedFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _typedPointerFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pointerReturning = new(StringComparer.Ordinal);
    private readonly HashSet<string> _publicRawTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _modules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reexportedModules = new(StringComparer.Ordinal);
    private readonly HashSet<(string Module, string Name)> _reexportedItems = [];
    private readonly HashSet<string> _unsafeMacros = new(StringComparer.Ordinal);
    private readonly HashSet<string> _macroCalls = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reexportedNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pointerAliases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unionTypedFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _derefUnionFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _placeUnionFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _derefUnionTypedFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafeFnConsts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unsafeFnTupleFields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _publicTypes = new(StringComparer.Ordinal);
    private readonly Semantics.TargetConfiguration? _target;

    // What a file's glob imports reach, decided once per file rather than for each call (by reference).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<FileFacts, GlobImports> _globsOf = new(ReferenceEqualityComparer.Instance);

    /// <summary>A file's glob imports as path segments, and whether one is from wdk-sys, or from any bindings crate.</summary>
    private sealed record GlobImports(string[][] Segments, bool Wdk, bool Bindings);

    public CrateLinker(ApiCatalog catalog, IEnumerable<FileFacts> crateFiles, CrateDependencies? dependencies = null, Semantics.TargetConfiguration? target = null)
    {
        _catalog = catalog;
        _target = target;
        _deps = dependencies ?? CrateDependencies.None;
        var files = crateFiles.ToList();
        _index = new FunctionIndex(files);
        // `#[path]` modules: the compilation's module of each file, so that regions and symbols agree on exportedness.
        _moduleRemap = Semantics.RustCompilation.PathModuleRemap([.. files.OrderBy(f => f.Path, StringComparer.Ordinal)]);
        foreach (var f in files)
        {
            _externFunctions.UnionWith(f.ExternFunctions);
            _externStatics.UnionWith(f.ExternStatics);
            _staticMuts.UnionWith(f.StaticMuts);
            _unionFields.UnionWith(f.UnionFields);
            _structFields.UnionWith(f.StructFields);
            _rawPointerFields.UnionWith(f.RawPointerFields);
            _nonNullFields.UnionWith(f.NonNullFields);
            _pointerCellFields.UnionWith(f.PointerCellFields);
            _nonPointerFields.UnionWith(f.NonPointerFields);
            _unsafeFnFields.UnionWith(f.UnsafeFnPointerFields);
            _typedFields.UnionWith(f.TypedFields);
            _typedPointerFields.UnionWith(f.TypedPointerFields);
            _macroCalls.UnionWith(f.MacroCalls);
            _pointerReturning.UnionWith(f.PointerReturningFunctions);
            _publicRawTypes.UnionWith(f.TypesWithPublicRawFields);
            _pointerAliases.UnionWith(f.PointerAliases);
            _unionTypedFields.UnionWith(f.UnionTypedFields);
            _derefUnionFields.UnionWith(f.DerefUnionFields);
            _placeUnionFields.UnionWith(f.PlaceUnionFields);
            _derefUnionTypedFields.UnionWith(f.DerefUnionTypedFields);
            _unsafeFnConsts.UnionWith(f.UnsafeFnConsts);
            _unsafeFnTupleFields.UnionWith(f.UnsafeFnTupleFields);
            _publicTypes.UnionWith(f.PublicTypes);
            foreach (var (path, isPub) in f.ModuleDeclarations)
            {
                var declared = ModuleOf(f, path);
                _modules[declared] = _modules.GetValueOrDefault(declared) || isPub;
            }
        }
        // Typedefs of bindings generated at build time (wdk-sys's PIRP, PCUNICODE_STRING): pointers the source cannot show.
        _pointerAliases.UnionWith(catalog.PointerTypes);
        // `pub use` in exported modules exports what it names: glob re-exports whole modules, others names. A module
        // can be exported by a re-export further down the list (`pub use self::linux::*` inside a re-exported module): repeat.
        var pending = files.SelectMany(f => f.Reexports.Select(r => (Module: ModuleOf(f, r.Module), r.Path))).ToList();
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int i = pending.Count - 1; i >= 0; i--)
            {
                var (module, path) = pending[i];
                // A `pub use` in a private module still exports what it names once the crate root re-exports that name
                // from it (`pub use chain::hop` reaching `chain`'s own `pub use self::deep::hop`).
                var leaf = StripGenerics(path).Split("::")[^1];
                if (!ModuleExported(module) && !_reexportedItems.Contains((module, leaf))) continue;
                pending.RemoveAt(i);
                changed = true;
                var segments = StripGenerics(path).Split("::");
                if (segments[^1] == "*")
                {
                    if (CrateModule(segments[..^1], module) is { } m) _reexportedModules.Add(m);
                }
                else if (CrateModule(segments, module) is { } m && _index.HasModule(m))
                    _reexportedModules.Add(m);
                else if (CrateModule(segments[..^1], module) is { } declaring)
                {
                    _reexportedItems.Add((declaring, segments[^1]));
                    _reexportedNames.Add(segments[^1]);
                }
            }
        }
        _exportsKnown = true;
        _compilation = new(() => BuildCompilation(files.Count > 0 ? files[0].Crate : "", files), LazyThreadSafetyMode.ExecutionAndPublication);
        // Local macros whose bodies perform unsafe operations outside their own unsafe blocks.
        foreach (var f in files)
        {
            foreach (var body in f.MacroBodies)
            {
                var ops = new List<UnsafeOperation>(body.Operations);
                foreach (var c in body.Candidates)
                    if (c.Kind != CandidateKind.Macro) Resolve(c, body, f, ops, []);
                if (ops.Count > 0) _unsafeMacros.Add(body.Name);
            }
        }
        var graph = new CallGraph(files);
        Encapsulating = TestReach.Compute(files, graph);
        Soundness = new SoundnessIndex(files, graph, (b, f) => IsExported(b.Visibility, true, false, ModuleOf(f, b.Module), b.OwnerType, b.Name));
    }

    /// <summary>Types of the crate that expose a raw pointer in a <c>pub</c> field.</summary>
    public IReadOnlySet<string> TypesWithPublicRawFields => _publicRawTypes;

    /// <summary>The crate's call graph seen from its exported safe API (the score's exposure factors).</summary>
    public SoundnessIndex Soundness { get; }

    /// <summary>The crate's encapsulating functions and whether tests reach them.</summary>
    public ImmutableArray<EncapsulatingFunction> Encapsulating { get; }

    public FileInventory Link(FileFacts facts)
    {
        var regions = ImmutableArray.CreateBuilder<UnsafeRegion>(facts.Regions.Count);
        foreach (var draft in facts.Regions.OrderBy(r => r.Location.SourceSpan.Start).ThenBy(r => r.Kind))
        {
            var ops = new List<UnsafeOperation>(draft.Operations);
            var ffi = new List<FfiCall>(draft.FfiCalls);
            foreach (var c in draft.Candidates)
                Resolve(c, draft, facts, ops, ffi);
            // Operations under a cfg the target makes false are not compiled.
            if (_target is { } target) ops.RemoveAll(o => o.Cfg.Length > 0 && Semantics.CfgAlternatives.Evaluate(o.Cfg, target) == false);
            // The walk decided the region's own facts; linking adds the crate's.
            var region = draft.Region with
            {
                MacroRules = draft.Region.MacroRules.Length > 0 && _macroCalls.Contains(draft.Region.MacroRules) ? draft.Region.MacroRules : "",
                IsExported = IsExported(draft, ModuleOf(facts, draft.Module)),
                PointerParameters = [.. draft.PointerParameters.Select(PointerParameter).OfType<string>()],
                IsActive = _target is not { } t || draft.Cfgs.TrueForAll(c => Semantics.CfgAlternatives.Evaluate(c, t) != false),
                Operations = [.. ops.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind)],
                FfiCalls = [.. ffi.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Name, StringComparer.Ordinal)],
                Mmio = [.. draft.Mmio.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind, StringComparer.Ordinal)],
            };
            regions.Add(region);
        }
        var frozen = regions.ToImmutable();
        return new FileInventory(facts.Path, facts.Crate, frozen, Count(facts, frozen), facts.Edition);
    }

    /// <summary>A parameter written <c>name:Type</c> is a raw pointer when the crate declares Type as an alias of one.</summary>
    private string? PointerParameter(string p)
    {
        int colon = p.IndexOf(':');
        return colon < 0 ? p : _pointerAliases.Contains(p[(colon + 1)..]) ? p[..colon] : null;
    }

    /// <summary>
    /// Every module on the path is declared <c>pub</c> (undeclared ones, e.g. behind #[path] or macros, count as public),
    /// from the crate root or from a module a <c>pub use m::*</c> re-exports.
    /// </summary>
    // Asked for every item of the crate: answered once per module (the path splits allocated per item).
    private bool ModuleExported(string modulePath)
    {
        if (modulePath.Length == 0) return true;
        if (!_exportsKnown) return ModuleExportedUncached(modulePath); // the re-exports are still being followed
        if (_moduleExported.TryGetValue(modulePath, out var known)) return known;
        return _moduleExported[modulePath] = ModuleExportedUncached(modulePath);
    }

    private readonly Dictionary<string, bool> _moduleExported = new(StringComparer.Ordinal);
    private bool _exportsKnown;

    private bool ModuleExportedUncached(string modulePath)
    {
        var parts = modulePath.Split("::");
        for (int i = parts.Length; i >= 1; i--)
        {
            if (!_modules.TryGetValue(string.Join("::", parts[..i]), out var isPub) || isPub) continue;
            // A private module on the way: exported only if it, or a module below it on the path, is glob re-exported.
            for (int j = i; j <= parts.Length; j++)
                if (_reexportedModules.Contains(string.Join("::", parts[..j])) && PublicBelow(parts, j)) return true;
            return false;
        }
        return true;
    }

    private bool PublicBelow(string[] parts, int from)
    {
        for (int k = from + 1; k <= parts.Length; k++)
            if (_modules.TryGetValue(string.Join("::", parts[..k]), out var isPub) && !isPub) return false;
        return true;
    }

    /// <summary>
    /// clippy's "exported" (effective visibility), approximated: <c>pub</c>, not <c>#[doc(hidden)]</c>, and reachable —
    /// its module is public up to the root or re-exported by a glob, or its name (its type's, for impl and trait
    /// items) is re-exported by a <c>pub use</c>.
    /// </summary>
    private bool IsExported(RegionDraft draft, string module)
        => IsExported(draft.Region.Visibility, draft.Kind == RegionKind.UnsafeBlock, draft.DocHidden, module, draft.Region.OwnerType, draft.Name);

    /// <summary>A module path written in <paramref name="file"/>, moved where <c>#[path]</c> puts the file.</summary>
    private string ModuleOf(FileFacts file, string module)
        => _moduleRemap.Count > 0 && _moduleRemap.TryGetValue(file.Path, out var to) ? Semantics.RustCompilation.Rebase(module, file.ModulePath, to) : module;

    private readonly Dictionary<string, string> _moduleRemap;

    /// <summary>
    /// The one decision of effective visibility, for regions and for the compilation's symbols. asFunction: the answer
    /// for a function's body (blocks) or symbol, which #[doc(hidden)] does not change (only clippy's doc lints skip
    /// hidden items) and where a trait impl's method is exported with the impl's type.
    /// </summary>
    private bool IsExported(string visibility, bool asFunction, bool docHidden, string module, string ownerType, string name)
    {
        if (asFunction)
        {
            if (visibility == "trait-impl") return TypeExported(ownerType);
        }
        else if (docHidden)
        {
            return false;
        }
        if (visibility != "pub") return false;
        if (ModuleExported(module) || _reexportedModules.Contains(module)) return true;
        // Impls may sit in another module than their type: the type's name is enough. Free items: that module's.
        return ownerType.Length > 0 ? _reexportedNames.Contains(ownerType) : _reexportedItems.Contains((module, name));
    }

    /// <summary>The crate's declarations: symbols, name resolution and local types (built once, on first use).</summary>
    public Semantics.RustCompilation Compilation => _compilation.Value;

    private readonly Lazy<Semantics.RustCompilation> _compilation;

    private Semantics.RustCompilation BuildCompilation(string crate, List<FileFacts> files)
        => new(crate, files, code => _deps.Get(code)?.Compilation, _deps.Has,
            (d, owner) => IsExported(d.Visibility, d.Kind == ItemKind.Function, (d.Flags & ItemFlags.DocHidden) != 0, d.Module, owner, d.Name));

    /// <summary>A <c>pub</c> struct, enum or union of that name in an exported module, or re-exported by name.</summary>
    private bool TypeExported(string name)
    {
        if (name.Length == 0) return false;
        if (_reexportedNames.Contains(name)) return true;
        foreach (var module in PublicTypeModules.GetValueOrDefault(name) ?? [])
            if (ModuleExported(module) || _reexportedModules.Contains(module)) return true;
        return false;
    }

    // The modules declaring a pub type, by the type's name: asked for every trait impl's method, so a scan of all
    // public types each time was quadratic in big binding crates (13% of all bytes a run allocated).
    private Dictionary<string, List<string>> PublicTypeModules => _publicTypeModules ??= IndexPublicTypes();

    private Dictionary<string, List<string>>? _publicTypeModules;

    private Dictionary<string, List<string>> IndexPublicTypes()
    {
        var index = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var t in _publicTypes)
        {
            int i = t.LastIndexOf("::", StringComparison.Ordinal);
            var (module, typeName) = i < 0 ? ("", t) : (t[..i], t[(i + 2)..]);
            if (!index.TryGetValue(typeName, out var modules)) index[typeName] = modules = [];
            modules.Add(module);
        }
        return index;
    }

    private void Resolve(Candidate c, RegionDraft draft, FileFacts file, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        switch (c.Kind)
        {
            case CandidateKind.Call:
                ResolveCall(c, draft, file, ops, ffi);
                break;
            case CandidateKind.MethodCall when TypeOf(c, file) is { Kind: not Semantics.RustTypeKind.Unknown } receiver && TypedMethodIsUnsafe(receiver, c.Name) is { } unsafeMethod:
                // The receiver's type is known (declared, or followed through fields, lets and calls): its method decides.
                if (unsafeMethod) ops.Add(c.ToOperation(OperationKind.UnsafeMethodCall, c.Name));
                break;
            case CandidateKind.Field when TypeOf(c, file).StripReferences() is Semantics.PathType { Symbol: Semantics.NamedTypeSymbol { Kind: Semantics.RustSymbolKind.Union or Semantics.RustSymbolKind.Struct } owner }
                                          && owner.GetField(c.Name) is not null:
                if (owner.Kind == Semantics.RustSymbolKind.Union) ops.Add(c.ToOperation(OperationKind.UnionFieldAccess, c.Name));
                break;
            case CandidateKind.RawPlaceField:
                if (RawPlaceReadsUnionField(c, file)) ops.Add(c.ToOperation(OperationKind.UnionFieldAccess, c.Name));
                break;
            case CandidateKind.Deref when !c.RawReceiver && TypeOf(c, file) is Semantics.RawPointerType:
                ops.Add(c.ToOperation(OperationKind.RawPointerDeref, c.Base));
                break;
            case CandidateKind.MethodCall:
                if (IsUnsafeMethod(c, draft.Region.OwnerType))
                    ops.Add(c.ToOperation(OperationKind.UnsafeMethodCall, c.Name));
                break;
            case CandidateKind.Deref:
            {
                // `*self.f` with f declared in the impl's own struct: its type alone decides.
                var typed = draft.Region.OwnerType + "." + c.Origin.Name;
                bool pointer = c.RawReceiver
                    || (c.Origin.Kind == PointerOriginKind.SelfField && draft.Region.OwnerType.Length > 0 && _typedFields.Contains(typed)
                        ? _typedPointerFields.Contains(typed)
                        : (c.Origin.Kind is PointerOriginKind.Call or PointerOriginKind.CellField or PointerOriginKind.TypeAlias && IsPointer(c.Origin))
                          || (c.Name.Length > 0 && _rawPointerFields.Contains(c.Name)));
                if (pointer)
                    ops.Add(c.ToOperation(OperationKind.RawPointerDeref, c.Base));
                break;
            }
            case CandidateKind.Ident:
                if (_staticMuts.Contains(c.Name))
                    ops.Add(c.ToOperation(OperationKind.StaticMutAccess, c.Name));
                else if (_externStatics.Contains(c.Name))
                    ops.Add(c.ToOperation(OperationKind.ExternStaticAccess, c.Name));
                break;
            case CandidateKind.Field when c.Origin.Kind is PointerOriginKind.TypeAlias or PointerOriginKind.Call && (_unionTypedFields.Contains(c.Origin.Name + "." + c.Name) || _typedFields.Contains(c.Origin.Name + "." + c.Name)):
                // The receiver's type is known (declared, or the constructor it came from): a field of a crate union, or of a struct.
                if (_unionTypedFields.Contains(c.Origin.Name + "." + c.Name))
                    ops.Add(c.ToOperation(OperationKind.UnionFieldAccess, c.Name));
                break;
            case CandidateKind.Field:
                if (_unionFields.Contains(c.Name) && !_structFields.Contains(c.Name))
                    ops.Add(c.ToOperation(OperationKind.UnionFieldAccess, c.Name));
                break;
            case CandidateKind.Macro:
                if (_unsafeMacros.Contains(c.Name))
                    ops.Add(c.ToOperation(OperationKind.UnsafeMacro, c.Name + "!"));
                break;
        }
    }

    /// <summary>
    /// <c>&amp;raw const w.s.i</c> takes the address of a place without reading it, unless the field path derefs on
    /// the way (a field of reference or smart pointer type, auto-dereferenced for the next field): then the union
    /// field before it is read like anywhere else (clippy checks the adjustments of each prefix). Unknown types: not read.
    /// </summary>
    private bool RawPlaceReadsUnionField(Candidate c, FileFacts file)
    {
        var receiver = TypeOf(c, file).StripReferences();
        // Not known (a union declared in a function body): by the type the receiver was declared or built with, else by
        // name, when every field of that name is a union's and derefs.
        if (receiver.Kind == Semantics.RustTypeKind.Unknown && c.Base.Length == 0)
            return c.Origin.Kind is PointerOriginKind.TypeAlias or PointerOriginKind.Call && _unionTypedFields.Contains(c.Origin.Name + "." + c.Name)
                ? _derefUnionTypedFields.Contains(c.Origin.Name + "." + c.Name)
                : _derefUnionFields.Contains(c.Name) && !_placeUnionFields.Contains(c.Name) && !_structFields.Contains(c.Name);
        if (receiver is not Semantics.PathType { Symbol: Semantics.NamedTypeSymbol { Kind: Semantics.RustSymbolKind.Union } union }
            || union.GetField(c.Name) is not { } field) return false;
        var type = field.Type;
        if (Derefs(type)) return true;
        if (c.Base.Length == 0) return false;
        foreach (var name in c.Base.Split('.'))
        {
            if (type is not Semantics.PathType { Symbol: Semantics.NamedTypeSymbol owner } || owner.GetField(name) is not { } next) return false;
            type = next.Type;
            if (Derefs(type)) return true;
        }
        return false;

        // A value whose field is reached through a deref: a reference, or std's pointer types that deref to their content.
        static bool Derefs(Semantics.RustType t)
            => t is Semantics.ReferenceType or Semantics.PathType { Symbol: null, Name: "Box" or "ManuallyDrop" or "Rc" or "Arc" };
    }

    /// <summary>The type of a candidate's receiver, field owner or deref operand, from the recipe the extractor recorded.</summary>
    private Semantics.RustType TypeOf(Candidate c, FileFacts file)
    {
        var span = c.Location.SourceSpan;
        if (!file.Receivers.TryGetValue((span.Start, span.Length), out var recipe)) return Semantics.RustType.Unknown;
        return Compilation.ScopeAt(file.Path, span.Start) is { } scope ? Compilation.Evaluate(recipe, scope) : Semantics.RustType.Unknown;
    }

    /// <summary>
    /// <c>x.m()</c> with x's type known: a raw pointer's unsafe std method, or the crate type's own method (null when
    /// neither decides: std types, generics, methods of traits the crate does not declare).
    /// </summary>
    private bool? TypedMethodIsUnsafe(Semantics.RustType receiver, string name)
    {
        // Raw pointers, and std's NonNull, whose unsafe methods are the raw pointer's (as_ref, add, read, write…).
        if (receiver.StripReferences() is Semantics.RawPointerType or Semantics.PathType { Name: "NonNull", Symbol: null })
            return _catalog.UnsafeStdMethods.ContainsKey(name) ? true : null;
        // Pin's own methods (map_unchecked_mut…) come before its pointee's.
        if (receiver.StripReferences() is Semantics.PathType { Symbol: null, Name: "Pin", TypeArguments.Length: 1 } && Semantics.RustCompilation.PinMethodIsUnsafe(name) is { } pinned)
            return pinned;
        // std's vectors and slices (also in a Box): their unsafe methods; other names decide nothing here.
        if (StdSequence(receiver.StripReferences()) && name is "set_len" or "get_unchecked" or "get_unchecked_mut" or "align_to" or "align_to_mut") return true;
        return Compilation.FindMethod(receiver, name) is { } method ? method.IsUnsafe : null;
    }

    private static bool StdSequence(Semantics.RustType t)
        => t is Semantics.SliceType or Semantics.PathType { Symbol: null, Name: "Vec", TypeArguments.Length: 1 }
           || t is Semantics.PathType { Symbol: null, Name: "Box" or "Rc" or "Arc", TypeArguments.Length: 1 } p && p.TypeArguments[0].StripReferences() is Semantics.SliceType;

    /// <summary>Whether a value of that origin is a raw pointer (or a NonNull, for fields) as far as the crate's declarations tell.</summary>
    private bool IsPointer(PointerOrigin o, string selfType = "") => o.Kind switch
    {
        PointerOriginKind.Call => _pointerReturning.Contains(o.Name),
        // self.f: the field of the impl's own type, when the crate declares that struct; else like any field.
        PointerOriginKind.SelfField when selfType.Length > 0 && _typedFields.Contains(selfType + "." + o.Name) => _typedPointerFields.Contains(selfType + "." + o.Name),
        PointerOriginKind.SelfField => IsPointer(o with { Kind = PointerOriginKind.Field }),
        PointerOriginKind.Field => (_rawPointerFields.Contains(o.Name) || _nonNullFields.Contains(o.Name)) && !_nonPointerFields.Contains(o.Name) && !_pointerCellFields.Contains(o.Name),
        PointerOriginKind.CellField => _pointerCellFields.Contains(o.Name) && !_nonPointerFields.Contains(o.Name),
        PointerOriginKind.TypeAlias => _pointerAliases.Contains(o.Name),
        _ => false,
    };

    private bool IsUnsafeMethod(Candidate c, string selfType)
    {
        // A receiver known to be a raw pointer (or NonNull) has std's methods, whatever else the crate calls `add` or `read`.
        bool pointer = c.RawReceiver || IsPointer(c.Origin, selfType);
        if (pointer && _catalog.UnsafeStdMethods.ContainsKey(c.Name)) return true;
        // self.m(): the method of the impl's own type, when it declares one of that name.
        var v = c.Base == "self" && selfType.Length > 0 ? _index.Owned(selfType, c.Name) : CallVerdict.Unknown;
        if (v != CallVerdict.Unknown) return v == CallVerdict.Unsafe;
        v = _index.Method(c.Name);
        if (v == CallVerdict.Unknown && _catalog.UnsafeStdMethods.TryGetValue(c.Name, out var receiver) && receiver == "any") return true;
        // Dependencies: their safe methods make a name ambiguous; their unsafe ones count unless std has safe namesakes.
        foreach (var api in _deps.All())
        {
            var d = api.Functions.Method(c.Name);
            if (d == CallVerdict.Safe) return false;
            if (d == CallVerdict.Unsafe && v == CallVerdict.Unknown && !s_commonStdMethods.Contains(c.Name)) v = d;
        }
        return v == CallVerdict.Unsafe;
    }

    /// <summary>Methods std types have as safe methods: a dependency's unsafe namesake says nothing about <c>x.name()</c>.</summary>
    private static readonly HashSet<string> s_commonStdMethods = new(StringComparer.Ordinal)
    {
        "as_mut", "as_mut_ptr", "as_ptr", "as_ref", "as_slice", "borrow", "borrow_mut", "call", "cast", "clear", "clone", "cmp", "contains",
        "deref", "deref_mut", "downcast", "downcast_ref", "drop", "eq", "expect", "extend", "fetch_add", "find", "flush", "fmt", "from",
        "get", "get_mut", "hash", "index", "insert", "into", "into_inner", "is_empty", "iter", "iter_mut", "join", "len", "load", "lock",
        "map", "new", "next", "poll", "pop", "push", "read", "recv", "remove", "replace", "send", "set", "split", "store", "swap", "take",
        "to_owned", "to_string", "unwrap", "wake", "with", "write",
    };

    private void ResolveCall(Candidate c, RegionDraft draft, FileFacts file, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        var name = c.Name;
        if (name.Length == 0) return;
        bool isPath = c.Path.Contains("::", StringComparison.Ordinal);
        var form = isPath ? FfiCallForm.Path : FfiCallForm.Call;
        // `x.0()`: the tuple struct's field, when x's type (declared, or the constructor it came from) is known.
        if (name.Length > 0 && char.IsAsciiDigit(name[0]))
        {
            if (c.Origin.Kind is PointerOriginKind.TypeAlias or PointerOriginKind.Call && _unsafeFnTupleFields.Contains(c.Origin.Name + "." + name))
                ops.Add(c.ToOperation(OperationKind.UnsafeCall, c.Path));
            return;
        }
        // What the path names, resolved like rustc (items, imports, re-exports, `$crate`, dependencies' sources): a function
        // decides by its declaration, a constructor is no call. Unresolved paths fall back to the rules below.
        if (ResolvedCall(c, draft, file) is { } resolved)
        {
            if (resolved is Semantics.FunctionSymbol { IsUnsafe: true } fn)
            {
                if (fn.IsExtern)
                {
                    ops.Add(c.ToOperation(OperationKind.ExternCall, name));
                    ffi.Add(Classify(name, form, c, "extern-decl"));
                }
                else
                {
                    ops.Add(c.ToOperation(OperationKind.UnsafeCall, name));
                }
            }
            return;
        }
        // A const or static (also a trait's associated const, `T::GET()`) of type `unsafe fn`, where no fn has the name.
        if (_unsafeFnConsts.Contains(name) && _index.FreeByName(name) == CallVerdict.Unknown && _index.OwnedByName(name) == CallVerdict.Unknown)
        {
            ops.Add(c.ToOperation(OperationKind.UnsafeCall, name));
            return;
        }
        // A function pointer held by a field (or a local bound to one): unsafe when the field's type is `unsafe fn`.
        if (c.Origin.Kind is PointerOriginKind.Field or PointerOriginKind.SelfField)
        {
            bool crateSays = _unsafeFnFields.Contains(c.Origin.Name) && !_nonPointerFields.Contains(c.Origin.Name);
            if (crateSays || (!_nonPointerFields.Contains(c.Origin.Name) && _deps.All().Any(d => d.UnsafeFnPointerFields.Contains(c.Origin.Name))))
                ops.Add(c.ToOperation(OperationKind.UnsafeCall, name));
            return;
        }
        var (qualifier, owner) = SplitPath(c.Path, draft.Region.OwnerType);
        if (owner is null && _externFunctions.Contains(name))
        {
            ops.Add(c.ToOperation(OperationKind.ExternCall, name));
            ffi.Add(Classify(name, form, c, "extern-decl"));
            return;
        }
        if (owner is not null)
        {
            if (ResolveAssociated(owner, name, c.Path) == CallVerdict.Unsafe || AliasedStdPath(c, draft) is { } aliased && EndsWithStdPath(aliased))
                ops.Add(c.ToOperation(OperationKind.UnsafeCall, name));
            return;
        }
        if (CrateModule(qualifier, draft.Module) is { } module)
        {
            // A path into the crate: the function of that module, else any free function of that name.
            var v = _index.Free(module, name);
            if (v == CallVerdict.Unknown && qualifier.Length == 0) v = FromGlobImports(file, draft.Module, name);
            if (v == CallVerdict.Unknown) v = _index.FreeByName(name);
            if (Apply(v, c, form, ops, ffi) || v == CallVerdict.Safe) return;
            // `bindings::f` where the crate also has a module named bindings that does not declare f (kernel crates).
            if (qualifier.Length > 0 && IsLinuxBindings(c.Path))
            {
                AddLinuxBindingsCall(name, c, ops, ffi);
                return;
            }
        }
        else
        {
            // Another crate's function: what the dependency declares, when its sources were given.
            if (qualifier.Length > 0 && _deps.Has(qualifier[0]))
            {
                var d = _deps.Call(qualifier, name);
                if (Apply(d, c, form, ops, ffi)) return;
                if (d == CallVerdict.Safe) return;
            }
            // A safe namesake in this crate hints at a Rust wrapper (openssl-sys's `ffi::init`).
            if (IsFfiCratePath(c.Path) && _index.FreeByName(name) != CallVerdict.Safe && _index.OwnedByName(name) != CallVerdict.Safe)
            {
                ops.Add(c.ToOperation(OperationKind.ExternCall, name));
                ffi.Add(Classify(name, FfiCallForm.Path, c, "ffi-crate"));
                return;
            }
            if (IsLinuxBindings(c.Path))
            {
                AddLinuxBindingsCall(name, c, ops, ffi);
                return;
            }
        }
        if (_catalog.Apis.ContainsKey(name))
        {
            ops.Add(c.ToOperation(OperationKind.ExternCall, name));
            ffi.Add(Classify(name, form, c, "catalog"));
            return;
        }
        // Through wdk-sys (a path, or a module the file glob-imports from it): a WDK function the catalog lacks.
        if (ThroughWdkBindings(c.Path, qualifier, draft.Module, file, name))
        {
            ops.Add(c.ToOperation(OperationKind.ExternCall, name));
            ffi.Add(new FfiCall(name, _catalog.FamilyOf(name)?.Family ?? "unknown", "unknown", form, "wdk-bindings", c.Location));
            return;
        }
        if (_catalog.FamilyOf(name) is not null && FromBindingsCrate(c.Path, file))
        {
            ops.Add(c.ToOperation(OperationKind.ExternCall, name));
            ffi.Add(Classify(name, form, c, "family-rule"));
            return;
        }
        if (_catalog.UnsafeStdFree.Contains(name) || EndsWithStdPath(c.Path) || _catalog.UnsafeStdPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            ops.Add(c.ToOperation(OperationKind.UnsafeCall, name));
    }

    /// <summary>
    /// <c>Alias::f</c> with a crate alias of a std type (<c>type RawNonZeroPid = NonZeroI32;</c>): the path through the
    /// alias's target (<c>NonZeroI32::f</c>), so std's unsafe associated functions are found; null otherwise.
    /// </summary>
    private string? AliasedStdPath(Candidate c, RegionDraft draft)
    {
        var path = Semantics.RustCompilation.StripGenerics(c.Path);
        int last = path.LastIndexOf("::", StringComparison.Ordinal);
        if (last <= 0 || Compilation.GetModule(draft.Module) is not { } module) return null;
        return Compilation.ResolvePath(path[..last], module).Symbol is Semantics.TypeAliasSymbol { Target: Semantics.PathType { Symbol: null } target }
            ? target.Path + path[last..] : null;
    }

    /// <summary>
    /// The function (or constructor) a call's path names in the compilation, or null when the path does not resolve to
    /// one. <c>T::f</c> with T a generic parameter of the scope names a trait's function: the crate's traits (else its
    /// dependencies') that declare <c>f</c> decide when they agree.
    /// </summary>
    private Semantics.RustSymbol? ResolvedCall(Candidate c, RegionDraft draft, FileFacts file)
    {
        if (c.Origin.Kind is PointerOriginKind.Field or PointerOriginKind.SelfField || c.Path.Length == 0 || c.Path.StartsWith('<')) return null;
        var compilation = Compilation;
        if (compilation.GetModule(draft.Module) is not { } module) return null;
        var scope = compilation.ScopeAt(file.Path, c.Location.SourceSpan.Start);
        var info = compilation.ResolvePath(c.Path, module, scope?.SelfType ?? draft.Region.OwnerType);
        if (info.Resolution == Semantics.ResolutionKind.Resolved)
            return info.Symbol is Semantics.FunctionSymbol or Semantics.VariantSymbol or Semantics.NamedTypeSymbol { IsTupleStruct: true } ? info.Symbol : null;
        var segments = Semantics.RustCompilation.StripGenerics(c.Path).Split("::");
        if (segments.Length == 2 && scope is { } sc && Array.IndexOf(sc.Generics, segments[0]) >= 0)
        {
            // The parameter's trait bounds name the traits whose function it is.
            foreach (var b in sc.Bounds)
            {
                int tab = b.IndexOf('\t');
                if (tab < 0 || b[..tab] != segments[0]) continue;
                if (compilation.ResolvePath(b[(tab + 1)..], module).Symbol is Semantics.TraitSymbol trait
                    && trait.Members.OfType<Semantics.FunctionSymbol>().FirstOrDefault(f => f.Name == segments[1]) is { } bound)
                    return bound;
            }
            if (compilation.TraitFunction(segments[1]) is { } own) return own;
            var theirs = _deps.All().Select(d => d.Compilation.TraitFunction(segments[1])).OfType<Semantics.FunctionSymbol>().ToList();
            return theirs.Count > 0 && theirs.TrueForAll(f => f.IsUnsafe == theirs[0].IsUnsafe) ? theirs[0] : null;
        }
        return null;
    }

    /// <summary>Adds the operation an Unsafe or Extern verdict means; false for Safe and Unknown.</summary>
    private static bool Apply(CallVerdict v, Candidate c, FfiCallForm form, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        switch (v)
        {
            case CallVerdict.Unsafe:
                ops.Add(c.ToOperation(OperationKind.UnsafeCall, c.Name));
                return true;
            case CallVerdict.Extern:
                ops.Add(c.ToOperation(OperationKind.ExternCall, c.Name));
                ffi.Add(new FfiCall(c.Name, "unknown", "unknown", form, "dependency", c.Location));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// <c>Owner::name(…)</c>: that type's or trait's item (in the crate, std's paths, the dependencies); else any impl or
    /// trait item of that name in the crate and its dependencies (a safe one anywhere makes it ambiguous).
    /// </summary>
    private CallVerdict ResolveAssociated(string owner, string name, string path)
    {
        var v = owner.Length > 0 ? _index.Owned(owner, name) : CallVerdict.Unknown;
        if (v != CallVerdict.Unknown) return v;
        if (EndsWithStdPath(StripGenerics(path)) || _catalog.UnsafeStdAssociated.Contains(name)) return CallVerdict.Unsafe;
        if (owner.Length > 0)
            foreach (var api in _deps.All())
                if (api.Functions.Owned(owner, name) is var d && d != CallVerdict.Unknown) return d;
        v = _index.OwnedByName(name);
        foreach (var api in _deps.All())
            v = Combine(v, api.Functions.OwnedByName(name));
        return v;
    }

    private static CallVerdict Combine(CallVerdict a, CallVerdict b)
        => a == CallVerdict.Safe || b == CallVerdict.Safe ? CallVerdict.Safe : a == CallVerdict.Unknown ? b : a;

    /// <summary>A plain call not declared in its module: the modules the file glob-imports, of the crate or of a dependency.</summary>
    private CallVerdict FromGlobImports(FileFacts file, string module, string name)
    {
        var verdict = CallVerdict.Unknown;
        foreach (var segments in GlobsOf(file).Segments)
        {
            CallVerdict v;
            if (CrateModule(segments, module) is { } m) v = _index.Free(m, name);
            else if (segments.Length > 0 && _deps.Has(segments[0])) v = _deps.Call(segments, name);
            else continue;
            if (v == CallVerdict.Safe) return v;
            if (v != CallVerdict.Unknown) verdict = v;
        }
        return verdict;
    }

    /// <summary>
    /// The qualifier segments of a call path and, for <c>Type::f</c> / <c>Self::f</c> / <c>&lt;T&gt;::f</c>, the owner
    /// type ("" when unknown); owner null for plain and module paths. Generic arguments are dropped.
    /// </summary>
    private static (string[] Qualifier, string? Owner) SplitPath(string path, string selfType)
    {
        if (path.StartsWith('<')) return ([], "");
        var qualifier = RootedSegments(path)[..^1]; // ::std::… as std::…
        if (qualifier.Length == 0) return (qualifier, null);
        var last = qualifier[^1];
        if (last == "Self") return (qualifier, selfType);
        return last.Length > 0 && char.IsUpper(last[0]) ? (qualifier, last) : (qualifier, null);
    }

    // One implementation for the linker and the compilation.
    private static string StripGenerics(string path) => Semantics.RustCompilation.StripGenerics(path);

    /// <summary>The crate module a qualifier names, seen from <paramref name="current"/>; null when it names another crate.</summary>
    private string? CrateModule(string[] qualifier, string current)
    {
        if (qualifier.Length == 0) return current;
        string m;
        int i = 0;
        switch (qualifier[0])
        {
            case "crate" or "$crate":
                m = "";
                i = 1;
                break;
            case "self":
                m = current;
                i = 1;
                break;
            case "super":
                m = current;
                while (i < qualifier.Length && qualifier[i] == "super") { m = FunctionIndex.Parent(m); i++; }
                break;
            default:
                // A child module of this one (2018 paths), else a top-level module (2015 paths); else another crate.
                if (_index.HasModule(Join(current, qualifier[0]))) m = current;
                else if (_index.HasModule(qualifier[0])) m = "";
                else return null;
                break;
        }
        for (; i < qualifier.Length; i++) m = Join(m, qualifier[i]);
        return m;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "::" + b;

    private FfiCall Classify(string name, FfiCallForm form, Candidate c, string source)
    {
        if (_catalog.Apis.TryGetValue(name, out var e)) return new FfiCall(name, e.Family, e.Risk, form, source == "extern-decl" ? "extern-decl" : "catalog", c.Location);
        if (_catalog.FamilyOf(name) is { } f) return new FfiCall(name, f.Family, f.DefaultRisk, form, source == "extern-decl" ? "extern-decl" : "family-rule", c.Location);
        return new FfiCall(name, "unknown", "unknown", form, source, c.Location);
    }

    /// <summary>A call through a C binding crate (ffi-crates.tsv c-bindings: <c>libc::f</c>, <c>foo_sys::f</c>, the usual <c>ffi::f</c> alias).</summary>
    private bool IsFfiCratePath(string path)
    {
        var segments = path.Split("::");
        // `ffi::Foo(…)` builds a tuple struct; C functions may be capitalised but then carry an underscore (EVP_PKEY_new, OpenSSL_version).
        if (segments.Length < 2 || segments[^1].Length == 0 || char.IsUpper(segments[^1][0]) && segments[^1].Any(char.IsLower) && !segments[^1].Contains('_')) return false;
        // The function right after the crate (`libc::open`, `glib::ffi::g_free`), not `libc::c_int::max_value`.
        for (int i = 0; i < segments.Length - 1; i++)
            if (_catalog.FfiCrateKind(segments.AsSpan(i, 1)) is "c-bindings" or "wdk-bindings")
                return i == segments.Length - 2;
        return false;
    }

    private static void AddLinuxBindingsCall(string name, Candidate c, List<UnsafeOperation> ops, List<FfiCall> ffi)
    {
        ops.Add(c.ToOperation(OperationKind.ExternCall, name));
        ffi.Add(new FfiCall(name, "linux", "unknown", FfiCallForm.Path, "linux-bindings", c.Location));
    }

    /// <summary>The Linux kernel's <c>bindings::name</c> (also <c>kernel::bindings::name</c>): one segment after the bindings module.</summary>
    private bool IsLinuxBindings(string path)
    {
        var segments = path.Split("::");
        return segments.Length >= 2 && (_catalog.FfiCrateKind(segments.AsSpan(segments.Length - 2, 1)) == "linux-bindings"
            || segments.Length >= 3 && _catalog.FfiCrateKind(segments.AsSpan(segments.Length - 3, 2)) == "linux-bindings");
    }

    private bool IsWdkBindings(ReadOnlySpan<string> segments)
        => _catalog.FfiCrateKind(segments[..1]) == "wdk-bindings" || segments.Length >= 2 && _catalog.FfiCrateKind(segments[..2]) == "wdk-bindings";

    /// <summary>
    /// A call whose path runs through wdk-sys (<c>wdk_sys::ntddk::F</c>, <c>$crate::ntddk::F</c>), or through a module
    /// of it the file glob-imports (<c>use wdk_sys::*; ntddk::F(…)</c>), or a plain name of a WDK family glob-imported from it.
    /// </summary>
    private bool ThroughWdkBindings(string path, string[] qualifier, string module, FileFacts file, string name)
    {
        if (path.Contains("::", StringComparison.Ordinal) && RootedSegments(path) is { Length: >= 2 } segments && IsWdkBindings(segments)) return true;
        if (!GlobsOf(file).Wdk) return false;
        // `ntddk::F(…)`: a module no crate module or dependency explains, reached through the glob; C names start upper-case.
        if (qualifier.Length > 0)
            return CrateModule(qualifier, module) is null && !_deps.Has(qualifier[0]) && name.Length > 0 && char.IsUpper(name[0]);
        // A plain name: only names of a WDK family (a plain `Foo(…)` may be a tuple struct from the glob).
        return _catalog.FamilyOf(name) is not null;
    }

    /// <summary>The path (after import resolution) goes through a bindings crate, or the file glob-imports one.</summary>
    private bool FromBindingsCrate(string path, FileFacts file)
        => path.Contains("::", StringComparison.Ordinal) ? IsBindingsPath(path) : GlobsOf(file).Bindings;

    private bool IsBindingsPath(string path)
    {
        var segments = path.Split("::");
        return segments.Length >= 2 && (IsWdkBindings(segments) || _catalog.FfiCrateKind(segments.AsSpan(0, 1)) is not null);
    }

    /// <summary>What the file's glob imports (<c>use wdk_sys::*;</c>, <c>use wdk_sys::ntddk::*;</c>) reach, worked out once per file.</summary>
    private GlobImports GlobsOf(FileFacts file) => _globsOf.GetOrAdd(file, f =>
    {
        string[][] segments = [.. f.GlobImports.Select(RootedSegments)];
        return new(segments, segments.Any(gs => gs.Length > 0 && IsWdkBindings(gs)), f.GlobImports.Any(g => IsBindingsPath(g + "::")));
    });

    // A path's segments without generics and without the empty one a leading `::` leaves.
    private static string[] RootedSegments(string path)
    {
        var segments = StripGenerics(path).Split("::");
        return segments.Length > 0 && segments[0].Length == 0 ? segments[1..] : segments;
    }

    private bool EndsWithStdPath(string path)
    {
        foreach (var p in _catalog.UnsafeStdPaths)
            // path == p, or it ends with "::" + p (without making that string for every path and call).
            if (path.EndsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || (path.Length > p.Length + 1 && path[^(p.Length + 1)] == ':' && path[^(p.Length + 2)] == ':')))
                return true;
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
