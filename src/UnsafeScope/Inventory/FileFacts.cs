using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

internal enum CandidateKind
{
    /// <summary>A call <c>f(…)</c> or <c>a::b::f(…)</c>; Name = last segment, Path = full path with imports resolved.</summary>
    Call,
    /// <summary>A method call <c>r.m(…)</c>; Name = method, Base = receiver text.</summary>
    MethodCall,
    /// <summary>A dereference <c>*e</c>; Base = operand text, Name = field name when the operand is <c>x.f</c>.</summary>
    Deref,
    /// <summary>A path in expression position that may name a static.</summary>
    Ident,
    /// <summary>A field access <c>e.f</c> that may read a union field.</summary>
    Field,
}

/// <summary>A place in an unsafe region that may be an unsafe operation, resolved when the whole crate is known.</summary>
/// <remarks>Origin: for derefs of a local initialised from a call, the callee (a raw pointer when it returns one).</remarks>
internal readonly record struct Candidate(CandidateKind Kind, string Name, string Path, Location Location, string Base = "", bool RawReceiver = false, string Origin = "");

/// <summary>A region under construction: regions, operations known from the file alone, and candidates for the crate link.</summary>
internal sealed class RegionDraft
{
    public required RegionKind Kind { get; init; }
    public required Location Location { get; init; }
    public bool InMacro { get; init; }
    public required string Item { get; init; }
    public string Name { get; init; } = "";
    public string Visibility { get; init; } = "private";
    public bool HasSafetyComment { get; init; }
    public SafetyCommentPlacement SafetyCommentPlacement { get; init; }
    public bool HasSafetyDoc { get; init; }
    public string Abi { get; init; } = "";
    public bool HasBody { get; init; }
    public string OwnerType { get; init; } = "";
    public bool InPrivateModule { get; init; }
    public string ExpandedFrom { get; init; } = "";
    public bool DocHidden { get; init; }
    public string EnclosingAbi { get; init; } = "";
    public bool InUnsafeFunction { get; init; }
    public List<UnsafeOperation> Operations { get; } = [];
    public List<FfiCall> FfiCalls { get; } = [];
    public List<MmioAccess> Mmio { get; } = [];
    public List<Candidate> Candidates { get; } = [];
}

/// <summary>What one file contributes to its crate: regions, declarations and imports.</summary>
internal sealed class FileFacts
{
    public required string Path { get; init; }
    public required string Crate { get; init; }
    public string CrateRoot { get; set; } = "";
    public string ModulePath { get; set; } = "";

    /// <summary>Module path → whether its <c>mod x;</c> declaration is <c>pub</c>.</summary>
    public Dictionary<string, bool> ModuleDeclarations { get; } = new(StringComparer.Ordinal);
    public string Edition { get; set; } = "2015";

    /// <summary>Lints allowed by <c>#[allow]</c>/<c>#[expect]</c> (<c>clippy::x</c> or a rustc lint name) and the span they cover.</summary>
    public List<(TextSpan Scope, string Lint)> AllowedLints { get; } = [];

    /// <summary>Suppression comments: <c>// unsafescope-ignore: US1001 -- reason</c>.</summary>
    public List<SuppressionComment> Suppressions { get; } = [];
    public List<RegionDraft> Regions { get; } = [];

    public HashSet<string> UnsafeFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> UnsafeMethods { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SafeFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SafeExternFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternStatics { get; } = new(StringComparer.Ordinal);
    public HashSet<string> StaticMuts { get; } = new(StringComparer.Ordinal);
    public HashSet<string> UnionFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> StructFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> RawPointerFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> PointerReturningFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> TypesWithPublicRawFields { get; } = new(StringComparer.Ordinal);

    /// <summary>Local name → imported path (<c>use a::b::C as D</c> gives D → a::b::C).</summary>
    public Dictionary<string, string> Imports { get; } = new(StringComparer.Ordinal);

    /// <summary>Paths imported with <c>::*</c>.</summary>
    public List<string> GlobImports { get; } = [];

    public int Lines { get; set; }
    public ulong[]? LineHashes { get; set; }
    public int Functions { get; set; }
    public int Methods { get; set; }
    public int Impls { get; set; }
    public int Traits { get; set; }
    public int UnsafeFreeFunctions { get; set; }
    public int UnsafeMethodCount { get; set; }

    /// <summary>What suppression and fingerprinting still need once the crate is linked; the rest can be collected.</summary>
    public FileFacts ForFinish()
    {
        var slim = new FileFacts { Path = Path, Crate = Crate, CrateRoot = CrateRoot, Edition = Edition, LineHashes = LineHashes, Lines = Lines };
        slim.AllowedLints.AddRange(AllowedLints);
        slim.Suppressions.AddRange(Suppressions);
        return slim;
    }
}

/// <summary>A suppression comment and the line it applies to (its own line when trailing code, else the next code line).</summary>
internal sealed record SuppressionComment(Location Location, int TargetLine, string[] Ids, string Reason);
