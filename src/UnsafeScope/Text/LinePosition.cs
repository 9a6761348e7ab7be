namespace UnsafeScope.Text;

/// <summary>A 0-based line and a 0-based column counted in UTF-16 code units (as editors and SARIF do).</summary>
public readonly record struct LinePosition(int Line, int Character) : IComparable<LinePosition>
{
    /// <inheritdoc />
    public int CompareTo(LinePosition other) => Line != other.Line ? Line.CompareTo(other.Line) : Character.CompareTo(other.Character);

    /// <inheritdoc />
    public override string ToString() => $"{Line + 1}:{Character + 1}";
}

/// <summary>A start and an end <see cref="LinePosition"/>; the end is exclusive.</summary>
public readonly record struct LinePositionSpan(LinePosition Start, LinePosition End)
{
    /// <inheritdoc />
    public override string ToString() => $"({Start})-({End})";
}
