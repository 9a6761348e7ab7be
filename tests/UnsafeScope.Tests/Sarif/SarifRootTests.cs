using System.Text.Json;
using Xunit.Abstractions;

namespace UnsafeScope.Tests.Sarif;

/// <summary>
/// SARIF from the command for every combination of source root (<c>--root</c> or none) and working folder, over
/// several folders, started inside an unrelated git checkout too. Files outside the source root get absolute
/// <c>file:</c> URIs without <c>uriBaseId</c> (docs/sarif.md). The Multitool (<c>Sarif;Gh</c>) reports no error, every
/// result is fingerprinted, and every artifact URI names the file it came from.
/// </summary>
public sealed class SarifRootTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-roots-");

    public void Dispose() => _tmp.Dispose();

    private const string Unsafe = "pub fn read(p: *const u8) -> u8 {\n    unsafe { *p }\n}\n";

    private string Layout()
    {
        // An unrelated checkout (the working folder of a CI step), with a crate inside it, and two crates elsewhere.
        _tmp.Write("checkout/.git/HEAD", "ref: refs/heads/main\n");
        _tmp.Write("checkout/.git/refs/heads/main", "0123456789abcdef0123456789abcdef01234567\n");
        _tmp.Write("checkout/.git/config", "[remote \"origin\"]\n\turl = https://github.com/example/unrelated.git\n");
        _tmp.Write("checkout/README.md", "not Rust\n");
        foreach (var crate in new[] { "checkout/inner", "a", "b c" })
        {
            _tmp.Write($"{crate}/Cargo.toml", $"[package]\nname = \"{crate.Replace('/', '_').Replace(' ', '_')}\"\nversion = \"0.1.0\"\n");
            _tmp.Write($"{crate}/src/lib.rs", Unsafe);
            _tmp.Write($"{crate}/src/é ü.rs", "// two\n" + Unsafe);
        }
        Directory.CreateDirectory(Path.Combine(_tmp.Path, "elsewhere"));
        return _tmp.Path;
    }

    [MultitoolFact]
    public void EveryCombinationOfRootAndWorkingFolderGivesValidFingerprintedSarif()
    {
        var t = Layout();
        string[] folders = [Path.Combine(t, "a"), Path.Combine(t, "b c"), Path.Combine(t, "checkout", "inner")];
        var expectedFiles = folders.SelectMany(f => new[] { Path.Combine(f, "src", "lib.rs"), Path.Combine(f, "src", "é ü.rs") }).Order(StringComparer.Ordinal).ToList();
        int n = 0;
        foreach (var cwd in new[] { "checkout", "a", "elsewhere" })
            foreach (var root in new string?[] { null, "a", "checkout" }) // no root: the working folder is the root
            {
                var sarif = Path.Combine(t, $"out-{n++}.sarif");
                List<string> args = ["analyze", .. folders, "--sarif", sarif, "--quiet"];
                if (root is not null) args.AddRange(["--root", Path.Combine(t, root)]);
                var (exit, _, err) = ChildProcess.RunCli(args, Path.Combine(t, cwd), limit: TimeSpan.FromMinutes(2));
                var what = $"working folder {cwd}, root {root ?? "(none)"}";
                Assert.True(exit is 0 or 1, $"{what}: exit {exit}: {err}");

                var report = SarifMultitool.Validate(sarif);
                foreach (var f in report.Errors) output.WriteLine($"{what}: {f}");
                Assert.True(!report.Errors.Any(), $"{what}: {report.Errors.Count()} Multitool errors, first: {report.Errors.FirstOrDefault()}");

                using var doc = JsonDocument.Parse(File.ReadAllBytes(sarif));
                var run = doc.RootElement.GetProperty("runs")[0];
                var srcRoot = new Uri(run.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString()!);
                var results = run.GetProperty("results").EnumerateArray().ToList();
                Assert.True(results.Count >= expectedFiles.Count, what);
                var named = new SortedSet<string>(StringComparer.Ordinal);
                foreach (var r in results)
                {
                    Assert.True(r.TryGetProperty("partialFingerprints", out var fp) && fp.TryGetProperty("primaryLocationLineHash", out _),
                        $"{what}: a result has no primaryLocationLineHash: {r}");
                    var artifact = r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation");
                    var uri = artifact.GetProperty("uri").GetString()!;
                    var resolved = artifact.TryGetProperty("uriBaseId", out var baseId)
                        ? new Uri(srcRoot, uri)
                        : new Uri(uri, UriKind.Absolute); // outside the root: absolute, never root-relative ("/…")
                    Assert.True(resolved.IsFile, $"{what}: {uri}");
                    Assert.DoesNotContain("..", resolved.AbsolutePath, StringComparison.Ordinal);
                    if (baseId.ValueKind == JsonValueKind.String) Assert.Equal("%SRCROOT%", baseId.GetString());
                    named.Add(resolved.LocalPath);
                }
                Assert.Equal(expectedFiles, named.ToList());
                // The unrelated checkout is named as the repository only when some analyzed file lies below the root.
                bool anyBelowRoot = results.Any(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").TryGetProperty("uriBaseId", out _));
                Assert.Equal(anyBelowRoot && (root ?? cwd) == "checkout", run.TryGetProperty("versionControlProvenance", out _));
            }
    }
}
