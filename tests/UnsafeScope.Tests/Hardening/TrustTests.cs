using UnsafeScope.Diagnostics;
using System.Diagnostics;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using UnsafeScope.Configuration;
using UnsafeScope.Driver;
using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// Analyzed repositories are untrusted: nothing in them is executed, links and configuration cannot make the tool
/// read elsewhere, special files cannot hang it or exhaust its memory, and their query packs have a bounded cost.
/// </summary>
public sealed class TrustTests : IDisposable
{
    private readonly TempFolder _tmp = new("unsafescope-trust-");

    private string _dir => _tmp.Path;
    private static readonly TimeSpan s_limit = TimeSpan.FromMinutes(2);

    public void Dispose() => _tmp.Dispose();

    private string Write(string rel, string text) => _tmp.Write(rel, text);

    private const string PackHeader = "; title: t\n; message: matched {id}\n; what: w\n; why: y\n; example: e\n; instead: i\n";

    [SkippableFact]
    public void FifosAndLinksToDevicesNeitherHangTheRunNorExhaustMemory()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "FIFOs and /dev/zero are the Unix shapes of the problem (Linux)");
        var repo = Path.Combine(_dir, "repo");
        Write("repo/src/lib.rs", "pub fn f() { unsafe { g() } }\n");
        CliProcess.MakeFifo(Path.Combine(repo, "src", "pipe.rs"));          // opening it would wait for a writer forever
        File.CreateSymbolicLink(Path.Combine(repo, "Cargo.toml"), "/dev/zero"); // reading it would never end

        var result = CliProcess.Within(s_limit, () => Analysis.Run(new AnalysisOptions { Paths = [repo] }));
        var lib = result.Files.Single(f => f.Path == "src/lib.rs");
        Assert.Equal(1, lib.Inventory!.Counts.UnsafeBlocks);
        Assert.Equal("repo", lib.Inventory.Crate); // the manifest was refused: the folder names the crate
        var fifo = Assert.Single(result.Notifications, n => n.Path == "src/pipe.rs");
        Assert.Equal(NotificationIds.Unreadable, fifo.Id);
        Assert.Contains("not a regular file", fifo.Message);

        // A configuration, query pack or catalog that is a link to /dev/zero is an error naming it, not a crash.
        File.CreateSymbolicLink(Path.Combine(repo, "unsafescope.toml"), "/dev/zero");
        var (exit, _, err) = CliProcess.Run(s_limit, null, "analyze", repo, "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("unsafescope.toml", err);
        Assert.Contains("not a regular file", err);
        File.CreateSymbolicLink(Path.Combine(repo, "rules.scm"), "/dev/zero");
        (exit, _, err) = CliProcess.Run(s_limit, null, "analyze", repo, "--no-config", "--queries", Path.Combine(repo, "rules.scm"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("not a regular file", err);
        (exit, _, err) = CliProcess.Run(s_limit, null, "analyze", repo, "--no-config", "--catalog", Path.Combine(repo, "rules.scm"), "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("not a regular file", err);
    }

    [SkippableFact]
    public void ReusedBufferReadsKeepTheSizeCapAndRefuseSpecialFiles()
    {
        // Crate lookups and SARIF fingerprints read into reused buffers: same bytes, same cap, same refusals.
        var bytes = Enumerable.Range(0, 10_000).Select(i => (byte)(i * 7)).ToArray();
        var path = Path.Combine(_dir, "f.bin");
        File.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, IO.UntrustedFile.UseAllBytes(path, 10_000, b => b.ToArray()));
        Assert.Empty(IO.UntrustedFile.UseAllBytes(Write("empty.rs", ""), 10, b => b.ToArray()));
        // A read inside another's callback gets its own buffer: the outer bytes stay as they were.
        var other = Write("other.rs", new string('x', 20_000));
        var (outer, inner) = IO.UntrustedFile.UseAllBytes(path, 10_000, b =>
        {
            var innerBytes = IO.UntrustedFile.UseAllBytes(other, 20_000, i => i.ToArray());
            return (b.ToArray(), innerBytes);
        });
        Assert.Equal(bytes, outer);
        Assert.Equal(20_000, inner.Count(c => c == (byte)'x'));
        var tooLarge = Assert.Throws<IOException>(() => IO.UntrustedFile.UseAllBytes(path, 9_999, b => b.Length));
        Assert.Contains("larger than 9,999 bytes", tooLarge.Message);

        Skip.IfNot(OperatingSystem.IsLinux(), "/dev/zero is the Unix shape of an endless file (Linux)");
        var zero = Path.Combine(_dir, "zero.rs");
        File.CreateSymbolicLink(zero, "/dev/zero");
        var refused = Assert.Throws<IOException>(() => IO.UntrustedFile.UseAllBytes(zero, 1 << 20, b => b.Length));
        Assert.Contains("not a regular file", refused.Message);
    }

    [Fact]
    public void TouchRenewsAFileAndLeavesAnAbsentOneAbsent()
    {
        // Cache entries are renewed on use so pruning by age spares them; an absent one is not created.
        var entry = Write("entry.bin", "x");
        File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddDays(-30));
        Assert.True(IO.UntrustedFile.Touch(entry));
        Assert.True(DateTime.UtcNow - File.GetLastWriteTimeUtc(entry) < TimeSpan.FromMinutes(5));
        Assert.Equal("x", File.ReadAllText(entry));
        var missing = Path.Combine(_dir, "missing.bin");
        Assert.False(IO.UntrustedFile.Touch(missing));
        Assert.False(File.Exists(missing));
    }

    [LinuxFact]
    public void DiscoveryTellsFilesLinksAndSpecialFilesApartWithoutFollowingLinks()
    {
        // What discovery asks of every source file in one call: a link is a link, whatever it points at.
        var file = Write("src/lib.rs", "fn f() {}\n");
        Assert.Equal((IO.UntrustedFile.EntryKind.Regular, 10L), IO.UntrustedFile.Describe(file));
        var toFile = Path.Combine(_dir, "src", "link.rs");
        File.CreateSymbolicLink(toFile, file);
        Assert.Equal(IO.UntrustedFile.EntryKind.Link, IO.UntrustedFile.Describe(toFile).Kind);
        var toZero = Path.Combine(_dir, "src", "zero.rs");
        File.CreateSymbolicLink(toZero, "/dev/zero");
        Assert.Equal(IO.UntrustedFile.EntryKind.Link, IO.UntrustedFile.Describe(toZero).Kind);
        var fifo = Path.Combine(_dir, "src", "pipe.rs");
        CliProcess.MakeFifo(fifo);
        Assert.Equal(IO.UntrustedFile.EntryKind.Other, IO.UntrustedFile.Describe(fifo).Kind);
        Directory.CreateDirectory(Path.Combine(_dir, "src", "dir.rs"));
        Assert.Equal(IO.UntrustedFile.EntryKind.Other, IO.UntrustedFile.Describe(Path.Combine(_dir, "src", "dir.rs")).Kind);
        Assert.Equal(IO.UntrustedFile.EntryKind.Unknown, IO.UntrustedFile.Describe(Path.Combine(_dir, "src", "missing.rs")).Kind);

        // The run: the file analyzed, the links noted and not followed, the FIFO refused, the folder named *.rs walked.
        Directory.CreateSymbolicLink(Path.Combine(_dir, "src", "linked.rs"), Path.Combine(_dir, "src", "dir.rs"));
        Write("src/dir.rs/inner.rs", "fn g() {}\n");
        var result = Analysis.Run(new AnalysisOptions { Paths = [_dir], BaseDirectory = _dir });
        Assert.Equal(["src/dir.rs/inner.rs", "src/lib.rs"], result.Files.Where(f => f.Status == FileStatus.Analyzed).Select(f => f.Path));
        // In path order, whatever order the folder lists them in (the outputs must not depend on the file system).
        Assert.Equal(["src/link.rs", "src/linked.rs", "src/zero.rs"],
            result.Notifications.Where(n => n.Id == NotificationIds.SymlinkSkipped).Select(n => n.Path!));
        Assert.Contains(result.Notifications, n => n.Path == "src/pipe.rs" && n.Message.Contains("not a regular file"));
    }

    [LinuxFact]
    public void HostileTomlFilesAboveACrateAreRefusedAndTheResultsStayTheSame()
    {
        // The same crate twice: once clean, once below a Cargo.toml linked to /dev/zero and a FIFO rust-toolchain.toml
        // and .cargo/config.toml, which the workspace search and the build-environment lookup would read.
        const string manifest = "[package]\nname = \"victim\"\nedition = \"2024\"\n[dependencies]\nglib = { version = \"0.14\", package = \"fakeglib\" }\n";
        const string code = "pub fn f(p: *const u8) -> u8 {\n    unsafe { *p }\n}\npub unsafe fn g(p: *const u8) -> u8 {\n    *p\n}\n";
        var clean = Path.Combine(_dir, "clean", "victim");
        var hostile = Path.Combine(_dir, "hostile", "victim");
        foreach (var root in new[] { clean, hostile })
        {
            Write(Path.GetRelativePath(_dir, Path.Combine(root, "Cargo.toml")), manifest);
            Write(Path.GetRelativePath(_dir, Path.Combine(root, "src", "lib.rs")), code);
        }
        var above = Path.GetDirectoryName(hostile)!;
        File.CreateSymbolicLink(Path.Combine(above, "Cargo.toml"), "/dev/zero");
        CliProcess.MakeFifo(Path.Combine(above, "rust-toolchain.toml"));
        Directory.CreateDirectory(Path.Combine(above, ".cargo"));
        CliProcess.MakeFifo(Path.Combine(above, ".cargo", "config.toml"));

        AnalysisResult Run(string root) => CliProcess.Within(s_limit, () => Analysis.Run(new AnalysisOptions
        {
            Paths = [root],
            Jobs = 1,
            DependencySources = [RepoPaths.Fixtures("registry")],
        }));
        var expected = Run(clean);
        var actual = Run(hostile);
        static string[] Findings(AnalysisResult r) => [.. r.Diagnostics.Select(d => $"{d.Id} {d.Location.Path}:{d.Location.StartLine} {d.Severity} {d.Message}")];
        Assert.Equal(Findings(expected), Findings(actual));
        Assert.Equal(expected.Totals, actual.Totals);
        Assert.Equal("2024", Assert.Single(actual.Crates).Edition);
        Assert.Contains(actual.Diagnostics, d => d.Id == "US1007"); // edition 2024 still read from the crate's own manifest
        var refused = actual.Notifications.Except(expected.Notifications).ToList();
        Assert.Equal(["../.cargo/config.toml", "../Cargo.toml", "../rust-toolchain.toml"], refused.Select(n => n.Path).Order(StringComparer.Ordinal).ToArray());
        Assert.All(refused, n => Assert.Contains("not a regular file", n.Message));
        Assert.All(refused, n => Assert.Equal(NotificationIds.Unreadable, n.Id));
    }

    [Fact]
    public void AConfigurationNamesOnlyPacksInsideItsOwnFolder()
    {
        var repo = Path.Combine(_dir, "repo");
        Write("repo/rules/ok.scm", "");
        var secret = Write("secret.scm", "TOPSECRET (");
        File.CreateSymbolicLink(Path.Combine(repo, "rules", "linked.scm"), secret);
        Directory.CreateSymbolicLink(Path.Combine(repo, "linked-dir"), _dir);
        var config = Path.Combine(repo, UnsafeScopeConfig.FileName);

        Assert.Equal(Path.Combine(repo, "rules", "ok.scm"), Assert.Single(UnsafeScopeConfig.Parse("[queries]\npacks = [\"rules/ok.scm\"]\n", config).QueryPacks));
        foreach (var (section, pack) in new[] { ("queries", "../secret.scm"), ("queries", secret), ("catalogs", "rules/../../secret.scm"), ("queries", "rules/linked.scm"), ("catalogs", "linked-dir/secret.scm") })
        {
            var e = Assert.Throws<ConfigurationException>(() => UnsafeScopeConfig.Parse($"[{section}]\npacks = [\"{pack}\"]\n", config));
            Assert.Equal(2, e.Line);
            Assert.Contains("outside the configuration's folder", e.Message);
        }

        // Through the command line: refused before anything is read, so nothing of the file reaches the log ...
        Write("repo/unsafescope.toml", "[queries]\npacks = [\"../secret.scm\"]\n");
        Write("repo/src/lib.rs", "fn f() {}\n");
        var (exit, stdout, err) = CliProcess.Run("analyze", repo, "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("outside the configuration's folder", err);
        Assert.DoesNotContain("TOPSECRET", stdout + err);
        // ... while a pack the user names on the command line is read (and here reported as broken).
        (exit, _, err) = CliProcess.Run("analyze", repo, "--no-config", "--queries", secret, "--quiet");
        Assert.Equal(2, exit);
        Assert.Contains("bad query pack", err);
    }

    [Fact]
    public void LinksOutOfTheRootAreNeitherFollowedNorReported()
    {
        Write("outside/secret.rs", "pub fn outside_secret_fn(p: *const u8) -> u8 { unsafe { *p } }\n");
        Write("repo/src/lib.rs", "pub fn f() { unsafe { g() } }\n");
        var repo = Path.Combine(_dir, "repo");
        Directory.CreateSymbolicLink(Path.Combine(repo, "src", "vendored"), Path.Combine(_dir, "outside"));
        File.CreateSymbolicLink(Path.Combine(repo, "src", "secret.rs"), Path.Combine(_dir, "outside", "secret.rs"));
        var json = Path.Combine(_dir, "out.json");
        var sarif = Path.Combine(_dir, "out.sarif");
        var (exit, _, err) = CliProcess.Run("analyze", repo, "--json", json, "--sarif", sarif, "--quiet");
        Assert.True(exit == 0, err);
        var outputs = File.ReadAllText(json) + File.ReadAllText(sarif);
        Assert.DoesNotContain("outside_secret_fn", outputs);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        Assert.Equal(["src/lib.rs"], doc.RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(2, doc.RootElement.GetProperty("notifications").EnumerateArray().Count(n => n.GetProperty("id").GetString() == NotificationIds.SymlinkSkipped));
    }

    [Fact]
    public void NothingInTheAnalyzedRepositoryIsExecuted()
    {
        // Every hook a build or git would run leaves a marker; the analysis (which reads .git for SARIF provenance) must leave none.
        var repo = Path.Combine(_dir, "repo");
        var marker = Path.Combine(_dir, "executed");
        var touch = $"#!/bin/sh\ntouch '{marker}'\n";
        Write("repo/.git/HEAD", "ref: refs/heads/main\n");
        Write("repo/.git/refs/heads/main", new string('a', 40) + "\n");
        Write("repo/.git/config", $"[core]\n\tfsmonitor = touch '{marker}'\n\thooksPath = hooks\n[remote \"origin\"]\n\turl = https://github.com/example/driver.git\n");
        foreach (var hook in new[] { "repo/.git/hooks/post-checkout", "repo/hooks/pre-commit", "repo/build.rs.sh" })
        {
            var path = Write(hook, touch);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
        Write("repo/build.rs", $"fn main() {{ std::fs::write(\"{marker}\", \"\").unwrap(); }}\n");
        Write("repo/.cargo/config.toml", $"[target.x86_64-unknown-linux-gnu]\nrunner = \"touch {marker}\"\n");
        Write("repo/Cargo.toml", "[package]\nname = \"driver\"\nversion = \"0.1.0\"\nbuild = \"build.rs\"\n");
        Write("repo/src/lib.rs", "pub fn f() { unsafe { g() } }\n");
        var sarif = Path.Combine(_dir, "out.sarif");
        var (exit, _, err) = CliProcess.Run("analyze", repo, "--sarif", sarif, "--html", Path.Combine(_dir, "out.html"), "--quiet");
        Assert.True(exit == 0, err);
        Assert.False(File.Exists(marker), "something in the analyzed repository was executed");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(sarif));
        var provenance = doc.RootElement.GetProperty("runs")[0].GetProperty("versionControlProvenance")[0];
        Assert.Equal("https://github.com/example/driver.git", provenance.GetProperty("repositoryUri").GetString()); // .git was read, not run

        // And no code path could: the product assemblies never call Process.Start nor build a ProcessStartInfo
        // (reading the current process's memory counters is fine).
        foreach (var assembly in new[] { "UnsafeScope.dll", "UnsafeScope.Cli.dll" })
        {
            using var pe = new PEReader(File.OpenRead(Path.Combine(AppContext.BaseDirectory, assembly)));
            var md = pe.GetMetadataReader();
            string TypeName(TypeReferenceHandle h) => md.GetString(md.GetTypeReference(h).Namespace) + "." + md.GetString(md.GetTypeReference(h).Name);
            Assert.DoesNotContain("System.Diagnostics.ProcessStartInfo", md.TypeReferences.Select(TypeName));
            var calls = md.MemberReferences.Select(md.GetMemberReference)
                .Where(m => m.Parent.Kind == HandleKind.TypeReference)
                .Select(m => TypeName((TypeReferenceHandle)m.Parent) + "." + md.GetString(m.Name));
            Assert.DoesNotContain("System.Diagnostics.Process.Start", calls);
        }
    }

    [Fact]
    public void AQueryPackFromTheRepositoryCannotMakeTheRunSlow()
    {
        // ^(a+)+$ backtracks exponentially on "aaa…ab": with a backtracking engine each of these identifiers cost the
        // 100 ms regex timeout (3,000 identifiers: five minutes). Linear-time matching keeps the run short and the answers right.
        var repo = Path.Combine(_dir, "repo");
        Write("repo/rules/redos.scm", "; rule: US7901 AvoidLongA\n" + PackHeader + "((identifier) @id (#match? @id \"^(a+)+$\"))\n");
        Write("repo/unsafescope.toml", "[queries]\npacks = [\"rules/redos.scm\"]\n");
        Write("repo/src/lib.rs", "fn f() {\n" + string.Concat(Enumerable.Repeat($"    let _ = {new string('a', 40)}b;\n", 3_000)) + "    let _ = aaaa + aa + a;\n}\n");
        var config = UnsafeScopeConfig.Load(Path.Combine(repo, UnsafeScopeConfig.FileName));
        var clock = Stopwatch.StartNew();
        var result = CliProcess.Within(s_limit, () => Analysis.Run(new AnalysisOptions { Paths = [repo], Configuration = config, Jobs = 2 }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Equal(["matched aaaa", "matched aa", "matched a"], result.Diagnostics.Where(d => d.Id == "US7901").Select(d => d.Message));

        // Backtracking-only constructs are refused with the pattern's line, not silently slow.
        var e = Assert.Throws<QueryException>(() => RustQuery.Create("((identifier) @id (#match? @id \"^(a)\\\\1$\"))"));
        Assert.Contains("backreferences", e.Message);
    }

    [Fact]
    public void PredicatesOverHugeNestedCapturesShareTheParseTimeLimit()
    {
        // Every block is captured and its whole text scanned: 3,000 nested blocks of 2 KB make 9 GB to scan (25 s here
        // without a limit). The file must be stopped at the time limit; its neighbour is unaffected.
        var repo = Path.Combine(_dir, "repo");
        Write("repo/rules/blocks.scm", "; rule: US7902 AvoidZ\n" + PackHeader + "((block) @id (#match? @id \"^[^z]*z\"))\n");
        int depth = 3_000;
        var pad = "let _ = \"" + new string('x', 2_000) + "\";\n";
        Write("repo/src/deep.rs", "fn f() " + string.Concat(Enumerable.Repeat("{ " + pad, depth)) + new string('}', depth) + "\n");
        Write("repo/src/lib.rs", "pub fn f() { unsafe { g() } }\n");
        var clock = Stopwatch.StartNew();
        var result = CliProcess.Within(s_limit, () => Analysis.Run(new AnalysisOptions
        {
            Paths = [repo], Jobs = 2, ParseTimeout = TimeSpan.FromSeconds(2), QueryPacks = [Path.Combine(repo, "rules", "blocks.scm")],
        }));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        var deep = result.Files.Single(f => f.Path == "src/deep.rs");
        Assert.Equal(FileStatus.Skipped, deep.Status);
        Assert.Equal(NotificationIds.ParseFailed, Assert.Single(deep.Notifications).Id);
        Assert.Equal(1, result.Files.Single(f => f.Path == "src/lib.rs").Inventory!.Counts.UnsafeBlocks);
    }
}
