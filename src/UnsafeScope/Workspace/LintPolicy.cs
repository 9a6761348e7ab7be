using System.Collections.Frozen;
using System.Collections.Immutable;

namespace UnsafeScope.Workspace;

/// <summary>
/// The lint levels a crate's own configuration sets, evaluated like rustc: cargo's <c>[lints]</c> (already in the
/// order cargo passes them as <c>--allow/--warn/--deny/--forbid</c> flags), then the crate root's
/// <c>#![level(…)]</c> attributes, which override the flags; a later setting wins, a group setting applies to each
/// lint of the group, and nothing lowers a <c>forbid</c>.
/// </summary>
internal sealed class LintPolicy
{
    public static readonly LintPolicy None = new([]);

    private readonly ImmutableArray<LintSetting> _settings;

    public LintPolicy(ImmutableArray<LintSetting> settings) => _settings = settings;

    public bool IsEmpty => _settings.IsEmpty;

    /// <summary>The crate's settings: manifest lints, then crate-root attributes in source order.</summary>
    public static LintPolicy For(CargoPackage? package, IEnumerable<LintSetting> attributes)
    {
        var all = (package?.Lints ?? []).AddRange(attributes);
        return all.IsEmpty ? None : new LintPolicy(all);
    }

    /// <summary>
    /// The level the crate sets for a lint (<c>clippy::name</c> or a rustc lint name) and the setting that decided it,
    /// or null when the crate does not set it (the lint's default applies).
    /// </summary>
    public (LintLevel Level, LintSetting Setting)? LevelOf(string lint)
    {
        lint = Normalize(lint);
        (LintLevel Level, LintSetting Setting)? current = null;
        foreach (var s in _settings)
        {
            if (!Covers(Normalize(s.Lint), lint)) continue;
            if (current is { Level: LintLevel.Forbid }) continue; // forbid cannot be lowered (rustc reports the attempt)
            current = (s.Level, s);
        }
        return current;
    }

    /// <summary>rustc accepts dashes for underscores and a <c>clippy::</c> prefix; <c>rustc::</c> is this project's prefix for rustc's own lints.</summary>
    internal static string Normalize(string lint)
    {
        lint = lint.Trim().Replace('-', '_');
        return lint.StartsWith("rustc::", StringComparison.Ordinal) ? lint[7..] : lint;
    }

    private static bool Covers(string setting, string lint)
        => setting == lint || (s_groups.TryGetValue(lint, out var groups) && groups.Contains(setting));

    /// <summary>
    /// The groups of each lint an UnsafeScope rule is equivalent to (clippy's <c>declare_clippy_lint!</c> categories;
    /// <c>clippy::all</c> is correctness, suspicious, style, complexity and perf; rustc's <c>unsafe_op_in_unsafe_fn</c>
    /// is in <c>rust_2024_compatibility</c>). A lint not listed here is only set by its own name.
    /// </summary>
    private static readonly FrozenDictionary<string, string[]> s_groups = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["clippy::undocumented_unsafe_blocks"] = ["clippy::restriction"],
        ["clippy::multiple_unsafe_ops_per_block"] = ["clippy::restriction"],
        ["clippy::unnecessary_safety_comment"] = ["clippy::restriction"],
        ["clippy::unnecessary_safety_doc"] = ["clippy::restriction"],
        ["clippy::missing_safety_doc"] = ["clippy::style", "clippy::all"],
        ["clippy::unsafe_removed_from_name"] = ["clippy::style", "clippy::all"],
        ["clippy::not_unsafe_ptr_arg_deref"] = ["clippy::correctness", "clippy::all"],
        ["clippy::mut_from_ref"] = ["clippy::correctness", "clippy::all"],
        ["unsafe_op_in_unsafe_fn"] = ["rust_2024_compatibility"],
    }.ToFrozenDictionary(StringComparer.Ordinal);
}
