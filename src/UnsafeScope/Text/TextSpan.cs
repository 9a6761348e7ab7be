namespace UnsafeScope.Text;

/// <summary>A range of UTF-8 bytes in a <see cref="SourceText"/>: [Start, End).</summary>
public readonly record struct TextSpan
{
    /// <summary>Creates a span; throws when start or length is negative.</summary>
    public TextSpan(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Start = start;
        Length = length;
    }

    /// <summary>Creates a span from its start and (exclusive) end.</summary>
    public static TextSpan FromBounds(int start, int end) => new(start, end - start);

    /// <summary>First byte offset.</summary>
    public int Start { get; }

    /// <summary>Number of bytes.</summary>
    public int Length { get; }

    /// <summary>One past the last byte offset.</summary>
    public int End => Start + Length;

    /// <summary>True when the span covers no bytes.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>True when <paramref name="offset"/> lies in [Start, End).</summary>
    public bool Contains(int offset) => offset >= Start && offset < End;

    /// <summary>True when <paramref name="other"/> lies inside this span.</summary>
    public bool Contains(TextSpan other) => other.Start >= Start && other.End <= End;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}..{End})";
}
