using System.Text;
using System.Text.Json;

namespace UnsafeScope.Reports;

/// <summary>
/// How every machine-readable output is written (SARIF, JSON, markdown, rule pages): UTF-8 without BOM and LF line
/// ends on every OS, so the same input gives the same bytes on Windows and Linux (shards and caches are shared
/// between mixed runners). <see cref="Environment.NewLine"/> is never used for them.
/// </summary>
internal static class OutputText
{
    /// <summary>The line end of every output.</summary>
    public const string NewLine = "\n";

    /// <summary>UTF-8 without a byte order mark.</summary>
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Options of every JSON output: LF line ends, non-ASCII text as is (still valid JSON).</summary>
    public static JsonWriterOptions Json(bool indented = true) => new()
    {
        Indented = indented,
        NewLine = NewLine,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The text built with <see cref="StringBuilder.AppendLine()"/>, with LF line ends whatever the OS.</summary>
    public static string Lf(StringBuilder sb) => sb.ToString().ReplaceLineEndings(NewLine);
}
