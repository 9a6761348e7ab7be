using System.Collections.Immutable;
using System.Text;

namespace UnsafeScope.Semantics;

/// <summary>What a <see cref="RustType"/> is.</summary>
public enum RustTypeKind
{
    /// <summary>Not known (no annotation, an unresolved path, a macro…): unknown stays unknown.</summary>
    Unknown,
    /// <summary>A path type (<c>Foo</c>, <c>Vec&lt;u8&gt;</c>, <c>u32</c>), with its symbol when the crate declares it.</summary>
    Path,
    /// <summary><c>*const T</c> / <c>*mut T</c>.</summary>
    RawPointer,
    /// <summary><c>&amp;'a T</c> / <c>&amp;mut T</c>.</summary>
    Reference,
    /// <summary><c>[T]</c>.</summary>
    Slice,
    /// <summary><c>[T; N]</c>.</summary>
    Array,
    /// <summary><c>(A, B)</c>; <c>()</c> is the empty tuple.</summary>
    Tuple,
    /// <summary><c>unsafe extern "C" fn(A) -&gt; R</c>.</summary>
    FunctionPointer,
    /// <summary>A generic parameter of the item (stays a parameter).</summary>
    GenericParameter,
    /// <summary><c>Self</c> where the impl's type is not known.</summary>
    SelfType,
    /// <summary><c>!</c>.</summary>
    Never,
}

/// <summary>
/// A type as far as the declarations tell (immutable). Types come from what the source writes: signatures, fields,
/// annotations, casts; a path type carries the symbol it resolves to when the crate (or a dependency given with
/// <c>--deps</c>) declares it. Nothing is inferred beyond that: what is not written is <see cref="Unknown"/>.
/// </summary>
public abstract class RustType
{
    private protected RustType()
    {
    }

    /// <summary>What kind of type this is.</summary>
    public abstract RustTypeKind Kind { get; }

    /// <summary>The unknown type.</summary>
    public static RustType Unknown { get; } = new UnknownType();

    /// <summary><c>!</c>.</summary>
    public static RustType Never { get; } = new NeverType();

    /// <summary>The unit type <c>()</c>.</summary>
    public static RustType Unit { get; } = new TupleType([]);

    /// <summary>The type as Rust writes it (paths as resolved, generic arguments kept).</summary>
    public abstract override string ToString();

    /// <summary>Through references (auto-deref of field access and method calls); raw pointers are not dereferenced.</summary>
    public RustType StripReferences()
    {
        var t = this;
        for (int i = 0; i < 16 && t is ReferenceType r; i++) t = r.Referent;
        return t;
    }

    /// <summary>Types compare by how they are written (<see cref="ToString"/>).</summary>
    public override bool Equals(object? obj) => obj is RustType t && t.Kind == Kind && t.ToString() == ToString();

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, ToString());
}

/// <summary>See <see cref="RustTypeKind.Unknown"/>.</summary>
public sealed class UnknownType : RustType
{
    internal UnknownType()
    {
    }

    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.Unknown;

    /// <inheritdoc/>
    public override string ToString() => "?";
}

/// <summary>See <see cref="RustTypeKind.Never"/>.</summary>
public sealed class NeverType : RustType
{
    internal NeverType()
    {
    }

    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.Never;

    /// <inheritdoc/>
    public override string ToString() => "!";
}

/// <summary>See <see cref="RustTypeKind.Path"/>.</summary>
public sealed class PathType : RustType
{
    internal PathType(string path, ImmutableArray<RustType> arguments, RustSymbol? symbol)
    {
        Path = path;
        TypeArguments = arguments.IsDefault ? [] : arguments;
        Symbol = symbol;
    }

    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.Path;

    /// <summary>The path as written, without generic arguments (<c>std::vec::Vec</c>, <c>Foo</c>).</summary>
    public string Path { get; }

    /// <summary>The last segment of <see cref="Path"/>.</summary>
    public string Name => Path.LastIndexOf("::", StringComparison.Ordinal) is var i and >= 0 ? Path[(i + 2)..] : Path;

    /// <summary>The generic type arguments (lifetimes left out).</summary>
    public ImmutableArray<RustType> TypeArguments { get; }

    /// <summary>The struct, enum, union, trait or alias it names, when known; null for std and unresolved types.</summary>
    public RustSymbol? Symbol { get; }

    /// <inheritdoc/>
    public override string ToString()
        => TypeArguments.IsEmpty ? Path : Path + "<" + string.Join(", ", TypeArguments.Select(a => a.ToString())) + ">";
}

/// <summary>See <see cref="RustTypeKind.RawPointer"/>.</summary>
public sealed class RawPointerType(bool isMutable, RustType pointee) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.RawPointer;

    /// <summary><c>*mut</c> (else <c>*const</c>).</summary>
    public bool IsMutable { get; } = isMutable;

    /// <summary>What it points to.</summary>
    public RustType Pointee { get; } = pointee;

    /// <inheritdoc/>
    public override string ToString() => (IsMutable ? "*mut " : "*const ") + Pointee;
}

/// <summary>See <see cref="RustTypeKind.Reference"/>.</summary>
public sealed class ReferenceType(bool isMutable, string lifetime, RustType referent) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.Reference;

    /// <summary><c>&amp;mut</c>.</summary>
    public bool IsMutable { get; } = isMutable;

    /// <summary>The lifetime as written (<c>'a</c>), or empty.</summary>
    public string Lifetime { get; } = lifetime;

    /// <summary>What it refers to.</summary>
    public RustType Referent { get; } = referent;

    /// <inheritdoc/>
    public override string ToString() => "&" + (Lifetime.Length > 0 ? Lifetime + " " : "") + (IsMutable ? "mut " : "") + Referent;
}

/// <summary>See <see cref="RustTypeKind.Slice"/> and <see cref="RustTypeKind.Array"/>.</summary>
public sealed class SliceType(RustType element, string? length) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => Length is null ? RustTypeKind.Slice : RustTypeKind.Array;

    /// <summary>The element type.</summary>
    public RustType Element { get; } = element;

    /// <summary>An array's length expression as written; null for a slice.</summary>
    public string? Length { get; } = length;

    /// <inheritdoc/>
    public override string ToString() => Length is null ? "[" + Element + "]" : "[" + Element + "; " + Length + "]";
}

/// <summary>See <see cref="RustTypeKind.Tuple"/>.</summary>
public sealed class TupleType(ImmutableArray<RustType> elements) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.Tuple;

    /// <summary>The element types (none for <c>()</c>).</summary>
    public ImmutableArray<RustType> Elements { get; } = elements;

    /// <inheritdoc/>
    public override string ToString() => Elements.Length == 1 ? "(" + Elements[0] + ",)" : "(" + string.Join(", ", Elements.Select(e => e.ToString())) + ")";
}

/// <summary>See <see cref="RustTypeKind.FunctionPointer"/>.</summary>
public sealed class FunctionPointerType(bool isUnsafe, string abi, ImmutableArray<RustType> parameters, RustType returnType) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => RustTypeKind.FunctionPointer;

    /// <summary><c>unsafe fn</c>: calling it is an unsafe operation.</summary>
    public bool IsUnsafe { get; } = isUnsafe;

    /// <summary>The <c>extern</c> ABI (<c>"C"</c>), empty for Rust's.</summary>
    public string Abi { get; } = abi;

    /// <summary>The parameter types.</summary>
    public ImmutableArray<RustType> ParameterTypes { get; } = parameters;

    /// <summary>The return type (unit when none is written).</summary>
    public RustType ReturnType { get; } = returnType;

    /// <inheritdoc/>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (IsUnsafe) sb.Append("unsafe ");
        if (Abi.Length > 0) sb.Append("extern \"").Append(Abi).Append("\" ");
        sb.Append("fn(").Append(string.Join(", ", ParameterTypes.Select(p => p.ToString()))).Append(')');
        if (ReturnType is not TupleType { Elements.IsEmpty: true }) sb.Append(" -> ").Append(ReturnType);
        return sb.ToString();
    }
}

/// <summary>See <see cref="RustTypeKind.GenericParameter"/> and <see cref="RustTypeKind.SelfType"/>.</summary>
public sealed class GenericParameterType(string name) : RustType
{
    /// <inheritdoc/>
    public override RustTypeKind Kind => Name == "Self" ? RustTypeKind.SelfType : RustTypeKind.GenericParameter;

    /// <summary>The parameter's name (<c>T</c>, or <c>Self</c>).</summary>
    public string Name { get; } = name;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
