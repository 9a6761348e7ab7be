using UnsafeScope.Inventory;

namespace UnsafeScope.Semantics;

/// <summary>
/// <c>#[cfg(…)]</c> predicates: whether two exclude each other (code under both is never compiled together), and
/// their value for a fixed target. Predicates are compared as written, whitespace removed.
/// </summary>
public static class CfgAlternatives
{
    /// <summary>The predicate with whitespace outside string literals removed (<c>target_os = "linux"</c> → <c>target_os="linux"</c>).</summary>
    public static string Normalize(string predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var sb = new System.Text.StringBuilder(predicate.Length);
        bool inString = false;
        foreach (var ch in predicate)
        {
            if (ch == '"') inString = !inString;
            if (inString || !char.IsWhiteSpace(ch)) sb.Append(ch);
        }
        return sb.ToString();
    }

    /// <summary>
    /// The operations a block holds in any one configuration: those under no cfg, plus, for each set of cfgs that
    /// exclude each other, the operations of its largest alternative (the first in source order on ties). Operations
    /// under cfgs that can hold together all count. This is what clippy sees on any single target.
    /// </summary>
    public static IReadOnlyList<UnsafeOperation> Counted(IReadOnlyList<UnsafeOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.All(o => o.Cfg.Length == 0)) return operations;
        var groups = new List<(string Cfg, List<UnsafeOperation> Ops)>();
        var kept = new List<UnsafeOperation>();
        foreach (var o in operations)
        {
            if (o.Cfg.Length == 0) { kept.Add(o); continue; }
            var g = groups.FindIndex(x => x.Cfg == o.Cfg);
            if (g < 0) groups.Add((o.Cfg, [o]));
            else groups[g].Ops.Add(o);
        }
        // Greedy clusters of pairwise exclusive cfgs, in source order.
        var clusters = new List<List<(string Cfg, List<UnsafeOperation> Ops)>>();
        foreach (var g in groups)
        {
            var home = clusters.FirstOrDefault(c => c.All(m => Exclusive(m.Cfg, g.Cfg)));
            if (home is null) clusters.Add([g]);
            else home.Add(g);
        }
        foreach (var c in clusters)
        {
            var best = c[0];
            foreach (var g in c) if (g.Ops.Count > best.Ops.Count) best = g;
            kept.AddRange(best.Ops);
        }
        return [.. kept.OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind)];
    }

    /// <summary>
    /// True when no configuration makes both predicates hold: <c>X</c> and <c>not(X)</c>, two values of a single-valued
    /// key (<c>target_arch</c>, <c>target_os</c>, …), <c>unix</c> and <c>windows</c>, or any combination of those under
    /// <c>all</c>/<c>any</c>/<c>not</c> (decided over every assignment of the predicates' atoms).
    /// </summary>
    public static bool Exclusive(string a, string b)
    {
        if (Parse(Normalize(a)) is not { } pa || Parse(Normalize(b)) is not { } pb) return false;
        var atoms = new List<string>();
        pa.Atoms(atoms);
        pb.Atoms(atoms);
        atoms = [.. atoms.Distinct(StringComparer.Ordinal)];
        if (atoms.Count > 12) return false; // too many to enumerate: assume they can hold together
        for (int mask = 0; mask < 1 << atoms.Count; mask++)
        {
            var truth = new Dictionary<string, bool>(StringComparer.Ordinal);
            for (int i = 0; i < atoms.Count; i++) truth[atoms[i]] = (mask & (1 << i)) != 0;
            if (!Consistent(truth)) continue;
            if (pa.Eval(x => truth[x]) == true && pb.Eval(x => truth[x]) == true) return false;
        }
        return true;
    }

    /// <summary>The predicate's value on <paramref name="target"/>: null when it depends on what the target does not fix (features, custom cfgs).</summary>
    public static bool? Evaluate(string predicate, TargetConfiguration target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Parse(Normalize(predicate ?? "")) is { } p ? p.Eval(target.Value) : null;
    }

    // Keys a configuration has exactly one value of.
    private static readonly string[] s_singleValued = ["target_arch", "target_os", "target_env", "target_vendor", "target_pointer_width", "target_endian"];

    private static bool Consistent(Dictionary<string, bool> truth)
    {
        foreach (var key in s_singleValued)
            if (truth.Count(t => t.Value && t.Key.StartsWith(key + "=", StringComparison.Ordinal)) > 1) return false;
        return !(truth.GetValueOrDefault("unix") && truth.GetValueOrDefault("windows"));
    }

    private abstract record Predicate
    {
        public abstract bool? Eval(Func<string, bool?> atom);
        public abstract void Atoms(List<string> into);
    }

    private sealed record Atom(string Text) : Predicate
    {
        public override bool? Eval(Func<string, bool?> atom) => atom(Text);
        public override void Atoms(List<string> into) => into.Add(Text);
    }

    private sealed record Not(Predicate Inner) : Predicate
    {
        public override bool? Eval(Func<string, bool?> atom) => Inner.Eval(atom) is { } v ? !v : null;
        public override void Atoms(List<string> into) => Inner.Atoms(into);
    }

    private sealed record Combined(bool IsAll, List<Predicate> Items) : Predicate
    {
        public override bool? Eval(Func<string, bool?> atom)
        {
            bool unknown = false;
            foreach (var i in Items)
            {
                var v = i.Eval(atom);
                if (v is null) unknown = true;
                else if (v.Value != IsAll) return v.Value; // all: a false decides; any: a true decides
            }
            return unknown ? null : IsAll;
        }

        public override void Atoms(List<string> into)
        {
            foreach (var i in Items) i.Atoms(into);
        }
    }

    /// <summary>Parses a normalized predicate; null when it is not one.</summary>
    private static Predicate? Parse(string s)
    {
        int at = 0;
        var p = ParseOne(s, ref at);
        return p is not null && at == s.Length ? p : null;
    }

    private static Predicate? ParseOne(string s, ref int at)
    {
        int start = at;
        while (at < s.Length && (char.IsAsciiLetterOrDigit(s[at]) || s[at] == '_')) at++;
        var name = s[start..at];
        if (name.Length == 0) return null;
        if (at < s.Length && s[at] == '(' && name is "all" or "any" or "not")
        {
            at++;
            var items = new List<Predicate>();
            while (at < s.Length && s[at] != ')')
            {
                if (ParseOne(s, ref at) is not { } item) return null;
                items.Add(item);
                if (at < s.Length && s[at] == ',') at++;
            }
            if (at >= s.Length) return null;
            at++;
            if (name == "not") return items.Count == 1 ? new Not(items[0]) : null;
            return new Combined(name == "all", items);
        }
        if (at < s.Length && s[at] == '=')
        {
            int q = at + 1;
            if (q >= s.Length || s[q] != '"') return null;
            int end = s.IndexOf('"', q + 1);
            if (end < 0) return null;
            at = end + 1;
            return new Atom(s[start..at]);
        }
        return new Atom(name);
    }
}
