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
    /// <summary>A call <c>name!(…)</c> of a local macro: one operation when its body performs unsafe operations itself.</summary>
    Macro,
    /// <summary>
    /// A field access <c>e.f</c> inside the field path of <c>&amp;raw const e.f.g…</c>: it reads the field only when the
    /// path goes through a deref there (<c>f</c>, or a field between it and the path's last, has a reference or smart
    /// pointer type). Base = the names of the fields between it and the last, dot-separated.
    /// </summary>
    RawPlaceField,
}

/// <summary>Where a value that may be a raw pointer came from; whether it is one is known when the whole crate is.</summary>
internal enum PointerOriginKind : byte
{
    None,
    /// <summary>The result of a call of Name (a raw pointer when the crate's Name returns one).</summary>
    Call,
    /// <summary>The field Name (<c>x.ptr</c>): a raw pointer or NonNull when the crate declares such a field of that name and no other.</summary>
    Field,
    /// <summary><c>x.Name.get()</c>/<c>.load(…)</c>: a raw pointer when Name is an UnsafeCell, a Cell of a pointer or an AtomicPtr field.</summary>
    CellField,
    /// <summary><c>self.Name</c>: the field Name of the enclosing impl's type (its declared type decides, else like Field).</summary>
    SelfField,
    /// <summary>A value declared of the type Name, which is a raw pointer when the crate declares <c>type Name = *…</c>.</summary>
    TypeAlias,
    /// <summary>A value of the tuple struct Name: <c>x.0()</c> calls its field 0 (unsafe when that field is an <c>unsafe fn</c>).</summary>
    Struct,
}

/// <summary>The origin of a deref operand or method receiver (see <see cref="PointerOriginKind"/>).</summary>
internal readonly record struct PointerOrigin(PointerOriginKind Kind, string Name)
{
    public static readonly PointerOrigin None = new(PointerOriginKind.None, "");
}

/// <summary>A place in an unsafe region that may be an unsafe operation, resolved when the whole crate is known.</summary>
/// <remarks>Origin: for derefs and method calls whose operand/receiver is not syntactically a raw pointer, where it came from.</remarks>
/// Operands and Cfg: see <see cref="UnsafeOperation.Operands"/> and <see cref="UnsafeOperation.Cfg"/>.
internal readonly record struct Candidate(CandidateKind Kind, string Name, string Path, Location Location, string Base = "", bool RawReceiver = false, PointerOrigin Origin = default)
{
    public System.Collections.Immutable.ImmutableArray<Operand> Operands { get; init; } = [];
    public string Cfg { get; init; } = "";

    // Operands compare by content (an ImmutableArray compares by reference), so a record read back from the cache equals the original.
    public bool Equals(Candidate other)
        => Kind == other.Kind && Name == other.Name && Path == other.Path && Location == other.Location && Base == other.Base && RawReceiver == other.RawReceiver
           && Origin == other.Origin && Cfg == other.Cfg && Operands.SequenceEqual(other.Operands);

    public override int GetHashCode() => HashCode.Combine(Kind, Name, Path, Location, Origin, Cfg, Operands.Length);

    /// <summary>The operation this candidate is once resolved.</summary>
    public UnsafeOperation ToOperation(OperationKind kind, string name) => new(kind, name, Location) { Operands = Operands, Cfg = Cfg };
}

/// <summary>How a function is called: <c>f()</c> (free), <c>T::f()</c> (associated, no self), <c>x.f()</c> (method); Unknown for functions seen in macro token trees.</summary>
internal enum FunctionShape : byte { Free, Associated, Method, Unknown }

/// <summary>A function declared in a file, for resolving calls by module, owner type and shape.</summary>
/// <param name="Name">The function's name.</param>
/// <param name="Owner">Free functions: the module path declaring them ("" = crate root); items of impls and traits: the type or trait name.</param>
/// <param name="Shape">How it is called.</param>
/// <param name="IsUnsafe">Declared <c>unsafe fn</c>.</param>
/// <param name="IsPublic">Callable from other crates as far as syntax tells: <c>pub</c>, or an item of a trait or trait impl.</param>
internal readonly record struct FunctionDeclaration(string Name, string Owner, FunctionShape Shape, bool IsUnsafe, bool IsPublic);

/// <summary>
/// A function with a body, for the test reach of encapsulating functions (<see cref="TestReach"/>): what it calls
/// (by name, and <c>Type::name</c> when the call names a type) and whether it is test code or holds unsafe blocks.
/// </summary>
internal sealed class FunctionBody
{
    /// <summary>The item path, as regions in it name their item (<c>module::Type::method</c>).</summary>
    public required string Item { get; init; }
    public required string Name { get; init; }
    /// <summary>The impl's type for methods and associated functions, else empty.</summary>
    public string OwnerType { get; init; } = "";
    public bool IsUnsafe { get; init; }
    /// <summary><c>pub</c>, <c>pub(crate)</c>…, <c>trait-impl</c> or <c>private</c>.</summary>
    public string Visibility { get; init; } = "private";
    /// <summary>Marked <c>#[test]</c> (or <c>#[tokio::test]</c>, any attribute path ending in <c>test</c>).</summary>
    public bool IsTest { get; init; }
    /// <summary>Inside a <c>#[cfg(test)]</c> module.</summary>
    public bool InTestModule { get; init; }
    public required Location Location { get; init; }
    /// <summary>Unsafe blocks directly in its body (closures included, nested fn items not).</summary>
    public int UnsafeBlocks { get; set; }
    /// <summary>Names it calls: <c>f</c>, <c>m</c> for <c>x.m()</c>, and also <c>T::f</c> for <c>T::f()</c> (also inside macro arguments).</summary>
    public HashSet<string> Calls { get; } = new(StringComparer.Ordinal);

    // Facts of the soundness factors (SoundnessCollector, docs/scoring.md).
    /// <summary>The module path where the function is declared (for its exportedness).</summary>
    public string Module { get; set; } = "";
    /// <summary>The last line of the function item.</summary>
    public int EndLine { get; set; }
    /// <summary>The function or its impl has type parameters.</summary>
    public bool Generic { get; set; }
    /// <summary>Why a returned reference is not bound by the inputs (<c>returns &amp;'a T not bound by its inputs</c>), or empty.</summary>
    public string LifetimeRisk { get; set; } = "";
    /// <summary>Parameter names in order (<c>self</c> for a receiver).</summary>
    public List<string> Parameters => _parameters ??= [];
    /// <summary>Parameters that carry user code: of a generic, <c>impl Trait</c> or <c>dyn Trait</c> type.</summary>
    public HashSet<string> UserCodeParameters => _userCodeParameters ??= new(StringComparer.Ordinal);
    /// <summary>
    /// <c>line\tname</c>: the name is checked at that line and after it (assert!, or the condition of an if that exits
    /// early); <c>start-end\tname</c>: within those lines (the condition of an if or while around them).
    /// </summary>
    public HashSet<string> Checks => _checks ??= new(StringComparer.Ordinal);
    /// <summary>Whether <see cref="UserCodeParameters"/> has any (without making the set).</summary>
    public bool HasUserCodeParameters => _userCodeParameters is { Count: > 0 };
    /// <summary><c>local\tsource</c>: a let binds local from an expression naming source.</summary>
    public HashSet<string> Flows => _flows ??= new(StringComparer.Ordinal);

    /// <summary>
    /// <c>start\tend\toperation\twhy</c>: an input-sensitive operation of that name (<c>*</c>: any) between those lines
    /// trusts what a method of a caller's impl computed: its result passed straight in (<c>v.set_len(it.size_hint().0)</c>),
    /// or an <c>if</c> around it that compares a <c>type_id</c> an impl can override.
    /// </summary>
    public HashSet<string> Trusts => _trusts ??= new(StringComparer.Ordinal);
    /// <summary>Whether any <see cref="Trusts"/> were recorded (without making the set).</summary>
    public bool HasTrusts => _trusts is { Count: > 0 };
    /// <summary>
    /// <c>field\tkind\tparameter</c>: the function sets <c>self.field</c> (an assignment, or a field of a struct literal of
    /// its own type) from a value its parameter feeds. Kinds: <c>raw</c> (a raw-pointer parameter), <c>int</c> (an integer
    /// parameter no check guards), <c>user</c> (what a closure or generic parameter returned), <c>other</c>. Kept for
    /// functions without unsafe code too: they are the safe writers unsafe code trusts.
    /// </summary>
    public HashSet<string> FieldWrites => _fieldWrites ??= new(StringComparer.Ordinal);
    /// <summary>Whether any <see cref="FieldWrites"/> were recorded (without making the set).</summary>
    public bool HasFieldWrites => _fieldWrites is { Count: > 0 };
    /// <summary>During the walk only: parameters of raw-pointer (<c>raw</c>) or integer (<c>int</c>) type, with the type's text.</summary>
    internal Dictionary<string, (string Kind, string Type)>? ParameterKinds { get; set; }

    // Made on first use and dropped by ForgetSoundness: most functions hold no unsafe code, and four empty
    // collections each for hundreds of thousands of them cost tens of MB until their crates are linked.
    private List<string>? _parameters;
    private HashSet<string>? _userCodeParameters, _checks, _flows, _trusts, _fieldWrites;

    /// <summary>Drops the facts only a function with unsafe code is asked about (<see cref="SoundnessCollector"/>); its field writes stay.</summary>
    public void ForgetSoundness() => (_parameters, _userCodeParameters, _checks, _flows, _trusts) = (null, null, null, null, null);
}

/// <summary>
/// A region under construction: the region's own facts as the walk decides them (<see cref="Region"/>, the one region
/// type; the linker completes it with <c>with</c>, never field by field), plus what only extraction and linking need:
/// operations known from the file alone and candidates for the crate link.
/// </summary>
internal sealed class RegionDraft
{
    public required UnsafeRegion Region { get; init; }

    // Shortcuts for the facts extraction and linking read most.
    public RegionKind Kind => Region.Kind;
    public Location Location => Region.Location;
    public string Item => Region.Item;
    public string Name => Region.Name;
    public bool InMacro => Region.InMacro;

    public bool HasBody { get; init; }
    public bool DocHidden { get; init; }
    /// <summary>The enclosing function's raw-pointer parameters; <c>name:Type</c> when the type is a path that may be a pointer alias.</summary>
    public List<string> PointerParameters { get; init; } = [];
    /// <summary>The <c>#[cfg]</c> predicates on the items and statements around the region (all must hold for it to be compiled).</summary>
    public List<string> Cfgs { get; init; } = [];
    /// <summary>During extraction: a <c>#[cfg]</c> attribute stands inside the region (its operations may be alternatives).</summary>
    public bool HasInnerCfg { get; set; }
    /// <summary>The module path at the region (the file's module and inline <c>mod</c>s), where plain calls resolve.</summary>
    public string Module { get; init; } = "";
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

    /// <summary>The file is an integration test (<c>tests/</c> below the crate root): all its functions are test code.</summary>
    public bool IsTestTarget { get; set; }
    public string ModulePath { get; set; } = "";

    /// <summary>Module path → whether a declaration of it (<c>mod x;</c> or inline <c>mod x { }</c>) is <c>pub</c>.</summary>
    public Dictionary<string, bool> ModuleDeclarations { get; } = new(StringComparer.Ordinal);
    public string Edition { get; set; } = "2015";

    /// <summary>Lints allowed by <c>#[allow]</c>/<c>#[expect]</c> (<c>clippy::x</c> or a rustc lint name) and the span they cover.</summary>
    public List<(TextSpan Scope, string Lint)> AllowedLints { get; } = [];

    /// <summary>Lint levels a file's top-level <c>#![level(lint, …)]</c> attributes set (level, lint, 1-based line); the crate root's apply crate-wide.</summary>
    public List<(string Level, string Lint, int Line)> CrateLintAttributes { get; } = [];

    /// <summary>Suppression comments: <c>// unsafescope-ignore: US1001 -- reason</c>.</summary>
    public List<SuppressionComment> Suppressions { get; } = [];
    public List<RegionDraft> Regions { get; } = [];

    /// <summary>Names of the macros this file calls (in code or inside other macros' token trees).</summary>
    public HashSet<string> MacroCalls { get; } = new(StringComparer.Ordinal);

    /// <summary>The bodies of <c>macro_rules!</c> definitions (Name = the macro): operations outside their own unsafe blocks.</summary>
    public List<RegionDraft> MacroBodies { get; } = [];

    public List<FunctionDeclaration> FunctionDeclarations { get; } = [];

    /// <summary>Functions with bodies, for the test reach of encapsulating functions.</summary>
    public List<FunctionBody> FunctionBodies { get; } = [];

    /// <summary>
    /// Attributes the driver configuration rules look for: <c>crate:no_std</c> / <c>crate:no_main</c> (inner attributes of
    /// the file, also through <c>cfg_attr</c>), <c>global_allocator</c> and <c>panic_handler</c> (on any item).
    /// </summary>
    public HashSet<string> MarkerAttributes { get; } = new(StringComparer.Ordinal);

    /// <summary>Names called in the runnable code blocks of doc comments (doctests), as in <see cref="FunctionBody.Calls"/>.</summary>
    public HashSet<string> DocTestCalls { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> SafeExternFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> ExternStatics { get; } = new(StringComparer.Ordinal);
    public HashSet<string> StaticMuts { get; } = new(StringComparer.Ordinal);
    public HashSet<string> UnionFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> StructFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> RawPointerFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> NonNullFields { get; } = new(StringComparer.Ordinal);
    /// <summary>Fields of type UnsafeCell, Cell of a raw pointer or AtomicPtr: their <c>get()</c>/<c>load()</c> is a raw pointer.</summary>
    public HashSet<string> PointerCellFields { get; } = new(StringComparer.Ordinal);
    /// <summary>Struct fields of any other type (a name in both sets is ambiguous).</summary>
    public HashSet<string> NonPointerFields { get; } = new(StringComparer.Ordinal);
    /// <summary>Fields of type <c>unsafe fn(…)</c> or <c>Option&lt;unsafe fn(…)&gt;</c>: calling what they hold is unsafe.</summary>
    public HashSet<string> UnsafeFnPointerFields { get; } = new(StringComparer.Ordinal);
    /// <summary><c>Struct.field</c> of every struct field, and the subset whose type is a raw pointer or NonNull.</summary>
    public HashSet<string> TypedFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> TypedPointerFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> PointerReturningFunctions { get; } = new(StringComparer.Ordinal);
    public HashSet<string> TypesWithPublicRawFields { get; } = new(StringComparer.Ordinal);
    /// <summary><c>Union.field</c> of every union field.</summary>
    public HashSet<string> UnionTypedFields { get; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Union fields by name: those of a type a further field access derefs through (a reference, Box, ManuallyDrop,
    /// Rc, Arc), and the others (for <c>&amp;raw const w.s.i</c> when w's type is not known).
    /// </summary>
    public HashSet<string> DerefUnionFields { get; } = new(StringComparer.Ordinal);
    public HashSet<string> PlaceUnionFields { get; } = new(StringComparer.Ordinal);
    /// <summary><c>Union.field</c> of the union fields in <see cref="DerefUnionFields"/>.</summary>
    public HashSet<string> DerefUnionTypedFields { get; } = new(StringComparer.Ordinal);
    /// <summary>Type aliases of raw pointer types (<c>type Alias = *const u8;</c>).</summary>
    public HashSet<string> PointerAliases { get; } = new(StringComparer.Ordinal);
    /// <summary>Consts and statics (also trait associated consts) of type <c>unsafe fn(…)</c>: calling them is unsafe.</summary>
    public HashSet<string> UnsafeFnConsts { get; } = new(StringComparer.Ordinal);
    /// <summary><c>Struct.N</c> for tuple struct fields of type <c>unsafe fn(…)</c>.</summary>
    public HashSet<string> UnsafeFnTupleFields { get; } = new(StringComparer.Ordinal);
    /// <summary><c>module::Name</c> of the <c>pub</c> structs, enums and unions (a trait impl for one is exported with it).</summary>
    public HashSet<string> PublicTypes { get; } = new(StringComparer.Ordinal);

    /// <summary><c>line\tdetail</c> of <c>unsafe impl Send/Sync</c> whose type parameters lack the bound (Rudra's SendSyncVariance).</summary>
    public HashSet<string> SendSyncVariance { get; } = new(StringComparer.Ordinal);

    /// <summary><c>#[path = "p"] mod name;</c> declarations of the file (also in macro token trees such as cfg_if!), as <c>offset\tname\tp</c>.</summary>
    public HashSet<string> PathModules { get; } = new(StringComparer.Ordinal);

    /// <summary>Local name → imported path (<c>use a::b::C as D</c> gives D → a::b::C).</summary>
    public Dictionary<string, string> Imports { get; } = new(StringComparer.Ordinal);

    /// <summary><c>pub use</c> re-exports: the module declaring them and each path (a glob ends in <c>::*</c>).</summary>
    public List<(string Module, string Path)> Reexports { get; } = [];

    /// <summary>Paths imported with <c>::*</c>.</summary>
    public List<string> GlobImports { get; } = [];

    /// <summary>The item skeleton (<see cref="ItemCollector"/>): declarations outside function bodies, in source order.</summary>
    public List<ItemDeclaration> Items { get; } = [];

    /// <summary>Function bodies where type recipes are evaluated (module, self type, generics).</summary>
    public List<TypeScope> TypeScopes { get; } = [];

    /// <summary>
    /// In unsafe regions: (start, length) of a method name, a field expression or a deref → the type recipe of its
    /// receiver, value or operand (<see cref="TypeRecipe"/>).
    /// </summary>
    public Dictionary<(int Start, int Length), string> Receivers { get; } = [];

    public int Lines { get; set; }
    public ulong[]? LineHashes { get; set; }
    public int Functions { get; set; }
    public int Methods { get; set; }
    public int Impls { get; set; }
    public int Traits { get; set; }
    public int UnsafeFreeFunctions { get; set; }
    public int UnsafeMethodCount { get; set; }
}

/// <summary>A suppression comment and the line it applies to (its own line when trailing code, else the next code line).</summary>
internal sealed record SuppressionComment(Location Location, int TargetLine, string[] Ids, string Reason);
