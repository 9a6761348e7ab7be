using System.Collections.Immutable;

namespace UnsafeScope.Syntax.Macros;

/// <summary>
/// One <c>macro_rules!</c> definition: its rules, matched in order against an invocation's tokens and transcribed,
/// like rustc's <c>macro_rules</c> expansion. Fragments are delimited by their follow tokens (<c>expr</c> runs to the
/// next top-level <c>,</c> <c>;</c> or <c>=&gt;</c>…), not by a full Rust parser: what rustc accepts and this cannot
/// delimit makes the expansion fail, never a wrong binding silently.
/// </summary>
internal sealed class MacroDefinition
{
    private readonly List<(List<Pattern> Matcher, List<Pattern> Transcriber)> _rules;

    private MacroDefinition(string name, List<(List<Pattern>, List<Pattern>)> rules)
    {
        Name = name;
        _rules = rules;
        // Asked at every call of the macro: read once here.
        DiscardsArguments = rules.All(r => !Pattern.Leaves(r.Item2).Any(p => p is Pattern.Variable));
        // A transcriber's `unsafe`, or an unbound `$unsafe` (written as it is).
        WritesUnsafe = rules.Any(r => Pattern.Leaves(r.Item2).Any(p => p is Pattern.Literal { Token: { Kind: TokenKind.Ident, Text: "unsafe" } } or Pattern.Variable { Name: "unsafe" }));
    }

    public string Name { get; }

    /// <summary>True when no rule's transcriber uses a metavariable: whatever is passed is dropped, never compiled.</summary>
    public bool DiscardsArguments { get; }

    /// <summary>
    /// True when a transcriber writes an <c>unsafe</c> token of its own: the keyword, or <c>$unsafe</c> when no
    /// variable binds it (written as it is). Otherwise an expansion's <c>unsafe</c> tokens can only come from the call.
    /// </summary>
    public bool WritesUnsafe { get; }

    /// <summary>The identifiers its transcribers write (a nested invocation's name is one of them, or comes from the call).</summary>
    public IEnumerable<string> WrittenIdentifiers()
        => _rules.SelectMany(r => Pattern.Leaves(r.Transcriber)).OfType<Pattern.Literal>().Where(l => l.Token.Kind == TokenKind.Ident).Select(l => l.Token.Text).Distinct(StringComparer.Ordinal);

    /// <summary>Parses the body of <c>macro_rules! name { … }</c> (the group's trees); null when it is not a list of rules.</summary>
    public static MacroDefinition? Parse(string name, List<TokenTree> body)
    {
        var rules = new List<(List<Pattern>, List<Pattern>)>();
        int i = 0;
        while (i < body.Count)
        {
            if (i + 2 >= body.Count || !body[i].IsGroup || !body[i + 1].IsPunct("=>") || !body[i + 2].IsGroup) return null;
            rules.Add((Pattern.ParseList(body[i].Children!, matcher: true), Pattern.ParseList(body[i + 2].Children!, matcher: false)));
            i += 3;
            if (i < body.Count && body[i].IsPunct(";")) i++;
        }
        return rules.Count == 0 ? null : new MacroDefinition(name, rules);
    }

    /// <summary>The index of the first rule whose matcher takes <paramref name="input"/>: -1 when none does, null when the match gave up.</summary>
    public int? MatchingRule(List<TokenTree> input) => Match(input)?.Rule;

    /// <summary>
    /// The first rule whose matcher takes <paramref name="input"/> with its metavariables' bindings (rule -1 when none
    /// does); null when the match gave up.
    /// </summary>
    public (int Rule, Bindings Bindings)? Match(List<TokenTree> input)
    {
        for (int i = 0; i < _rules.Count; i++)
        {
            var m = new Matcher();
            Bindings? found = null;
            bool ok = m.Match(_rules[i].Matcher, 0, input, 0, Bindings.Empty, (t, env) =>
            {
                if (t != input.Count) return false;
                found = env;
                return true;
            });
            if (m.GaveUp) return null;
            if (ok && found is not null) return (i, found);
        }
        return (-1, Bindings.Empty);
    }

    /// <summary>The first rule that matches, transcribed; null when none matches (or the match gave up).</summary>
    public List<TokenTree>? Transcribe(List<TokenTree> input, out bool gaveUp)
    {
        gaveUp = false;
        foreach (var (matcher, transcriber) in _rules)
        {
            var m = new Matcher();
            Bindings? found = null;
            bool ok = m.Match(matcher, 0, input, 0, Bindings.Empty, (t, env) =>
            {
                if (t != input.Count) return false;
                found = env;
                return true;
            });
            if (m.GaveUp)
            {
                gaveUp = true;
                return null;
            }
            if (!ok || found is null) continue;
            var output = new List<TokenTree>();
            return Transcriber.Write(transcriber, found, [], output) ? output : null;
        }
        return null;
    }
}

/// <summary>A matcher or transcriber element.</summary>
internal abstract record Pattern
{
    public sealed record Literal(Token Token) : Pattern
    {
        /// <summary>The token as a tree, made once: every transcription writes it (token trees are not changed once made).</summary>
        public TokenTree Leaf { get; } = TokenTree.Leaf(Token);
    }

    public sealed record Group(Token Open, Token Close, List<Pattern> Items) : Pattern;
    public sealed record Variable(string Name, string Fragment) : Pattern;
    public sealed record Repetition(List<Pattern> Items, Token? Separator, char Op) : Pattern
    {
        /// <summary>The variables inside, each once, in order: asked each time a repetition is matched or written.</summary>
        public string[] Names { get; } = DistinctNames(Items);

        /// <summary>The separator as a tree, made once.</summary>
        public TokenTree? SeparatorLeaf { get; } = Separator is { } s ? TokenTree.Leaf(s) : null;

        private static string[] DistinctNames(List<Pattern> items)
            => [.. Leaves(items).OfType<Variable>().Select(v => v.Name).Distinct(StringComparer.Ordinal)];
    }

    public static List<Pattern> ParseList(List<TokenTree> trees, bool matcher)
    {
        var list = new List<Pattern>();
        for (int i = 0; i < trees.Count; i++)
        {
            var t = trees[i];
            if (t.IsGroup)
            {
                list.Add(new Group(t.Token, t.Close, ParseList(t.Children!, matcher)));
                continue;
            }
            if (t.IsPunct("$") && i + 1 < trees.Count)
            {
                var next = trees[i + 1];
                if (next.IsGroup && next.Delimiter == '(')
                {
                    // $( … ) sep? op
                    Token? sep = null;
                    int k = i + 2;
                    if (k < trees.Count && !trees[k].IsGroup && trees[k].Token.Text is not ("*" or "+" or "?"))
                        sep = trees[k++].Token;
                    else if (k + 1 < trees.Count && !trees[k].IsGroup && trees[k].Token.Text is "*" or "+" or "?"
                             && !trees[k + 1].IsGroup && trees[k + 1].Token.Text is "*" or "+" or "?")
                        sep = trees[k++].Token; // `$(…)+*`: + is the separator
                    if (k < trees.Count && !trees[k].IsGroup && trees[k].Token.Text is "*" or "+" or "?")
                    {
                        list.Add(new Repetition(ParseList(next.Children!, matcher), sep, trees[k].Token.Text[0]));
                        i = k;
                        continue;
                    }
                }
                else if (!next.IsGroup && next.Token.Kind == TokenKind.Ident)
                {
                    if (next.Token.Text == "crate")
                    {
                        list.Add(new Literal(next.Token with { Text = "crate" }));
                        i++;
                        continue;
                    }
                    if (matcher && i + 3 < trees.Count && trees[i + 2].IsPunct(":") && !trees[i + 3].IsGroup)
                    {
                        list.Add(new Variable(next.Token.Text, trees[i + 3].Token.Text));
                        i += 3;
                        continue;
                    }
                    if (!matcher)
                    {
                        list.Add(new Variable(next.Token.Text, ""));
                        i++;
                        continue;
                    }
                }
            }
            list.Add(new Literal(t.Token));
        }
        return list;
    }

    /// <summary>The literals and variables of a matcher or transcriber, groups and repetitions entered, in order.</summary>
    public static IEnumerable<Pattern> Leaves(List<Pattern> items)
    {
        foreach (var p in items)
        {
            switch (p)
            {
                case Group g: foreach (var l in Leaves(g.Items)) yield return l; break;
                case Repetition r: foreach (var l in Leaves(r.Items)) yield return l; break;
                default: yield return p; break;
            }
        }
    }
}

/// <summary>
/// A matcher's bindings so far: a persistent list, newest first, so binding one more variable is one node (an
/// immutable dictionary copied a path of nodes per variable: macro expansion allocated more than it parsed). A
/// rule has a handful of variables, and a later binding of a name hides an earlier one.
/// </summary>
internal sealed class Bindings
{
    public static readonly Bindings Empty = new(null!, null!, null);

    private readonly string _name;
    private readonly Binding _value;
    private readonly Bindings? _next;

    private Bindings(string name, Binding value, Bindings? next) => (_name, _value, _next) = (name, value, next);

    public Bindings SetItem(string name, Binding value) => new(name, value, this);

    public bool TryGetValue(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Binding value)
    {
        // Every node but Empty links on, down to Empty.
        for (var b = this; !ReferenceEquals(b, Empty); b = b._next!)
            if (string.Equals(b._name, name, StringComparison.Ordinal))
            {
                value = b._value;
                return true;
            }
        value = null;
        return false;
    }
}

/// <summary>
/// The iterations a repetition matched so far, newest first: one more is one node (an immutable array copied all of
/// them per iteration, quadratic in a long <c>$(…)*</c>).
/// </summary>
internal sealed class Iterations(Bindings head, Iterations? tail)
{
    private readonly Bindings _head = head;
    private readonly Iterations? _tail = tail;
    private readonly int _count = (tail?._count ?? 0) + 1;

    /// <summary>The iterations in match order (none for null).</summary>
    public static ImmutableArray<Bindings> ToArray(Iterations? last)
    {
        if (last is null) return [];
        var items = new Bindings[last._count];
        for (var i = last; i is not null; i = i._tail) items[i._count - 1] = i._head;
        return ImmutableArray.Create(items);
    }
}

/// <summary>What a matcher variable bound: the trees of one fragment, or one binding per repetition.</summary>
internal abstract record Binding
{
    /// <summary>Count trees of the input from Start: a view, not a copy (the input is not changed while a rule is applied).</summary>
    public sealed record Fragment(List<TokenTree> Input, int Start, int Count, string Kind) : Binding
    {
        public ReadOnlySpan<TokenTree> Trees => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(Input).Slice(Start, Count);
    }
    public sealed record Repeated(ImmutableArray<Bindings> Iterations) : Binding;
}

/// <summary>Backtracking matcher (continuation-passing, so repetitions try more iterations first and give back).</summary>
internal sealed class Matcher
{
    private int _steps, _depth;
    private bool _gaveUp;
    private const int StepLimit = 200_000;
    // Continuations nest a few frames per matched token: a long `$($t:tt)*` input would exhaust the stack.
    private const int DepthLimit = 4_000;

    public bool GaveUp => _gaveUp;

    public bool Match(List<Pattern> pats, int pi, List<TokenTree> input, int ti, Bindings env,
        Func<int, Bindings, bool> k)
    {
        if (!Enter()) return false;
        try { return MatchCore(pats, pi, input, ti, env, k); }
        finally { _depth--; }
    }

    private bool Enter()
    {
        _depth++;
        if (_gaveUp || ++_steps > StepLimit || _depth > DepthLimit || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            _gaveUp = true;
        return !_gaveUp;
    }

    private bool MatchCore(List<Pattern> pats, int pi, List<TokenTree> input, int ti, Bindings env,
        Func<int, Bindings, bool> k)
    {
        if (pi == pats.Count) return k(ti, env);
        switch (pats[pi])
        {
            case Pattern.Literal lit:
                return ti < input.Count && !input[ti].IsGroup && input[ti].Token.Text == lit.Token.Text
                    && Match(pats, pi + 1, input, ti + 1, env, k);
            case Pattern.Group g:
                return ti < input.Count && input[ti].IsGroup && input[ti].Token.Text == g.Open.Text
                    && MatchGroup(g, pats, pi, input, ti, env, k);
            case Pattern.Variable v:
            {
                int n = Fragments.Length(v.Fragment, input, ti);
                if (n < 0) return false;
                return Match(pats, pi + 1, input, ti + n, env.SetItem(v.Name, new Binding.Fragment(input, ti, n, v.Fragment)), k);
            }
            case Pattern.Repetition r:
                return Repeat(r, null, pats, pi, input, ti, env, k);
        }
        return false;
    }

    // The continuations are made in methods of their own: a lambda's captured parameters are copied into a closure
    // object when its method is entered, so in MatchCore and RepeatCore every step paid for one (150 and 46 MB a
    // corpus run), whichever case it took.
    private bool MatchGroup(Pattern.Group g, List<Pattern> pats, int pi, List<TokenTree> input, int ti, Bindings env, Func<int, Bindings, bool> k)
        => Match(g.Items, 0, input[ti].Children!, 0, env, (t, e) => t == input[ti].Children!.Count && Match(pats, pi + 1, input, ti + 1, e, k));

    private bool MatchIteration(Pattern.Repetition r, Iterations? done, List<Pattern> pats, int pi, List<TokenTree> input, int ti, int start,
        Bindings env, Func<int, Bindings, bool> k)
        => Match(r.Items, 0, input, start, Bindings.Empty, (t, e) => t > ti && Repeat(r, new Iterations(e, done), pats, pi, input, t, env, k));

    private bool Repeat(Pattern.Repetition r, Iterations? done, List<Pattern> pats, int pi, List<TokenTree> input, int ti,
        Bindings env, Func<int, Bindings, bool> k)
    {
        if (!Enter()) return false;
        try { return RepeatCore(r, done, pats, pi, input, ti, env, k); }
        finally { _depth--; }
    }

    private bool RepeatCore(Pattern.Repetition r, Iterations? done, List<Pattern> pats, int pi, List<TokenTree> input, int ti,
        Bindings env, Func<int, Bindings, bool> k)
    {
        if (r.Op != '?' || done is null)
        {
            int start = ti;
            bool canContinue = true;
            if (done is not null && r.Separator is { } sep)
            {
                if (ti < input.Count && !input[ti].IsGroup && input[ti].Token.Text == sep.Text) start = ti + 1;
                else canContinue = false;
            }
            if (canContinue && MatchIteration(r, done, pats, pi, input, ti, start, env, k))
                return true;
        }
        if (r.Op == '+' && done is null) return false;
        var bound = env;
        var repeated = new Binding.Repeated(Iterations.ToArray(done));
        foreach (var name in r.Names) bound = bound.SetItem(name, repeated);
        return Match(pats, pi + 1, input, ti, bound, k);
    }
}

/// <summary>Where a fragment specifier's match ends, from the tokens that may follow it (rustc's follow sets).</summary>
internal static class Fragments
{
    // What may follow a pat fragment (pat_param also stops at `|`); static, so no closure is made per match.
    private static bool PatternEnds(TokenTree t) => t.IsPunct(",") || t.IsPunct("=") || t.IsPunct("=>") || t.IsIdent("if") || t.IsIdent("in");

    /// <summary>How many trees from <paramref name="at"/> the fragment takes; -1 when it cannot start there.</summary>
    public static int Length(string kind, List<TokenTree> input, int at)
    {
        bool any = at < input.Count;
        switch (kind)
        {
            case "tt":
                return any ? 1 : -1;
            case "ident":
                return any && !input[at].IsGroup && input[at].Token.Kind == TokenKind.Ident && input[at].Token.Text != "_" ? 1 : -1;
            case "lifetime":
                return any && !input[at].IsGroup && input[at].Token.Kind == TokenKind.Lifetime ? 1 : -1;
            case "literal":
            {
                int i = at;
                if (i < input.Count && input[i].IsPunct("-")) i++;
                return i < input.Count && !input[i].IsGroup && (input[i].Token.Kind == TokenKind.Literal || input[i].Token.Text is "true" or "false") ? i - at + 1 : -1;
            }
            case "block":
                return any && input[at].IsGroup && input[at].Delimiter == '{' ? 1 : -1;
            case "vis":
            {
                if (!any) return 0;
                if (input[at].IsIdent("pub"))
                    return at + 1 < input.Count && input[at + 1].IsGroup && input[at + 1].Delimiter == '('
                        && input[at + 1].Children!.Count > 0 && input[at + 1].Children![0].Token.Text is "crate" or "self" or "super" or "in" ? 2 : 1;
                return input[at].IsIdent("crate") ? 1 : 0;
            }
            case "expr" or "expr_2021" or "stmt":
                return Until(input, at, angles: false, static t => t.IsPunct(",") || t.IsPunct(";") || t.IsPunct("=>"));
            case "ty" or "path":
                return Until(input, at, angles: true, static t => t.IsPunct(",") || t.IsPunct(";") || t.IsPunct("=>") || t.IsPunct("=") || t.IsPunct("|")
                    || t.IsPunct(":") || t.IsPunct(">") || t.IsPunct(">>") || t.IsIdent("as") || t.IsIdent("where") || (t.IsGroup && t.Delimiter == '{'));
            case "pat" or "pat_param":
                return Until(input, at, angles: false, kind == "pat_param" ? static t => PatternEnds(t) || t.IsPunct("|") : PatternEnds);
            case "meta":
            {
                // An attribute's content: a path, then one delimited group or `= expr` (rustc's AttrItem), so
                // `$($m:meta)*` splits `derive(Clone) doc(hidden)` into two.
                int i = at;
                if (i < input.Count && input[i].IsPunct("::")) i++;
                if (i >= input.Count || input[i].IsGroup || input[i].Token.Kind != TokenKind.Ident) return -1;
                i++;
                while (i + 1 < input.Count && input[i].IsPunct("::") && !input[i + 1].IsGroup && input[i + 1].Token.Kind == TokenKind.Ident) i += 2;
                if (i < input.Count && input[i].IsGroup) return i + 1 - at;
                if (i < input.Count && input[i].IsPunct("="))
                    return Until(input, i + 1, angles: false, static t => t.IsPunct(",") || t.IsPunct(";") || t.IsPunct("=>")) is var n and > 0 ? i + 1 + n - at : -1;
                return i - at;
            }
            case "item":
            {
                int i = at;
                while (i < input.Count)
                {
                    var t = input[i++];
                    if (t.IsPunct(";")) return i - at;
                    if (t.IsGroup && t.Delimiter == '{' && !(i - 2 >= at && input[i - 2].IsPunct("#")))
                        return i < input.Count && input[i].IsPunct(";") ? i + 1 - at : i - at;
                }
                return i > at ? i - at : -1;
            }
        }
        return -1;
    }

    // Trees up to the first stop token outside generic arguments and closure parameters; -1 when empty.
    private static int Until(List<TokenTree> input, int at, bool angles, Func<TokenTree, bool> stop)
    {
        int i = at, angle = 0;
        while (i < input.Count)
        {
            var t = input[i];
            // A group may start the fragment even where it would end one (`{ … }` as a type's follow token).
            if (angle == 0 && stop(t) && (i > at || !t.IsGroup)) break;
            if (!t.IsGroup)
            {
                var s = t.Token.Text;
                // Expressions: generic arguments only after `::` (turbofish); types: any `<`.
                bool opens = s is "<" or "<<" && (angles || (i > at && input[i - 1].IsPunct("::")) || angle > 0);
                if (opens) angle += s.Length;
                else if (angle > 0 && s is ">" or ">>" or ">=" or ">>=") angle = Math.Max(0, angle - (s.StartsWith(">>", StringComparison.Ordinal) ? 2 : 1));
                // Closure parameters `|a, b|` at the start of an expression (or after `move`).
                else if (!angles && s is "|" && (i == at || input[i - 1].IsIdent("move") || input[i - 1].IsPunct("=") || input[i - 1].IsPunct("(")))
                {
                    int j = i + 1;
                    while (j < input.Count && !input[j].IsPunct("|")) j++;
                    if (j >= input.Count) return -1;
                    i = j + 1;
                    continue;
                }
            }
            i++;
        }
        return i > at ? i - at : -1;
    }
}

/// <summary>Writes a rule's transcriber with the matched bindings.</summary>
internal static class Transcriber
{
    public static bool Write(List<Pattern> items, Bindings env, List<int> path, List<TokenTree> output)
    {
        foreach (var p in items)
        {
            switch (p)
            {
                case Pattern.Literal l:
                    output.Add(l.Leaf);
                    break;
                case Pattern.Group g:
                {
                    var inner = new List<TokenTree>(g.Items.Count); // a guess: one tree per item (repetitions write more, empty fragments none)
                    if (!Write(g.Items, env, path, inner)) return false;
                    output.Add(new TokenTree { Token = g.Open, Close = g.Close, Children = inner });
                    break;
                }
                case Pattern.Variable v:
                {
                    var b = Lookup(env, v.Name, path);
                    if (b is Binding.Fragment f)
                    {
                        // An expression stays one operand where it is substituted (rustc keeps it an opaque node).
                        if (f.Kind is "expr" or "expr_2021" && f.Count > 1)
                            output.Add(new TokenTree { Token = new Token(TokenKind.Punct, "(", -1), Close = new Token(TokenKind.Punct, ")", -1), Children = f.Input.GetRange(f.Start, f.Count) });
                        else
                            output.AddRange(f.Trees);
                    }
                    else if (b is null)
                    {
                        // Not a variable of this rule: the tokens as written.
                        output.Add(TokenTree.Leaf(new Token(TokenKind.Punct, "$", -1)));
                        output.Add(TokenTree.Leaf(new Token(TokenKind.Ident, v.Name, -1)));
                    }
                    else return false; // a repeated variable used outside its repetition
                    break;
                }
                case Pattern.Repetition r:
                {
                    int count = -1;
                    foreach (var name in r.Names)
                        if (Lookup(env, name, path) is Binding.Repeated rep)
                            count = count < 0 ? rep.Iterations.Length : Math.Min(count, rep.Iterations.Length);
                    if (count < 0) return false;
                    // The path grows by the iteration while it is written (Lookup reads it; nothing keeps it).
                    path.Add(0);
                    for (int i = 0; i < count; i++)
                    {
                        if (i > 0 && r.SeparatorLeaf is { } sep) output.Add(sep);
                        path[^1] = i;
                        if (!Write(r.Items, env, path, output)) return false;
                    }
                    path.RemoveAt(path.Count - 1);
                    break;
                }
            }
        }
        return true;
    }

    // A variable at the current repetition path: descend into the iterations it was repeated in.
    private static Binding? Lookup(Bindings env, string name, List<int> path)
    {
        if (!env.TryGetValue(name, out var b)) return null;
        int depth = 0;
        while (b is Binding.Repeated rep && depth < path.Count)
        {
            int i = path[depth++];
            if (i >= rep.Iterations.Length || !rep.Iterations[i].TryGetValue(name, out b)) return null;
        }
        return b;
    }
}
