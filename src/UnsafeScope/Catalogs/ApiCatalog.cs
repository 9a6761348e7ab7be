using UnsafeScope.IO;
using System.Collections.Frozen;
using System.Collections.Immutable;

namespace UnsafeScope.Catalogs;

/// <summary>A WDK (or other C) API known to the analyzer.</summary>
/// <param name="Name">Exact C name.</param>
/// <param name="Family">Family (<c>Wdf</c>, <c>Mm</c>, <c>Win32</c>, <c>Intrinsic</c>, …).</param>
/// <param name="Risk">high, medium or low.</param>
/// <param name="Frameworks">Where it is callable: wdm, kmdf, umdf.</param>
/// <param name="Role">acquire, release or none.</param>
/// <param name="Release">For acquire APIs, the APIs that release what they return.</param>
/// <param name="Irql">Maximum IRQL, or "-".</param>
public sealed record ApiEntry(string Name, string Family, string Risk, ImmutableArray<string> Frameworks, string Role, ImmutableArray<string> Release, string Irql);

/// <summary>A family rule for names not in the API list: names starting with <see cref="Prefix"/> and then an uppercase letter.</summary>
/// <param name="Prefix">Name prefix.</param>
/// <param name="Family">Family.</param>
/// <param name="DefaultRisk">Risk when the API itself is not listed.</param>
/// <param name="Frameworks">Where such APIs are callable.</param>
public sealed record FamilyRule(string Prefix, string Family, string DefaultRisk, ImmutableArray<string> Frameworks);

/// <summary>A hardware-access function, method or intrinsic.</summary>
/// <param name="Name">Name as written at a call site.</param>
/// <param name="Kind">volatile-read, map, port-out, …</param>
/// <param name="Forms">free, path, method, field (a call through a struct field holding a function pointer).</param>
public sealed record MmioEntry(string Name, string Kind, ImmutableArray<string> Forms);

/// <summary>A macro that hides an FFI call.</summary>
/// <param name="Name">Macro name without <c>!</c>.</param>
/// <param name="Kind"><c>api-first-argument</c> or <c>expands-to</c>.</param>
/// <param name="Targets">For expands-to: the APIs it calls.</param>
/// <param name="Use">Where the unsafe operation happens: <c>caller</c> (the invocation needs an unsafe context),
/// <c>inside</c> (the expansion wraps its own unsafe block) or <c>no</c>.</param>
public sealed record FfiMacroEntry(string Name, string Kind, ImmutableArray<string> Targets, string Use)
{
    /// <summary>The invocation itself is an unsafe operation.</summary>
    public bool NeedsUnsafeContext => Use == "caller";

    /// <summary>The expansion holds its own unsafe block.</summary>
    public bool WrapsUnsafe => Use == "inside";
}

/// <summary>An unsafe function or method of core/std/alloc.</summary>
/// <param name="Name">Name or trailing path segments.</param>
/// <param name="Form">free, path, method, assoc (<c>T::name</c> for any type), prefix (the function name starts with it),
/// or intrinsic (a name prefix of core::arch intrinsics, unsafe to call outside a <c>#[target_feature]</c> fn).</param>
/// <param name="Receiver">For methods: any or raw-pointer.</param>
public sealed record UnsafeStdEntry(string Name, string Form, string Receiver);

/// <summary>A catalog file or entry is malformed.</summary>
public sealed class CatalogException(string file, int line, string problem)
    : Exception(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
{
    /// <summary>The catalog file.</summary>
    public string File { get; } = file;

    /// <summary>1-based line, or 0 for the whole file.</summary>
    public int Line { get; } = line;

    /// <summary>What is wrong.</summary>
    public string Problem { get; } = problem;
}

/// <summary>
/// The API catalogs (data in <c>queries/catalogs/*.tsv</c>): WDK APIs, API families, MMIO functions,
/// FFI-hiding macros and unsafe std functions. The built-in packs are embedded; user packs with the same
/// columns load after them, and a later row with the same key overrides an earlier one.
/// </summary>
public sealed class ApiCatalog
{
    private static readonly Lazy<ApiCatalog> s_default = new(() => Load([]));

    // Packs may be named by an analyzed repository's configuration: a bound on what is read (the built-in WDK pack is 80 KB).
    private const long MaxPackBytes = 16L << 20;

    private static readonly string[] s_apiColumns = ["name", "family", "risk", "frameworks", "role", "release", "irql", "notes"];
    private static readonly string[] s_familyColumns = ["prefix", "family", "default_risk", "frameworks", "notes"];
    private static readonly string[] s_mmioColumns = ["name", "kind", "forms", "notes"];
    private static readonly string[] s_macroColumns = ["name", "kind", "target", "use", "notes"];
    private static readonly string[] s_stdColumns = ["name", "form", "receiver", "notes"];
    private static readonly string[] s_itemMacroColumns = ["name", "shape", "notes"];
    private static readonly string[] s_ffiCrateColumns = ["name", "kind", "notes"];
    private static readonly string[] s_certificationColumns = ["program", "as_of", "fact", "source"];
    private static readonly string[] s_pointerTypeColumns = ["name", "pointee"];

    private static readonly FrozenSet<string> s_risks = FrozenSet.Create(StringComparer.Ordinal, "high", "medium", "low");
    private static readonly FrozenSet<string> s_frameworks = FrozenSet.Create(StringComparer.Ordinal, "wdm", "kmdf", "umdf");
    private static readonly FrozenSet<string> s_roles = FrozenSet.Create(StringComparer.Ordinal, "acquire", "release", "none");
    private static readonly FrozenSet<string> s_mmioKinds = FrozenSet.Create(StringComparer.Ordinal,
        "map", "unmap", "volatile-read", "volatile-write", "unaligned-read", "unaligned-write", "port-in", "port-out",
        "msr-read", "msr-write", "bus-config", "register-read", "register-write");
    private static readonly FrozenSet<string> s_forms = FrozenSet.Create(StringComparer.Ordinal, "free", "path", "method", "field");
    // Built once: a set per row was most of what loading the catalog cost at start-up.
    private static readonly FrozenSet<string> s_macroKinds = FrozenSet.Create(StringComparer.Ordinal, "api-first-argument", "expands-to");
    private static readonly FrozenSet<string> s_macroUses = FrozenSet.Create(StringComparer.Ordinal, "caller", "inside", "no");
    private static readonly FrozenSet<string> s_itemMacroShapes = FrozenSet.Create(StringComparer.Ordinal, "cfg-if", "items", "unsafe-fns", "expression");
    private static readonly FrozenSet<string> s_receivers = FrozenSet.Create(StringComparer.Ordinal, "any", "raw-pointer");
    private static readonly FrozenSet<string> s_ffiCrateKinds = FrozenSet.Create(StringComparer.Ordinal, "wdk-bindings", "wdk-reexports", "linux-bindings", "c-bindings");
    private static readonly FrozenSet<string> s_stdForms = FrozenSet.Create(StringComparer.Ordinal, "free", "path", "method", "prefix", "intrinsic", "assoc");

    private ApiCatalog(
        FrozenDictionary<string, ApiEntry> apis, ImmutableArray<FamilyRule> families, FrozenDictionary<string, MmioEntry> mmio,
        FrozenDictionary<string, FfiMacroEntry> macros, ImmutableArray<UnsafeStdEntry> unsafeStd, ImmutableArray<string> sources)
    {
        Apis = apis;
        Families = families;
        Mmio = mmio;
        Macros = macros;
        UnsafeStd = unsafeStd;
        Sources = sources;
        UnsafeStdFree = unsafeStd.Where(e => e.Form == "free").Select(e => e.Name).ToFrozenSet(StringComparer.Ordinal);
        UnsafeStdPaths = [.. unsafeStd.Where(e => e.Form == "path").Select(e => e.Name)];
        UnsafeStdPrefixes = [.. unsafeStd.Where(e => e.Form == "prefix").Select(e => e.Name)];
        TargetFeatureIntrinsicPrefixes = [.. unsafeStd.Where(e => e.Form == "intrinsic").Select(e => e.Name)];
        UnsafeStdAssociated = unsafeStd.Where(e => e.Form == "assoc").Select(e => e.Name).ToFrozenSet(StringComparer.Ordinal);
        UnsafeStdMethods = unsafeStd.Where(e => e.Form == "method").ToFrozenDictionary(e => e.Name, e => e.Receiver, StringComparer.Ordinal);
    }

    /// <summary>The built-in catalog.</summary>
    public static ApiCatalog Default => s_default.Value;

    /// <summary>APIs by exact name.</summary>
    public FrozenDictionary<string, ApiEntry> Apis { get; }

    /// <summary>Family rules, longest prefix first.</summary>
    public ImmutableArray<FamilyRule> Families { get; }

    /// <summary>Hardware-access entries by name.</summary>
    public FrozenDictionary<string, MmioEntry> Mmio { get; }

    /// <summary>FFI-hiding macros by name.</summary>
    public FrozenDictionary<string, FfiMacroEntry> Macros { get; }

    /// <summary>Unsafe std functions and methods.</summary>
    public ImmutableArray<UnsafeStdEntry> UnsafeStd { get; }

    /// <summary>Crates and modules of C functions (path → wdk-bindings, wdk-reexports, linux-bindings or c-bindings); see ffi-crates.tsv.</summary>
    internal FrozenDictionary<string, string> FfiCrates { get; private init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Pointer typedefs of bindings the analysis cannot see (wdk-sys's <c>PIRP</c>, <c>PCUNICODE_STRING</c>); see wdk-pointer-types.tsv.</summary>
    internal FrozenSet<string> PointerTypes { get; private init; } = FrozenSet<string>.Empty;

    /// <summary>Dated facts about certification programs (program → fact), shown on the readiness page; see certification.tsv.</summary>
    public FrozenDictionary<string, CertificationFact> CertificationFacts { get; private init; } = FrozenDictionary<string, CertificationFact>.Empty;

    /// <summary>
    /// The kind of binding crate the path <paramref name="segments"/> names
    /// (<c>wdk_sys</c>, <c>kernel::bindings</c>, a <c>*_sys</c> crate), or null.
    /// </summary>
    internal string? FfiCrateKind(ReadOnlySpan<string> segments)
    {
        if (segments.IsEmpty) return null;
        if (FfiCrates.TryGetValue(segments.Length == 1 ? segments[0] : string.Join("::", segments), out var kind)) return kind;
        if (segments.Length == 1)
            foreach (var (name, k) in FfiCrates)
                if (name.StartsWith('*') && segments[0].EndsWith(name[1..], StringComparison.Ordinal)) return k;
        return null;
    }

    /// <summary>Macros whose arguments are items (name → shape: cfg-if or items); see item-macros.tsv.</summary>
    public FrozenDictionary<string, string> ItemMacros { get; private init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>The shape of an item or expression macro: an exact name, else the longest <c>prefix*</c> row.</summary>
    internal string? ItemMacroShape(string name)
    {
        if (ItemMacros.TryGetValue(name, out var shape)) return shape;
        string? best = null;
        int length = -1;
        foreach (var (key, value) in ItemMacros)
            if (key.EndsWith('*') && key.Length - 1 > length && name.StartsWith(key.AsSpan(0, key.Length - 1), StringComparison.Ordinal))
                (best, length) = (value, key.Length - 1);
        return best;
    }

    /// <summary>The pack files loaded, in order.</summary>
    public ImmutableArray<string> Sources { get; }

    /// <summary>
    /// A hash of every pack's name and text, in order: part of the result-cache key. Hashed on first use: SHA-256 loads
    /// OpenSSL (about 6 ms), which a run without a cache or shards need not pay.
    /// </summary>
    internal string Fingerprint => _fingerprint ??= ContentHash.Of([.. _packTexts.SelectMany(p => new[] { p.Name, p.Text })]);

    private string? _fingerprint;
    private ImmutableArray<(string Name, string Text)> _packTexts = [];

    internal FrozenSet<string> UnsafeStdFree { get; }
    internal ImmutableArray<string> UnsafeStdPaths { get; }
    internal ImmutableArray<string> UnsafeStdPrefixes { get; }
    internal FrozenDictionary<string, string> UnsafeStdMethods { get; }
    internal ImmutableArray<string> TargetFeatureIntrinsicPrefixes { get; }

    /// <summary>Trait functions called as <c>T::name(…)</c> for any T (<c>FromRawFd::from_raw_fd</c>).</summary>
    internal FrozenSet<string> UnsafeStdAssociated { get; }

    /// <summary>A core::arch intrinsic (<c>#[target_feature]</c>): unsafe to call outside a <c>#[target_feature]</c> fn.</summary>
    internal bool IsTargetFeatureIntrinsic(string name)
    {
        foreach (var p in TargetFeatureIntrinsicPrefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>The family rule for a name not in <see cref="Apis"/>: longest prefix followed by an uppercase letter.</summary>
    public FamilyRule? FamilyOf(string name)
    {
        foreach (var f in Families)
            if (name.Length > f.Prefix.Length && name.StartsWith(f.Prefix, StringComparison.Ordinal) && char.IsAsciiLetterUpper(name[f.Prefix.Length]))
                return f;
        return null;
    }

    /// <summary>Loads the built-in packs, then <paramref name="userPacks"/> (paths of .tsv files) in order.</summary>
    public static ApiCatalog Load(IEnumerable<string> userPacks)
    {
        var packs = new List<(string Name, string Text)>();
        var assembly = typeof(ApiCatalog).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("UnsafeScope.catalogs.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            packs.Add(("queries/catalogs/" + resource["UnsafeScope.catalogs.".Length..], reader.ReadToEnd()));
        }
        foreach (var path in userPacks)
        {
            string text;
            try
            {
                text = IO.UntrustedFile.ReadAllText(path, MaxPackBytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CatalogException(path, 0, $"cannot be read: {e.Message}");
            }
            packs.Add((path, text));
        }
        return FromTexts(packs);
    }

    /// <summary>Builds a catalog from pack texts (name, content), in order. Throws <see cref="CatalogException"/> on bad data.</summary>
    public static ApiCatalog FromTexts(IEnumerable<(string Name, string Text)> packs)
    {
        var packList = packs.ToList();
        packs = packList;
        var apis = new Dictionary<string, ApiEntry>(StringComparer.Ordinal);
        var families = new Dictionary<string, FamilyRule>(StringComparer.Ordinal);
        var mmio = new Dictionary<string, MmioEntry>(StringComparer.Ordinal);
        var macros = new Dictionary<string, FfiMacroEntry>(StringComparer.Ordinal);
        var std = new Dictionary<(string, string), UnsafeStdEntry>();
        var itemMacros = new Dictionary<string, string>(StringComparer.Ordinal);
        var ffiCrates = new Dictionary<string, string>(StringComparer.Ordinal);
        var certification = new Dictionary<string, CertificationFact>(StringComparer.Ordinal);
        var pointerTypes = new HashSet<string>(StringComparer.Ordinal);
        var sources = ImmutableArray.CreateBuilder<string>();
        foreach (var (file, text) in packs)
        {
            sources.Add(file);
            string[]? header = null;
            int lineNo = 0;
            // Lines ('\n'-separated) as spans: only the rows' cells become strings (every run reads every catalog at start-up).
            for (int start = 0; start <= text.Length;)
            {
                int end = text.IndexOf('\n', start);
                if (end < 0) end = text.Length;
                var line = text.AsSpan(start, end - start).TrimEnd('\r');
                start = end + 1;
                lineNo++;
                if (line.Length == 0 || line[0] == '#') continue;
                var cells = line.ToString().Split('\t');
                if (header is null)
                {
                    header = cells;
                    if (!(Same(header, s_apiColumns) || Same(header, s_familyColumns) || Same(header, s_mmioColumns) || Same(header, s_macroColumns) || Same(header, s_stdColumns) || Same(header, s_itemMacroColumns) || Same(header, s_ffiCrateColumns) || Same(header, s_certificationColumns) || Same(header, s_pointerTypeColumns)))
                        throw new CatalogException(file, lineNo, $"unknown header '{string.Join(' ', header)}'; expected the columns of one of the catalog kinds (see queries/catalogs/README.md)");
                    continue;
                }
                if (cells.Length != header.Length)
                    throw new CatalogException(file, lineNo, $"{cells.Length} columns, expected {header.Length} ({string.Join(", ", header)})");
                if (cells[0].Length == 0)
                    throw new CatalogException(file, lineNo, $"empty {header[0]}");
                if (Same(header, s_apiColumns))
                {
                    var e = new ApiEntry(cells[0], Required(file, lineNo, "family", cells[1]), OneOf(file, lineNo, "risk", cells[2], s_risks),
                        List(file, lineNo, "frameworks", cells[3], s_frameworks), OneOf(file, lineNo, "role", cells[4], s_roles),
                        cells[5] == "-" ? [] : [.. cells[5].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)], cells[6]);
                    if (e.Role == "acquire" && e.Release.IsEmpty)
                        throw new CatalogException(file, lineNo, $"acquire API {e.Name} names no release API");
                    apis[e.Name] = e;
                }
                else if (Same(header, s_familyColumns))
                {
                    families[cells[0]] = new FamilyRule(cells[0], Required(file, lineNo, "family", cells[1]), OneOf(file, lineNo, "default_risk", cells[2], s_risks),
                        List(file, lineNo, "frameworks", cells[3], s_frameworks));
                }
                else if (Same(header, s_mmioColumns))
                {
                    mmio[cells[0]] = new MmioEntry(cells[0], OneOf(file, lineNo, "kind", cells[1], s_mmioKinds), List(file, lineNo, "forms", cells[2], s_forms));
                }
                else if (Same(header, s_macroColumns))
                {
                    var kind = OneOf(file, lineNo, "kind", cells[1], s_macroKinds);
                    var targets = cells[2] == "-" ? ImmutableArray<string>.Empty : [.. cells[2].Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
                    if (kind == "expands-to" && targets.IsEmpty)
                        throw new CatalogException(file, lineNo, $"macro {cells[0]} expands-to names no target");
                    macros[cells[0]] = new FfiMacroEntry(cells[0], kind, targets,
                        OneOf(file, lineNo, "use", cells[3], s_macroUses));
                }
                else if (Same(header, s_itemMacroColumns))
                {
                    itemMacros[cells[0]] = OneOf(file, lineNo, "shape", cells[1], s_itemMacroShapes);
                }
                else if (Same(header, s_pointerTypeColumns))
                {
                    pointerTypes.Add(cells[0]);
                }
                else if (Same(header, s_certificationColumns))
                {
                    if (!DateOnly.TryParseExact(cells[1], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var asOf))
                        throw new CatalogException(file, lineNo, $"as_of '{cells[1]}' is not a YYYY-MM-DD date");
                    certification[cells[0]] = new CertificationFact(cells[0], asOf, Required(file, lineNo, "fact", cells[2]), Required(file, lineNo, "source", cells[3]));
                }
                else if (Same(header, s_ffiCrateColumns))
                {
                    ffiCrates[cells[0]] = OneOf(file, lineNo, "kind", cells[1], s_ffiCrateKinds);
                }
                else
                {
                    var form = OneOf(file, lineNo, "form", cells[1], s_stdForms);
                    var receiver = form == "method" ? OneOf(file, lineNo, "receiver", cells[2], s_receivers) : "-";
                    std[(cells[0], form)] = new UnsafeStdEntry(cells[0], form, receiver);
                }
            }
            if (header is null)
                throw new CatalogException(file, 0, "has no header row");
        }
        return new ApiCatalog(apis.ToFrozenDictionary(StringComparer.Ordinal),
            [.. families.Values.OrderByDescending(f => f.Prefix.Length).ThenBy(f => f.Prefix, StringComparer.Ordinal)],
            mmio.ToFrozenDictionary(StringComparer.Ordinal), macros.ToFrozenDictionary(StringComparer.Ordinal),
            [.. std.Values.OrderBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Form, StringComparer.Ordinal)], sources.ToImmutable())
        {
            ItemMacros = itemMacros.ToFrozenDictionary(StringComparer.Ordinal),
            FfiCrates = ffiCrates.ToFrozenDictionary(StringComparer.Ordinal),
            CertificationFacts = certification.ToFrozenDictionary(StringComparer.Ordinal),
            PointerTypes = pointerTypes.ToFrozenSet(StringComparer.Ordinal),
            _packTexts = [.. packList],
        };
    }

    private static bool Same(string[] header, string[] columns) => header.AsSpan().SequenceEqual(columns);

    private static string Required(string file, int line, string column, string value)
        => value.Length > 0 && value != "-" ? value : throw new CatalogException(file, line, $"empty {column}");

    private static string OneOf(string file, int line, string column, string value, FrozenSet<string> allowed)
        => allowed.Contains(value) ? value : throw new CatalogException(file, line, $"{column} '{value}' is not one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");

    private static ImmutableArray<string> List(string file, int line, string column, string value, FrozenSet<string> allowed)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0) throw new CatalogException(file, line, $"empty {column}");
        foreach (var i in items)
            if (!allowed.Contains(i)) throw new CatalogException(file, line, $"{column} value '{i}' is not one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}");
        return [.. items];
    }
}

/// <summary>A dated fact about a certification program (certification.tsv).</summary>
/// <param name="Program">The program (<c>WHCP</c>).</param>
/// <param name="AsOf">When the fact was last checked.</param>
/// <param name="Fact">One paragraph.</param>
/// <param name="Source">Where it was checked.</param>
public sealed record CertificationFact(string Program, DateOnly AsOf, string Fact, string Source);
