using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;

namespace UnsafeScope.Text;

/// <summary>
/// The UTF-8 bytes of one source file with a line map. Offsets everywhere are byte offsets into
/// <see cref="Bytes"/> (after any BOM, which is removed); columns are reported in UTF-16 code units.
/// Invalid UTF-8 is kept as bytes (tree-sitter copes) and decoded lossily, with U+FFFD per bad sequence.
/// </summary>
public sealed class SourceText
{
    private static readonly byte[] s_bom = [0xEF, 0xBB, 0xBF];
    private const int CheckpointBytes = 4096;
    private readonly byte[] _bytes;
    private readonly int[] _lineStarts;
    // UTF-16 columns every 4 KiB of long lines, built on first use (see GetLinePosition).
    private ConcurrentDictionary<int, int[]>? _checkpoints;

    private SourceText(string path, byte[] bytes, bool hadBom)
    {
        Path = path;
        _bytes = bytes;
        HadByteOrderMark = hadBom;
        IsValidUtf8 = Utf8.IsValid(bytes);
        ContainsNul = bytes.AsSpan().IndexOf((byte)0) >= 0;
        _lineStarts = ComputeLineStarts(bytes);
    }

    /// <summary>Creates a text from file bytes; a UTF-8 BOM is removed. The array is copied.</summary>
    public static SourceText From(ReadOnlySpan<byte> bytes, string path = "")
    {
        bool bom = bytes.StartsWith(s_bom);
        return new SourceText(path, (bom ? bytes[3..] : bytes).ToArray(), bom);
    }

    /// <summary>
    /// A text over <paramref name="bytes"/> themselves, not a copy, when they have no BOM: for a caller that read them
    /// and hands them over (every analyzed file was copied once more otherwise: 118 MB per corpus run).
    /// </summary>
    internal static SourceText FromOwned(byte[] bytes, string path) => bytes.AsSpan().StartsWith(s_bom) ? From(bytes, path) : new SourceText(path, bytes, false);

    /// <summary>Creates a text from a string (encoded as UTF-8).</summary>
    public static SourceText From(string text, string path = "") => From(Encoding.UTF8.GetBytes(text), path);

    /// <summary>The path this text was read from (as given), or empty.</summary>
    public string Path { get; }

    /// <summary>The UTF-8 content without BOM.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>The UTF-8 content as memory (for APIs that need it).</summary>
    public ReadOnlyMemory<byte> Memory => _bytes;

    /// <summary>Number of bytes.</summary>
    public int Length => _bytes.Length;

    /// <summary>True when the file started with a UTF-8 byte order mark.</summary>
    public bool HadByteOrderMark { get; }

    /// <summary>False when some bytes are not valid UTF-8 (they decode to U+FFFD).</summary>
    public bool IsValidUtf8 { get; }

    /// <summary>True when the bytes contain a NUL, the mark of a binary file.</summary>
    public bool ContainsNul { get; }

    /// <summary>Number of lines (a final line without a newline counts; an empty text has one line).</summary>
    public int LineCount => _lineStarts.Length;

    /// <summary>The byte offset where 0-based <paramref name="line"/> starts.</summary>
    public int GetLineStart(int line) => _lineStarts[line];

    /// <summary>The bytes of 0-based <paramref name="line"/> without its line break.</summary>
    public TextSpan GetLineSpan(int line)
    {
        int start = _lineStarts[line];
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : _bytes.Length;
        if (end > start && _bytes[end - 1] == '\n') end--;
        if (end > start && _bytes[end - 1] == '\r') end--;
        return TextSpan.FromBounds(start, end);
    }

    /// <summary>The 0-based line holding byte <paramref name="offset"/>.</summary>
    public int GetLineIndex(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, _bytes.Length);
        // Walks ask in source order: the line of the last answer, or the next one, usually holds the offset. The hint
        // is a plain field that threads may overwrite; it is checked before use, so a stale one only costs the search.
        var starts = _lineStarts;
        int hint = _lineHint;
        if ((uint)hint < (uint)starts.Length && starts[hint] <= offset)
        {
            if (hint + 1 == starts.Length || offset < starts[hint + 1]) return hint;
            if (hint + 2 == starts.Length || offset < starts[hint + 2]) return _lineHint = hint + 1;
        }
        int i = Array.BinarySearch(starts, offset);
        return _lineHint = i >= 0 ? i : ~i - 1;
    }

    private int _lineHint;

    /// <summary>Line and UTF-16 column of a byte offset. An offset inside a multi-byte character maps to that character.</summary>
    public LinePosition GetLinePosition(int offset)
    {
        int line = GetLineIndex(offset);
        int start = _lineStarts[line];
        // Counting from the line start costs the column: on a minified 10 MB line with a location every few bytes
        // that is quadratic. Long lines of valid UTF-8 count from the nearest 4 KiB checkpoint instead.
        if (offset - start > CheckpointBytes && IsValidUtf8)
        {
            var checkpoints = LazyInitializer.EnsureInitialized(ref _checkpoints).GetOrAdd(line, Checkpoints);
            int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : _bytes.Length;
            int k = Math.Min((offset - start) / CheckpointBytes, checkpoints.Length - 1);
            int at = Boundary(start + k * CheckpointBytes, end);
            while (at > offset) at = Boundary(start + --k * CheckpointBytes, end); // the offset is inside the character at the checkpoint
            var rest = Bytes[at..offset];
            return new LinePosition(line, checkpoints[k] + (Ascii.IsValid(rest) ? rest.Length : Utf16Length(rest)));
        }
        var prefix = Bytes[start..offset];
        int column = Ascii.IsValid(prefix) ? prefix.Length : Utf16Length(prefix);
        return new LinePosition(line, column);
    }

    /// <summary>The first character boundary at or after <paramref name="position"/> (valid UTF-8: skip continuation bytes), at most <paramref name="limit"/> (the line end).</summary>
    private int Boundary(int position, int limit)
    {
        while (position < limit && position < _bytes.Length && (_bytes[position] & 0xC0) == 0x80) position++;
        return position;
    }

    /// <summary>UTF-16 units from the line start to each checkpoint boundary (valid UTF-8, so the counts add up exactly).</summary>
    private int[] Checkpoints(int line)
    {
        int start = _lineStarts[line];
        int end = line + 1 < _lineStarts.Length ? _lineStarts[line + 1] : _bytes.Length;
        var result = new int[(end - start) / CheckpointBytes + 1];
        int units = 0, previous = start;
        for (int k = 1; k < result.Length; k++)
        {
            int at = Boundary(start + k * CheckpointBytes, end);
            units += Encoding.UTF8.GetCharCount(_bytes, previous, at - previous);
            result[k] = units;
            previous = at;
        }
        return result;
    }

    /// <summary>Line/column span of a byte span.</summary>
    public LinePositionSpan GetLinePositionSpan(TextSpan span) => new(GetLinePosition(span.Start), GetLinePosition(span.End));

    /// <summary>A location for a span of this text.</summary>
    public Location GetLocation(TextSpan span) => new(Path, span, GetLinePositionSpan(span));

    /// <summary>The text of a span, decoded lossily.</summary>
    public string GetText(TextSpan span) => StringTable.FromUtf8(Bytes.Slice(span.Start, span.Length));

    /// <summary>The whole text, decoded lossily.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_bytes);

    // Counts UTF-16 units up to a cut that may fall inside a character: an incomplete (but so far
    // valid) sequence at the cut belongs to the character that starts there and is not counted.
    // Invalid bytes count as U+FFFD, exactly as Encoding.UTF8 decodes them.
    private static int Utf16Length(ReadOnlySpan<byte> prefix)
    {
        int units = 0;
        while (!prefix.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(prefix, out var rune, out int consumed);
            if (status == System.Buffers.OperationStatus.NeedMoreData) break;
            units += status == System.Buffers.OperationStatus.Done ? rune.Utf16SequenceLength : 1;
            prefix = prefix[consumed..];
        }
        return units;
    }

    private static int[] ComputeLineStarts(byte[] bytes)
    {
        var starts = new List<int>(bytes.Length / 32 + 1) { 0 };
        var span = bytes.AsSpan();
        int pos = 0;
        while (true)
        {
            int i = span[pos..].IndexOf((byte)'\n');
            if (i < 0) break;
            pos += i + 1;
            starts.Add(pos);
        }
        return [.. starts];
    }
}
