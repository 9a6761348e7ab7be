using System.Text.RegularExpressions;
using UnsafeScope.Syntax;

namespace UnsafeScope.Inventory;

/// <summary>
/// What the test reach reads from syntax: test functions and modules, doctests (the runnable code fences of doc
/// comments) and the calls written in macro arguments, where the grammar gives only tokens.
/// </summary>
internal static partial class DocTests
{
    /// <summary>Whether the file is inside a doc-comment code fence; fences span many comment nodes.</summary>
    internal sealed class FenceState
    {
        public bool InFence;
        public bool Runnable;
        public int LastLine = -2;
    }

    /// <summary><c>#[test]</c>, or an attribute path ending in <c>::test</c> (<c>#[tokio::test]</c>, <c>#[async_std::test]</c>).</summary>
    public static bool IsTestFunction(SyntaxNode fn) => SyntaxTrivia.AnyPrecedingAttribute(fn,
        static a => SyntaxTrivia.GetAttributeName(a) is { } name && (name == "test" || name.EndsWith("::test", StringComparison.Ordinal)));

    /// <summary><c>#[cfg(test)]</c> (also inside <c>all(…)</c>/<c>any(…)</c>, not under <c>not(…)</c>).</summary>
    public static bool IsCfgTest(SyntaxNode item) => SyntaxTrivia.AnyPrecedingAttribute(item,
        static a => SyntaxTrivia.GetAttributeName(a) == "cfg" && TestWord().IsMatch(a.Text) && !NotTest().IsMatch(a.Text));

    public static string LastSegment(string path)
    {
        var i = path.LastIndexOf("::", StringComparison.Ordinal);
        var last = i < 0 ? path : path[(i + 2)..];
        var lt = last.IndexOf('<');
        return (lt < 0 ? last : last[..lt]).Trim();
    }

    /// <summary>Calls in a macro's arguments (<c>assert_eq!(wrap(1), 2)</c>): an identifier before a <c>(…)</c> token tree.</summary>
    public static void TokenCalls(SyntaxNode macro, HashSet<string> calls)
    {
        foreach (var tt in macro.Children)
        {
            if (!MacroTokens.IsTokenTree(tt.Kind)) continue;
            var tokens = MacroTokens.GetTokens(tt);
            for (int i = 0; i + 1 < tokens.Length; i++)
            {
                // Kinds, not texts: every token of every macro call in a function body comes here.
                if (tokens[i].Kind != RustSyntaxKind.Identifier || tokens[i + 1].Kind != RustSyntaxKind.OpenParenToken) continue;
                var name = tokens[i].Text;
                if (i >= 1 && tokens[i - 1].Kind == RustSyntaxKind.DotToken) calls.Add("." + name);
                else if (i >= 2 && tokens[i - 1].Kind == RustSyntaxKind.ColonColonToken && tokens[i - 2].Kind is RustSyntaxKind.Identifier or RustSyntaxKind.Self) calls.Add(tokens[i - 2].Text + "::" + name);
                else calls.Add(name);
            }
        }
    }

    /// <summary>Reads one comment node: doc comments open and close fences, and code lines in runnable fences give calls.</summary>
    public static void Read(SyntaxNode comment, FenceState state, HashSet<string> calls)
    {
        // Every comment of every file comes here: decide on the bytes, and allocate only for lines that matter.
        var bytes = comment.Utf8Text;
        bool line = bytes.StartsWith("///"u8) && !bytes.StartsWith("////"u8) || bytes.StartsWith("//!"u8);
        bool block = bytes.StartsWith("/**"u8) && !bytes.StartsWith("/***"u8) && !bytes.StartsWith("/**/"u8) || bytes.StartsWith("/*!"u8);
        if (!line && !block) return;
        int start = comment.StartLine;
        // A doc comment that does not continue the previous one starts a new doc block: an unclosed fence ends there.
        if (start > state.LastLine + 1) state.InFence = false;
        state.LastLine = comment.EndLine;
        bool fenceMarker = bytes.IndexOf("```"u8) >= 0 || bytes.IndexOf("~~~"u8) >= 0;
        if (!fenceMarker && !(state.InFence && state.Runnable)) return; // prose, or code that does not run
        var text = comment.Text.TrimEnd(); // a line comment's node ends with its newline
        var lines = block ? text[3..^(text.EndsWith("*/", StringComparison.Ordinal) ? 2 : 0)].Split('\n') : [text[3..]];
        foreach (var raw in lines)
        {
            var l = raw.TrimStart();
            if (block && l.StartsWith('*')) l = l[1..].TrimStart();
            if (l.StartsWith("```", StringComparison.Ordinal) || l.StartsWith("~~~", StringComparison.Ordinal))
            {
                if (state.InFence)
                {
                    state.InFence = false;
                }
                else
                {
                    state.InFence = true;
                    state.Runnable = IsRunnable(l[3..]);
                }
                continue;
            }
            if (!state.InFence || !state.Runnable) continue;
            // rustdoc hides lines starting with `# ` but still compiles and runs them.
            if (l.StartsWith("# ", StringComparison.Ordinal)) l = l[2..];
            foreach (Match m in CallInCode().Matches(l))
            {
                var name = m.Groups["name"].Value;
                if (m.Groups["dot"].Success) calls.Add("." + name);
                else if (m.Groups["owner"].Success) calls.Add(m.Groups["owner"].Value + "::" + name);
                else calls.Add(name);
            }
        }
    }

    /// <summary>rustdoc runs a fence with no info string or a Rust one, unless it is ignore, no_run, compile_fail or text.</summary>
    private static bool IsRunnable(string info)
    {
        foreach (var word in info.Split([',', ' ', '\t', '{', '}', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (word is "ignore" or "no_run" or "compile_fail" or "text" or "sh" or "bash" or "c" or "cpp" or "json" or "toml" or "console" or "plain") return false;
            if (word.StartsWith("ignore-", StringComparison.Ordinal)) return false;
        }
        return true;
    }

    [GeneratedRegex(@"\btest\b")]
    private static partial Regex TestWord();

    [GeneratedRegex(@"not\s*\(\s*test\s*\)")]
    private static partial Regex NotTest();

    // `name(`, `Owner::name(`, `.name(`, with an optional turbofish: what a doctest calls.
    [GeneratedRegex(@"(?:(?<dot>\.)\s*|(?<owner>[A-Za-z_][A-Za-z0-9_]*)::)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:::<[^()]*?>)?\s*\(")]
    private static partial Regex CallInCode();
}
