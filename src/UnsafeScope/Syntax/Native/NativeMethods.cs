using System.Runtime.InteropServices;

namespace UnsafeScope.Syntax.Native;

/// <summary>The flattened node record written by native/shim/unsafescope_ts.c (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NodeRecord
{
    public uint StartByte;
    public uint EndByte;
    public uint Parent;
    public uint SubtreeEnd;
    public uint PrevSibling;
    public ushort Symbol;
    public ushort Field;
    public ushort Flags;
    public ushort Reserved;

    public const uint None = uint.MaxValue;
    public const ushort FlagNamed = 1, FlagMissing = 2, FlagExtra = 4, FlagHasError = 8, FlagError = 16;
}

internal enum NativeParseStatus
{
    Ok = 0,
    Cancelled = 1,
    NoMemory = 2,
    Failed = 3,
}

internal static unsafe partial class NativeMethods
{
    internal const string Library = "unsafescope_ts";

    [LibraryImport(Library, EntryPoint = "us_node_size")]
    internal static partial uint NodeSize();

    [LibraryImport(Library, EntryPoint = "us_abi_version")]
    internal static partial uint AbiVersion();

    [LibraryImport(Library, EntryPoint = "us_language_version")]
    internal static partial uint LanguageVersion();

    [LibraryImport(Library, EntryPoint = "us_symbol_count")]
    internal static partial uint SymbolCount();

    [LibraryImport(Library, EntryPoint = "us_symbol_name")]
    internal static partial byte* SymbolName(ushort symbol);

    [LibraryImport(Library, EntryPoint = "us_symbol_type")]
    internal static partial int SymbolType(ushort symbol);

    [LibraryImport(Library, EntryPoint = "us_field_count")]
    internal static partial uint FieldCount();

    [LibraryImport(Library, EntryPoint = "us_field_name")]
    internal static partial byte* FieldName(ushort field);

    [LibraryImport(Library, EntryPoint = "us_parser_new")]
    internal static partial nint ParserNew();

    [LibraryImport(Library, EntryPoint = "us_parser_delete")]
    internal static partial void ParserDelete(nint parser);

    [LibraryImport(Library, EntryPoint = "us_parse")]
    internal static partial int Parse(nint parser, byte* source, uint length, ulong timeoutMicros, int* cancel, NodeRecord** nodes, uint* count);

    [LibraryImport(Library, EntryPoint = "us_parse_only")]
    internal static partial int ParseOnly(nint parser, byte* source, uint length);
}
