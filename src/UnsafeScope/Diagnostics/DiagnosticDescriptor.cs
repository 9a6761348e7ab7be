using System.Collections.Immutable;

namespace UnsafeScope.Diagnostics;

/// <summary>
/// Immutable metadata of a rule: id, names, message, category, default severity and its documentation
/// (clippy's headings: what it does, why it is bad, example, use instead, configuration). The rule
/// documentation pages in <c>docs/rules/</c> are generated from these.
/// </summary>
public sealed partial class DiagnosticDescriptor
{
    // Source-generated: no regex is compiled at run time.
    [System.Text.RegularExpressions.GeneratedRegex("^US[0-9]{4}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex RuleIdPattern();

    /// <summary>Creates a descriptor; validates every argument.</summary>
    public DiagnosticDescriptor(
        string id, string name, string title, string messageFormat, string category, DiagnosticSeverity defaultSeverity,
        bool isEnabledByDefault, RuleDocumentation documentation, string precision,
        ImmutableArray<string> tags = default, ImmutableDictionary<string, string>? properties = null)
    {
        if (string.IsNullOrWhiteSpace(id) || !RuleIdPattern().IsMatch(id))
            throw new ArgumentException($"Rule id '{id}' must look like US1234.", nameof(id));
        if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"Rule {id}: the name must be one PascalCase word.", nameof(name));
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(messageFormat);
        ArgumentException.ThrowIfNullOrWhiteSpace(category);
        ArgumentNullException.ThrowIfNull(documentation);
        if (precision is not ("very-high" or "high" or "medium" or "low"))
            throw new ArgumentException($"Rule {id}: precision must be very-high, high, medium or low.", nameof(precision));
        Id = id;
        Name = name;
        Title = title;
        MessageFormat = messageFormat;
        Category = category;
        DefaultSeverity = defaultSeverity;
        IsEnabledByDefault = isEnabledByDefault;
        Documentation = documentation;
        Precision = precision;
        Tags = tags.IsDefault ? [] : tags;
        Properties = properties ?? ImmutableDictionary<string, string>.Empty;
        if (Properties.TryGetValue("security-severity", out var s) && !(double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 && v <= 10))
            throw new ArgumentException($"Rule {id}: security-severity must be a number in (0, 10].", nameof(properties));
    }

    /// <summary>Stable id, <c>US####</c>.</summary>
    public string Id { get; }

    /// <summary>Imperative PascalCase name (<c>DocumentUnsafeBlocks</c>).</summary>
    public string Name { get; }

    /// <summary>One-line title.</summary>
    public string Title { get; }

    /// <summary>Message with <c>{0}</c>-style placeholders.</summary>
    public string MessageFormat { get; }

    /// <summary>Category (<c>Hygiene</c>, <c>Driver</c>, <c>Encapsulation</c>…).</summary>
    public string Category { get; }

    /// <summary>Severity when not configured.</summary>
    public DiagnosticSeverity DefaultSeverity { get; }

    /// <summary>Runs unless configured off.</summary>
    public bool IsEnabledByDefault { get; }

    /// <summary>The rule's documentation.</summary>
    public RuleDocumentation Documentation { get; }

    /// <summary>very-high, high, medium or low: how often a result is a true positive.</summary>
    public string Precision { get; }

    /// <summary>Tags (<c>security</c>, <c>external/cwe/cwe-119</c>, …).</summary>
    public ImmutableArray<string> Tags { get; }

    /// <summary>Extra properties: <c>equivalent</c> (the clippy/rustc lint of the same meaning), <c>security-severity</c>, <c>cwe</c>.</summary>
    public ImmutableDictionary<string, string> Properties { get; }

    /// <summary>The rule page: <c>docs/rules/{Id}.md</c> in the repository.</summary>
    public string HelpLinkUri => $"https://github.com/unsafescope/unsafescope/blob/main/docs/rules/{Id}.md";

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Name}";
}

/// <summary>A rule's documentation, with clippy's fixed headings.</summary>
/// <param name="WhatItDoes">What it does.</param>
/// <param name="WhyIsThisBad">Why is this bad?</param>
/// <param name="Example">Code that triggers the rule (Rust).</param>
/// <param name="UseInstead">Code that does not (Rust).</param>
/// <param name="Configuration">Options, or "None.".</param>
public sealed record RuleDocumentation(string WhatItDoes, string WhyIsThisBad, string Example, string UseInstead, string Configuration = "None.");
