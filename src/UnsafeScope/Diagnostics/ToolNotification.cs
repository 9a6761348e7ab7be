namespace UnsafeScope.Diagnostics;

/// <summary>How serious a tool notification is (SARIF <c>level</c>).</summary>
public enum NotificationLevel
{
    /// <summary>Information (e.g. a file with parse errors that was still analyzed).</summary>
    Note,
    /// <summary>Part of the input was not analyzed (skipped, too large, timed out).</summary>
    Warning,
    /// <summary>Something failed (e.g. an unreadable path).</summary>
    Error,
}

/// <summary>A message about the run rather than about the code: skipped, unreadable or unparsable input.</summary>
/// <param name="Id">Stable id, <c>US0xxx</c> (see <see cref="NotificationIds"/>).</param>
/// <param name="Level">Severity.</param>
/// <param name="Message">A sentence a person can act on.</param>
/// <param name="Path">The file or folder concerned (relative to the base directory, forward slashes), or empty.</param>
/// <param name="Line">1-based line, or 0 when not about a line.</param>
public sealed record ToolNotification(string Id, NotificationLevel Level, string Message, string Path = "", int Line = 0);

/// <summary>The ids of tool notifications.</summary>
public static class NotificationIds
{
    /// <summary>A path given on the command line does not exist.</summary>
    public const string PathNotFound = "US0001";
    /// <summary>A file or folder could not be read.</summary>
    public const string Unreadable = "US0002";
    /// <summary>A file holds NUL bytes and is treated as binary.</summary>
    public const string Binary = "US0003";
    /// <summary>A file is larger than the size cap.</summary>
    public const string TooLarge = "US0004";
    /// <summary>A file is not valid UTF-8; it was decoded lossily.</summary>
    public const string InvalidUtf8 = "US0005";
    /// <summary>A file has syntax errors; it was analyzed with tree-sitter's error recovery.</summary>
    public const string ParseErrors = "US0006";
    /// <summary>Parsing a file ran past the time limit or out of memory.</summary>
    public const string ParseFailed = "US0007";
    /// <summary>A symbolic link was not followed.</summary>
    public const string SymlinkSkipped = "US0008";
    /// <summary>An internal error while analyzing one file; the run went on.</summary>
    public const string InternalError = "US0009";
    /// <summary>An analyzer threw; its results for that file are missing, the run went on.</summary>
    public const string AnalyzerFailed = "US0010";
    /// <summary>A dependency source folder is missing, or a dependency named in Cargo.toml is not in the dependency sources.</summary>
    public const string DependencyNotFound = "US0011";
    /// <summary>A TOML file (Cargo.toml, .cargo/config.toml, rust-toolchain.toml) is not valid TOML or sets something invalid; its settings were not read.</summary>
    public const string InvalidToml = "US0012";
}
