using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.IO;
using UnsafeScope.Workspace;

namespace UnsafeScope.Tests.Inventory;

/// <summary>Invariants of the TOML reader and of lint-level evaluation.</summary>
public class CargoProperties
{
    /// <summary>Any string written as a TOML basic string (every character escaped the TOML way) reads back unchanged, with its line.</summary>
    [Property]
    public bool BasicStringsRoundTrip(NonNull<string> value, PositiveInt blankLines)
    {
        var s = value.Get;
        // Lone surrogates cannot be encoded in a UTF-8 file at all; the property is about TOML, not UTF-16.
        if (!IsWellFormed(s)) return true;
        int blanks = blankLines.Get % 5;
        var text = new string('\n', blanks) + "[package]\nname = " + Basic(s) + "\nlit = '" + (s.Contains('\'') || s.Any(char.IsControl) ? "x" : s) + "'\n";
        var t = TomlDocument.Parse(text, "p.toml").Table("package")!;
        return t.String("name") == s && t.Scalar("name")!.Line == blanks + 2;
    }

    /// <summary>Whatever the order and levels of the settings, a <c>forbid</c> of a lint (or of a group holding it) is never lowered after it.</summary>
    [Property]
    public bool ForbidIsNeverLowered(int[] picks)
    {
        string[] lints = ["clippy::undocumented_unsafe_blocks", "clippy::restriction", "clippy::missing_safety_doc", "clippy::all", "clippy::style"];
        var at = new ManifestLocation("Cargo.toml", 1);
        var settings = (picks ?? []).Select(p => new LintSetting(lints[Math.Abs(p % lints.Length)], (LintLevel)Math.Abs(p / 7 % 4), 0, at, "manifest")).ToList();
        var policy = new LintPolicy([.. settings]);
        foreach (var lint in (string[])["clippy::undocumented_unsafe_blocks", "clippy::missing_safety_doc"])
        {
            var covering = settings.Where(s => s.Lint == lint || (lint.EndsWith("blocks", StringComparison.Ordinal) ? s.Lint == "clippy::restriction" : s.Lint is "clippy::all" or "clippy::style")).ToList();
            var level = policy.LevelOf(lint)?.Level;
            var firstForbid = covering.FindIndex(s => s.Level == LintLevel.Forbid);
            if (firstForbid >= 0 ? level != LintLevel.Forbid : covering.Count == 0 ? level is not null : level != covering[^1].Level) return false;
        }
        return true;
    }

    private static bool IsWellFormed(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static string Basic(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var r in s.EnumerateRunes())
        {
            switch (r.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case < 0x20 or 0x7F: sb.Append($"\\u{r.Value:X4}"); break;
                default: sb.Append(r.ToString()); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
