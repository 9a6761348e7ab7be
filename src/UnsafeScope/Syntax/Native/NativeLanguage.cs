using System.Collections.Frozen;
using System.Runtime.InteropServices;

namespace UnsafeScope.Syntax.Native;

/// <summary>
/// Maps the native grammar's symbol and field ids to the generated enums, once per process,
/// after checking that the native library is the one this assembly was built against.
/// </summary>
internal static unsafe class NativeLanguage
{
    private const ushort ErrorSymbol = ushort.MaxValue;
    private static readonly Lazy<Tables> s_tables = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    internal sealed record Tables(RustSyntaxKind[] Kinds, RustSyntaxField[] Fields, FrozenDictionary<RustSyntaxKind, ushort> SymbolOfKind);

    internal static Tables Get() => s_tables.Value;

    /// <summary>Null when the native parser loads and matches this assembly; otherwise one sentence saying what is wrong.</summary>
    internal static string? LoadProblem()
    {
        try
        {
            Get();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static RustSyntaxKind KindOf(ushort symbol, Tables tables)
        => symbol == ErrorSymbol ? RustSyntaxKind.Error : symbol < tables.Kinds.Length ? tables.Kinds[symbol] : RustSyntaxKind.Unknown;

    private static Tables Load()
    {
        uint nodeSize;
        try
        {
            nodeSize = NativeMethods.NodeSize();
        }
        catch (DllNotFoundException e)
        {
            var file = OperatingSystem.IsWindows() ? NativeMethods.Library + ".dll" : "lib" + NativeMethods.Library + ".so";
            throw new InvalidOperationException(
                $"The native parser {file} is missing or cannot be loaded for {RuntimeInformation.RuntimeIdentifier} " +
                "(it ships next to the program and under runtimes/<rid>/native in the package, for linux-x64 and win-x64): reinstall UnsafeScope, or build it with native/build.sh.", e);
        }
        if (nodeSize != (uint)sizeof(NodeRecord))
            throw new InvalidOperationException($"Native node record is {nodeSize} bytes but managed NodeRecord is {sizeof(NodeRecord)}: the native library does not match this assembly.");
        if (NativeMethods.AbiVersion() != 4)
            throw new InvalidOperationException($"Native shim ABI {NativeMethods.AbiVersion()} is not the expected 4: the native library does not match this assembly.");
        if (NativeMethods.MatchSize() != (uint)sizeof(MatchRecord) || NativeMethods.CaptureSize() != (uint)sizeof(CaptureRecord))
            throw new InvalidOperationException("Native query records do not match the managed structs.");

        var named = new Dictionary<string, RustSyntaxKind>(StringComparer.Ordinal);
        var anonymous = new Dictionary<string, RustSyntaxKind>(StringComparer.Ordinal);
        foreach (var (name, isNamed, kind) in RustSyntaxKindTable.Entries)
            (isNamed ? named : anonymous)[name] = kind;

        var count = NativeMethods.SymbolCount();
        var kinds = new RustSyntaxKind[count];
        var symbolOfKind = new Dictionary<RustSyntaxKind, ushort>();
        for (ushort s = 0; s < count; s++)
        {
            var name = Marshal.PtrToStringUTF8((nint)NativeMethods.SymbolName(s)) ?? "";
            // TSSymbolType: 0 regular (named), 1 anonymous, 2 supertype, 3 auxiliary.
            var type = NativeMethods.SymbolType(s);
            var table = type == 1 ? anonymous : named;
            kinds[s] = table.TryGetValue(name, out var k) ? k : RustSyntaxKind.Unknown;
            if (kinds[s] != RustSyntaxKind.Unknown)
                symbolOfKind.TryAdd(kinds[s], s);
        }

        var fieldNames = RustSyntaxFieldTable.Entries.ToDictionary(e => e.Name, e => e.Field, StringComparer.Ordinal);
        var fieldCount = NativeMethods.FieldCount();
        var fields = new RustSyntaxField[fieldCount + 1];
        for (ushort f = 1; f <= fieldCount; f++)
        {
            var name = Marshal.PtrToStringUTF8((nint)NativeMethods.FieldName(f));
            fields[f] = name is not null && fieldNames.TryGetValue(name, out var field) ? field : RustSyntaxField.None;
        }
        return new Tables(kinds, fields, symbolOfKind.ToFrozenDictionary());
    }
}
