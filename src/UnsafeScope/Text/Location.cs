namespace UnsafeScope.Text;

/// <summary>A place in a source file: its path, byte span and line/column span. Use <see cref="None"/> rather than null.</summary>
public sealed record Location(string Path, TextSpan SourceSpan, LinePositionSpan LineSpan)
{
    /// <summary>No location (a whole-run notification, for example).</summary>
    public static Location None { get; } = new("", default, default);

    /// <summary>True for <see cref="None"/>.</summary>
    public bool IsNone => ReferenceEquals(this, None) || Path.Length == 0;

    /// <summary>1-based first line, as people and SARIF count.</summary>
    public int StartLine => LineSpan.Start.Line + 1;

    /// <summary>1-based last line.</summary>
    public int EndLine => LineSpan.End.Line + 1;

    /// <inheritdoc />
    public override string ToString() => IsNone ? "<none>" : $"{Path}:{LineSpan.Start}";
}
