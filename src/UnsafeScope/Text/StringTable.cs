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

    [ThreadStatic] private static string?[]? t_slots;

    /// <summary>UTF-8 text as a string (lossy decoding, as <see cref="Encoding.UTF8"/>), shared when it was seen lately.</summary>
    public static string FromUtf8(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return "";
        if (utf8.Length > MaxLength) return Encoding.UTF8.GetString(utf8);
        var slots = t_slots ??= new string?[Size];
        ref var slot = ref slots[Slot(utf8)];
        // Ascii.Equals is false for anything non-ASCII, so such text is decoded each time, as before.
        if (slot is { } seen && Ascii.Equals(utf8, seen)) return seen;
        return slot = Encoding.UTF8.GetString(utf8);
    }

    /// <summary>The same text as a string seen lately on this thread, or <paramref name="text"/> itself.</summary>
    public static string Share(string text)
    {
        if (text.Length == 0) return "";
        // Messages run longer than names, and repeat as much.
        if (text.Length > 4 * MaxLength) return text;
        var slots = t_slots ??= new string?[Size];
        // Not the slot its UTF-8 bytes would take: sharing between names and messages is not worth hashing twice.
        ref var slot = ref slots[text.GetHashCode() & (Size - 1)];
        if (slot is { } seen && string.Equals(seen, text, StringComparison.Ordinal)) return seen;
        return slot = text;
    }

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        var hash = new HashCode();
        hash.AddBytes(utf8);
        return hash.ToHashCode() & (Size - 1);
    }
}
