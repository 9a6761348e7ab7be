using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using UnsafeScope.Inventory;
using UnsafeScope.Text;

namespace UnsafeScope.Semantics;

/// <summary>
/// One crate's declarations (Roslyn's <c>Compilation</c> in shape), built from the item skeleton every file's walk
/// collected: the module tree (files, <c>mod x;</c>, inline modules), its symbols, name resolution through
/// <c>use</c> (globs, renames, groups, <c>self</c>/<c>super</c>/<c>crate</c>, <c>pub use</c> re-exports), enum
/// variants and impls' associated items, and the std prelude. A path into another crate resolves in that crate's
/// compilation when its sources were given (<c>--deps</c>), else to <see cref="ResolutionKind.External"/>: never a guess.
/// Items declared inside function bodies and items that only macros generate are not in it.
/// </summary>
public sealed partial class RustCompilation
{
    private readonly Dictionary<string, ModuleSymbol> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<ModuleSymbol, List<(string Name, string Path, bool Glob)>> _imports = [];
    private readonly Dictionary<(string Path, int Start), RustSymbol> _byLocation = [];
    private readonly Dictionary<RustSymbol, ItemScope> _scopes = [];
    private readonly List<ImplSymbol> _impls = [];
    private readonly Func<string, RustCompilation?> _dependency;
    private readonly Func<string, bool> _isDependency;

    /// <summary>The scope types of an item are resolved in: its module, the self type of its impl, its generics.</summary>
    private sealed record ItemScope(ModuleSymbol Module, string SelfType, ImmutableArray<string> Generics);

    /// <summary>
    /// The std/core prelude names (Rust 2021) and std's common types: a path starting with one of them resolves to
    /// <see cref="ResolutionKind.External"/> (std is not analyzed), unless the crate declares or imports the name.
    /// </summary>
    internal static readonly FrozenSet<string> Prelude = new[]
    {
        "Option", "Some", "None", "Result", "Ok", "Err", "Vec", "String", "Box", "ToString", "ToOwned", "Clone", "Copy", "Send", "Sync", "Sized",
        "Unpin", "Drop", "Fn", "FnMut", "FnOnce", "Default", "Iterator", "IntoIterator", "DoubleEndedIterator", "ExactSizeIterator", "Extend",
        "PartialEq", "Eq", "PartialOrd", "Ord", "AsRef", "AsMut", "Into", "From", "TryFrom", "TryInto", "FromIterator", "drop", "Debug",
        "std", "core", "alloc",
    }.ToFrozenSet(StringComparer.Ordinal);

    internal RustCompilation(string crateName, IEnumerable<FileFacts> files, Func<string, RustCompilation?>? dependency = null,
        Func<string, bool>? isDependency = null, Func<ItemDeclaration, string, bool>? isExported = null)
    {
        CrateName = crateName;
        _dependency = dependency ?? (_ => null);
        _isDependency = isDependency ?? (_ => false);
        RootModule = new ModuleSymbol("", null, "pub", Location.None, crateName) { Compilation = this };
        _modules[""] = RootModule;
        var ordered = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        var modulePaths = PathModuleRemap(ordered);
        // Declared modules first, parents before children, so each has its declaration's place and visibility.
        foreach (var d in ordered.SelectMany(f => Items(f, modulePaths)).Where(d => d.Kind == ItemKind.Module && (d.Flags & ItemFlags.Extern) == 0)
                     .OrderBy(d => d.Module.Length == 0 ? 0 : d.Module.Split("::").Length))
            Module(Join(d.Module, d.Name), d.Location, d.Visibility);
        foreach (var f in ordered)
        {
            var modulePath = modulePaths.GetValueOrDefault(f.Path) ?? f.ModulePath;
            Module(modulePath, Location.None, "pub");
            _fileModules[f.Path] = modulePath;
        }
        foreach (var f in ordered)
        {
            var items = Items(f, modulePaths);
            var symbols = new RustSymbol?[items.Count];
            for (int i = 0; i < items.Count; i++)
            {
                var d = items[i];
                var s = Declare(d, d.Owner >= 0 ? symbols[d.Owner] : null);
                symbols[i] = s;
                if (s is null) continue;
                var ownerType = d.Owner >= 0 ? symbols[d.Owner] switch { ImplSymbol impl => LastSegment(StripGenerics(impl.SelfTypeText)), TraitSymbol t => t.Name, _ => "" } : "";
                s.IsExported = isExported?.Invoke(d, ownerType) ?? d.Visibility == "pub";
                _byLocation.TryAdd((d.Location.Path, d.Location.SourceSpan.Start), s);
            }
            foreach (var scope in f.TypeScopes)
                _typeScopes.Add((f.Path, modulePaths.GetValueOrDefault(f.Path) is { } to ? scope with { Module = Rebase(scope.Module, f.ModulePath, to) } : scope));
        }
        foreach (var (e, variants) in _variants) e.Variants = [.. variants];
        _variants.Clear();
        IndexImpls();
    }

    /// <summary>
    /// The module paths <c>#[path]</c> gives files: <c>#[path = "linux.rs"] mod imp;</c> in <c>a/mod.rs</c> makes
    /// <c>a/linux.rs</c> the module <c>a::imp</c> (and the files below it follow). When several declarations of one
    /// module name sit in a file (cfg'd alternatives, as cfg_if! writes them), the first one wins: it is the first
    /// branch, which is the configuration the compiler usually takes on the common targets (Linux first); the files
    /// of the other branches keep the module path of their place.
    /// </summary>
    internal static Dictionary<string, string> PathModuleRemap(List<FileFacts> files)
    {
        var remap = new Dictionary<string, string>(StringComparer.Ordinal);
        if (files.TrueForAll(f => f.PathModules.Count == 0)) return remap;
        var byPath = new Dictionary<string, FileFacts>(StringComparer.Ordinal);
        foreach (var f in files) byPath.TryAdd(f.Path.Replace('\\', '/'), f);
        foreach (var f in files)
        {
            if (f.PathModules.Count == 0) continue;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in f.PathModules.Select(e => e.Split('\t')).Where(e => e.Length == 3)
                         .OrderBy(e => int.TryParse(e[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : int.MaxValue))
            {
                if (!seen.Add(entry[1])) continue;
                var dir = f.Path.Replace('\\', '/');
                dir = dir.LastIndexOf('/') is var slash and >= 0 ? dir[..slash] : "";
                if (NormalizePath(dir.Length == 0 ? entry[2] : dir + "/" + entry[2]) is not { } target || !byPath.TryGetValue(target, out var file) || file == f) continue;
                remap.TryAdd(file.Path, Join(f.ModulePath, entry[1]));
            }
        }
        // Files below a remapped one (`imp/sub.rs` of `#[path = "imp/mod.rs"]`) follow it.
        foreach (var f in files)
        {
            if (remap.ContainsKey(f.Path)) continue;
            foreach (var (path, to) in remap.ToList())
            {
                var from = byPath.GetValueOrDefault(path.Replace('\\', '/'))?.ModulePath;
                if (from is { Length: > 0 } && f.ModulePath.StartsWith(from + "::", StringComparison.Ordinal))
                {
                    remap.TryAdd(f.Path, Rebase(f.ModulePath, from, to));
                    break;
                }
            }
        }
        return remap;
    }

    private static string? NormalizePath(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Split('/'))
        {
            if (p is "" or ".") continue;
            if (p == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(p);
        }
        return string.Join('/', parts);
    }

    /// <summary>A module path under <paramref name="from"/> moved under <paramref name="to"/>.</summary>
    internal static string Rebase(string module, string from, string to)
        => module == from ? to : from.Length == 0 ? Join(to, module) : module.StartsWith(from + "::", StringComparison.Ordinal) ? to + module[from.Length..] : module;

    /// <summary>A file's items, with their module paths moved when <c>#[path]</c> gives the file another one.</summary>
    private static List<ItemDeclaration> Items(FileFacts f, Dictionary<string, string> remap)
        => remap.GetValueOrDefault(f.Path) is { } to ? [.. f.Items.Select(d => d with { Module = Rebase(d.Module, f.ModulePath, to) })] : f.Items;

    // Impls by the type they are for. Resolving every impl's self type up front cost a second per corpus run, so an
    // impl written `impl … for Name<…>` / `impl a::Name` waits in the bucket of Name until a type of that name is
    // asked for; those whose name could mean another type (aliases, `use … as`) or is not a plain path resolve now.
    private readonly Dictionary<string, List<ImplSymbol>> _implsByName = new(StringComparer.Ordinal);
    private readonly Dictionary<NamedTypeSymbol, List<ImplSymbol>> _resolvedImpls = [];
    private readonly Dictionary<NamedTypeSymbol, ImmutableArray<ImplSymbol>> _implsOf = [];

    private void IndexImpls()
    {
        var aliases = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in _byLocation.Values)
            if (s is TypeAliasSymbol) aliases.Add(s.Name);
        foreach (var list in _imports.Values)
            foreach (var (local, path, glob) in list)
                if (!glob && LastSegment(path) != local) aliases.Add(local);
        foreach (var impl in _impls)
        {
            if (PlainTypeName(impl.SelfTypeText) is { } name && !aliases.Contains(name))
                (_implsByName.TryGetValue(name, out var bucket) ? bucket : _implsByName[name] = []).Add(impl);
            else if (impl.SelfType is PathType { Symbol: NamedTypeSymbol t })
                (_resolvedImpls.TryGetValue(t, out var list) ? list : _resolvedImpls[t] = []).Add(impl);
        }
    }

    /// <summary><c>Name</c> of a self type written as a path (<c>a::Name&lt;T&gt;</c>), else null.</summary>
    private static string? PlainTypeName(string text)
    {
        var name = LastSegment(StripGenerics(text.Trim()));
        if (name.Length == 0) return null;
        foreach (var c in name)
            if (!(char.IsLetterOrDigit(c) || c == '_')) return null;
        return name;
    }

    /// <summary>
    /// The impls of a type this crate declares (for its own types and for its dependencies' types), in declaration
    /// order. A dependency's type also has its own crate's impls: see <see cref="ImplsOf"/>.
    /// </summary>
    internal ImmutableArray<ImplSymbol> LocalImplsOf(NamedTypeSymbol type)
    {
        lock (_gate)
            if (_implsOf.TryGetValue(type, out var known)) return known;
        var found = new List<ImplSymbol>();
        if (_implsByName.TryGetValue(type.Name, out var bucket))
            foreach (var impl in bucket)
                if (impl.SelfType is PathType { Symbol: { } t } && t == type) found.Add(impl);
        if (_resolvedImpls.TryGetValue(type, out var resolved)) found.AddRange(resolved);
        var order = _implOrder ??= _impls.Select((impl, i) => (impl, i)).ToDictionary(p => p.impl, p => p.i);
        ImmutableArray<ImplSymbol> result = [.. found.OrderBy(i => order[i])];
        lock (_gate) _implsOf.TryAdd(type, result);
        return result;
    }

    private Dictionary<ImplSymbol, int>? _implOrder;

    /// <summary>The type's impls as this crate sees them: its own crate's, then this crate's impls of it.</summary>
    internal IEnumerable<ImplSymbol> ImplsOf(NamedTypeSymbol type)
    {
        var owner = type.ContainingModule?.Compilation;
        return owner is null || owner == this ? LocalImplsOf(type) : owner.LocalImplsOf(type).Concat(LocalImplsOf(type));
    }

    private readonly Dictionary<NamedTypeSymbol, List<VariantSymbol>> _variants = [];

    private readonly List<(string File, TypeScope Scope)> _typeScopes = [];
    private Dictionary<string, ScopeIndex>? _scopesByFile;
    private readonly Dictionary<string, string> _fileModules = new(StringComparer.Ordinal);

    /// <summary>The module path of a file of the crate (its <c>mod</c> path from the crate root), or null.</summary>
    internal string? ModuleOfFile(string path) => _fileModules.GetValueOrDefault(path);

    private static string LastSegment(string path) => path.LastIndexOf("::", StringComparison.Ordinal) is var i and >= 0 ? path[(i + 2)..] : path.Trim();

    /// <summary>The crate's name.</summary>
    public string CrateName { get; }

    /// <summary>The crate root module.</summary>
    public ModuleSymbol RootModule { get; }

    /// <summary>Every module of the crate, by path (<c>""</c> for the root), sorted.</summary>
    public ImmutableArray<ModuleSymbol> Modules => [.. _modules.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Value)];

    /// <summary>The module at that path from the crate root, or null.</summary>
    public ModuleSymbol? GetModule(string path) => _modules.GetValueOrDefault(path);

    /// <summary>The symbol declared with its name at that place (a function's, a struct's… name), or null.</summary>
    public RustSymbol? GetDeclaredSymbol(Location location)
        => _byLocation.GetValueOrDefault((location.Path, location.SourceSpan.Start));

    /// <summary>The crate's declared symbols (impl and trait items included), in file and declaration order.</summary>
    public ImmutableArray<RustSymbol> GetSymbols() => [.. _byLocation.OrderBy(p => p.Key.Path, StringComparer.Ordinal).ThenBy(p => p.Key.Start).Select(p => p.Value)];

    /// <summary>What a path names, resolved from the crate root (<c>a::b::Foo</c>, <c>Foo::new</c>, <c>Enum::Variant</c>).</summary>
    public SymbolInfo GetSymbolByPath(string path) => ResolvePath(path, RootModule);

    /// <summary>What a path names, resolved from a module of this crate, as code in that module would.</summary>
    public SymbolInfo ResolvePath(string path, ModuleSymbol from)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(from);
        return Resolve(Segments(path), from, "", 0);
    }

    /// <summary>What a path names from a module, with <c>Self</c> standing for <paramref name="selfType"/> (an impl's type).</summary>
    internal SymbolInfo ResolvePath(string path, ModuleSymbol from, string selfType)
        => Resolve(Segments(path), from, selfType == "Self" ? "" : selfType, 0);

    /// <summary>
    /// The function <c>T::name</c> calls when T is a generic parameter bounded by one of this crate's traits: the traits'
    /// function of that name, null when none declares it or they disagree on <c>unsafe</c>.
    /// </summary>
    internal FunctionSymbol? TraitFunction(string name)
    {
        lock (_traitFunctions)
            if (_traitFunctions.TryGetValue(name, out var known)) return known;
        var found = TraitFunctionIn(this, name);
        lock (_traitFunctions) _traitFunctions[name] = found;
        return found;
    }

    private static FunctionSymbol? TraitFunctionIn(RustCompilation c, string name)
    {
        FunctionSymbol? first = null;
        foreach (var s in c._byLocation.Values)
        {
            if (s is not FunctionSymbol { ContainingSymbol: TraitSymbol } f || f.Name != name) continue;
            if (first is not null && first.IsUnsafe != f.IsUnsafe) return null;
            first ??= f;
        }
        return first;
    }

    private readonly Dictionary<string, FunctionSymbol?> _traitFunctions = new(StringComparer.Ordinal);

    /// <summary>A type written in the source, resolved in a module (aliases expanded, generics unknown).</summary>
    public RustType ResolveType(string typeText, ModuleSymbol from) => ParseType(typeText, new ItemScope(from, "", []));

    // ---- building ----

    private ModuleSymbol Module(string path, Location location, string visibility)
    {
        if (_modules.TryGetValue(path, out var m)) return m;
        int i = path.LastIndexOf("::", StringComparison.Ordinal);
        var parent = i < 0 ? RootModule : Module(path[..i], Location.None, "pub");
        m = new ModuleSymbol(i < 0 ? path : path[(i + 2)..], parent, visibility, location, CrateName) { Compilation = this };
        parent.MemberList.Add(m);
        _modules[path] = m;
        return m;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "::" + b;

    /// <summary><c>impl FnOnce(A, B) -&gt; R</c> as the fn pointer type <c>fn(A, B)</c> (its argument list); "" for other types.</summary>
    private static string ClosureSignature(string type)
    {
        var t = type.Trim();
        if (!t.StartsWith("impl", StringComparison.Ordinal)) return "";
        int open = t.IndexOf('(');
        if (open < 0) return "";
        var head = t[4..open].Trim();
        if (head is not ("Fn" or "FnMut" or "FnOnce")) return "";
        int depth = 0;
        for (int i = open; i < t.Length; i++)
        {
            if (t[i] is '(' or '[' or '<') depth++;
            else if (t[i] is ')' or ']' or '>' && (t[i] != '>' || i == 0 || t[i - 1] != '-')) depth--;
            if (depth == 0) return "fn" + t[open..(i + 1)];
        }
        return "";
    }

    /// <summary><c>impl FnOnce(A) -&gt; R</c>: R as written ("" when the type is no such bound or returns nothing).</summary>
    private static string ClosureReturnText(string type)
    {
        var signature = ClosureSignature(type);
        if (signature.Length == 0) return "";
        var t = type.Trim();
        int open = t.IndexOf('(');
        int close = open + signature.Length - 3; // the signature is "fn" + the parenthesized list: its ")"
        var rest = close + 1 < t.Length ? t[(close + 1)..].Trim() : "";
        return rest.StartsWith("->", StringComparison.Ordinal) ? rest[2..].Trim() : "";
    }

    private RustSymbol? Declare(ItemDeclaration d, RustSymbol? owner)
    {
        var module = Module(d.Module, Location.None, "pub");
        var container = owner ?? module;
        // Made only for the kinds whose types resolve in it (not for uses, modules, macros: most items of a crate).
        ItemScope Scope()
        {
            var generics = owner is ImplSymbol or TraitSymbol && _scopes.TryGetValue(owner, out var os) ? os.Generics.AddRange(d.Generics) : [.. d.Generics];
            return new ItemScope(module, owner is ImplSymbol impl ? impl.SelfTypeText : owner is TraitSymbol ? "Self" : "", generics);
        }
        RustSymbol? s;
        switch (d.Kind)
        {
            case ItemKind.Module:
                if ((d.Flags & ItemFlags.Extern) != 0) return null; // an extern block: its items are the module's
                var m = Module(Join(d.Module, d.Name), d.Location, d.Visibility);
                return m;
            case ItemKind.Function:
            {
                var scope = Scope();
                var fn = new FunctionSymbol(d.Name, container, d.Visibility, d.Location, d.Type.Length == 0 ? static () => RustType.Unit : TypeOf(d.Type, scope))
                {
                    IsUnsafe = (d.Flags & ItemFlags.Unsafe) != 0, IsConst = (d.Flags & ItemFlags.Const) != 0, IsAsync = (d.Flags & ItemFlags.Async) != 0,
                    IsExtern = (d.Flags & ItemFlags.Extern) != 0, Abi = d.Abi, HasBody = (d.Flags & ItemFlags.HasBody) != 0, TypeParameters = [.. d.Generics],
                    SelfKind = (d.Flags & ItemFlags.SelfTyped) != 0 ? SelfKind.Typed : (d.Flags & ItemFlags.SelfMut) != 0 ? SelfKind.MutableReference
                        : (d.Flags & ItemFlags.SelfRef) != 0 ? SelfKind.Reference : (d.Flags & ItemFlags.SelfValue) != 0 ? SelfKind.Value : SelfKind.None,
                    ParameterFactory = d.Members.Length == 0 ? null : ParametersOf(d, scope),
                };
                s = fn;
                break;
            }
            case ItemKind.Struct or ItemKind.Union or ItemKind.Enum:
            {
                var typeScope = new ItemScope(module, d.Name, [.. d.Generics]);
                var t = new NamedTypeSymbol(d.Kind switch { ItemKind.Struct => RustSymbolKind.Struct, ItemKind.Union => RustSymbolKind.Union, _ => RustSymbolKind.Enum },
                    d.Name, container, d.Visibility, d.Location)
                {
                    IsTupleStruct = (d.Flags & ItemFlags.TupleFields) != 0, TypeParameters = [.. d.Generics],
                    FieldFactory = d.Members.Length == 0 ? null : FieldsOf(d, typeScope),
                };
                _scopes[t] = typeScope;
                s = t;
                break;
            }
            case ItemKind.Variant when owner is NamedTypeSymbol e:
            {
                var fieldScope = _scopes.GetValueOrDefault(e) ?? Scope();
                var v = new VariantSymbol(d.Name, e, e.Visibility, d.Location) { FieldFactory = d.Members.Length == 0 ? null : FieldsOf(d, fieldScope) };
                // Collected, then frozen once: an enum of tens of thousands of variants made Add quadratic.
                (_variants.TryGetValue(e, out var pending) ? pending : _variants[e] = []).Add(v);
                return v;
            }
            case ItemKind.TypeAlias or ItemKind.AssociatedType:
                s = new TypeAliasSymbol(d.Name, container, d.Visibility, d.Location, TypeOf(d.Type, Scope()));
                break;
            case ItemKind.Trait:
                s = new TraitSymbol(d.Name, container, d.Visibility, d.Location) { IsUnsafe = (d.Flags & ItemFlags.Unsafe) != 0 };
                _scopes[s] = new ItemScope(module, "Self", [.. d.Generics]);
                break;
            case ItemKind.Impl:
            {
                var implScope = new ItemScope(module, d.Type, [.. d.Generics]);
                var i = new ImplSymbol(module, d.Location, d.Type, d.Trait, TypeOf(d.Type, implScope with { SelfType = "" })) { IsUnsafe = (d.Flags & ItemFlags.Unsafe) != 0 };
                _scopes[i] = implScope;
                _impls.Add(i);
                return i;
            }
            case ItemKind.Static or ItemKind.Const:
                s = new ValueSymbol(d.Kind == ItemKind.Static ? RustSymbolKind.Static : RustSymbolKind.Const, d.Name, container, d.Visibility, d.Location, TypeOf(d.Type, Scope()))
                {
                    IsMutable = (d.Flags & ItemFlags.Mut) != 0, IsExtern = (d.Flags & ItemFlags.Extern) != 0,
                };
                break;
            case ItemKind.Macro:
                s = new MacroSymbol(d.Name, module, d.Visibility, d.Location);
                break;
            case ItemKind.Use:
                if (!_imports.TryGetValue(module, out var list)) _imports[module] = list = [];
                list.Add((d.Name, d.Type, (d.Flags & ItemFlags.Glob) != 0));
                return null;
            default:
                return null;
        }
        switch (container)
        {
            case ModuleSymbol mod: mod.MemberList.Add(s); break;
            case ImplSymbol impl2: impl2.ItemList.Add(s); break;
            case TraitSymbol trait: trait.ItemList.Add(s); break;
        }
        return s;
    }

    /// <summary>A type written in an item's scope, parsed when first asked for.</summary>
    private Func<RustType> TypeOf(string text, ItemScope scope) => () => ParseType(text, scope);

    // Factories made in their own methods: a lambda in Declare would capture its parameters, and the closure would be
    // allocated on every call, for every item.
    private Func<RustSymbol, FieldSymbol[]> FieldsOf(ItemDeclaration d, ItemScope scope) => owner => Fields(d, owner, scope);

    private Func<FunctionSymbol, ParameterSymbol[]> ParametersOf(ItemDeclaration d, ItemScope scope) => fn => Parameters(d, fn, scope);

    private FieldSymbol[] Fields(ItemDeclaration d, RustSymbol owner, ItemScope scope)
        => [.. d.Members.Select(m => m.Split('\t')).Select(p => new FieldSymbol(p[0], owner, d.Location, () => ParseType(p.Length > 1 ? p[1] : "", scope)))];

    private ParameterSymbol[] Parameters(ItemDeclaration d, FunctionSymbol fn, ItemScope scope)
        => [.. d.Members.Select(p => p.Split('\t')).Select(p => new ParameterSymbol(p[0], fn, d.Location, () => ParseType(p.Length > 1 ? p[1] : "", scope))
        {
            ClosureArguments = new(() => ParseType(ClosureSignature(p.Length > 2 ? p[2] : p.Length > 1 ? p[1] : ""), scope) is FunctionPointerType f ? f.ParameterTypes : []),
            ClosureReturn = ClosureReturnText(p.Length > 2 ? p[2] : p.Length > 1 ? p[1] : ""),
        })];

    // ---- resolution ----

    private static string[] Segments(string path)
    {
        var p = StripGenerics(path).Trim();
        var segments = p.Split("::", StringSplitOptions.TrimEntries);
        return segments.Length > 0 && segments[0].Length == 0 ? ["::", .. segments[1..]] : segments;
    }

    internal static string StripGenerics(string path)
    {
        if (path.IndexOf('<') < 0) return path;
        var sb = new System.Text.StringBuilder(path.Length);
        int depth = 0;
        foreach (var ch in path)
        {
            if (ch == '<') depth++;
            else if (ch == '>') depth = Math.Max(0, depth - 1);
            else if (depth == 0) sb.Append(ch);
        }
        return sb.ToString().Replace("::::", "::", StringComparison.Ordinal).TrimEnd(':');
    }

    private SymbolInfo Resolve(string[] segments, ModuleSymbol from, string selfType, int depth)
    {
        if (segments.Length == 0 || depth > 24) return SymbolInfo.None;
        SymbolInfo current;
        int i = 1;
        switch (segments[0])
        {
            case "crate" or "$crate":
                current = SymbolInfo.Of(RootModule);
                break;
            case "self":
                current = SymbolInfo.Of(from);
                break;
            case "super":
                var m = from;
                i = 0;
                while (i < segments.Length && segments[i] == "super") { m = m.ContainingSymbol as ModuleSymbol ?? RootModule; i++; }
                current = SymbolInfo.Of(m);
                break;
            case "Self" when selfType.Length > 0:
                current = ParseType(selfType, new ItemScope(from, "", [])) is PathType { Symbol: { } st } ? SymbolInfo.Of(st) : SymbolInfo.None;
                break;
            case "::":
                if (segments.Length < 2) return SymbolInfo.None;
                current = ExternCrate(segments[1]);
                i = 2;
                break;
            default:
                current = Lookup(from, segments[0], depth);
                // 2015 paths start at the crate root.
                if (current.Resolution == ResolutionKind.Unknown && from != RootModule) current = Lookup(RootModule, segments[0], depth, imports: false);
                if (current.Resolution == ResolutionKind.Unknown) current = ExternCrate(segments[0]);
                break;
        }
        for (; i < segments.Length; i++)
        {
            if (current.Resolution != ResolutionKind.Resolved) return current;
            current = Member(current.Symbol!, segments[i], depth);
        }
        return current;
    }

    private SymbolInfo ExternCrate(string name)
    {
        if (name == CrateName) return SymbolInfo.Of(RootModule);
        if (_isDependency(name)) return _dependency(name) is { } dep ? SymbolInfo.Of(dep.RootModule) : SymbolInfo.External(name);
        if (Prelude.Contains(name)) return SymbolInfo.External(name is "core" or "alloc" ? name : "std");
        return SymbolInfo.None;
    }

    /// <summary>A name in a module's scope: its items, then what it imports by name, then its glob imports.</summary>
    private SymbolInfo Lookup(ModuleSymbol module, string name, int depth, bool imports = true)
    {
        if (depth > 24) return SymbolInfo.None;
        // Memoized. A lookup that reaches itself again on this thread (glob cycles: `use super::*` both ways) finds
        // nothing there; another thread asking the same name meanwhile computes it too instead of seeing a half answer.
        var key = (module, name, imports);
        lock (_gate)
            if (_lookups.TryGetValue(key, out var known)) return known;
        var busy = t_inProgress ??= [];
        if (!busy.Add((this, module, name, imports))) return SymbolInfo.None;
        SymbolInfo result;
        try { result = LookupUncached(module, name, depth, imports); }
        finally { busy.Remove((this, module, name, imports)); }
        lock (_gate) _lookups[key] = result;
        return result;
    }

    [ThreadStatic] private static HashSet<(RustCompilation, ModuleSymbol, string, bool)>? t_inProgress;
    private readonly Lock _gate = new();
    private readonly Dictionary<(ModuleSymbol, string, bool), SymbolInfo> _lookups = [];
    private readonly Dictionary<ModuleSymbol, ILookup<string, RustSymbol>> _memberIndex = [];

    private SymbolInfo LookupUncached(ModuleSymbol module, string name, int depth, bool imports)
    {
        RustSymbol? found = null;
        ILookup<string, RustSymbol> members;
        lock (_gate)
            if (!_memberIndex.TryGetValue(module, out members!)) _memberIndex[module] = members = module.MemberList.ToLookup(m => m.Name, StringComparer.Ordinal);
        foreach (var s in members[name])
            if (found is null || Prefer(s, found)) found = s;
        if (found is not null) return SymbolInfo.Of(found);
        if (!imports && module != RootModule) return SymbolInfo.None;
        var owner = module.ContainingModule is { } ? module : RootModule;
        if (ImportsOf(owner) is { } list)
        {
            foreach (var (local, path, glob) in list)
                if (!glob && local == name) return Resolve(Segments(path), owner, "", depth + 1);
            foreach (var (_, path, glob) in list)
            {
                if (!glob) continue;
                var target = Resolve(Segments(path), owner, "", depth + 1);
                if (target.Resolution == ResolutionKind.External) continue;
                if (target.Symbol is { } t && Member(t, name, depth + 1) is { Resolution: ResolutionKind.Resolved } hit) return hit;
            }
        }
        return SymbolInfo.None;
    }

    private List<(string Name, string Path, bool Glob)>? ImportsOf(ModuleSymbol m)
        => _imports.GetValueOrDefault(m);

    /// <summary>Types and modules before values when both namespaces hold the name (a path continues through them).</summary>
    private static bool Prefer(RustSymbol candidate, RustSymbol current)
        => current is FunctionSymbol or ValueSymbol or MacroSymbol && candidate is ModuleSymbol or NamedTypeSymbol or TraitSymbol or TypeAliasSymbol;

    /// <summary>A member of a resolved symbol: a module's item, an enum's variant, a type's or trait's associated item.</summary>
    private SymbolInfo Member(RustSymbol owner, string name, int depth)
    {
        switch (owner)
        {
            case ModuleSymbol m when m.Compilation is { } other && other != this:
                return other.Lookup(m, name, depth + 1);
            case ModuleSymbol m:
                return Lookup(m, name, depth + 1);
            case NamedTypeSymbol t:
                if (t.Variants.FirstOrDefault(v => v.Name == name) is { } variant) return SymbolInfo.Of(variant);
                return SymbolInfo.Of(AssociatedItem(t, name));
            case TraitSymbol trait:
                return SymbolInfo.Of(trait.ItemList.FirstOrDefault(s => s.Name == name));
            case TypeAliasSymbol alias when alias.Target is PathType { Symbol: { } target }:
                return Member(target, name, depth + 1);
            default:
                return SymbolInfo.None;
        }
    }

    /// <summary>An item of the type's impls (inherent first), else a default item of a trait it implements.</summary>
    internal RustSymbol? AssociatedItem(NamedTypeSymbol type, string name)
    {
        foreach (var impl in ImplsOf(type).OrderBy(i => i.IsTraitImpl))
            if (impl.ItemList.FirstOrDefault(s => s.Name == name) is { } item) return item;
        return null;
    }

    private static readonly FrozenSet<string> s_smartPointerMethods = new[]
    {
        "as_ref", "as_mut", "as_ptr", "as_mut_ptr", "clone", "borrow", "borrow_mut", "deref", "deref_mut", "into_raw", "into_inner", "leak",
        "downcast", "downcast_ref", "eq", "ne", "cmp", "partial_cmp", "fmt", "hash", "drop", "get_mut", "make_mut", "ptr_eq", "pin",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// What auto-deref reaches through std's owning pointers (<c>Box</c>, <c>Rc</c>, <c>Arc</c>) and <c>Pin</c> (to its
    /// pointer's target): their pointee. A <c>Pin</c> stays when the name is one of Pin's own methods.
    /// </summary>
    private static RustType SmartPointee(RustType t, string? method = null)
    {
        for (int i = 0; i < 4; i++)
        {
            if (t is PathType { Symbol: null, Name: "Box" or "Rc" or "Arc", TypeArguments.Length: 1 } p) t = p.TypeArguments[0].StripReferences();
            else if (t is PathType { Symbol: null, Name: "Pin", TypeArguments.Length: 1 } pin && (method is null || PinMethodIsUnsafe(method) is null)) t = pin.TypeArguments[0].StripReferences();
            else break;
        }
        return t;
    }

    /// <summary>Pin's own methods: whether each is unsafe (<c>map_unchecked_mut</c>…); null for other names (those reach the pointee).</summary>
    internal static bool? PinMethodIsUnsafe(string name) => name switch
    {
        "map_unchecked" or "map_unchecked_mut" or "get_unchecked_mut" => true,
        "as_mut" or "as_ref" or "get_mut" or "get_ref" or "set" or "into_ref" or "as_deref_mut" or "clone" => false,
        _ => null,
    };

    /// <summary>The method a call <c>receiver.name()</c> calls, when the receiver's type is a type of this crate (auto-deref included).</summary>
    internal FunctionSymbol? FindMethod(RustType receiver, string name) => FindMethodWithArguments(receiver, name)?.Method;

    // ---- types ----

    private RustType ParseType(string text, ItemScope scope) => TypeText.Parse(text, (path, args) => ResolveTypePath(path, args, scope));

    [ThreadStatic] private static int t_aliasDepth;

    private RustType ResolveTypePath(string path, ImmutableArray<RustType> args, ItemScope scope)
    {
        if (path == "Self")
            return scope.SelfType is { Length: > 0 } st && st != "Self" ? ParseType(st, scope with { SelfType = "" }) : new GenericParameterType("Self");
        if (!path.Contains("::", StringComparison.Ordinal) && scope.Generics.Contains(path)) return new GenericParameterType(path);
        if (!path.Contains("::", StringComparison.Ordinal) && IsPrimitive(path)) return new PathType(path, [], null);
        var info = Resolve(Segments(path), scope.Module, scope.SelfType, 0);
        if (info.Symbol is TypeAliasSymbol alias && args.IsEmpty)
        {
            if (t_aliasDepth > 8) return RustType.Unknown;
            t_aliasDepth++;
            try
            {
                return alias.Target;
            }
            catch (InvalidOperationException)
            {
                return RustType.Unknown; // an alias cycle
            }
            finally
            {
                t_aliasDepth--;
            }
        }
        return info.Resolution switch
        {
            ResolutionKind.Resolved when info.Symbol is NamedTypeSymbol or TraitSymbol or TypeAliasSymbol => new PathType(info.Symbol.Path, args, info.Symbol),
            ResolutionKind.External => new PathType(path, args, null),
            _ when Prelude.Contains(path) => new PathType(path, args, null),
            _ => RustType.Unknown,
        };
    }

    private static bool IsPrimitive(string name) => name is "u8" or "u16" or "u32" or "u64" or "u128" or "usize" or "i8" or "i16" or "i32" or "i64" or "i128"
        or "isize" or "f32" or "f64" or "bool" or "char" or "str";

    // ---- local types ----

    /// <summary>The innermost function scope of a file holding that position, for recipes.</summary>
    internal TypeScope? ScopeAt(string file, int position)
    {
        Dictionary<string, ScopeIndex> byFile;
        lock (_gate)
            byFile = _scopesByFile ??= _typeScopes.GroupBy(p => p.File, p => p.Scope, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new ScopeIndex([.. g]), StringComparer.Ordinal);
        return byFile.TryGetValue(file, out var index) ? index.At(position) : null;
    }

    /// <summary>
    /// A file's scopes by start: the innermost holding a position is the one of latest start that holds it (the last
    /// of equal starts). Scanning every scope for every call was quadratic in files of thousands of functions.
    /// </summary>
    internal sealed class ScopeIndex
    {
        private readonly TypeScope[] _byStart;
        private readonly int[] _starts;
        private readonly int[] _maxEnd; // the largest end among _byStart[0..k]

        public ScopeIndex(TypeScope[] inOrder)
        {
            _byStart = [.. inOrder.OrderBy(s => s.Start)]; // stable: equal starts keep their order
            _starts = [.. _byStart.Select(s => s.Start)];
            _maxEnd = new int[_byStart.Length];
            for (int k = 0, max = int.MinValue; k < _byStart.Length; k++) _maxEnd[k] = max = Math.Max(max, _byStart[k].End);
        }

        public TypeScope? At(int position)
        {
            // The last scope starting at or before the position, then back until one holds it (none can once every
            // earlier scope ends at or before it).
            int lo = 0, hi = _starts.Length - 1, last = -1;
            while (lo <= hi)
            {
                int mid = (lo + hi) >>> 1;
                if (_starts[mid] <= position) { last = mid; lo = mid + 1; }
                else hi = mid - 1;
            }
            for (int k = last; k >= 0 && _maxEnd[k] > position; k--)
                if (position < _byStart[k].End) return _byStart[k];
            return null;
        }
    }

    /// <summary>Evaluates a type recipe (<see cref="TypeRecipe"/>) in a function's scope.</summary>
    internal RustType Evaluate(string recipe, TypeScope scope)
    {
        var itemScope = new ItemScope(Module(scope.Module, Location.None, "pub"), scope.SelfType, [.. scope.Generics]);
        int pos = 0;
        try
        {
            return Eval(recipe, ref pos, itemScope, 0);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            return RustType.Unknown;
        }
    }

    private static string ReadAtom(string r, ref int pos)
    {
        int colon = r.IndexOf(':', pos);
        int n = int.Parse(r.AsSpan(pos, colon - pos), CultureInfo.InvariantCulture);
        var text = r.Substring(colon + 1, n);
        pos = colon + 1 + n;
        return text;
    }

    private RustType Eval(string r, ref int pos, ItemScope scope, int depth)
    {
        if (depth > 32) throw new FormatException();
        char op = r[pos++];
        switch (op)
        {
            case 'U':
                return RustType.Unknown;
            case 'T':
                return ParseType(ReadAtom(r, ref pos), scope);
            case 'V':
            {
                var info = Resolve(Segments(ReadAtom(r, ref pos)), scope.Module, scope.SelfType, 0);
                return info.Symbol switch
                {
                    ValueSymbol v => v.Type,
                    NamedTypeSymbol t => new PathType(t.Path, [], t),
                    _ => RustType.Unknown,
                };
            }
            case 'C':
            {
                var callee = ReadAtom(r, ref pos);
                var info = Resolve(Segments(callee), scope.Module, scope.SelfType, 0);
                // std's vector constructors: a Vec whose element type is not written here.
                if (info.Resolution == ResolutionKind.External && StripGenerics(callee).Replace(" ", "", StringComparison.Ordinal) is "Vec::new" or "Vec::with_capacity" or "std::vec::Vec::new" or "std::vec::Vec::with_capacity")
                    return new PathType("Vec", [RustType.Unknown], null);
                return info.Symbol switch
                {
                    FunctionSymbol f => f.ReturnType,
                    NamedTypeSymbol { IsTupleStruct: true } t => new PathType(t.Path, [], t),
                    VariantSymbol { ContainingSymbol: NamedTypeSymbol e } => new PathType(e.Path, [], e),
                    _ => RustType.Unknown,
                };
            }
            case 'F':
            {
                var name = ReadAtom(r, ref pos);
                return FieldType(Eval(r, ref pos, scope, depth + 1), name);
            }
            case 'B':
            {
                // A pattern's binding: the projection path from the scrutinee, then the scrutinee's recipe.
                var steps = ReadAtom(r, ref pos);
                return Project(steps, Eval(r, ref pos, scope, depth + 1), scope);
            }
            case 'W':
            {
                // A call of std's constructors and readers whose result follows from their pointer argument
                // (`Box::from_raw(p)`, `NonNull::new_unchecked(p)`, `ptr::read(p)`); a function of the crate: its return type.
                var callee = ReadAtom(r, ref pos);
                var argument = Eval(r, ref pos, scope, depth + 1);
                var info = Resolve(Segments(callee), scope.Module, scope.SelfType, 0);
                if (info.Symbol is FunctionSymbol f) return f.ReturnType;
                if (info.Resolution != ResolutionKind.External) return RustType.Unknown;
                if (callee == "Some") return argument.Kind == RustTypeKind.Unknown ? argument : new PathType("Option", [argument], null);
                if (argument is not RawPointerType pointer) return RustType.Unknown;
                var segments = Segments(callee);
                var owner = segments.Length >= 2 ? segments[^2] : "";
                return (owner, segments[^1]) switch
                {
                    ("Box" or "Rc" or "Arc", "from_raw") => new PathType(owner, [pointer.Pointee], null),
                    ("NonNull", "new_unchecked") => new PathType("NonNull", [pointer.Pointee], null),
                    ("NonNull", "new") => new PathType("Option", [new PathType("NonNull", [pointer.Pointee], null)], null),
                    ("ptr", "read" or "read_unaligned" or "read_volatile") => pointer.Pointee,
                    _ => RustType.Unknown,
                };
            }
            case 'N':
            {
                // `x.m(…, |a| body, …)`: a method whose result is its closure's result (`with<R>(&self, f: impl FnOnce(*const T) -> R) -> R`)
                // has the type of the closure's body; any other method, as for M.
                var name = ReadAtom(r, ref pos);
                if (r[pos++] != 'A') throw new FormatException();
                int arg = int.Parse(ReadAtom(r, ref pos), CultureInfo.InvariantCulture);
                var body = Eval(r, ref pos, scope, depth + 1);
                var receiver = Eval(r, ref pos, scope, depth + 1);
                if (body.Kind != RustTypeKind.Unknown && FindMethodWithArguments(receiver, name) is { } found
                    && found.Method.ReturnType is GenericParameterType { Kind: RustTypeKind.GenericParameter } g && found.Method.TypeParameters.Contains(g.Name)
                    && arg < found.Method.Parameters.Length && found.Method.Parameters[arg].ClosureReturn == g.Name)
                    return body;
                return MethodReturn(receiver, name);
            }
            case 'O':
            {
                // The branches of an if or match: the first whose type is known (they all have the expression's type).
                var first = Eval(r, ref pos, scope, depth + 1);
                var second = Eval(r, ref pos, scope, depth + 1);
                return first.Kind is not (RustTypeKind.Unknown or RustTypeKind.Never) ? first
                    : second.Kind is not RustTypeKind.Never ? second : RustType.Unknown;
            }
            case 'L':
                // A for loop's item.
                return IteratorItem(Eval(r, ref pos, scope, depth + 1));
            case 'M':
            {
                var name = ReadAtom(r, ref pos);
                var t = Eval(r, ref pos, scope, depth + 1);
                return MethodReturn(t, name);
            }
            case 'D':
            {
                var t = Eval(r, ref pos, scope, depth + 1);
                return t switch
                {
                    RawPointerType p => p.Pointee,
                    ReferenceType rf => rf.Referent,
                    PathType { Path: "Box" or "std::boxed::Box" or "alloc::boxed::Box", TypeArguments.Length: 1 } b => b.TypeArguments[0],
                    _ => RustType.Unknown,
                };
            }
            case 'R' or 'Q':
            {
                var t = Eval(r, ref pos, scope, depth + 1);
                return t.Kind == RustTypeKind.Unknown ? t : new ReferenceType(op == 'Q', "", t);
            }
            case 'P':
            {
                var m = ReadAtom(r, ref pos);
                var t = Eval(r, ref pos, scope, depth + 1);
                return new RawPointerType(m == "mut", t);
            }
            case 'K' or 'J':
            {
                // A closure's parameter: the argument type the called function's `impl Fn(..)` parameter passes it.
                // K: a method call (name, then the receiver's recipe); J: a path call (the function's path).
                var name = ReadAtom(r, ref pos);
                if (r[pos++] != 'A') throw new FormatException();
                var at = ReadAtom(r, ref pos).Split(',');
                FunctionSymbol? callee;
                Dictionary<string, RustType>? arguments = null;
                int arg = int.Parse(at[0], CultureInfo.InvariantCulture), param = int.Parse(at[1], CultureInfo.InvariantCulture);
                if (op == 'K')
                {
                    var receiver = Eval(r, ref pos, scope, depth + 1);
                    var found = FindMethodWithArguments(receiver, name);
                    if (found is null)
                    {
                        // Pin<&mut T>::map_unchecked_mut(self, impl FnOnce(&mut T) -> &mut U) (and map_unchecked with &T).
                        if (arg == 0 && param == 0 && receiver.StripReferences() is PathType { Symbol: null, Name: "Pin", TypeArguments: [ReferenceType pinned] }
                            && name is "map_unchecked" or "map_unchecked_mut")
                            return new ReferenceType(name == "map_unchecked_mut", "", pinned.Referent);
                        return arg == 0 && param == 0 ? AdapterItem(receiver, name) : RustType.Unknown;
                    }
                    (callee, arguments) = found.Value;
                }
                else callee = Resolve(Segments(name), scope.Module, scope.SelfType, 0).Symbol as FunctionSymbol;
                if (callee is null || arg >= callee.Parameters.Length) return RustType.Unknown;
                var passed = callee.Parameters[arg].ClosureArguments.Value;
                // The receiver's generic arguments: `Cell<T>::with(&self, f: impl FnOnce(*const T))` on a Cell<Waiter>.
                return param < passed.Length ? arguments is null ? passed[param] : Substitute(passed[param], arguments) : RustType.Unknown;
            }
            case 'Y':
            {
                // `e?`: the success value of std's Option and Result (also through the crate's `Result<T>` aliases).
                var t = Eval(r, ref pos, scope, depth + 1);
                return t is PathType { Symbol: null, Name: "Option" or "Result", TypeArguments.Length: > 0 } tried ? tried.TypeArguments[0] : RustType.Unknown;
            }
            case 'I':
            {
                // Indexing auto-derefs (a Box<[T]> or Box<[T; N]> is indexed as its slice or array).
                var t = SmartPointee(Eval(r, ref pos, scope, depth + 1).StripReferences());
                return t switch
                {
                    SliceType s => s.Element,
                    PathType { Name: "Vec", TypeArguments.Length: 1 } v => v.TypeArguments[0],
                    _ => RustType.Unknown,
                };
            }
            default:
                throw new FormatException();
        }
    }

    /// <summary>
    /// The inherent methods of raw pointers whose result type follows from the pointer's: pointer arithmetic keeps the
    /// pointer, reads give the pointee. (Others, and methods of std types, are unknown.)
    /// </summary>
    private static readonly FrozenSet<string> s_pointerArithmetic = new[]
    {
        "add", "sub", "offset", "wrapping_add", "wrapping_sub", "wrapping_offset", "byte_add", "byte_sub", "byte_offset",
        "wrapping_byte_add", "wrapping_byte_sub", "wrapping_byte_offset", "with_addr", "map_addr", "as_ptr", "as_mut_ptr",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The result of a method of std's cell and pointer wrappers, whose signatures give the pointers unsafe code
    /// dereferences: <c>UnsafeCell::get</c> a <c>*mut T</c>, <c>Cell::get</c> the <c>T</c>, <c>NonNull::as_ptr</c>,
    /// <c>MaybeUninit::as_ptr</c>…; <c>Option::unwrap</c> its value. Null for other types and methods.
    /// </summary>
    internal static RustType? StdMethodReturn(RustType receiver, string name)
    {
        if (receiver.StripReferences() is not PathType { Symbol: null, TypeArguments.Length: 1 } p) return null;
        var arg = p.TypeArguments[0];
        return (p.Name, name) switch
        {
            ("UnsafeCell" or "SyncUnsafeCell", "get" or "raw_get") => new RawPointerType(true, arg),
            ("UnsafeCell" or "SyncUnsafeCell" or "Cell" or "RefCell", "get_mut") => new ReferenceType(true, "", arg),
            ("UnsafeCell" or "SyncUnsafeCell" or "Cell" or "RefCell", "into_inner") => arg,
            ("Cell", "get" or "take" or "replace") => arg,
            ("Cell" or "RefCell", "as_ptr") => new RawPointerType(true, arg),
            ("NonNull", "as_ptr") => new RawPointerType(true, arg),
            ("NonNull", "as_ref") => new ReferenceType(false, "", arg),
            ("NonNull", "as_mut") => new ReferenceType(true, "", arg),
            ("NonNull", "add" or "sub" or "offset" or "byte_add" or "byte_sub" or "byte_offset") => p,
            ("NonNull", "read" or "read_unaligned" or "read_volatile") => arg,
            ("MaybeUninit", "as_ptr") => new RawPointerType(false, arg),
            ("MaybeUninit", "as_mut_ptr") => new RawPointerType(true, arg),
            ("MaybeUninit", "assume_init" or "assume_init_read") => arg,
            ("MaybeUninit", "assume_init_ref") => new ReferenceType(false, "", arg),
            ("MaybeUninit", "assume_init_mut") => new ReferenceType(true, "", arg),
            ("AtomicPtr", "get_mut") => new ReferenceType(true, "", new RawPointerType(true, arg)),
            ("AtomicPtr", "load" or "swap" or "into_inner" or "as_ptr") => new RawPointerType(true, arg),
            ("Option", "unwrap" or "expect" or "unwrap_unchecked") => arg,
            ("ManuallyDrop", "take" or "into_inner") => arg,
            _ => null,
        };
    }

    private RustType MethodReturn(RustType receiver, string name)
    {
        var t = receiver.StripReferences();
        if (t is RawPointerType p)
        {
            if (s_pointerArithmetic.Contains(name)) return p;
            return name switch
            {
                "cast" => new RawPointerType(p.IsMutable, RustType.Unknown),
                "cast_mut" => new RawPointerType(true, p.Pointee),
                "cast_const" => new RawPointerType(false, p.Pointee),
                "read" or "read_unaligned" or "read_volatile" or "replace" => p.Pointee,
                "as_ref" => new PathType("Option", [new ReferenceType(false, "", p.Pointee)], null),
                "as_mut" => new PathType("Option", [new ReferenceType(true, "", p.Pointee)], null),
                "is_null" => new PathType("bool", [], null),
                "offset_from" => new PathType("isize", [], null),
                "addr" => new PathType("usize", [], null),
                _ => RustType.Unknown,
            };
        }
        if (StdMethodReturn(t, name) is { } std) return std;
        // Slices, arrays and vectors (also behind Box/Rc/Arc, which have no such methods of their own): their element pointers.
        RustType? element = SmartPointee(t) switch
        {
            SliceType s => s.Element,
            PathType { Name: "Vec", TypeArguments.Length: 1 } v => v.TypeArguments[0],
            _ => null,
        };
        if (element is not null)
        {
            switch (name)
            {
                case "as_ptr": return new RawPointerType(false, element);
                case "as_mut_ptr": return new RawPointerType(true, element);
                case "get_unchecked": return new ReferenceType(false, "", element);
                case "get_unchecked_mut": return new ReferenceType(true, "", element);
                case "iter": return new PathType("std::slice::Iter", [element], null);
                case "iter_mut": return new PathType("std::slice::IterMut", [element], null);
                case "into_iter" when t is PathType { Name: "Vec" }: return new PathType("std::vec::IntoIter", [element], null);
            }
        }
        return FindMethodWithArguments(t, name) is { } found ? Substitute(found.Method.ReturnType, found.Arguments) : RustType.Unknown;
    }
}
