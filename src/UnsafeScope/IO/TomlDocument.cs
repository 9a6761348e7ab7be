using Tomlyn.Syntax;

namespace UnsafeScope.IO;

/// <summary>A TOML file that is not valid TOML: the file, the 1-based line and what is wrong.</summary>
internal sealed class TomlSyntaxException(string file, int line, string problem)
    : Exception(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
{
    public string File { get; } = file;

    public int Line { get; } = line;

    public string Problem { get; } = problem;
}

/// <summary>A value of a TOML document with the 1-based line and column it was written at.</summary>
internal abstract class TomlNode
{
    public int Line { get; init; }

    public int Column { get; init; }
}

/// <summary>A string, integer, float, boolean or date (dates kept as written).</summary>
internal sealed class TomlScalar : TomlNode
{
    public required object Value { get; init; }

    public override string ToString() => Value switch
    {
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var v => v.ToString() ?? "",
    };
}

internal sealed class TomlArray : TomlNode
{
    public List<TomlNode> Items { get; } = [];

    /// <summary>The string items (others skipped).</summary>
    public IEnumerable<string> Strings() => Items.OfType<TomlScalar>().Where(s => s.Value is string).Select(s => (string)s.Value);
}

/// <summary>A table (header, inline or implied by a dotted key), entries in the order written.</summary>
internal sealed class TomlTable : TomlNode
{
    private readonly Dictionary<string, TomlNode> _byKey = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public IEnumerable<KeyValuePair<string, TomlNode>> Entries => _order.Select(k => new KeyValuePair<string, TomlNode>(k, _byKey[k]));

    public TomlNode? this[string key] => _byKey.GetValueOrDefault(key);

    internal bool Explicit { get; set; }

    internal bool Inline { get; set; }

    internal void Add(string key, TomlNode value)
    {
        _byKey.Add(key, value);
        _order.Add(key);
    }

    public TomlTable? Table(string key) => this[key] as TomlTable;

    /// <summary>The table at a dotted path of keys, or null.</summary>
    public TomlTable? Path(params ReadOnlySpan<string> keys)
    {
        var t = this;
        foreach (var k in keys)
        {
            if (t.Table(k) is not { } next) return null;
            t = next;
        }
        return t;
    }

    public TomlScalar? Scalar(string key) => this[key] as TomlScalar;

    public string? String(string key) => this[key] is TomlScalar { Value: string s } ? s : null;

    public bool? Bool(string key) => this[key] is TomlScalar { Value: bool b } ? b : null;

    public long? Integer(string key) => this[key] is TomlScalar { Value: long n } ? n : null;

    public TomlArray? Array(string key) => this[key] as TomlArray;
}

/// <summary>
/// Reads TOML with Tomlyn's parser into <see cref="TomlTable"/>s that remember where each value was written
/// (so a finding can point at a manifest line). A file that is not valid TOML (syntax, a key defined twice) is a
/// <see cref="TomlSyntaxException"/> naming file, line and problem.
/// </summary>
internal static class TomlDocument
{
    /// <summary>Manifests and configuration are small; a bigger one is refused rather than read.</summary>
    public const long MaxBytes = 1 << 20;

    /// <summary>Reads a file through the untrusted-file gateway (regular files only, capped). IO problems stay IO exceptions.</summary>
    public static TomlTable Read(string path, string displayPath)
        => Parse(UntrustedFile.ReadAllText(path, MaxBytes), displayPath);

    public static TomlTable Parse(string text, string displayPath)
    {
        var doc = Tomlyn.Parsing.SyntaxParser.Parse(text, displayPath, true);
        // The first error in the text (the parser may report a later consequence first).
        DiagnosticMessage? first = null;
        foreach (var d in doc.Diagnostics)
            if (d.Kind == DiagnosticMessageKind.Error && (first is null || d.Span.Start.Offset < first.Span.Start.Offset)) first = d;
        if (first is not null) throw new TomlSyntaxException(displayPath, first.Span.Start.Line + 1, first.Message);
        var builder = new Builder(displayPath);
        var root = new TomlTable { Line = 1, Column = 1, Explicit = true };
        foreach (var kv in doc.KeyValues) builder.Assign(root, kv);
        foreach (var t in doc.Tables) builder.Header(root, t);
        return root;
    }

    private sealed class Builder(string file)
    {
        public void Header(TomlTable root, TableSyntaxBase header)
        {
            var keys = Keys(header.Name!);
            var (line, column) = Position(header);
            var parent = root;
            for (int i = 0; i < keys.Count - 1; i++) parent = Descend(parent, keys[i], line, column, forHeader: true);
            var last = keys[^1];
            TomlTable table;
            if (header is TableArraySyntax)
            {
                var existing = parent[last];
                if (existing is null) parent.Add(last, existing = new TomlArray { Line = line, Column = column });
                if (existing is not TomlArray array || array.Items.Count > 0 && array.Items[0] is not TomlTable)
                    throw Error(line, $"'{string.Join('.', keys)}' is already defined as a value; it cannot be an array of tables");
                array.Items.Add(table = new TomlTable { Line = line, Column = column, Explicit = true });
            }
            else
            {
                if (parent[last] is TomlTable t && !t.Inline)
                {
                    if (t.Explicit) throw Error(line, $"table [{string.Join('.', keys)}] is defined twice");
                    t.Explicit = true;
                    table = t;
                }
                else if (parent[last] is null)
                    parent.Add(last, table = new TomlTable { Line = line, Column = column, Explicit = true });
                else throw Error(line, $"'{string.Join('.', keys)}' is already defined as a value; it cannot be a table");
            }
            foreach (var kv in header.Items) Assign(table, kv);
        }

        public void Assign(TomlTable table, KeyValueSyntax kv)
        {
            var keys = Keys(kv.Key!);
            var (line, column) = Position(kv);
            var parent = table;
            for (int i = 0; i < keys.Count - 1; i++) parent = Descend(parent, keys[i], line, column, forHeader: false);
            if (parent[keys[^1]] is not null) throw Error(line, $"key '{string.Join('.', keys)}' is defined twice");
            parent.Add(keys[^1], Value(kv.Value!));
        }

        // The table a dotted key or header walks through, made when missing; an array of tables continues in its last table.
        private TomlTable Descend(TomlTable parent, string key, int line, int column, bool forHeader)
        {
            switch (parent[key])
            {
                case null:
                {
                    var t = new TomlTable { Line = line, Column = column };
                    parent.Add(key, t);
                    return t;
                }
                case TomlTable { Inline: false } t when forHeader || !t.Explicit:
                    return t;
                case TomlArray { Items: [.., TomlTable last] } when forHeader:
                    return last;
                default:
                    throw Error(line, $"key '{key}' is already defined; it cannot be extended here");
            }
        }

        private TomlNode Value(ValueSyntax value)
        {
            var (line, column) = Position(value);
            switch (value)
            {
                case StringValueSyntax s: return new TomlScalar { Value = s.Value ?? "", Line = line, Column = column };
                case IntegerValueSyntax n: return new TomlScalar { Value = n.Value, Line = line, Column = column };
                case BooleanValueSyntax b: return new TomlScalar { Value = b.Value, Line = line, Column = column };
                case FloatValueSyntax f: return new TomlScalar { Value = f.Value, Line = line, Column = column };
                case ArraySyntax a:
                {
                    var array = new TomlArray { Line = line, Column = column };
                    foreach (var item in a.Items) array.Items.Add(Value(item.Value!));
                    return array;
                }
                case InlineTableSyntax it:
                {
                    var table = new TomlTable { Line = line, Column = column, Explicit = true };
                    foreach (var item in it.Items) Assign(table, item.KeyValue!);
                    table.Inline = true; // complete as written: later dotted keys or headers may not extend it
                    return table;
                }
                default: return new TomlScalar { Value = value.ToString()?.Trim() ?? "", Line = line, Column = column }; // dates, as written
            }
        }

        private static List<string> Keys(KeySyntax key)
        {
            var keys = new List<string> { KeyText(key.Key!) };
            foreach (var dotted in key.DotKeys) keys.Add(KeyText(dotted.Key!));
            return keys;
        }

        private static string KeyText(BareKeyOrStringValueSyntax key) => key switch
        {
            BareKeySyntax bare => bare.Key!.Text ?? "",
            StringValueSyntax s => s.Value ?? "",
            _ => key.ToString() ?? "",
        };

        private static (int Line, int Column) Position(SyntaxNode node) => (node.Span.Start.Line + 1, node.Span.Start.Column + 1);

        private TomlSyntaxException Error(int line, string problem) => new(file, line, problem);
    }
}
