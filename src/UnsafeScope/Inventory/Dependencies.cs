using UnsafeScope.Diagnostics;
using System.Collections.Immutable;
using UnsafeScope.Catalogs;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

/// <summary>
/// Opt-in dependency sources (<c>AnalysisOptions.DependencySources</c>): folders of unpacked crates named
/// <c>&lt;package&gt;-&lt;version&gt;</c> (a cargo registry's <c>src/…</c> folder, Debian's /usr/share/cargo/registry).
/// For each analyzed crate the dependencies its Cargo.toml names are looked up there (the highest version meeting
/// the requirement) and their public functions indexed, so calls of a dependency's unsafe functions count as unsafe
/// operations. Only the given folders are read, and there only the chosen crates' Cargo.toml and <c>.rs</c> files
/// (no symbolic links); each crate is parsed once per run.
/// </summary>
internal sealed class DependencySources
{
    private readonly ImmutableArray<string> _roots;
    private readonly ApiCatalog _catalog;
    private readonly long _maxFileBytes;
    private readonly TimeSpan _parseTimeout;
    private readonly CancellationToken _cancellationToken;
    private readonly Lock _lock = new();
    private Dictionary<string, List<(SemVersion Version, string Directory)>>? _packages;
    private readonly Dictionary<string, DependencyApi> _apis = new(StringComparer.Ordinal);
    // Missing dependency (package and requirement) -> the first crate in ordinal order that requires it: crates link
    // side by side, so naming whichever asked first would make the note depend on timing.
    private readonly Dictionary<(string Package, string Requirement), string> _missing = [];
    private readonly List<ToolNotification> _folderNotes = [];

    public DependencySources(ImmutableArray<string> roots, ApiCatalog catalog, long maxFileBytes, TimeSpan parseTimeout, CancellationToken cancellationToken)
    {
        _roots = [.. roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))];
        _catalog = catalog;
        _maxFileBytes = maxFileBytes;
        _parseTimeout = parseTimeout;
        _cancellationToken = cancellationToken;
    }

    /// <summary>What went wrong on the way: missing folders, dependencies not found (one note each).</summary>
    public IReadOnlyList<ToolNotification> Notifications
    {
        get
        {
            lock (_lock)
                return [.. _folderNotes, .. _missing.Select(m => new ToolNotification(NotificationIds.DependencyNotFound, NotificationLevel.Note,
                    $"Dependency {m.Key.Package} {m.Key.Requirement} (of {m.Value}) is not in the dependency sources; calls of its unsafe functions are not recognized.", ""))];
        }
    }

    /// <summary>The dependencies of an analyzed crate's package (workspace inheritance applied by the model).</summary>
    public CrateDependencies ForCrate(Workspace.CargoPackage? package, string crateName)
    {
        if (package is null) return CrateDependencies.None;
        var deps = CargoManifest.Dependencies(package);
        var result = new CrateDependencies(this, deps, crateName);
        // Find every folder now (cheap; parsing waits for first use) so that missing ones are always noted.
        foreach (var d in deps) result.Get(d.CodeName);
        return result;
    }

    /// <summary>The indexed dependency, or null when no folder meets the requirement (noted once).</summary>
    internal DependencyApi? Resolve(ManifestDependency dependency, string requiredBy)
    {
        lock (_lock)
        {
            var packages = Packages();
            var candidates = packages.GetValueOrDefault(dependency.Package) ?? packages.GetValueOrDefault(dependency.Package.Replace('-', '_')) ?? [];
            string? dir = null;
            var best = default(SemVersion);
            foreach (var (version, d) in candidates)
                if (VersionRequirement.Matches(dependency.Requirement, version) && (dir is null || version > best)) (best, dir) = (version, d);
            if (dir is null)
            {
                var key = (dependency.Package, dependency.Requirement);
                if (!_missing.TryGetValue(key, out var first) || string.CompareOrdinal(requiredBy, first) < 0) _missing[key] = requiredBy;
                return null;
            }
            if (!_apis.TryGetValue(dir, out var api))
                _apis[dir] = api = new DependencyApi(this, Path.GetFileName(dir), dir);
            return api;
        }
    }

    /// <summary>Package name → versions found, from the names of the source folders' subfolders (read once).</summary>
    private Dictionary<string, List<(SemVersion, string)>> Packages()
    {
        if (_packages is not null) return _packages;
        _packages = new(StringComparer.Ordinal);
        foreach (var root in _roots)
        {
            if (!Directory.Exists(root))
            {
                _folderNotes.Add(new ToolNotification(NotificationIds.DependencyNotFound, NotificationLevel.Warning, $"The dependency source folder '{root}' does not exist.", ""));
                continue;
            }
            IEnumerable<string> dirs;
            try
            {
                dirs = Directory.EnumerateDirectories(root).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _folderNotes.Add(new ToolNotification(NotificationIds.Unreadable, NotificationLevel.Warning, $"The dependency source folder '{root}' could not be read: {e.Message}", ""));
                continue;
            }
            foreach (var dir in dirs)
            {
                var name = Path.GetFileName(dir);
                // <package>-<version>: the version starts after the last dash followed by a digit and a dot-separated triple.
                for (int i = name.Length - 1; i > 0; i--)
                {
                    if (name[i] != '-' || i + 1 >= name.Length || !char.IsAsciiDigit(name[i + 1])) continue;
                    if (SemVersion.TryParse(name[(i + 1)..], out var v))
                    {
                        var list = _packages.TryGetValue(name[..i], out var l) ? l : _packages[name[..i]] = [];
                        list.Add((v, dir));
                    }
                    break;
                }
            }
        }
        return _packages;
    }

    /// <summary>Parses the library sources of one dependency folder.</summary>
    internal (List<FileFacts> Files, IO.TomlTable? Manifest) Load(string dir, string name)
    {
        var files = new List<FileFacts>();
        IO.TomlTable? manifest = null;
        try
        {
            var m = Path.Combine(dir, "Cargo.toml");
            if (File.Exists(m) && new FileInfo(m).LinkTarget is null) manifest = IO.TomlDocument.Read(m, m);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IO.TomlSyntaxException)
        {
            // A dependency's manifest only names its own dependencies: without it, their calls are not resolved.
        }
        var src = Path.Combine(dir, "src");
        var top = Directory.Exists(src) ? src : dir;
        foreach (var path in RustFiles(top, dir))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var info = new FileInfo(path);
                if (info.Length > _maxFileBytes) continue;
                var text = SourceText.From(IO.UntrustedFile.ReadAllBytes(path, _maxFileBytes), Path.GetRelativePath(dir, path).Replace('\\', '/'));
                if (text.ContainsNul) continue;
                var parseBudget = new ParseBudget(_parseTimeout, _cancellationToken); // shared with its macro code
                var tree = RustSyntaxTree.Parse(text, RustParseOptions.Default with { Timeout = _parseTimeout, NodesInPlace = true }, _cancellationToken);
                try
                {
                    if (tree.Status != ParseStatus.Ok) continue;
                    files.Add(Extractor.Extract(tree, _catalog, text.Path, name, CrateLocator.ModulePath(dir, path), parseBudget: parseBudget));
                }
                finally
                {
                    tree.ReleaseNodes(); // the facts keep spans, not nodes
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return (files, manifest);
    }

    /// <summary>The library's .rs files of a dependency folder (its <c>src</c>, else the folder).</summary>
    internal static IEnumerable<string> LibraryFiles(string dir)
    {
        var src = Path.Combine(dir, "src");
        return RustFiles(Directory.Exists(src) ? src : dir, dir);
    }

    /// <summary>The .rs files under a folder, without following links out of the dependency's folder, skipping tests and examples.</summary>
    private static IEnumerable<string> RustFiles(string top, string dependencyRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dependencyRoot)) + Path.DirectorySeparatorChar;
        var pending = new Stack<string>();
        pending.Push(top);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            List<FileSystemInfo> entries;
            try
            {
                entries = [.. new DirectoryInfo(dir).EnumerateFileSystemInfos()];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var e in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (e.LinkTarget is not null || !Path.GetFullPath(e.FullName).StartsWith(root, StringComparison.Ordinal)) continue;
                if (e is DirectoryInfo d)
                {
                    if (d.Name is not ("tests" or "benches" or "examples" or "target" or ".git")) pending.Push(d.FullName);
                }
                else if (e.Name.EndsWith(".rs", StringComparison.Ordinal))
                {
                    yield return e.FullName;
                }
            }
        }
    }
}

/// <summary>One dependency crate's public functions and extern functions, parsed on first use.</summary>
internal sealed class DependencyApi
{
    private readonly DependencySources _sources;
    private readonly Lazy<(FunctionIndex Functions, HashSet<string> Extern, HashSet<string> FnFields, CrateDependencies Dependencies, List<string> Reexported, Semantics.RustCompilation Compilation)> _loaded;

    public DependencyApi(DependencySources sources, string name, string directory)
    {
        _sources = sources;
        Name = name;
        Directory = directory;
        _loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }
    public string Directory { get; }
    public FunctionIndex Functions => _loaded.Value.Functions;

    /// <summary>Its declarations, for paths into it (its own dependencies resolve the same way).</summary>
    public Semantics.RustCompilation Compilation => _loaded.Value.Compilation;
    public HashSet<string> ExternFunctions => _loaded.Value.Extern;

    /// <summary>Its struct fields of type <c>unsafe fn</c> (<c>(*class).activate</c> of a -sys crate's class struct).</summary>
    public HashSet<string> UnsafeFnPointerFields => _loaded.Value.FnFields;

    /// <summary>Dependencies of this one that it re-exports (<c>pub use foreign_types_shared::ForeignTypeRef</c>), found.</summary>
    public IEnumerable<DependencyApi> ReexportedDependencies()
    {
        foreach (var codeName in _loaded.Value.Reexported)
            if (_loaded.Value.Dependencies.Get(codeName) is { } api) yield return api;
    }

    private (FunctionIndex, HashSet<string>, HashSet<string>, CrateDependencies, List<string>, Semantics.RustCompilation) Load()
    {
        var (files, manifest) = _sources.Load(Directory, Name);
        var externs = new HashSet<string>(StringComparer.Ordinal);
        var fnFields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            externs.UnionWith(f.ExternFunctions);
            fnFields.UnionWith(f.UnsafeFnPointerFields);
        }
        List<ManifestDependency> deps = manifest is null ? [] : CargoManifest.Dependencies(manifest);
        var dependencies = new CrateDependencies(_sources, deps, Name);
        var reexported = files.SelectMany(f => f.Reexports).Select(r => r.Path.Split("::")[0]).Where(dependencies.Has).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var compilation = new Semantics.RustCompilation(files.Count > 0 ? files[0].Crate : Name, files, code => dependencies.Get(code)?.Compilation, dependencies.Has);
        return (new FunctionIndex(files, publicOnly: true), externs, fnFields, dependencies, reexported, compilation);
    }

    /// <summary>
    /// A call <c>dep::rest::name(…)</c> (rest without the dependency's own name): through its dependencies
    /// (<c>glib::gobject_ffi::f</c>), to a type's items, to the free functions of that module, its extern functions,
    /// else any public free function of that name.
    /// </summary>
    public CallVerdict Call(ReadOnlySpan<string> rest, string name, int depth = 0)
    {
        if (rest.Length > 0 && depth < 3 && !Functions.HasModule(rest[0]) && _loaded.Value.Dependencies.Get(rest[0]) is { } inner)
            return inner.Call(rest[1..], name, depth + 1);
        if (rest.Length > 0 && rest[^1].Length > 0 && char.IsUpper(rest[^1][0]))
        {
            var owned = Functions.Owned(rest[^1], name);
            return owned != CallVerdict.Unknown ? owned : Functions.OwnedByName(name);
        }
        var v = Functions.Free(string.Join("::", rest.ToArray()), name);
        if (v != CallVerdict.Unknown) return v;
        if (ExternFunctions.Contains(name)) return CallVerdict.Extern;
        return Functions.FreeByName(name);
    }
}

/// <summary>The dependencies of one crate, by the names its code uses for them.</summary>
internal sealed class CrateDependencies
{
    public static readonly CrateDependencies None = new(null, [], "");

    private readonly DependencySources? _sources;
    private readonly Dictionary<string, ManifestDependency> _byCodeName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DependencyApi?> _resolved = new(StringComparer.Ordinal);
    private readonly string _owner;

    public CrateDependencies(DependencySources? sources, IEnumerable<ManifestDependency> dependencies, string owner)
    {
        _sources = sources;
        _owner = owner;
        foreach (var d in dependencies) _byCodeName.TryAdd(d.CodeName, d);
    }

    public bool IsEmpty => _byCodeName.Count == 0;

    public bool Has(string codeName) => _byCodeName.ContainsKey(codeName);

    public DependencyApi? Get(string codeName)
    {
        if (_sources is null || !_byCodeName.TryGetValue(codeName, out var d)) return null;
        lock (_resolved)
        {
            if (!_resolved.TryGetValue(codeName, out var api)) _resolved[codeName] = api = _sources.Resolve(d, _owner);
            return api;
        }
    }

    /// <summary>A call through a path whose first segment names a dependency.</summary>
    public CallVerdict Call(ReadOnlySpan<string> qualifier, string name, int depth = 0)
        => qualifier.Length > 0 && Get(qualifier[0]) is { } api ? api.Call(qualifier[1..], name, depth) : CallVerdict.Unknown;

    /// <summary>
    /// Every dependency found, for calls that name no crate (<c>T::f</c>, <c>x.m()</c>), and the dependencies they
    /// re-export (their traits' methods are callable here too).
    /// </summary>
    /// <summary>The manifest's dependencies found in the sources (not parsed), by code name.</summary>
    public IEnumerable<DependencyApi> Direct()
    {
        foreach (var codeName in _byCodeName.Keys.Order(StringComparer.Ordinal))
            if (Get(codeName) is { } api) yield return api;
    }

    public IEnumerable<DependencyApi> All()
    {
        // Read on every call resolution: the published list needs no lock.
        if (Volatile.Read(ref _all) is { } known) return known;
        var all = new List<DependencyApi>();
        foreach (var codeName in _byCodeName.Keys.Order(StringComparer.Ordinal))
            if (Get(codeName) is { } api && !all.Contains(api)) all.Add(api);
        foreach (var api in all.ToList())
            foreach (var inner in api.ReexportedDependencies())
                if (!all.Contains(inner)) all.Add(inner);
        Interlocked.CompareExchange(ref _all, all, null);
        return _all;
    }

    private List<DependencyApi>? _all;
}
