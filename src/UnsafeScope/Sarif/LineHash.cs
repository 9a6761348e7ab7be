using System.Globalization;
using System.Text;

namespace UnsafeScope.Sarif;

/// <summary>
/// GitHub's <c>primaryLocationLineHash</c>, computed the way github/codeql-action's <c>fingerprints.ts</c> does when it
/// uploads a SARIF file, so our value and the one the action would compute agree (the action keeps an existing value
/// and only warns when its own differs).
/// </summary>
/// <remarks>
/// <para>The text is read as UTF-16 code units (JavaScript's <c>charCodeAt</c>). Spaces and tabs are skipped; CR, LF
/// and CRLF all become one LF. After the last character comes one end-of-file mark, 65535, then NULs.</para>
/// <para>The hash of a line is a polynomial over the first <see cref="BlockSize"/> kept code units from the line's first
/// kept code unit on (line breaks and the lines after it included), in 64-bit wrapping arithmetic:
/// <c>h = Σ c[k]·37^(99−k) mod 2^64</c>, kept up to date with a rolling window
/// (<c>h ← 37·h + c_in − 37^100·c_out</c>). The value is the hash in lowercase hexadecimal without leading zeros,
/// then <c>:</c> and how many lines so far (this one included) had the same hash, so the first is <c>:1</c>.</para>
/// <para>Lines are counted the action's way: a lone CR ends a line too, and a text that ends with a line break has one
/// more (empty) line holding only the end-of-file mark. The file is decoded as Node decodes it: UTF-8 with U+FFFD for
/// each maximal invalid subsequence, and a byte order mark is kept as U+FEFF.</para>
/// </remarks>
internal static class LineHash
{
    /// <summary>How many code units from the start of a line take part in its hash.</summary>
    public const int BlockSize = 100;

    /// <summary>The code unit appended after the text.</summary>
    public const char EndOfFile = '\uFFFF';

    private const ulong Base = 37;

    /// <summary>37^100 mod 2^64: the weight of the code unit that leaves the window.</summary>
    internal static readonly ulong OutgoingWeight = Power(Base, BlockSize);

    /// <summary>Computes the value of every line of <paramref name="text"/>, in line order (index 0 is line 1).</summary>
    public static string[] Compute(ReadOnlySpan<char> text)
    {
        var values = new List<string>();
        Compute(text, (line, value) =>
        {
            System.Diagnostics.Debug.Assert(line == values.Count + 1);
            values.Add(value);
        });
        return [.. values];
    }

    /// <summary>
    /// Like <see cref="Compute(ReadOnlySpan{char}, IReadOnlySet{int})"/> for file bytes decoded as <see cref="Decode(ReadOnlySpan{byte})"/>
    /// does, in a reused buffer.
    /// </summary>
    public static Dictionary<int, string> Compute(ReadOnlySpan<byte> utf8, IReadOnlySet<int> lines)
    {
        // Lossy UTF-8 gives at most one UTF-16 unit per byte (U+FFFD per invalid sequence, surrogate pairs for 4 bytes).
        var chars = IO.Scratch<char>.Take(utf8.Length);
        try
        {
            int n = Encoding.UTF8.GetChars(utf8, chars);
            return Compute(chars.AsSpan(0, n), lines);
        }
        finally
        {
            IO.Scratch<char>.Give(chars);
        }
    }

    /// <summary>Computes the values of the 1-based lines in <paramref name="lines"/>; lines past the end are absent.</summary>
    public static Dictionary<int, string> Compute(ReadOnlySpan<char> text, IReadOnlySet<int> lines)
    {
        var found = new Dictionary<int, string>(lines.Count);
        if (lines.Count == 0) return found;
        int last = lines.Max();
        // Formatted only for the lines asked for: a file's every line was three strings (1% of a run's allocation).
        // A line's value depends only on the text from the file's start to its window's end, so the rest of the file
        // is not hashed once the last line asked for has its value.
        Run(text, (line, hash, occurrence) =>
        {
            if (lines.Contains(line)) found[line] = Format(hash, occurrence);
            return line < last;
        });
        return found;
    }

    /// <summary>Calls <paramref name="onLine"/> with each 1-based line number and its value, in line order.</summary>
    public static void Compute(ReadOnlySpan<char> text, Action<int, string> onLine)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        Run(text, (line, hash, occurrence) =>
        {
            onLine(line, Format(hash, occurrence));
            return true;
        });
    }

    // Each 1-based line number with its raw hash and occurrence number, in line order, until onLine returns false.
    // The rolling state: a ring of the last BlockSize kept code units, and for each slot the line that starts there
    // (0 = none). When a slot comes round again, the window holds exactly the BlockSize units that started at it.
    // One loop over locals (the state was an object's fields, fed a unit per call: most of hashing a file).
    private static void Run(ReadOnlySpan<char> text, Func<int, ulong, int, bool> onLine)
    {
        Span<ushort> window = stackalloc ushort[BlockSize];
        Span<int> lineAt = stackalloc int[BlockSize];
        window.Clear();
        lineAt.Clear();
        // Occurrences of each hash so far: one table per thread, emptied per file (a new one per file was the largest
        // allocation of an unedited warm run's outputs), taken while in use so a nested call gets its own.
        var seen = t_seen ?? new Dictionary<ulong, int>();
        t_seen = null;
        try
        {
            Hash(text, window, lineAt, seen, onLine);
        }
        finally
        {
            // A table grown by a huge file is not kept.
            if (seen.Count <= MaxKeptLines)
            {
                seen.Clear();
                t_seen = seen;
            }
        }
    }

    private const int MaxKeptLines = 1 << 16;

    [ThreadStatic] private static Dictionary<ulong, int>? t_seen;

    private static void Hash(ReadOnlySpan<char> text, Span<ushort> window, Span<int> lineAt, Dictionary<ulong, int> seen, Func<int, ulong, int, bool> onLine)
    {
        ulong hash = 0;
        int slot = 0, line = 0;
        bool atLineStart = true, afterCr = false;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : EndOfFile;
            bool lfOfCrLf = afterCr && c == '\n';
            afterCr = c == '\r';
            if (c is ' ' or '\t' || lfOfCrLf)
            {
                afterCr = false;
                continue;
            }
            if (c == '\r') c = '\n';
            if (lineAt[slot] != 0 && !Emit(ref lineAt[slot], hash, seen, onLine)) return;
            if (atLineStart)
            {
                atLineStart = false;
                lineAt[slot] = ++line;
            }
            if (c == '\n') atLineStart = true;
            hash = unchecked(Base * hash + c - OutgoingWeight * window[slot]);
            window[slot] = c;
            if (++slot == BlockSize) slot = 0;
        }
        // Then NULs until every line's window is full.
        for (int i = 0; i < BlockSize; i++)
        {
            if (lineAt[slot] != 0 && !Emit(ref lineAt[slot], hash, seen, onLine)) return;
            hash = unchecked(Base * hash - OutgoingWeight * window[slot]);
            window[slot] = 0;
            if (++slot == BlockSize) slot = 0;
        }

        static bool Emit(ref int lineAtSlot, ulong hash, Dictionary<ulong, int> seen, Func<int, ulong, int, bool> onLine)
        {
            ref int n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, hash, out _);
            n++;
            int line = lineAtSlot;
            lineAtSlot = 0;
            return onLine(line, hash, n);
        }
    }

    /// <summary>Decodes file bytes as Node's <c>Buffer.toString()</c> does: lossy UTF-8, a BOM kept as U+FEFF.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The text the action would hash for a <see cref="Text.SourceText"/> (which dropped any BOM).</summary>
    public static string Decode(Text.SourceText text) =>
        text.HadByteOrderMark ? "\uFEFF" + Encoding.UTF8.GetString(text.Bytes) : Encoding.UTF8.GetString(text.Bytes);

    /// <summary>Formats a raw hash and its occurrence number the way the action does.</summary>
    public static string Format(ulong hash, int occurrence) =>
        hash.ToString("x", CultureInfo.InvariantCulture) + ":" + occurrence.ToString(CultureInfo.InvariantCulture);

    private static ulong Power(ulong b, int e)
    {
        ulong r = 1;
        for (int i = 0; i < e; i++) r = unchecked(r * b);
        return r;
    }
}
