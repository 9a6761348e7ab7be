using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using UnsafeScope.Sarif;

namespace UnsafeScope.Tests.Sarif;

/// <summary>Relative paths made of the characters that break naive URIs: spaces, #, %, ?, :, +, unicode, emoji.</summary>
public static class PathArbitraries
{
    private static readonly string[] s_pieces =
    [
        "a", "Z", "0", "_", "-", ".", "~", " ", "#", "%", "%20", "?", ":", "+", "&", "=", "@", "!", "$", "'", "(", ")", "[", "]",
        ";", ",", "*", "\\", "é", "ü", "ß", "中", "😀", "\u0301", "\t", "src", "lib.rs", "mod.rs",
    ];

    public static Arbitrary<RelativePath> RelativePath() =>
        Gen.NonEmptyListOf(Gen.NonEmptyListOf(Gen.Elements(s_pieces)).Select(string.Concat))
            .Select(segments => new RelativePath(string.Join('/', segments)))
            .ToArbitrary();
}

public sealed record RelativePath(string Value)
{
    public override string ToString() => Value;
}

[Properties(Arbitrary = [typeof(PathArbitraries)], MaxTest = 500)]
public sealed partial class SarifUriTests
{
    /// <summary>RFC 3986 <c>relative-ref</c> without query or fragment: <c>path-noscheme</c> (or empty), every
    /// character a <c>pchar</c> (unreserved, pct-encoded, sub-delims, ":" and "@"), no ":" in the first segment.</summary>
    [GeneratedRegex(@"^(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-F]{2})+(?:/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})*)*)?$")]
    private static partial Regex RelativeRef();

    [Property]
    public bool RelativePathsBecomeValidRelativeReferencesThatDecodeBack(RelativePath path)
    {
        var uri = SarifUri.FromRelativePath(path.Value);
        return RelativeRef().IsMatch(uri)
            && Uri.UnescapeDataString(uri) == path.Value
            && Uri.TryCreate(uri, UriKind.Relative, out _)
            && !uri.Contains('#') && !uri.Contains('?') && !uri.Contains(' ');
    }

    [Property]
    public bool ResolvingAgainstTheSourceRootGivesTheFileUnderIt(RelativePath path)
    {
        // Dot segments ("." and "..") would be removed by resolution: the model's paths never have them.
        if (path.Value.Split('/').Any(s => s is "." or "..")) return true;
        var root = new Uri("file:///work/repo/");
        var resolved = new Uri(root, SarifUri.FromRelativePath(path.Value));
        return resolved.AbsoluteUri.StartsWith("file:///work/repo/", StringComparison.Ordinal)
            && Uri.UnescapeDataString(resolved.AbsolutePath) == "/work/repo/" + path.Value;
    }

    [Property(MaxTest = 100)]
    public bool TheWrittenLogCarriesTheUriOfEachPath(RelativePath path)
    {
        // End to end: a diagnostic on a file with this path; the log's artifact URI is a relative reference that
        // decodes back to the path (what the upload action does with decodeURIComponent).
        var text = UnsafeScope.Text.SourceText.From("fn f() { unsafe { *p } }", path.Value);
        var d = UnsafeScope.Diagnostics.Diagnostic.Create(SarifTestData.RawDeref, text.GetLocation(new UnsafeScope.Text.TextSpan(18, 2)), messageArgs: "p");
        var result = new UnsafeScope.Driver.AnalysisResult
        {
            BaseDirectory = "/work/repo",
            Files = [new UnsafeScope.Driver.FileResult { Path = path.Value, Status = UnsafeScope.Driver.FileStatus.Analyzed, Diagnostics = [d] }],
            Notifications = [],
        };
        var bytes = SarifTestData.WriteToBytes(result, new SarifWriteOptions { IncludeTimes = false, SourceTexts = _ => text });
        using var doc = System.Text.Json.JsonDocument.Parse(bytes);
        var uri = doc.RootElement.GetProperty("runs")[0].GetProperty("results")[0].GetProperty("locations")[0]
            .GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!;
        return RelativeRef().IsMatch(uri) && Uri.UnescapeDataString(uri) == path.Value;
    }

    [Theory]
    [InlineData("src/lib.rs", "src/lib.rs")]
    [InlineData("src/dir with space/a.rs", "src/dir%20with%20space/a.rs")]
    [InlineData("a#b.rs", "a%23b.rs")]
    [InlineData("100%.rs", "100%25.rs")]
    [InlineData("what?.rs", "what%3F.rs")]
    [InlineData("c:/x.rs", "c%3A/x.rs")]
    [InlineData("a+b.rs", "a%2Bb.rs")]
    [InlineData("é.rs", "%C3%A9.rs")]
    [InlineData("😀.rs", "%F0%9F%98%80.rs")]
    [InlineData("back\\slash.rs", "back%5Cslash.rs")]
    [InlineData("~user/-_./x.rs", "~user/-_./x.rs")]
    public void PercentEncodesEverythingButUnreservedAndSlash(string path, string expected) =>
        Assert.Equal(expected, SarifUri.FromRelativePath(path));

    [Fact]
    public void LoneSurrogatesBecomeTheReplacementCharacter() =>
        Assert.Equal("a%EF%BF%BDb", SarifUri.FromRelativePath("a\uD800b"));

    [Fact]
    public void DirectoriesBecomeFileUrisWithATrailingSlash()
    {
        Assert.Equal("file:///work/repo/", SarifUri.FromDirectory("/work/repo"));
        Assert.Equal("file:///work/repo/", SarifUri.FromDirectory("/work/repo/"));
        Assert.Equal("file:///work/my%20repo%20%23%201/%C3%A9/", SarifUri.FromDirectory("/work/my repo # 1/é"));
        Assert.Equal("file:///", SarifUri.FromDirectory("/"));
        Assert.True(Uri.TryCreate(SarifUri.FromDirectory("/tmp/a b"), UriKind.Absolute, out var u) && u.IsFile);
    }

    [Theory]
    [InlineData(@"C:\src\driver", "file:///C:/src/driver")]
    [InlineData(@"\\?\C:\src\driver", "file:///C:/src/driver")]
    [InlineData(@"\\.\C:\src\driver", "file:///C:/src/driver")]
    [InlineData(@"\\server\share\src", "file://server/share/src")]
    [InlineData(@"\\?\UNC\server\share\src", "file://server/share/src")]
    [InlineData(@"\\?\unc\server\share", "file://server/share")]
    [InlineData(@"Z:\work\my repo\é", "file:///Z:/work/my%20repo/%C3%A9")]
    [InlineData(@"C:\", "file:///C:/")]
    public void WindowsPathsIncludingExtendedLengthAndUncBecomeTheSameFileUri(string path, string expected)
    {
        var uri = SarifUri.FromFullPath(path, windows: true);
        Assert.Equal(expected, uri);
        Assert.True(Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.IsFile, uri);
        Assert.DoesNotContain("%3F", uri, StringComparison.Ordinal); // the \\?\ prefix never leaks into the URI
    }
}
