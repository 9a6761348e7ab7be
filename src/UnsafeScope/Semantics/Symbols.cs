using System.Collections.Immutable;
using System.Runtime.InteropServices;
using UnsafeScope.Text;

namespace UnsafeScope.Semantics;

/// <summary>What a <see cref="RustSymbol"/> declares.</summary>
public enum RustSymbolKind
{
    /// <summary>A module (a file, <c>mod x;</c> or <c>mod x { }</c>); the crate root has an empty name.</summary>
    Module,
    /// <summary>A function, method or associated function (also an extern block's).</summary>
    Function,
    /// <summary>A struct.</summary>
    Struct,
    /// <summary>An enum.</summary>
    Enum,
    /// <summary>A union.</summary>
    Union,
    /// <summary>An enum variant.</summary>
    Variant,
    /// <summary>A field of a struct, union or variant.</summary>
    Field,
    /// <summary>A <c>type</c> alias (also an associated type).</summary>
    TypeAlias,
    /// <summary>A trait.</summary>
    Trait,
    /// <summary>An impl block (inherent or of a trait).</summary>
    Impl,
    /// <summary>A <c>static</c> (also an extern block's).</summary>
    Static,
    /// <summary>A <c>const</c> (also an associated const).</summary>
    Const,
    /// <summary>A <c>macro_rules!</c> macro.</summary>
    Macro,
    /// <summary>A function parameter.</summary>
    Parameter,
}

/// <summary>How a method takes <c>self</c>.</summary>
public enum SelfKind
{
    /// <summary>No <c>self</c> parameter (a free or associated function).</summary>
    None,
    /// <summary><c>self</c>.</summary>
    Value,
    /// <summary><c>&amp;self</c>.</summary>
    Reference,
    /// <summary><c>&amp;mut self</c>.</summary>
    MutableReference,
    /// <summary><c>self: Box&lt;Self&gt;</c> and other typed receivers.</summary>
    Typed,
}

/// <summary>
/// A declared item of a crate (immutable; Roslyn's <c>ISymbol</c> in shape): its name, kind, where it is declared and
/// who can see it. Types in signatures are resolved lazily in the item's scope, once, against the crate's compilation.
/// </summary>
public abstract class RustSymbol
{
    private protected RustSymbol(RustSymbolKind kind, string name, RustSymbol? containing, string visibility, Location location)
    {
        Kind = kind;
        Name = name;
        ContainingSymbol = containing;
        Visibility = visibility;
        Location = location;
    }

    /// <summary>What it declares.</summary>
    public RustSymbolKind Kind { get; }

    /// <summary>Its name (empty for impls and the crate root).</summary>
    public string Name { get; }

    /// <summary>The module, impl, trait, enum or struct it is declared in (null for the crate root).</summary>
    public RustSymbol? ContainingSymbol { get; }

    /// <summary>The module it is declared in (itself for a module).</summary>
    public ModuleSymbol? ContainingModule => this is ModuleSymbol m ? m : ContainingSymbol?.ContainingModule;

    /// <summary><c>pub</c>, <c>pub(crate)</c>… as written, <c>trait-impl</c> for trait impl items, or <c>private</c>.</summary>
    public string Visibility { get; }

    /// <summary>Where its name is declared.</summary>
    public Location Location { get; }

    /// <summary>
    /// Reachable from outside the crate, as clippy decides (effective visibility through <c>pub</c> modules and
    /// <c>pub use</c> chains; trait impl items with their type): the same answer as <see cref="SemanticModel.IsExported"/>.
    /// </summary>
    public bool IsExported { get; internal set; }

    /// <summary>The path from the crate root (<c>a::b::Foo::new</c>; an impl item's owner is its self type).</summary>
    public virtual string Path
    {
        get
        {
            var parent = ContainingSymbol switch
            {
                ImplSymbol impl => impl.SelfTypeText,
                null => "",
                var c => c.Path,
            };
            return parent.Length == 0 ? Name : Name.Length == 0 ? parent : parent + "::" + Name;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Kind + " " + Path;
}

/// <summary>A module.</summary>
public sealed class ModuleSymbol : RustSymbol
{
    internal ModuleSymbol(string name, ModuleSymbol? parent, string visibility, Location location, string crate)
        : base(RustSymbolKind.Module, name, parent, visibility, location) => CrateName = crate;

    /// <summary>The crate it belongs to.</summary>
    public string CrateName { get; }

    /// <summary>The compilation that declared it (this crate's or a dependency's).</summary>
    internal RustCompilation? Compilation { get; set; }

    internal List<RustSymbol> MemberList { get; } = [];

    /// <summary>The items declared in it (not those it imports), in declaration order.</summary>
    public ImmutableArray<RustSymbol> Members => [.. MemberList];

    /// <summary>Its child module of that name, if declared.</summary>
    public ModuleSymbol? GetModule(string name) => MemberList.OfType<ModuleSymbol>().FirstOrDefault(m => m.Name == name);
}

/// <summary>A function parameter.</summary>
public sealed class ParameterSymbol : RustSymbol
{
    private readonly Lazy<RustType> _type;

    internal ParameterSymbol(string name, RustSymbol function, Location location, Func<RustType> type)
        : base(RustSymbolKind.Parameter, name, function, "private", location) => _type = new(type);

    /// <summary>Its declared type.</summary>
    public RustType Type => _type.Value;

    /// <summary>
    /// For a parameter declared <c>impl Fn(A, B) -&gt; R</c> (also FnMut, FnOnce): the types the function passes to the
    /// closure given there, so the closure's parameters have them; empty otherwise.
    /// </summary>
    internal Lazy<ImmutableArray<RustType>> ClosureArguments { get; init; } = new(() => []);

    /// <summary>For an <c>impl FnOnce(..) -&gt; R</c> parameter (or <c>F: Fn(..) -&gt; R</c>): R as written, else empty.</summary>
    internal string ClosureReturn { get; init; } = "";
}

/// <summary>A function, method, associated function or extern function.</summary>
public sealed class FunctionSymbol : RustSymbol
{
    private readonly Lazy<RustType> _return;

    internal FunctionSymbol(string name, RustSymbol containing, string visibility, Location location, Func<RustType> returnType)
        : base(RustSymbolKind.Function, name, containing, visibility, location) => _return = new(returnType);

    private ParameterSymbol[]? _parameters;
    private readonly Func<FunctionSymbol, ParameterSymbol[]>? _makeParameters;

    /// <summary>The parameters (without <c>self</c>).</summary>
    public ImmutableArray<ParameterSymbol> Parameters => ImmutableCollectionsMarshal.AsImmutableArray(_parameters ?? LazyMembers.Make(ref _parameters, this, _makeParameters));

    // Made on first use: most functions of a crate are never asked for theirs.
    internal Func<FunctionSymbol, ParameterSymbol[]>? ParameterFactory { init => _makeParameters = value; }

    /// <summary>The return type (unit when none is written).</summary>
    public RustType ReturnType => _return.Value;

    /// <summary>Declared <c>unsafe fn</c>, or an extern block's function not declared <c>safe</c>: calling it is an unsafe operation.</summary>
    public bool IsUnsafe { get; internal init; }

    /// <summary><c>const fn</c>.</summary>
    public bool IsConst { get; internal init; }

    /// <summary><c>async fn</c>.</summary>
    public bool IsAsync { get; internal init; }

    /// <summary>Declared in an <c>extern</c> block (a foreign function).</summary>
    public bool IsExtern { get; internal init; }

    /// <summary>The ABI of <c>extern "C" fn</c> or of its extern block; empty for Rust's.</summary>
    public string Abi { get; internal init; } = "";

    /// <summary>How it takes <c>self</c>.</summary>
    public SelfKind SelfKind { get; internal init; }

    /// <summary>Has a body (a trait's required method or an extern function has none).</summary>
    public bool HasBody { get; internal init; }

    /// <summary>The impl or trait it belongs to; null for free functions.</summary>
    public RustSymbol? Owner => ContainingSymbol is ImplSymbol or TraitSymbol ? ContainingSymbol : null;

    /// <summary>Its generic parameters' names.</summary>
    public ImmutableArray<string> TypeParameters { get; internal init; } = [];
}

/// <summary>A field of a struct, union or enum variant (tuple fields are named 0, 1…).</summary>
public sealed class FieldSymbol : RustSymbol
{
    private readonly Lazy<RustType> _type;

    internal FieldSymbol(string name, RustSymbol containing, Location location, Func<RustType> type)
        : base(RustSymbolKind.Field, name, containing, "private", location) => _type = new(type);

    /// <summary>Its declared type.</summary>
    public RustType Type => _type.Value;
}

/// <summary>A struct, enum or union.</summary>
public sealed class NamedTypeSymbol : RustSymbol
{
    internal NamedTypeSymbol(RustSymbolKind kind, string name, RustSymbol containing, string visibility, Location location)
        : base(kind, name, containing, visibility, location)
    {
    }

    private FieldSymbol[]? _fields;
    private readonly Func<RustSymbol, FieldSymbol[]>? _makeFields;

    /// <summary>Its fields (a struct's or union's; none for an enum).</summary>
    public ImmutableArray<FieldSymbol> Fields => ImmutableCollectionsMarshal.AsImmutableArray(_fields ?? LazyMembers.Make(ref _fields, this, _makeFields));

    internal Func<RustSymbol, FieldSymbol[]>? FieldFactory { init => _makeFields = value; }

    /// <summary>A tuple struct (<c>struct S(u8);</c>).</summary>
    public bool IsTupleStruct { get; internal init; }

    /// <summary>An enum's variants.</summary>
    public ImmutableArray<VariantSymbol> Variants { get; internal set; } = [];

    /// <summary>Its generic parameters' names.</summary>
    public ImmutableArray<string> TypeParameters { get; internal init; } = [];

    /// <summary>The impls of this type in its crate (inherent and of traits), in declaration order.</summary>
    public ImmutableArray<ImplSymbol> Impls => ContainingModule?.Compilation?.LocalImplsOf(this) ?? [];

    /// <summary>A field by name.</summary>
    public FieldSymbol? GetField(string name) => Fields.FirstOrDefault(f => f.Name == name);
}

/// <summary>An enum variant.</summary>
public sealed class VariantSymbol : RustSymbol
{
    internal VariantSymbol(string name, NamedTypeSymbol containing, string visibility, Location location)
        : base(RustSymbolKind.Variant, name, containing, visibility, location)
    {
    }

    private FieldSymbol[]? _fields;
    private readonly Func<RustSymbol, FieldSymbol[]>? _makeFields;

    /// <summary>Its fields (tuple fields are named 0, 1…).</summary>
    public ImmutableArray<FieldSymbol> Fields => ImmutableCollectionsMarshal.AsImmutableArray(_fields ?? LazyMembers.Make(ref _fields, this, _makeFields));

    internal Func<RustSymbol, FieldSymbol[]>? FieldFactory { init => _makeFields = value; }
}

/// <summary>A <c>type</c> alias, or a trait's or impl's associated type.</summary>
public sealed class TypeAliasSymbol : RustSymbol
{
    private readonly Lazy<RustType> _target;

    internal TypeAliasSymbol(string name, RustSymbol containing, string visibility, Location location, Func<RustType> target)
        : base(RustSymbolKind.TypeAlias, name, containing, visibility, location) => _target = new(target);

    /// <summary>The aliased type (for an associated type without a default: unknown).</summary>
    public RustType Target => _target.Value;
}

/// <summary>A trait.</summary>
public sealed class TraitSymbol : RustSymbol
{
    internal TraitSymbol(string name, RustSymbol containing, string visibility, Location location)
        : base(RustSymbolKind.Trait, name, containing, visibility, location)
    {
    }

    /// <summary>An <c>unsafe trait</c>.</summary>
    public bool IsUnsafe { get; internal init; }

    internal List<RustSymbol> ItemList { get; } = [];

    /// <summary>Its items: functions, associated consts and associated types.</summary>
    public ImmutableArray<RustSymbol> Members => [.. ItemList];
}

/// <summary>An impl block.</summary>
public sealed class ImplSymbol : RustSymbol
{
    private readonly Lazy<RustType> _self;

    internal ImplSymbol(RustSymbol containing, Location location, string selfType, string traitPath, Func<RustType> self)
        : base(RustSymbolKind.Impl, "", containing, "private", location)
    {
        SelfTypeText = selfType;
        TraitPath = traitPath;
        _self = new(self);
    }

    /// <summary>The self type as written.</summary>
    public string SelfTypeText { get; }

    /// <summary>The self type, resolved.</summary>
    public RustType SelfType => _self.Value;

    /// <summary>The trait's path as written (<c>Drop</c>, <c>fmt::Debug</c>); empty for an inherent impl.</summary>
    public string TraitPath { get; }

    /// <summary>An impl of a trait.</summary>
    public bool IsTraitImpl => TraitPath.Length > 0;

    /// <summary><c>unsafe impl</c>.</summary>
    public bool IsUnsafe { get; internal init; }

    internal List<RustSymbol> ItemList { get; } = [];

    /// <summary>Its items: functions, associated consts and types.</summary>
    public ImmutableArray<RustSymbol> Members => [.. ItemList];

    /// <inheritdoc/>
    public override string Path => IsTraitImpl ? $"impl {TraitPath} for {SelfTypeText}" : "impl " + SelfTypeText;
}

/// <summary>A <c>static</c> or <c>const</c>.</summary>
public sealed class ValueSymbol : RustSymbol
{
    private readonly Lazy<RustType> _type;

    internal ValueSymbol(RustSymbolKind kind, string name, RustSymbol containing, string visibility, Location location, Func<RustType> type)
        : base(kind, name, containing, visibility, location) => _type = new(type);

    /// <summary>Its declared type.</summary>
    public RustType Type => _type.Value;

    /// <summary><c>static mut</c>: any access is an unsafe operation.</summary>
    public bool IsMutable { get; internal init; }

    /// <summary>Declared in an extern block: any access is an unsafe operation.</summary>
    public bool IsExtern { get; internal init; }
}

/// <summary>A <c>macro_rules!</c> macro.</summary>
public sealed class MacroSymbol : RustSymbol
{
    internal MacroSymbol(string name, RustSymbol containing, string visibility, Location location)
        : base(RustSymbolKind.Macro, name, containing, visibility, location)
    {
    }
}

/// <summary>How a name was resolved.</summary>
public enum ResolutionKind
{
    /// <summary>Nothing known of that name: not declared in the crate, not a dependency, not in the prelude.</summary>
    Unknown,
    /// <summary>Resolved to a symbol of this crate, or of a dependency given with <c>--deps</c>.</summary>
    Resolved,
    /// <summary>Another crate's (a dependency without sources, std/core/alloc): explicitly not known further.</summary>
    External,
}

/// <summary>What a path, call or method call refers to (Roslyn's <c>SymbolInfo</c> in shape).</summary>
public readonly record struct SymbolInfo(ResolutionKind Resolution, RustSymbol? Symbol, string ExternalCrate = "")
{
    /// <summary>Nothing known.</summary>
    public static SymbolInfo None => new(ResolutionKind.Unknown, null);

    internal static SymbolInfo External(string crate) => new(ResolutionKind.External, null, crate);

    internal static SymbolInfo Of(RustSymbol? symbol) => symbol is null ? None : new(ResolutionKind.Resolved, symbol);
}

/// <summary>
/// Members (parameters, fields) made from their declaration on first use. Symbols are shared by the crates that link
/// side by side (a dependency's compilation), so two threads may make them at once: the first array published wins
/// and both get it, so a member has one identity.
/// </summary>
internal static class LazyMembers
{
    public static T[] Make<TOwner, T>(ref T[]? slot, TOwner owner, Func<TOwner, T[]>? factory) where T : class
    {
        var made = factory is null ? [] : factory(owner);
        return Interlocked.CompareExchange(ref slot, made, null) ?? made;
    }
}
