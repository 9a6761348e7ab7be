namespace UnsafeScope.Inventory;

/// <summary>What a crate's declarations say about a called name.</summary>
internal enum CallVerdict : byte
{
    /// <summary>Nothing of that name (in that place) is declared.</summary>
    Unknown,
    /// <summary>Only unsafe functions of that name.</summary>
    Unsafe,
    /// <summary>A safe function of that name (alone or next to unsafe ones: ambiguous counts as safe, precision first).</summary>
    Safe,
    /// <summary>An extern (FFI) function of a dependency.</summary>
    Extern,
}

/// <summary>
/// The functions of one crate (the analyzed one or a dependency), indexed the ways a call can name them: free
/// functions by module and by name, impl and trait items by owner type and by name, methods by name.
/// </summary>
internal sealed class FunctionIndex
{
    private readonly Dictionary<(string Module, string Name), Flags> _free = [];
    private readonly Dictionary<string, Flags> _freeByName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Owner, string Name), Flags> _owned = [];
    private readonly Dictionary<string, Flags> _ownedByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Flags> _methods = new(StringComparer.Ordinal);
    private readonly HashSet<string> _modules = new(StringComparer.Ordinal) { "" };

    [Flags]
    private enum Flags : byte { None = 0, Unsafe = 1, Safe = 2 }

    /// <param name="files">The crate's files.</param>
    /// <param name="publicOnly">Dependencies: only what other crates can call.</param>
    public FunctionIndex(IEnumerable<FileFacts> files, bool publicOnly = false)
    {
        foreach (var f in files)
        {
            AddModule(f.ModulePath);
            foreach (var m in f.ModuleDeclarations.Keys) AddModule(m);
            foreach (var d in f.FunctionDeclarations)
            {
                if (publicOnly && !d.IsPublic) continue;
                var flag = d.IsUnsafe ? Flags.Unsafe : Flags.Safe;
                switch (d.Shape)
                {
                    case FunctionShape.Free:
                        AddModule(d.Owner);
                        Or(_free, (d.Owner, d.Name), flag);
                        Or(_freeByName, d.Name, flag);
                        break;
                    case FunctionShape.Associated or FunctionShape.Method:
                        Or(_owned, (d.Owner, d.Name), flag);
                        Or(_ownedByName, d.Name, flag);
                        if (d.Shape == FunctionShape.Method) Or(_methods, d.Name, flag);
                        break;
                    default:
                        // Seen in a macro token tree: could be any shape.
                        Or(_freeByName, d.Name, flag);
                        Or(_ownedByName, d.Name, flag);
                        Or(_methods, d.Name, flag);
                        break;
                }
            }
        }
    }

    private void AddModule(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
            if (!_modules.Add(p)) break;
    }

    private static void Or<TKey>(Dictionary<TKey, Flags> map, TKey key, Flags flag) where TKey : notnull
        => map[key] = map.GetValueOrDefault(key) | flag;

    private static CallVerdict Verdict(Flags f) => f == Flags.None ? CallVerdict.Unknown : f == Flags.Unsafe ? CallVerdict.Unsafe : CallVerdict.Safe;

    /// <summary>Whether a module of that path is known (a file, a <c>mod</c> declaration or an inline module with functions).</summary>
    public bool HasModule(string path) => _modules.Contains(path);

    /// <summary>A free function declared in that module.</summary>
    public CallVerdict Free(string module, string name) => Verdict(_free.GetValueOrDefault((module, name)));

    /// <summary>Any free function of that name, wherever declared.</summary>
    public CallVerdict FreeByName(string name) => Verdict(_freeByName.GetValueOrDefault(name));

    /// <summary><c>Owner::name</c>: an item of an impl of that type or of that trait.</summary>
    public CallVerdict Owned(string owner, string name) => Verdict(_owned.GetValueOrDefault((owner, name)));

    /// <summary><c>T::name</c> with T unknown (a generic parameter, a foreign type): any impl or trait item of that name.</summary>
    public CallVerdict OwnedByName(string name) => Verdict(_ownedByName.GetValueOrDefault(name));

    /// <summary><c>x.name()</c>: any method of that name.</summary>
    public CallVerdict Method(string name) => Verdict(_methods.GetValueOrDefault(name));

    internal static string Parent(string module)
    {
        int i = module.LastIndexOf("::", StringComparison.Ordinal);
        return i < 0 ? "" : module[..i];
    }
}
