using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace UnsafeScope.Text;

/// <summary>
/// A small, lossy, per-thread table of recently made strings, after Roslyn's <c>StringTable</c>. A run keeps every
/// crate's facts until the crate links and every region and finding until the outputs are written, and the same
/// names, paths and messages recur tens of thousands of times (a corpus run held 72,000 copies of one message and a
/// fifth of its live heap in duplicate strings; benchmarks/README.md). Text that was seen recently on this thread
/// comes back as the same instance, so only one copy stays alive, and decoding it again allocates nothing.
/// </summary>
/// <remarks>
/// Lossy by design: a slot holds the last string that hashed to it, so the table stays small (a few thousand
/// references per thread), needs no lock, and never holds on to a run's strings after it. Equal text always gives an
/// equal string, shared or not, so nothing may depend on which instance comes back.
/// </remarks>
internal static class StringTable
{
    private const int Size = 1 << 13;

    // Longer text is rarely repeated (bodies, comments) and would only evict names.
    private const int MaxLength = 80;

    // A slot keeps its string's hash beside it: a probe that meets another string compares two ints instead of
    // reading that string, which may lie anywhere in the heap.
    private struct Slot
    {
        public int Hash;
        public string? Text;
    }

    [ThreadStatic] private static Slot[]? t_slots;

    /// <summary>UTF-8 text as a string (lossy decoding, as <see cref="Encoding.UTF8"/>), shared when it was seen lately.</summary>
    public static string FromUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return "";
        if (utf8.Length > MaxLength) return Encoding.UTF8.GetString(utf8);
        var slots = t_slots ??= new Slot[Size];
        int hash = Hash(utf8);
        ref var slot = ref slots[hash & (Size - 1)];
        // Ascii.Equals is false for anything non-ASCII, so such text is decoded each time, as before.
        if (slot.Hash == hash && slot.Text is { } seen && seen.Length == utf8.Length && Ascii.Equals(utf8, seen)) return seen;
        var text = Encoding.UTF8.GetString(utf8);
        slot.Hash = hash;
        slot.Text = text;
        return text;
    }

    /// <summary>The same text as a string seen lately on this thread, or <paramref name="text"/> itself.</summary>
    public static string Share(string text)
    {
        if (text.Length == 0) return "";
        // Messages run longer than names, and repeat as much.
        if (text.Length > 4 * MaxLength) return text;
        var slots = t_slots ??= new Slot[Size];
        // Its UTF-16 bytes hashed, not the slot its UTF-8 bytes would take: sharing between names and messages is not
        // worth encoding twice.
        int hash = Hash(MemoryMarshal.AsBytes(text.AsSpan()));
        ref var slot = ref slots[hash & (Size - 1)];
        if (slot.Hash == hash && slot.Text is { } seen && string.Equals(seen, text, StringComparison.Ordinal)) return seen;
        slot.Hash = hash;
        slot.Text = text;
        return text;
    }

    // A cheap, fixed (not per-process) hash: the table's slots only decide what is shared, never what is written.
    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        // The length is hashed first, so the overlapping reads of the last word cannot make two lengths alike.
        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)bytes.Length;
        ref byte start = ref MemoryMarshal.GetReference(bytes);
        int n = bytes.Length;
        if (n >= 8)
        {
            for (int i = 0; i + 8 <= n; i += 8)
                h = Mix(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
            if ((n & 7) != 0) h = Mix(h ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, n - 8)));
        }
        else if (n >= 4)
        {
            h = Mix(h ^ Unsafe.ReadUnaligned<uint>(ref start) ^ ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, n - 4)) << 32));
        }
        else if (n > 0)
        {
            h = Mix(h ^ start ^ ((ulong)Unsafe.Add(ref start, n >> 1) << 8) ^ ((ulong)Unsafe.Add(ref start, n - 1) << 16));
        }
        return (int)h ^ (int)(h >> 32);
    }

    // A multiply, then the high half folded down: every input bit can reach the low bits that pick the slot. (Not
    // Math.BigMul: without BMI2, which NativeAOT does not assume, it is a software routine.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x *= 0xFF51AFD7ED558CCDUL;
        return x ^ (x >> 32);
    }
}
