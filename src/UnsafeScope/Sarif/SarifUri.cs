using System.Text;

namespace UnsafeScope.Sarif;

/// <summary>
/// URIs as SARIF and GitHub want them: a file's path as a relative <c>uri-reference</c> (RFC 3986), and a folder as
/// an absolute <c>file:</c> URI with a trailing slash.
/// </summary>
/// <remarks>
/// Only RFC 3986's unreserved characters (<c>A–Z a–z 0–9 - . _ ~</c>) and the <c>/</c> separator are written as they
/// are; every other character is percent-encoded as its UTF-8 bytes with uppercase hex digits. That includes the
/// sub-delimiters (<c>+</c> would read as a space to a form decoder, <c>:</c> in a first segment would read as a scheme),
/// <c>%</c>, <c>#</c>, <c>?</c>, spaces, backslashes and all non-ASCII. A lone surrogate, which has no UTF-8 form, is
/// written as U+FFFD. The result decodes back to the path with any RFC 3986 decoder (JavaScript's
/// <c>decodeURIComponent</c>, .NET's <c>Uri.UnescapeDataString</c>).
/// </remarks>
internal static class SarifUri
{
    /// <summary>The relative URI of a path relative to the source root (forward slashes).</summary>
    public static string FromRelativePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sb = new StringBuilder(path.Length + 8);
        AppendEncoded(sb, path, keepSlash: true);
        return sb.ToString();
    }

    /// <summary>The <c>file:</c> URI of a folder, ending with a slash (<c>file:///home/me/repo/</c>, <c>file:///C:/src/</c>).</summary>
    public static string FromDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var uri = FromFullPath(Path.GetFullPath(directory), OperatingSystem.IsWindows());
        return uri.EndsWith('/') ? uri : uri + "/";
    }

    /// <summary>
    /// The absolute <c>file:</c> URI of an absolute path. Windows paths (<paramref name="windows"/>) may be drive paths
    /// (<c>C:\src</c> → <c>file:///C:/src</c>), UNC paths (<c>\\server\share\dir</c> → <c>file://server/share/dir</c>)
    /// or either in extended-length or device form (<c>\\?\C:\src</c>, <c>\\?\UNC\server\share</c>, <c>\\.\C:\src</c>),
    /// which name the same file: the prefix is not part of the URI.
    /// </summary>
    public static string FromFullPath(string fullPath, bool windows)
    {
        ArgumentException.ThrowIfNullOrEmpty(fullPath);
        string p = fullPath;
        if (windows)
        {
            p = p.Replace('\\', '/');
            if (p.StartsWith("//?/UNC/", StringComparison.OrdinalIgnoreCase) || p.StartsWith("//./UNC/", StringComparison.OrdinalIgnoreCase))
                p = "//" + p[8..];
            else if (p.StartsWith("//?/", StringComparison.Ordinal) || p.StartsWith("//./", StringComparison.Ordinal))
                p = p[4..];
        }
        var sb = new StringBuilder("file://", p.Length + 16);
        if (windows && p.StartsWith("//", StringComparison.Ordinal))
        {
            // A UNC path: //server/share/dir → file://server/share/dir
            int end = p.IndexOf('/', 2);
            string host = end < 0 ? p[2..] : p[2..end];
            AppendEncoded(sb, host, keepSlash: false);
            p = end < 0 ? "/" : p[end..];
        }
        else if (!p.StartsWith('/'))
        {
            sb.Append('/'); // C:/src → file:///C:/src
            if (p.Length >= 2 && p[1] == ':' && char.IsAsciiLetter(p[0]))
            {
                sb.Append(p[0]).Append(':');
                p = p[2..];
            }
        }
        AppendEncoded(sb, p, keepSlash: true);
        return sb.ToString();
    }

    private static void AppendEncoded(StringBuilder sb, string s, bool keepSlash)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' || (keepSlash && c == '/'))
            {
                sb.Append(c);
                continue;
            }
            Rune rune;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                rune = new Rune(c, s[i + 1]);
                i++;
            }
            else
            {
                rune = char.IsSurrogate(c) ? Rune.ReplacementChar : new Rune(c);
            }
            int n = rune.EncodeToUtf8(utf8);
            for (int k = 0; k < n; k++)
                sb.Append('%').Append(HexUpper(utf8[k] >> 4)).Append(HexUpper(utf8[k] & 0xF));
        }
    }

    private static char HexUpper(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);
}
