using System.Text.RegularExpressions;

namespace UnsafeScope.Sarif;

/// <summary>
/// Reads a git repository's origin URL, current branch and commit from its files. Nothing is executed: the analyzed
/// repository is untrusted input, and running <c>git</c> in it could run its hooks or configured programs.
/// </summary>
/// <remarks>
/// Handles a <c>.git</c> folder and a <c>.git</c> file (<c>gitdir: …</c>, as in worktrees and submodules, with the
/// worktree's <c>commondir</c>), symbolic and detached <c>HEAD</c>, loose refs and <c>packed-refs</c>. The URL loses
/// any user name and password; an scp-like URL (<c>git@host:owner/repo.git</c>) becomes <c>ssh://host/owner/repo.git</c>.
/// </remarks>
internal static partial class GitProvenance
{
    private const int MaxFileBytes = 1 << 20;

    /// <summary>The provenance of the work tree holding <paramref name="directory"/>, or null.</summary>
    public static VersionControlInfo? Detect(string directory)
    {
        try
        {
            var found = FindGitDir(Path.GetFullPath(directory));
            if (found is null) return null;
            var (workTree, gitDir) = found.Value;
            var commonDir = ReadCommonDir(gitDir);
            var url = ReadOriginUrl(Path.Combine(commonDir, "config"));
            var repositoryUri = url is null ? null : NormalizeRemoteUrl(url);
            if (repositoryUri is null) return null;
            var (branch, revision) = ReadHead(gitDir, commonDir);
            return new VersionControlInfo(repositoryUri, revision, branch, workTree);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Walks up from <paramref name="start"/> to the first folder with a <c>.git</c> folder or file: that work tree and its git folder.</summary>
    internal static (string WorkTree, string GitDir)? FindGitDir(string start)
    {
        for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
        {
            var dotGit = Path.Combine(d.FullName, ".git");
            if (Directory.Exists(dotGit)) return (d.FullName, dotGit);
            if (File.Exists(dotGit))
            {
                var text = ReadSmall(dotGit)?.Trim();
                if (text is null || !text.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
                var target = text["gitdir:".Length..].Trim();
                target = Path.GetFullPath(Path.Combine(d.FullName, target));
                return Directory.Exists(target) ? (d.FullName, target) : null;
            }
        }
        return null;
    }

    private static string ReadCommonDir(string gitDir)
    {
        var common = ReadSmall(Path.Combine(gitDir, "commondir"))?.Trim();
        if (string.IsNullOrEmpty(common)) return gitDir;
        var full = Path.GetFullPath(Path.Combine(gitDir, common));
        return Directory.Exists(full) ? full : gitDir;
    }

    /// <summary>The <c>url</c> of <c>[remote "origin"]</c> in a git config file, or null.</summary>
    internal static string? ReadOriginUrl(string configPath)
    {
        var text = ReadSmall(configPath);
        if (text is null) return null;
        bool inOrigin = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[')
            {
                var m = SectionHeader().Match(line);
                inOrigin = m.Success && m.Groups[1].Value.Equals("remote", StringComparison.OrdinalIgnoreCase) && m.Groups[2].Value == "origin";
                continue;
            }
            if (!inOrigin) continue;
            int eq = line.IndexOf('=');
            if (eq < 0 || !line[..eq].Trim().Equals("url", StringComparison.OrdinalIgnoreCase)) continue;
            return UnquoteValue(line[(eq + 1)..].Trim());
        }
        return null;
    }

    private static string UnquoteValue(string v)
    {
        // Drop a trailing comment outside quotes, then the quotes themselves.
        var sb = new System.Text.StringBuilder(v.Length);
        bool quoted = false;
        for (int i = 0; i < v.Length; i++)
        {
            char c = v[i];
            if (c == '"') { quoted = !quoted; continue; }
            if (!quoted && c is '#' or ';') break;
            if (c == '\\' && i + 1 < v.Length) { sb.Append(v[++i] switch { 'n' => '\n', 't' => '\t', var x => x }); continue; }
            sb.Append(c);
        }
        return sb.ToString().Trim();
    }

    /// <summary>An absolute URI without credentials for a remote URL, or null when it is not one (a local path).</summary>
    internal static string? NormalizeRemoteUrl(string url)
    {
        url = url.Trim();
        var scp = ScpLike().Match(url);
        if (scp.Success && !url.Contains("://", StringComparison.Ordinal))
            url = "ssh://" + scp.Groups["host"].Value + "/" + scp.Groups["path"].Value.TrimStart('/');
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc || string.IsNullOrEmpty(uri.Host))
            return null;
        if (uri.Scheme is not ("https" or "http" or "ssh" or "git")) return null;
        var builder = new UriBuilder(uri) { UserName = "", Password = "" };
        if (uri.IsDefaultPort) builder.Port = -1;
        return builder.Uri.AbsoluteUri;
    }

    private static (string? Branch, string? Revision) ReadHead(string gitDir, string commonDir)
    {
        var head = ReadSmall(Path.Combine(gitDir, "HEAD"))?.Trim();
        if (head is null) return (null, null);
        string? branch = null;
        string? value = head;
        for (int depth = 0; depth < 5 && value is not null && value.StartsWith("ref:", StringComparison.Ordinal); depth++)
        {
            var refName = value["ref:".Length..].Trim();
            if (!IsSafeRefName(refName)) return (branch, null);
            if (depth == 0 && refName.StartsWith("refs/heads/", StringComparison.Ordinal)) branch = refName["refs/heads/".Length..];
            value = ResolveRef(gitDir, commonDir, refName);
        }
        return (branch, value is not null && IsObjectId(value) ? value.ToLowerInvariant() : null);
    }

    private static string? ResolveRef(string gitDir, string commonDir, string refName)
    {
        foreach (var dir in gitDir == commonDir ? [gitDir] : new[] { gitDir, commonDir })
        {
            var loose = ReadSmall(Path.Combine(dir, refName.Replace('/', Path.DirectorySeparatorChar)))?.Trim();
            if (!string.IsNullOrEmpty(loose)) return loose;
        }
        var packed = ReadSmall(Path.Combine(commonDir, "packed-refs"));
        if (packed is null) return null;
        foreach (var raw in packed.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] is '#' or '^') continue;
            int sp = line.IndexOf(' ');
            if (sp > 0 && line[(sp + 1)..] == refName) return line[..sp];
        }
        return null;
    }

    // A ref name stays inside the git folder: no "..", no absolute path, only "refs/…" or HEAD-like names.
    private static bool IsSafeRefName(string name) =>
        name.Length > 0 && !name.Contains("..", StringComparison.Ordinal) && !name.Contains('\\') && !Path.IsPathRooted(name) &&
        (name.StartsWith("refs/", StringComparison.Ordinal) || RefName().IsMatch(name));

    private static bool IsObjectId(string s) => (s.Length is 40 or 64) && s.All(char.IsAsciiHexDigit);

    private static string? ReadSmall(string path)
    {
        try
        {
            return File.Exists(path) ? IO.UntrustedFile.ReadAllText(path, MaxFileBytes) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex("""^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]""")]
    private static partial Regex SectionHeader();

    [GeneratedRegex("""^(?:[^@/\s]+@)?(?<host>[A-Za-z0-9.-]{2,}):(?<path>[^\s]+)$""")]
    private static partial Regex ScpLike();

    [GeneratedRegex("^[A-Z_]+$")]
    private static partial Regex RefName();
}
