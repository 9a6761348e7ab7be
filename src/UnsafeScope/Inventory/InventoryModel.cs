using System.Collections.Immutable;
using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

/// <summary>The kinds of unsafe region. <see cref="RegionKinds.Name(RegionKind)"/> gives the JSON name.</summary>
public enum RegionKind
{
    /// <summary><c>unsafe { … }</c>.</summary>
    UnsafeBlock,
    /// <summary><c>unsafe fn</c> with a body, or declared in a trait.</summary>
    UnsafeFn,
    /// <summary><c>unsafe impl</c>.</summary>
    UnsafeImpl,
    /// <summary><c>unsafe trait</c>.</summary>
    UnsafeTrait,
    /// <summary><c>extern "ABI" { … }</c> and Rust 2024 <c>unsafe extern</c>.</summary>
    ExternBlock,
    /// <summary>A function declared in an extern block.</summary>
    ExternFn,
    /// <summary>A static declared in an extern block.</summary>
    ExternStatic,
    /// <summary><c>static mut</c>.</summary>
    StaticMut,
    /// <summary><c>union</c>.</summary>
    Union,
    /// <summary><c>#[no_mangle]</c>, <c>#[export_name]</c>, <c>#[link_section]</c>, <c>#[unsafe(…)]</c> and <c>cfg_attr(…, unsafe(…))</c>.</summary>
    UnsafeAttribute,
    /// <summary>An FFI entry point or callback: <c>extern "ABI" fn</c> with a body, or an exported symbol such as <c>DriverEntry</c>.</summary>
    FfiEntry,
    /// <summary><c>asm!</c> or <c>global_asm!</c>.</summary>
    InlineAsm,
    /// <summary>
    /// A function a macro makes <c>unsafe fn</c> around code written here (libc's <c>f!</c>, a <c>macro_rules!</c> that
    /// wraps a closure passed to it): the body is in this file, the <c>unsafe</c> keyword in the macro's definition.
    /// Only rules about the operations in unsafe fn bodies read it; it is not counted as an unsafe fn of the source.
    /// </summary>
    MacroUnsafeFn,
}

/// <summary>What makes code need <c>unsafe</c> (clippy's notion in <c>multiple_unsafe_ops_per_block</c>).</summary>
public enum OperationKind
{
    /// <summary>Call of an <c>unsafe fn</c> (declared in the crate or known from a catalog).</summary>
    UnsafeCall,
    /// <summary>Call of a function declared in an extern block, or a known FFI function.</summary>
    ExternCall,
    /// <summary>Call of an unsafe method.</summary>
    UnsafeMethodCall,
    /// <summary>Dereference of a raw pointer.</summary>
    RawPointerDeref,
    /// <summary>Read or write of a <c>static mut</c>.</summary>
    StaticMutAccess,
    /// <summary>Access of a static declared in an extern block.</summary>
    ExternStaticAccess,
    /// <summary>Read of a union field.</summary>
    UnionFieldAccess,
    /// <summary><c>asm!</c>.</summary>
    InlineAsm,
    /// <summary>A macro that performs an unsafe operation (such as <c>call_unsafe_wdf_function_binding!</c>).</summary>
    UnsafeMacro,
}

/// <summary>JSON names of the inventory enums.</summary>
public static class RegionKinds
{
    /// <summary>The snake_case JSON name of a region kind.</summary>
    public static string Name(RegionKind kind) => kind switch
    {
        RegionKind.UnsafeBlock => "unsafe_block",
        RegionKind.UnsafeFn => "unsafe_fn",
        RegionKind.UnsafeImpl => "unsafe_impl",
        RegionKind.UnsafeTrait => "unsafe_trait",
        RegionKind.ExternBlock => "extern_block",
        RegionKind.ExternFn => "extern_fn",
        RegionKind.ExternStatic => "extern_static",
        RegionKind.StaticMut => "static_mut",
        RegionKind.Union => "union",
        RegionKind.UnsafeAttribute => "unsafe_attribute",
        RegionKind.FfiEntry => "ffi_entry",
        RegionKind.InlineAsm => "asm",
        RegionKind.MacroUnsafeFn => "macro_unsafe_fn",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The snake_case JSON name of an operation kind.</summary>
    public static string Name(OperationKind kind) => kind switch
    {
        OperationKind.UnsafeCall => "unsafe_call",
        OperationKind.ExternCall => "extern_call",
        OperationKind.UnsafeMethodCall => "unsafe_method_call",
        OperationKind.RawPointerDeref => "raw_pointer_deref",
        OperationKind.StaticMutAccess => "static_mut_access",
        OperationKind.ExternStaticAccess => "extern_static_access",
        OperationKind.UnionFieldAccess => "union_field_access",
        OperationKind.InlineAsm => "inline_asm",
        OperationKind.UnsafeMacro => "unsafe_macro",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>A phrase for messages: "raw pointer dereference".</summary>
    public static string Describe(OperationKind kind) => kind switch
    {
        OperationKind.UnsafeCall => "unsafe function call",
        OperationKind.ExternCall => "extern function call",
        OperationKind.UnsafeMethodCall => "unsafe method call",
        OperationKind.RawPointerDeref => "raw pointer dereference",
        OperationKind.StaticMutAccess => "access of a static mut",
        OperationKind.ExternStaticAccess => "access of an extern static",
        OperationKind.UnionFieldAccess => "union field access",
        OperationKind.InlineAsm => "inline assembly",
        OperationKind.UnsafeMacro => "unsafe macro use",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>An operation that needs <c>unsafe</c>.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Name">The callee, static, field or macro name; the dereferenced expression for derefs.</param>
/// <param name="Location">Where it is.</param>
public sealed record UnsafeOperation(OperationKind Kind, string Name, Location Location)
{
    /// <summary>1-based line.</summary>
    public int Line => Location.StartLine;

    /// <summary>
    /// The local variables the operation works on, as written: the dereferenced place, the receiver and the arguments
    /// of an unsafe call (only those written as a plain name, as clippy's <c>not_unsafe_ptr_arg_deref</c> looks at them).
    /// </summary>
    public ImmutableArray<Operand> Operands { get; init; } = [];

    /// <summary>
    /// The <c>#[cfg(…)]</c> predicate of the statement or expression that holds the operation inside its region, as
    /// written (<c>target_arch = "x86_64"</c>), or empty. Operations under predicates that exclude each other are
    /// alternatives (see <see cref="Semantics.CfgAlternatives"/>).
    /// </summary>
    public string Cfg { get; init; } = "";

    /// <inheritdoc />
    public bool Equals(UnsafeOperation? other)
        => other is not null && Kind == other.Kind && Name == other.Name && Location == other.Location && Cfg == other.Cfg && Operands.SequenceEqual(other.Operands);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Name, Location, Cfg);
}

/// <summary>A local variable an operation uses (see <see cref="UnsafeOperation.Operands"/>).</summary>
/// <param name="Name">The variable.</param>
/// <param name="Location">Where it is written.</param>
public sealed record Operand(string Name, Location Location);

/// <summary>How an FFI call was written.</summary>
public enum FfiCallForm
{
    /// <summary>A plain call <c>Name(…)</c> of an imported or locally declared name.</summary>
    Call,
    /// <summary>A path call <c>wdk_sys::ntddk::Name(…)</c> / <c>bindings::name(…)</c>.</summary>
    Path,
    /// <summary>The first argument of a WDF binding macro (<c>call_unsafe_wdf_function_binding!(Name, …)</c>).</summary>
    WdfMacro,
    /// <summary>A helper macro that hides a call (<c>paged_code!()</c>).</summary>
    HiddenByMacro,
}

/// <summary>A call that crosses the FFI boundary.</summary>
/// <param name="Name">The C function name.</param>
/// <param name="Family">API family (<c>Wdf</c>, <c>Mm</c>, …, <c>linux</c>, or <c>unknown</c>).</param>
/// <param name="Risk">high, medium, low, or unknown.</param>
/// <param name="Form">How the call was written.</param>
/// <param name="Source">What resolved it: <c>catalog</c>, <c>family-rule</c>, <c>extern-decl</c>, <c>ffi-crate</c> (a libc/*_sys/ffi path),
/// <c>dependency</c> (an extern fn of a dependency read from the dependency sources), <c>linux-bindings</c>,
/// <c>wdk-bindings</c> (a call through wdk-sys the catalog does not list), <c>wdf-macro</c> (an uncatalogued first argument of the WDF binding macro).</param>
/// <param name="Location">Where it is.</param>
public sealed record FfiCall(string Name, string Family, string Risk, FfiCallForm Form, string Source, Location Location)
{
    /// <summary>A WDK call the API catalog does not list (family from its name prefix, risk unknown): a gap in the catalog.</summary>
    public bool Uncatalogued => Source is "wdk-bindings" or "wdf-macro";

    /// <summary>1-based line.</summary>
    public int Line => Location.StartLine;
}

/// <summary>A hardware access: volatile or unaligned access, mapped-pointer dereference, port, MSR, register or bus access.</summary>
/// <param name="Kind">Kind from the MMIO catalog (<c>volatile-read</c>, <c>map</c>, <c>port-out</c>, …) or <c>deref-read</c>/<c>deref-write</c> of a mapped pointer, <c>inline-asm</c>.</param>
/// <param name="Api">The function, method or intrinsic (or the mapping API the pointer came from).</param>
/// <param name="Base">The base expression (pointer or port) as written.</param>
/// <param name="Location">Where it is.</param>
public sealed record MmioAccess(string Kind, string Api, string Base, Location Location)
{
    /// <summary>1-based line.</summary>
    public int Line => Location.StartLine;
}

/// <summary>One unsafe region and what it does at the FFI boundary.</summary>
public sealed record UnsafeRegion : Diagnostics.IScoredRegion
{
    string Diagnostics.IScoredRegion.ScoreFactorsText => string.Join("; ", ScoreFactors.Select(f => $"{f.Name} {f.Points}"));

    string Diagnostics.IScoredRegion.KindName => RegionKinds.Name(Kind);

    /// <summary>The region kind.</summary>
    public required RegionKind Kind { get; init; }

    /// <summary>The region's location.</summary>
    public required Location Location { get; init; }

    /// <summary>
    /// True when the region sits in a macro token tree (macro_rules! body, macro argument). Compiler lints see such code
    /// only as expansions of a local <c>macro_rules!</c> (see <see cref="MacroRules"/>).
    /// </summary>
    public bool InMacro { get; init; }

    /// <summary>
    /// For a region in the body of a local <c>macro_rules!</c> that the crate calls: the macro's name (rustc and clippy
    /// lint its expansions at these lines); empty otherwise.
    /// </summary>
    public string MacroRules { get; init; } = "";

    /// <summary>The item macro (<c>cfg_if</c>, …) whose arguments held this region, analyzed as ordinary code; empty otherwise.</summary>
    public string ExpandedFrom { get; init; } = "";

    // A run keeps every region until its outputs are written, and a function's blocks, its callers' views of it and
    // the ABIs and visibilities of a crate's items repeat the same text: equal strings share one instance (StringTable).
    /// <summary>Enclosing item path, <c>module::Type::method</c> (module from the file's place in the crate).</summary>
    public required string Item { get => _item; init => _item = StringTable.Share(value); }

    /// <summary>The region's own name (function, static, trait, attribute…), or empty.</summary>
    public string Name { get => _name; init => _name = StringTable.Share(value); }

    /// <summary>Visibility of the region's item (or of the enclosing function for blocks): <c>pub</c>, <c>pub(crate)</c>, … or <c>private</c>.</summary>
    public string Visibility { get => _visibility; init => _visibility = StringTable.Share(value); }

    private readonly string _item = "", _name = "", _visibility = "private", _abi = "", _ownerType = "";

    /// <summary>
    /// True when the item is reachable from outside the crate (clippy's "exported"): <c>pub</c>, not <c>#[doc(hidden)]</c>,
    /// in modules that are all <c>pub</c> up to the crate root or re-exported by <c>pub use m::*</c>, or itself (its type,
    /// for methods) re-exported by a <c>pub use</c>; items in a <c>#[doc(hidden)]</c> module, impl or trait are not (clippy's
    /// doc lints skip them). For blocks: their function's effective visibility (doc(hidden) aside; a trait impl's methods
    /// with the impl's type).
    /// </summary>
    public bool IsExported { get; init; }

    /// <summary>A <c>// SAFETY:</c> comment justifies it (clippy's rules for where the comment may stand).</summary>
    public bool HasSafetyComment { get; init; }

    /// <summary>No SAFETY comment, but an <c>// INVARIANT:</c> comment where one would stand (the Linux kernel's tag; US1001 accepts it under the linux-kernel preset).</summary>
    public bool HasInvariantComment { get; init; }

    /// <summary>What the SAFETY comment says after its tag (up to 300 characters), or empty.</summary>
    public string SafetyComment { get; init; } = "";

    /// <summary>Where the SAFETY comment stands: directly above the region, or only above its statement or attributes.</summary>
    public SafetyCommentPlacement SafetyCommentPlacement { get; init; }

    /// <summary>For functions and traits: the doc comment has a <c># Safety</c> section.</summary>
    public bool HasSafetyDoc { get; init; }

    /// <summary>For extern items and FFI entries: the ABI string (<c>C</c>, <c>system</c>, …).</summary>
    public string Abi { get => _abi; init => _abi = StringTable.Share(value); }

    /// <summary>The type whose impl (or trait) holds the region, or empty.</summary>
    public string OwnerType { get => _ownerType; init => _ownerType = StringTable.Share(value); }

    /// <summary>For regions inside a function: that function's ABI when it is an <c>extern "ABI" fn</c> (an FFI callback), else empty.</summary>
    public string EnclosingAbi { get; init; } = "";

    /// <summary>For regions inside a function: true when that function is an <c>unsafe fn</c>.</summary>
    public bool InUnsafeFunction { get; init; }

    /// <summary>
    /// For regions inside a function: its parameters whose type is a raw pointer (directly or through a type alias
    /// of the crate) and that the body has not re-bound before the region.
    /// </summary>
    public ImmutableArray<string> PointerParameters { get; init; } = [];

    /// <summary>
    /// False when a <c>#[cfg(…)]</c> around the region is false for the configured target
    /// (<see cref="Driver.AnalysisOptions.Target"/>): the code is kept in the inventory but gets no findings.
    /// </summary>
    public bool IsActive { get; init; } = true;

    /// <summary>Encapsulation score 0–100 (100 for kinds that are not scored); computed by the Scoring layer (docs/scoring.md).</summary>
    public int Score { get; init; } = 100;

    /// <summary>Why the score is below 100.</summary>
    public ImmutableArray<ScoreFactor> ScoreFactors { get; init; } = [];

    /// <summary>Unsafe operations that belong to this region (not to a nested one).</summary>
    public ImmutableArray<UnsafeOperation> Operations { get; init; } = [];

    /// <summary>FFI calls in this region.</summary>
    public ImmutableArray<FfiCall> FfiCalls { get; init; } = [];

    /// <summary>Hardware accesses in this region.</summary>
    public ImmutableArray<MmioAccess> Mmio { get; init; } = [];

    /// <summary>1-based first line.</summary>
    public int StartLine => Location.StartLine;

    /// <summary>1-based last line.</summary>
    public int EndLine => Location.EndLine;
}

/// <summary>Where a region's SAFETY comment was found.</summary>
public enum SafetyCommentPlacement
{
    /// <summary>No SAFETY comment.</summary>
    None,
    /// <summary>Directly above the region (only blank and comment lines between).</summary>
    OnRegion,
    /// <summary>Above the statement holding the region, or above attributes (clippy accepts both by default).</summary>
    AboveStatementOrAttributes,
}

/// <summary>Counts for a file, crate or run.</summary>
public sealed record InventoryCounts
{
    /// <summary>Unsafe blocks (including in macros).</summary>
    public int UnsafeBlocks { get; init; }
    /// <summary>Unsafe functions (free functions and methods, with bodies or declared in traits).</summary>
    public int UnsafeFunctions { get; init; }
    /// <summary>Unsafe impls.</summary>
    public int UnsafeImpls { get; init; }
    /// <summary>Unsafe traits.</summary>
    public int UnsafeTraits { get; init; }
    /// <summary>Extern blocks.</summary>
    public int ExternBlocks { get; init; }
    /// <summary><c>static mut</c> items.</summary>
    public int StaticMuts { get; init; }
    /// <summary>FFI calls.</summary>
    public int FfiCalls { get; init; }
    /// <summary>Hardware accesses.</summary>
    public int MmioAccesses { get; init; }
    /// <summary>Lines of the file(s).</summary>
    public int Lines { get; init; }
    /// <summary>Lines inside unsafe blocks and unsafe function bodies.</summary>
    public int UnsafeLines { get; init; }
    /// <summary>All free functions (geiger's "functions" total).</summary>
    public int Functions { get; init; }
    /// <summary>Unsafe free functions.</summary>
    public int UnsafeFreeFunctions { get; init; }
    /// <summary>All methods in impl blocks.</summary>
    public int Methods { get; init; }
    /// <summary>Unsafe methods in impl blocks.</summary>
    public int UnsafeMethods { get; init; }
    /// <summary>All impl blocks.</summary>
    public int Impls { get; init; }
    /// <summary>All traits.</summary>
    public int Traits { get; init; }

    /// <summary>Adds counts.</summary>
    public static InventoryCounts operator +(InventoryCounts a, InventoryCounts b) => new()
    {
        UnsafeBlocks = a.UnsafeBlocks + b.UnsafeBlocks,
        UnsafeFunctions = a.UnsafeFunctions + b.UnsafeFunctions,
        UnsafeImpls = a.UnsafeImpls + b.UnsafeImpls,
        UnsafeTraits = a.UnsafeTraits + b.UnsafeTraits,
        ExternBlocks = a.ExternBlocks + b.ExternBlocks,
        StaticMuts = a.StaticMuts + b.StaticMuts,
        FfiCalls = a.FfiCalls + b.FfiCalls,
        MmioAccesses = a.MmioAccesses + b.MmioAccesses,
        Lines = a.Lines + b.Lines,
        UnsafeLines = a.UnsafeLines + b.UnsafeLines,
        Functions = a.Functions + b.Functions,
        UnsafeFreeFunctions = a.UnsafeFreeFunctions + b.UnsafeFreeFunctions,
        Methods = a.Methods + b.Methods,
        UnsafeMethods = a.UnsafeMethods + b.UnsafeMethods,
        Impls = a.Impls + b.Impls,
        Traits = a.Traits + b.Traits,
    };

    /// <summary>No counts.</summary>
    public static InventoryCounts Zero { get; } = new();
}

/// <summary>The unsafe inventory of one file.</summary>
/// <param name="Path">Path relative to the base directory.</param>
/// <param name="Crate">Name of the crate the file belongs to (from its Cargo.toml), or the folder name.</param>
/// <param name="Regions">Regions in source order.</param>
/// <param name="Counts">Counts.</param>
/// <param name="Edition">The crate's Rust edition.</param>
public sealed record FileInventory(string Path, string Crate, ImmutableArray<UnsafeRegion> Regions, InventoryCounts Counts, string Edition = "2021")
{
    /// <summary>The module's (file's) encapsulation score: weighted mean of its regions' scores.</summary>
    public int Score => RegionScores.Rollup(Regions);

    /// <summary>Score per function (item path), for functions holding scored regions.</summary>
    public ImmutableSortedDictionary<string, int> FunctionScores =>
        Regions.Where(r => RegionScores.IsScored(r.Kind)).GroupBy(r => r.Item)
            .ToImmutableSortedDictionary(g => g.Key, g => RegionScores.Rollup(g), StringComparer.Ordinal);
}

/// <summary>The rollup of one crate (a folder with a Cargo.toml).</summary>
/// <param name="Name">Crate name.</param>
/// <param name="Root">Crate folder relative to the base directory ("." for the base itself).</param>
/// <param name="Files">Number of files.</param>
/// <param name="Counts">Summed counts.</param>
/// <param name="Edition">Rust edition from Cargo.toml (2015 when absent, as cargo assumes).</param>
/// <param name="Score">The crate's encapsulation score: weighted mean of all its regions' scores.</param>
public sealed record CrateInventory(string Name, string Root, int Files, InventoryCounts Counts, string Edition = "2021", int Score = 100)
{
    /// <summary>Safe functions that encapsulate unsafe code, with whether tests reach them, in file and line order.</summary>
    public ImmutableArray<EncapsulatingFunction> EncapsulatingFunctions { get; init; } = [];

    /// <summary>
    /// Safe functions that safe code of other crates reaches (exported, or called from one) and that hold unsafe code
    /// or reach it through private helpers: where an unsoundness advisory would point. In file and line order.
    /// </summary>
    public ImmutableArray<ExposedFunction> ExposedFunctions { get; init; } = [];

    /// <summary>
    /// Safe functions that safe callers reach and that set a field of their type from a value those callers choose (a raw
    /// pointer, an unchecked integer, what a closure returned), which an unsafe block of a safe method of the type then
    /// uses unchecked: safe code that unsafe code trusts, where an advisory names a function with no unsafe code of its
    /// own (docs/scoring.md, <c>trusts-safe-writer</c>). In file and line order.
    /// </summary>
    public ImmutableArray<TrustedSafeFunction> TrustedSafeFunctions { get; init; } = [];

    /// <summary>How many of <see cref="EncapsulatingFunctions"/> a test reaches.</summary>
    public int TestedEncapsulatingFunctions => EncapsulatingFunctions.Count(e => e.Tested);
    /// <summary>The package as cargo configures it (workspace inheritance, lint levels, driver model…); null outside a package or when its Cargo.toml could not be read.</summary>
    public Workspace.CargoPackage? Package { get; init; }

    /// <summary>For a Windows driver package: its driver configuration (what the US3xxx rules and the readiness page read); else null.</summary>
    public Workspace.DriverConfiguration? Driver { get; init; }
}

/// <summary>A safe function exposed to safe callers of other crates that holds or reaches unsafe code (see <see cref="CrateInventory.ExposedFunctions"/>).</summary>
/// <param name="Item">Its item path.</param>
/// <param name="Path">Its file, relative to the base directory.</param>
/// <param name="StartLine">The line of its name.</param>
/// <param name="EndLine">Its last line.</param>
/// <param name="Exposure">0 when exported itself, else the calls from the exported safe function <paramref name="ExposedThrough"/>.</param>
/// <param name="ExposedThrough">The exported safe function that reaches it first (itself at 0).</param>
/// <param name="Score">The lowest score of the regions it holds or reaches through private helpers (100 when none is scored).</param>
/// <param name="Reaches">The functions holding those regions (<c>path:item</c>), itself first when it holds any.</param>
public sealed record ExposedFunction(string Item, string Path, int StartLine, int EndLine, int Exposure, string ExposedThrough, int Score, ImmutableArray<string> Reaches)
{
    /// <summary>Its item path (the same string as its regions' and callers' where it was seen lately).</summary>
    public string Item { get; init; } = StringTable.Share(Item);

    /// <summary>The exported safe function that reaches it first; one entry point reaches many functions.</summary>
    public string ExposedThrough { get; init; } = StringTable.Share(ExposedThrough);
}

/// <summary>A safe function whose field writes unsafe code trusts (see <see cref="CrateInventory.TrustedSafeFunctions"/>).</summary>
/// <param name="Item">Its item path.</param>
/// <param name="Path">Its file, relative to the base directory.</param>
/// <param name="StartLine">The line of its name.</param>
/// <param name="EndLine">Its last line.</param>
/// <param name="Exposure">0 when exported itself, else the calls from the exported safe function <paramref name="ExposedThrough"/>.</param>
/// <param name="ExposedThrough">The exported safe function that reaches it first (itself at 0).</param>
/// <param name="Field">The field it sets (<c>self.ptr</c>).</param>
/// <param name="Source">Where the value comes from (<c>from its raw-pointer parameter ptr: *mut u8</c>).</param>
/// <param name="TrustedBy">The unsafe blocks that use the field unchecked (<c>path:line</c>), in file and line order.</param>
public sealed record TrustedSafeFunction(string Item, string Path, int StartLine, int EndLine, int Exposure, string ExposedThrough, string Field, string Source, ImmutableArray<string> TrustedBy);

/// <summary>One reason a score is below 100.</summary>
/// <param name="Name">Stable factor name (<c>no-safety-comment</c>, <c>ffi-risk</c>, …; see docs/scoring.md).</param>
/// <param name="Points">Points taken off (negative).</param>
/// <param name="Detail">What in the code caused it.</param>
public sealed record ScoreFactor(string Name, int Points, string Detail)
{
    /// <summary>What in the code caused it; the same details recur across regions, so equal ones share one instance.</summary>
    public string Detail { get; init; } = StringTable.Share(Detail);
}

/// <summary>How region scores roll up into function, file and crate scores (the scores themselves come from the Scoring layer).</summary>
internal static class RegionScores
{
    /// <summary>Weighted mean of region scores (weight 1 + operations); 100 when there are no scored regions.</summary>
    public static int Rollup(IEnumerable<UnsafeRegion> regions)
    {
        long total = 0, weight = 0;
        foreach (var r in regions)
        {
            if (!IsScored(r.Kind)) continue;
            int w = 1 + r.Operations.Length;
            total += (long)r.Score * w;
            weight += w;
        }
        return weight == 0 ? 100 : (int)Math.Round((double)total / weight, MidpointRounding.AwayFromZero);
    }

    /// <summary>Region kinds that carry a score (declarations such as extern fns do not).</summary>
    public static bool IsScored(RegionKind kind) => kind is RegionKind.UnsafeBlock or RegionKind.UnsafeFn or RegionKind.UnsafeImpl
        or RegionKind.UnsafeTrait or RegionKind.StaticMut or RegionKind.UnsafeAttribute;
}
