using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Sarif;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Sarif;

/// <summary>What the writer emits: determinism, GitHub's limits, messages, levels and the fingerprint inputs.</summary>
public sealed class SarifWriterTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static JsonElement Run(byte[] sarif) => JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0];

    private static JsonElement[] Results(byte[] sarif) => [.. Run(sarif).GetProperty("results").EnumerateArray()];

    [Fact]
    public void SameResultGivesTheSameBytes()
    {
        var options = SarifTestData.Options(_tree.Root);
        var a = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options);
        var b = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options);
        Assert.Equal(a, b);

        // Without times, two runs at different moments still agree byte for byte.
        var noTimes = options with { IncludeTimes = false };
        var later = SarifTestData.Sample(_tree.Root) with { StartTime = DateTimeOffset.UnixEpoch, Elapsed = TimeSpan.FromHours(1) };
        Assert.Equal(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), noTimes), SarifTestData.WriteToBytes(later, noTimes));
        Assert.DoesNotContain("startTimeUtc", Encoding.UTF8.GetString(SarifTestData.WriteToBytes(later, noTimes)));
    }

    [Fact]
    public void OrderOfInputDictionariesAndFilesDoesNotMatter()
    {
        var sample = SarifTestData.Sample(_tree.Root);
        var options = SarifTestData.Options(_tree.Root) with { IncludeTimes = false };
        // Same overrides built in another order, rules listed backwards, files reversed, diagnostics reversed.
        var shuffled = sample with
        {
            RuleOverrides = ImmutableDictionary<string, ReportSeverity>.Empty
                .Add("US9005", ReportSeverity.Suppress).Add("US9003", ReportSeverity.Default).Add("US9001", ReportSeverity.Warn),
            Rules = [.. sample.Rules.Reverse()],
            Files = [.. sample.Files.Reverse().Select(f => f with { Diagnostics = [.. f.Diagnostics.Reverse()] })],
        };
        Assert.Equal(SarifTestData.WriteToBytes(sample, options), SarifTestData.WriteToBytes(shuffled, options));
    }

    [Fact]
    public void Utf8WithoutBomAndOneRun()
    {
        var bytes = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root));
        Assert.Equal((byte)'{', bytes[0]);
        Assert.True(System.Text.Unicode.Utf8.IsValid(bytes));
        var root = JsonDocument.Parse(bytes).RootElement;
        Assert.Equal("https://json.schemastore.org/sarif-2.1.0.json", root.GetProperty("$schema").GetString());
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Equal(1, root.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public void EmptyResultStillHasResultsAndRulesArrays()
    {
        var run = Run(SarifTestData.WriteToBytes(new AnalysisResult { BaseDirectory = _tree.Root, Files = [], Notifications = [] }, new SarifWriteOptions()));
        Assert.Equal(0, run.GetProperty("results").GetArrayLength());
        Assert.Equal(0, run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength());
        Assert.Equal("UnsafeScope", run.GetProperty("tool").GetProperty("driver").GetProperty("name").GetString());
        Assert.Equal("unsafescope/rust/", run.GetProperty("automationDetails").GetProperty("id").GetString());
        Assert.False(run.GetProperty("invocations")[0].TryGetProperty("toolExecutionNotifications", out _));
    }

    [Fact]
    public void CategoryAndCommandLineComeFromTheOptions()
    {
        var run = Run(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), new SarifWriteOptions { Category = "unsafescope/rust/driver-a/", CommandLine = "x y" }));
        Assert.Equal("unsafescope/rust/driver-a/", run.GetProperty("automationDetails").GetProperty("id").GetString());
        Assert.Equal("x y", run.GetProperty("invocations")[0].GetProperty("commandLine").GetString());
        Assert.False(run.TryGetProperty("versionControlProvenance", out _));
    }

    [Fact]
    public void InsideAKnownCheckoutUrisAreRelativeToItsRoot()
    {
        // GitHub resolves artifact URIs against the repository root: analyzing the subfolder <checkout>/<tree> must
        // give "<tree>/src/lib.rs", with %SRCROOT% the checkout, while fingerprints still read the files.
        var checkout = Path.GetDirectoryName(_tree.Root)!;
        var folder = Path.GetFileName(_tree.Root);
        var options = SarifTestData.Options(_tree.Root) with { VersionControl = new VersionControlInfo("https://example.com/r", null, null, checkout) };
        var bytes = SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options);
        var run = Run(bytes);
        Assert.Equal(SarifUri.FromDirectory(checkout), run.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString());
        Assert.Equal("%SRCROOT%", run.GetProperty("versionControlProvenance")[0].GetProperty("mappedTo").GetProperty("uriBaseId").GetString());
        Assert.All(Results(bytes), r =>
        {
            Assert.StartsWith(SarifUri.FromRelativePath(folder) + "/src/", Uri(r));
            Assert.True(r.TryGetProperty("partialFingerprints", out _));
        });
        var note = run.GetProperty("invocations")[0].GetProperty("toolExecutionNotifications")[1];
        Assert.Equal(SarifUri.FromRelativePath(folder) + "/src/crlf.rs",
            note.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());

        // A checkout that does not hold the analyzed folder changes nothing, and nothing claims a mapping.
        var elsewhere = options with { VersionControl = new VersionControlInfo("https://example.com/r", null, null, "/nonexistent/checkout") };
        var other = Run(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), elsewhere));
        Assert.Equal(SarifUri.FromDirectory(_tree.Root), other.GetProperty("originalUriBaseIds").GetProperty("%SRCROOT%").GetProperty("uri").GetString());
        Assert.False(other.GetProperty("versionControlProvenance")[0].TryGetProperty("mappedTo", out _));
        Assert.Equal("src/crlf.rs", Uri(other.GetProperty("results")[0]));
    }

    [Fact]
    public void TooManyResultsKeepsTheHighestRankedAndSaysHowManyWereDropped()
    {
        var sample = SarifTestData.Sample(_tree.Root);
        var bytes = SarifTestData.WriteToBytes(sample, SarifTestData.Options(_tree.Root) with { MaxResultsPerRun = 3 });
        var results = Results(bytes);
        Assert.Equal(3, results.Length);
        // Ranking: errors first, then by path: src/crlf.rs ×2, then "src/dir with space/…".
        Assert.All(results, r => Assert.Equal("error", r.GetProperty("level").GetString()));
        Assert.Equal(["src/crlf.rs", "src/crlf.rs", "src/dir%20with%20space/a%23b%25c%3Fd.rs"], results.Select(Uri));

        var notes = Run(bytes).GetProperty("invocations")[0].GetProperty("toolExecutionNotifications").EnumerateArray().ToList();
        var truncated = notes.Single(n => n.GetProperty("descriptor").GetProperty("id").GetString() == SarifLogWriter.ResultsTruncatedNotificationId);
        Assert.Equal("warning", truncated.GetProperty("level").GetString());
        Assert.Equal(
            "The analysis found 8 results but a run may hold at most 3; the 5 lowest-ranked were left out " +
            "(ranking: unsuppressed first, then severity, path, position and rule id).",
            truncated.GetProperty("message").GetProperty("text").GetString());
        Assert.True(Run(bytes).GetProperty("invocations")[0].GetProperty("executionSuccessful").GetBoolean());
    }

    [Fact]
    public void TheGitHubLimitIsTheDefaultAndIsApplied()
    {
        Assert.Equal(25_000, new SarifWriteOptions().MaxResultsPerRun);
        Assert.Equal(1_000, new SarifWriteOptions().MaxLocationsPerResult);

        // 25,010 diagnostics in one file: 25,000 written, 10 dropped, the written ones the first by position.
        var text = SourceText.From(string.Concat(Enumerable.Repeat("x\n", 25_010)), "big.rs");
        var diagnostics = Enumerable.Range(0, 25_010)
            .Select(i => Diagnostic.Create(SarifTestData.FfiInventory, text.GetLocation(new TextSpan(2 * i, 1)), messageArgs: "f"))
            .Reverse()
            .ToImmutableArray();
        var result = new AnalysisResult
        {
            BaseDirectory = _tree.Root,
            Files = [new FileResult { Path = "big.rs", Status = FileStatus.Analyzed, Diagnostics = diagnostics }],
            Notifications = [],
        };
        var bytes = SarifTestData.WriteToBytes(result, new SarifWriteOptions { IncludeTimes = false, Indented = false, SourceTexts = _ => text });
        var results = Results(bytes);
        Assert.Equal(25_000, results.Length);
        Assert.Equal(1, Region(results[0]).StartLine);
        Assert.Equal(25_000, Region(results[^1]).StartLine);
        Assert.Contains("the 10 lowest-ranked were left out", Encoding.UTF8.GetString(bytes));
        // Identical lines: their fingerprints are numbered; the EOF-mark window makes the last 50 lines distinct.
        Assert.EndsWith(":1", results[0].GetProperty("partialFingerprints").GetProperty("primaryLocationLineHash").GetString());
        Assert.EndsWith(":2", results[1].GetProperty("partialFingerprints").GetProperty("primaryLocationLineHash").GetString());
    }

    [Fact]
    public void RelatedLocationsAreCappedAndTheCapIsRecorded()
    {
        var lib = SarifTestData.Source("src/lib.rs");
        var related = Enumerable.Range(0, 1_005).Select(i => new RelatedLocation(lib.GetLocation(new TextSpan(i % 50, 1)), $"operation {i}"));
        var d = Diagnostic.Create(SarifTestData.Undocumented, lib.GetLocation(new TextSpan(0, 2)), related);
        var result = new AnalysisResult
        {
            BaseDirectory = _tree.Root,
            Files = [new FileResult { Path = "src/lib.rs", Status = FileStatus.Analyzed, Diagnostics = [d] }],
            Notifications = [],
        };
        var r = Assert.Single(Results(SarifTestData.WriteToBytes(result, new SarifWriteOptions { SourceRoot = _tree.Root })));
        var locations = r.GetProperty("relatedLocations").EnumerateArray().ToList();
        Assert.Equal(1_000, locations.Count);
        Assert.Equal(Enumerable.Range(1, 1_000), locations.Select(l => l.GetProperty("id").GetInt32()));
        Assert.Equal("operation 999", locations[^1].GetProperty("message").GetProperty("text").GetString());
        Assert.Equal(5, r.GetProperty("properties").GetProperty(SarifLogWriter.RelatedLocationsOmittedProperty).GetInt32());
        // The message links the first ten and counts the rest that are in the log.
        Assert.Equal(
            "Unsafe block without a `// SAFETY:` comment ([1](1), [2](2), [3](3), [4](4), [5](5), [6](6), [7](7), [8](8), [9](9), [10](10) and 990 more).",
            r.GetProperty("message").GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("Plain message", 0, "Plain message.")]
    [InlineData("Ends with a period.", 0, "Ends with a period.")]
    [InlineData("Question?", 0, "Question?")]
    [InlineData("Two sentences. Second one.", 2, "Two sentences. Second one ([1](1), [2](2)).")]
    [InlineData("No period", 1, "No period ([1](1)).")]
    [InlineData("Slice `&[u8]` is fine.", 0, "Slice `&[u8]` is fine.")]
    [InlineData("Looks like [a link](1) but is not.", 0, @"Looks like \[a link](1) but is not.")]
    [InlineData("Call `handlers[i](ctx)` here.", 0, @"Call `handlers\[i](ctx)` here.")]
    [InlineData("  \r\n", 0, "Fallback title.")]
    [InlineData("Line one\r\nline two", 0, "Line one\nline two.")]
    public void ResultMessages(string message, int related, string expected) =>
        Assert.Equal(expected, SarifText.ResultMessage(message, "Fallback title", related));

    [Fact]
    public void HiddenDiagnosticsAreLeftOutUnlessAskedFor()
    {
        var options = SarifTestData.Options(_tree.Root);
        Assert.DoesNotContain(Results(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options)), r => r.GetProperty("ruleId").GetString() == "US9004");
        var hidden = Assert.Single(Results(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options with { IncludeHiddenResults = true })),
            r => r.GetProperty("ruleId").GetString() == "US9004");
        Assert.Equal("note", hidden.GetProperty("level").GetString());
        Assert.Equal("1 unsafe operations.", hidden.GetProperty("message").GetProperty("text").GetString());
    }

    [Fact]
    public void RulesFollowGitHubConventions()
    {
        var manyTags = Enumerable.Range(0, 30).Select(i => $"tag{i}").Prepend("tag0").ToImmutableArray();
        var longTitle = new string('t', 2000);
        var rule = new DiagnosticDescriptor("US9100", "Busy", longTitle, "m", "C", DiagnosticSeverity.Warning, false,
            new RuleDocumentation("w", "y", "```rust\nlet x = 1;\n```", "", ""), "low", manyTags,
            ImmutableDictionary<string, string>.Empty.Add("security-severity", "9.1").Add("tags", "not-an-array").Add("precision", "override"));
        var result = new AnalysisResult { BaseDirectory = _tree.Root, Files = [], Rules = [rule], Notifications = [] };
        var r = Run(SarifTestData.WriteToBytes(result, new SarifWriteOptions())).GetProperty("tool").GetProperty("driver").GetProperty("rules")[0];

        var tags = r.GetProperty("properties").GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(20, tags.Count);
        Assert.Equal("security", tags[0]); // added: GitHub uses security-severity only on security rules
        Assert.Equal(tags.Count, tags.Distinct().Count());
        Assert.Equal(JsonValueKind.String, r.GetProperty("properties").GetProperty("security-severity").ValueKind);
        Assert.Equal("low", r.GetProperty("properties").GetProperty("precision").GetString());
        Assert.Equal("warning", r.GetProperty("properties").GetProperty("problem.severity").GetString());
        Assert.Equal(1024, r.GetProperty("shortDescription").GetProperty("text").GetString()!.Length);
        Assert.EndsWith("…", r.GetProperty("shortDescription").GetProperty("text").GetString());
        Assert.False(r.GetProperty("defaultConfiguration").GetProperty("enabled").GetBoolean());
        // An example that holds a fence gets a longer one.
        Assert.Contains("````rust\n```rust\nlet x = 1;\n```\n````", r.GetProperty("help").GetProperty("markdown").GetString());
    }

    [Fact]
    public void RulesNamedOnlyByDiagnosticsAreStillDescribed()
    {
        var sample = SarifTestData.Sample(_tree.Root) with { Rules = [] };
        var run = Run(SarifTestData.WriteToBytes(sample, SarifTestData.Options(_tree.Root)));
        var ids = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToList();
        Assert.Equal(["US9001", "US9002", "US9003", "US9004"], ids);
        foreach (var r in run.GetProperty("results").EnumerateArray())
            Assert.Equal(r.GetProperty("ruleId").GetString(), ids[r.GetProperty("ruleIndex").GetInt32()]);
    }

    [Fact]
    public void FingerprintsReadOnlyFilesInsideTheSourceRoot()
    {
        var outside = Path.Combine(Path.GetDirectoryName(_tree.Root)!, Path.GetFileName(_tree.Root) + "-outside.rs");
        File.WriteAllText(outside, "fn outside() {}\n");
        try
        {
            var rel = "../" + Path.GetFileName(outside);
            var d = Diagnostic.Create(SarifTestData.FfiInventory, new Location(rel, new TextSpan(0, 2), new LinePositionSpan(new(0, 0), new(0, 2))), messageArgs: "f");
            var result = new AnalysisResult
            {
                BaseDirectory = _tree.Root,
                Files = [new FileResult { Path = rel, Status = FileStatus.Analyzed, Diagnostics = [d] }, Missing()],
                Notifications = [],
            };
            var results = Results(SarifTestData.WriteToBytes(result, new SarifWriteOptions()));
            Assert.All(results, r => Assert.False(r.TryGetProperty("partialFingerprints", out _)));
        }
        finally
        {
            File.Delete(outside);
        }

        FileResult Missing()
        {
            var t = SourceText.From("fn gone() {}", "src/gone.rs");
            return new FileResult { Path = "src/gone.rs", Status = FileStatus.Analyzed, Diagnostics = [Diagnostic.Create(SarifTestData.FfiInventory, t.GetLocation(new TextSpan(0, 2)), messageArgs: "g")] };
        }
    }

    [Fact]
    public void FingerprintsDoNotDependOnHowManyFilesAreHashedAtOnce()
    {
        var result = Analysis.Run(new AnalysisOptions { Paths = [RepoPaths.Fixtures()], Jobs = 2 });
        var one = SarifTestData.WriteToBytes(result, new SarifWriteOptions { MaxDegreeOfParallelism = 1 });
        var hashed = Results(one).Count(r => r.TryGetProperty("partialFingerprints", out _));
        Assert.True(hashed >= 100, $"{hashed} results with fingerprints");
        Assert.Equal(one, SarifTestData.WriteToBytes(result, new SarifWriteOptions()));
        Assert.Equal(one, SarifTestData.WriteToBytes(result, new SarifWriteOptions { MaxDegreeOfParallelism = 3 }));
    }

    [Fact]
    public void SourceTextsHookIsUsedBeforeTheDisk()
    {
        var asAnalyzed = SarifTestData.Source("src/lib.rs");
        var options = new SarifWriteOptions { SourceRoot = "/nonexistent", SourceTexts = p => p == "src/lib.rs" ? asAnalyzed : null };
        var fromHook = Results(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), options));
        var fromDisk = Results(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), new SarifWriteOptions { SourceRoot = _tree.Root }));
        foreach (var (hook, disk) in fromHook.Zip(fromDisk))
        {
            if (Uri(hook) == "src/lib.rs")
                Assert.Equal(Hash(disk), Hash(hook));
            else
                Assert.False(hook.TryGetProperty("partialFingerprints", out _));
        }

        static string Hash(JsonElement r) => r.GetProperty("partialFingerprints").GetProperty("primaryLocationLineHash").GetString()!;
    }

    [Fact]
    public void ByteOrderMarkCountsInTheFirstLinesHashAsTheActionReadsIt()
    {
        // The action hashes the file as Node decodes it, U+FEFF included; SourceText dropped the BOM but remembers it.
        var withBom = SourceText.From(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'a' }, "a.rs");
        var without = SourceText.From("a", "a.rs");
        Assert.NotEqual(LineHash.Compute(LineHash.Decode(without))[0], LineHash.Compute(LineHash.Decode(withBom))[0]);
        Assert.Equal(LineHash.Compute("\uFEFFa"), LineHash.Compute(LineHash.Decode(withBom)));
    }

    [Fact]
    public void DiagnosticWithoutLocationUsesItsFileAndLineOne()
    {
        var text = SourceText.From("fn a() {}\n", "src/a.rs");
        var d = Diagnostic.Create(SarifTestData.FfiInventory, Location.None, messageArgs: "x");
        var result = new AnalysisResult
        {
            BaseDirectory = _tree.Root,
            Files = [new FileResult { Path = "src/a.rs", Status = FileStatus.Analyzed, Diagnostics = [d] }],
            Notifications = [],
        };
        var r = Assert.Single(Results(SarifTestData.WriteToBytes(result, new SarifWriteOptions { SourceTexts = _ => text })));
        Assert.Equal("src/a.rs", Uri(r));
        var region = r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        Assert.Equal(1, region.GetProperty("startLine").GetInt32());
        Assert.False(region.TryGetProperty("startColumn", out _));
        Assert.Equal(LineHash.Compute("fn a() {}\n")[0], r.GetProperty("partialFingerprints").GetProperty("primaryLocationLineHash").GetString());
    }

    [Fact]
    public void ColumnsAreUtf16AndEndExclusive()
    {
        var text = SourceText.From("let é😀 = unsafe { *p };", "a.rs");
        var d = Diagnostic.Create(SarifTestData.RawDeref, text.GetLocation(new TextSpan(Encoding.UTF8.GetByteCount("let é😀 = unsafe { "), 2)), messageArgs: "p");
        var result = new AnalysisResult
        {
            BaseDirectory = _tree.Root,
            Files = [new FileResult { Path = "a.rs", Status = FileStatus.Analyzed, Diagnostics = [d] }],
            Notifications = [],
        };
        var run = Run(SarifTestData.WriteToBytes(result, new SarifWriteOptions { SourceTexts = _ => text }));
        Assert.Equal("utf16CodeUnits", run.GetProperty("columnKind").GetString());
        var region = Region(run.GetProperty("results")[0]);
        // "let é😀 = unsafe { " is 19 UTF-16 units (é is 1, 😀 is 2) but 22 bytes: *p is columns 20–21, end 22.
        Assert.Equal(22, Encoding.UTF8.GetByteCount("let é😀 = unsafe { "));
        Assert.Equal((1, 20, 1, 22), (region.StartLine, region.StartColumn, region.EndLine, region.EndColumn));
    }

    [Fact]
    public void SuppressionKindsAreSarifOnes()
    {
        var text = SourceText.From("x", "a.rs");
        Diagnostic D(string kind) => Diagnostic.Create(SarifTestData.FfiInventory, text.GetLocation(new TextSpan(0, 1)), messageArgs: kind)
            .WithSuppression(new Suppression(kind, "  because  "));
        var result = new AnalysisResult
        {
            BaseDirectory = _tree.Root,
            Files = [new FileResult { Path = "a.rs", Status = FileStatus.Analyzed, Diagnostics = [D("inSource"), D("InSource"), D("external"), D("baseline")] }],
            Notifications = [],
        };
        var kinds = Results(SarifTestData.WriteToBytes(result, new SarifWriteOptions { SourceTexts = _ => text }))
            .Select(r => (r.GetProperty("message").GetProperty("text").GetString(), r.GetProperty("suppressions")[0].GetProperty("kind").GetString(),
                r.GetProperty("suppressions")[0].GetProperty("justification").GetString()))
            .OrderBy(x => x.Item1, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [("Call to foreign function `InSource`.", "inSource", "because"), ("Call to foreign function `baseline`.", "external", "because"),
             ("Call to foreign function `external`.", "external", "because"), ("Call to foreign function `inSource`.", "inSource", "because")],
            kinds);
    }

    [Fact]
    public void WriteFileReplacesAtomically()
    {
        var path = Path.Combine(_tree.Root, "out", "unsafescope.sarif");
        SarifLogWriter.WriteFile(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root), path);
        Assert.Equal(SarifTestData.WriteToBytes(SarifTestData.Sample(_tree.Root), SarifTestData.Options(_tree.Root)), File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        var sample = SarifTestData.Sample(_tree.Root);
        Assert.Throws<ArgumentException>(() => SarifTestData.WriteToBytes(sample, new SarifWriteOptions { Category = " " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SarifTestData.WriteToBytes(sample, new SarifWriteOptions { MaxResultsPerRun = -1 }));
    }

    private static string Uri(JsonElement result) =>
        result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!;

    private static (int StartLine, int StartColumn, int EndLine, int EndColumn) Region(JsonElement result)
    {
        var r = result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region");
        return (r.GetProperty("startLine").GetInt32(), r.GetProperty("startColumn").GetInt32(), r.GetProperty("endLine").GetInt32(), r.GetProperty("endColumn").GetInt32());
    }
}
