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

[StructLayout(LayoutKind.Sequential)]
internal struct MatchRecord
{
    public uint Query;
    public uint Pattern;
    public uint FirstCapture;
    public uint CaptureCount;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CaptureRecord
{
    public uint Capture;
    public uint StartByte;
    public uint EndByte;
    public uint Symbol;
}

[StructLayout(LayoutKind.Sequential)]
internal struct PredicateStep
{
    public int Type; // 0 done, 1 capture, 2 string
    public uint ValueId;
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

    [LibraryImport(Library, EntryPoint = "us_match_size")]
    internal static partial uint MatchSize();

    [LibraryImport(Library, EntryPoint = "us_capture_size")]
    internal static partial uint CaptureSize();

    [LibraryImport(Library, EntryPoint = "us_query_new")]
    internal static partial nint QueryNew(byte* source, uint length, uint* errorOffset, int* errorType);

    [LibraryImport(Library, EntryPoint = "us_query_delete")]
    internal static partial void QueryDelete(nint query);

    [LibraryImport(Library, EntryPoint = "us_query_pattern_count")]
    internal static partial uint QueryPatternCount(nint query);

    [LibraryImport(Library, EntryPoint = "us_query_capture_count")]
    internal static partial uint QueryCaptureCount(nint query);

    [LibraryImport(Library, EntryPoint = "us_query_start_byte_for_pattern")]
    internal static partial uint QueryStartByteForPattern(nint query, uint pattern);

    [LibraryImport(Library, EntryPoint = "us_query_capture_name")]
    internal static partial byte* QueryCaptureName(nint query, uint id, uint* length);

    [LibraryImport(Library, EntryPoint = "us_query_capture_quantifier")]
    internal static partial int QueryCaptureQuantifier(nint query, uint pattern, uint capture);

    [LibraryImport(Library, EntryPoint = "us_query_string_value")]
    internal static partial byte* QueryStringValue(nint query, uint id, uint* length);

    [LibraryImport(Library, EntryPoint = "us_query_predicates")]
    internal static partial PredicateStep* QueryPredicates(nint query, uint pattern, uint* count);

    [LibraryImport(Library, EntryPoint = "us_parse_query")]
    internal static partial int ParseQuery(nint parser, byte* source, uint length, ulong timeoutMicros, int* cancel,
        nint* queries, uint queryCount, uint matchLimit, NodeRecord** nodes, uint* count,
        MatchRecord** matches, uint* matchCount, CaptureRecord** captures, uint* captureCount, int* exceeded);

    [LibraryImport(Library, EntryPoint = "us_parser_skip_to")]
    internal static partial void ParserSkipTo(nint parser, uint start);

    [LibraryImport(Library, EntryPoint = "us_parse_only")]
    internal static partial int ParseOnly(nint parser, byte* source, uint length);
}
