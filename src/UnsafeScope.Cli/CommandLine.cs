namespace UnsafeScope.Cli;

/// <summary>A small, strict option parser: --name VALUE, --name=VALUE, flags, and positional arguments.</summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flags)
    {
        var cl = new CommandLine();
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a == "--")
            {
                cl.Positional.AddRange(args.Skip(i + 1));
                break;
            }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                cl.Positional.Add(a);
                continue;
            }
            var eq = a.IndexOf('=');
            var name = eq > 0 ? a[2..eq] : a[2..];
            if (flags.Contains(name))
            {
                if (eq > 0) throw new UsageException($"--{name} takes no value.");
                cl._options[name] = null;
            }
            else if (valueOptions.Contains(name))
            {
                string value = eq > 0 ? a[(eq + 1)..] : i + 1 < args.Count ? args[++i] : throw new UsageException($"--{name} needs a value.");
                if (!cl._options.TryAdd(name, value)) throw new UsageException($"--{name} is given twice.");
            }
            else
            {
                throw new UsageException($"Unknown option '{a}'. Run 'unsafescope --help' for the options.");
            }
        }
        return cl;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Get(string name) => _options.TryGetValue(name, out var v) ? v : null;

    public int GetInt(string name, int fallback, int min, int max)
    {
        var v = Get(name);
        if (v is null) return fallback;
        if (!int.TryParse(v, out var n) || n < min || n > max)
            throw new UsageException($"--{name} must be a whole number from {min} to {max}, not '{v}'.");
        return n;
    }
}

internal sealed class UsageException(string message) : Exception(message);
