using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using UnsafeScope.Diagnostics;

namespace UnsafeScope.Sarif;

/// <summary>The texts of a SARIF log: rule help in plain text and markdown, and result messages with links.</summary>
internal static partial class SarifText
{
    /// <summary>GitHub's limit on <c>shortDescription</c>/<c>fullDescription</c>.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>GitHub's limit on a rule's <c>name</c>.</summary>
    public const int MaxNameLength = 255;

    /// <summary>How many related locations are linked from a result's message; the others are still listed.</summary>
    public const int MaxLinksInMessage = 10;

    private static readonly (string Heading, Func<RuleDocumentation, string> Get, bool IsCode)[] s_sections =
    [
        ("What it does", d => d.WhatItDoes, false),
        ("Why is this bad?", d => d.WhyIsThisBad, false),
        ("Example", d => d.Example, true),
        ("Use instead", d => d.UseInstead, true),
        ("Configuration", d => d.Configuration, false),
    ];

    /// <summary>Cuts <paramref name="s"/> to at most <paramref name="max"/> UTF-16 units, ending with an ellipsis when cut.</summary>
    public static string Truncate(string s, int max)
    {
        if (s.Length <= max) return s;
        int cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(s[cut - 1])) cut--;
        return s[..cut] + "…";
    }

    /// <summary>The rule's documentation as plain text, one heading line per section (empty sections left out).</summary>
    public static string HelpText(DiagnosticDescriptor d)
    {
        var sb = new StringBuilder();
        foreach (var (heading, get, _) in s_sections)
        {
            var body = Normalize(get(d.Documentation));
            if (body.Length == 0) continue;
            if (sb.Length > 0) sb.Append("\n\n");
            sb.Append(heading).Append('\n').Append(body);
        }
        if (sb.Length == 0) sb.Append(d.Title);
        sb.Append("\n\nMore: ").Append(d.HelpLinkUri);
        return sb.ToString();
    }

    /// <summary>The rule's documentation as markdown: clippy's headings, Rust code blocks for the examples.</summary>
    public static string HelpMarkdown(DiagnosticDescriptor d)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(d.Id).Append(": ").Append(d.Title).Append('\n');
        foreach (var (heading, get, isCode) in s_sections)
        {
            var body = Normalize(get(d.Documentation));
            if (body.Length == 0) continue;
            sb.Append("\n## ").Append(heading).Append("\n\n");
            if (isCode)
            {
                var fence = Fence(body);
                sb.Append(fence).Append("rust\n").Append(body).Append('\n').Append(fence).Append('\n');
            }
            else
            {
                sb.Append(body).Append('\n');
            }
        }
        sb.Append("\n[Rule page](").Append(d.HelpLinkUri).Append(")\n");
        return sb.ToString();
    }

    /// <summary>
    /// A result's message: the diagnostic's message (its first sentence reads as a title), ending with a period, with
    /// links to the first related locations (<c>[1](1)</c> refers to <c>relatedLocations</c> id 1) before that period.
    /// Text that looks like a link but is not one has its <c>[</c> escaped, as SARIF §3.11.6 asks.
    /// </summary>
    public static string ResultMessage(string message, string fallback, int relatedCount)
    {
        var text = EscapeLinkLikeText(Normalize(message));
        if (text.Length == 0) text = EscapeLinkLikeText(Normalize(fallback));
        bool endsWithStop = text.Length > 0 && text[^1] is '.' or '!' or '?';
        if (relatedCount <= 0) return endsWithStop ? text : text + ".";

        var links = new StringBuilder(" (");
        int linked = Math.Min(relatedCount, MaxLinksInMessage);
        for (int i = 1; i <= linked; i++)
        {
            if (i > 1) links.Append(", ");
            links.Append('[').Append(i.ToString(CultureInfo.InvariantCulture)).Append("](").Append(i.ToString(CultureInfo.InvariantCulture)).Append(')');
        }
        if (relatedCount > linked)
            links.Append(" and ").Append((relatedCount - linked).ToString(CultureInfo.InvariantCulture)).Append(" more");
        links.Append(')');
        return (text.EndsWith('.') ? text[..^1] : text) + links + ".";
    }

    /// <summary>A plain message (a related location's or a notification's), with link-like text escaped.</summary>
    public static string PlainMessage(string message, string fallback)
    {
        var text = EscapeLinkLikeText(Normalize(message));
        return text.Length > 0 ? text : fallback;
    }

    /// <summary>Escapes the <c>[</c> of every <c>[text](</c> so a SARIF viewer does not take it for a link.</summary>
    public static string EscapeLinkLikeText(string s) => s.Contains('[') ? LinkLike().Replace(s, @"\[") : s;

    private static string Normalize(string? s) => (s ?? "").Replace("\r\n", "\n").Replace('\r', '\n').Trim();

    private static string Fence(string body)
    {
        int longest = 0, run = 0;
        foreach (char c in body)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return new string('`', Math.Max(3, longest + 1));
    }

    [GeneratedRegex(@"(?<!\\)\[(?=[^\[\]]*\]\()")]
    private static partial Regex LinkLike();
}
