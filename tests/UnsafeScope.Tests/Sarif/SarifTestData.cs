using System.Collections.Immutable;
using System.Text;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Sarif;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Sarif;

/// <summary>Rules, sources and analysis results made by hand for the SARIF tests (the real rules live elsewhere).</summary>
internal static class SarifTestData
{
    public static readonly DiagnosticDescriptor Undocumented = new(
        "US9001", "DocumentUnsafeBlocks", "Unsafe block without a SAFETY comment",
        "Unsafe block without a `// SAFETY:` comment.", "Hygiene", DiagnosticSeverity.Warning, true,
        new RuleDocumentation(
            "Checks for `unsafe` blocks that have no `// SAFETY:` comment.",
            "The comment is where the author shows why the block is sound; without it a reviewer has to rebuild the argument.",
            "unsafe { *p }",
            "// SAFETY: `p` comes from a live `&u8`.\nunsafe { *p }",
            "None."),
        "high", ["maintainability", "unsafe"],
        ImmutableDictionary<string, string>.Empty.Add("equivalent", "clippy::undocumented_unsafe_blocks"));

    public static readonly DiagnosticDescriptor RawDeref = new(
        "US9002", "AvoidRawPointerDereference", "Raw pointer dereference",
        "Dereference of raw pointer `{0}`.", "Memory", DiagnosticSeverity.Error, true,
        new RuleDocumentation(
            "Finds dereferences of raw pointers (`*p` where `p: *const T`).",
            "A dangling, unaligned or null pointer makes the read undefined behavior (CWE-119).",
            "let x = unsafe { *p };",
            "let x = unsafe { p.as_ref() }.copied();",
            "`allow-in-tests`: do not report in `#[cfg(test)]` code."),
        "medium", ["external/cwe/cwe-119", "correctness"],
        ImmutableDictionary<string, string>.Empty.Add("security-severity", "7.5").Add("cwe", "CWE-119"));

    public static readonly DiagnosticDescriptor FfiInventory = new(
        "US9003", "ReviewForeignCalls", "Foreign function call",
        "Call to foreign function `{0}`.", "Ffi", DiagnosticSeverity.Info, true,
        new RuleDocumentation("Lists calls to `extern` functions.", "Each one is trusted blindly.", "", "", ""),
        "very-high");

    public static readonly DiagnosticDescriptor HiddenFacts = new(
        "US9004", "CountUnsafeOperations", "Unsafe operation count",
        "{0} unsafe operations", "Inventory", DiagnosticSeverity.Hidden, true,
        new RuleDocumentation("Counts unsafe operations per block.", "It feeds the score.", "unsafe { a(); b() }", "", ""),
        "very-high");

    public static ImmutableArray<DiagnosticDescriptor> Rules { get; } = [Undocumented, RawDeref, FfiInventory, HiddenFacts];

    /// <summary>The sources of the sample tree: ASCII, non-ASCII (UTF-16 columns differ from bytes), CRLF, and odd paths.</summary>
    public static readonly (string Path, string Text)[] Sources =
    [
        ("src/lib.rs",
            "// a small library\n" +
            "pub unsafe fn read(p: *const u8) -> u8 {\n" +
            "    unsafe { *p }\n" +
            "}\n" +
            "pub fn café(s: &str) -> u8 { let é = \"ü😀\"; unsafe { *s.as_ptr() } }\n" +
            "extern \"C\" { fn abs(x: i32) -> i32; }\n" +
            "pub fn call() -> i32 { unsafe { abs(-1) } }\n"),
        ("src/crlf.rs",
            "fn a() {\r\n    unsafe { *P }\r\n}\r\n\r\nfn b() {\r\n    unsafe { *P }\r\n}\r\n"),
        ("src/dir with space/a#b%c?d.rs",
            "fn x() { unsafe { *Q } }"),
        ("src/ünï/çödé.rs",
            "\uFEFF// bom\nfn y() { unsafe { *R } }\n"),
    ];

    /// <summary>Writes the sample sources under <paramref name="root"/> (the BOM file with its BOM bytes).</summary>
    public static void WriteSources(string root)
    {
        foreach (var (path, text) in Sources)
        {
            var full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, Encoding.UTF8.GetBytes(text));
        }
    }

    public static SourceText Source(string path) =>
        SourceText.From(Encoding.UTF8.GetBytes(Sources.Single(s => s.Path == path).Text), path);

    /// <summary>The location of the <paramref name="occurrence"/>-th <paramref name="snippet"/> in a sample file.</summary>
    public static Location Find(string path, string snippet, int occurrence = 0)
    {
        var text = Source(path);
        var needle = Encoding.UTF8.GetBytes(snippet);
        int at = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            int next = text.Bytes[(at + 1)..].IndexOf(needle);
            Assert.True(next >= 0, $"'{snippet}' #{occurrence} not in {path}");
            at += 1 + next;
        }
        return text.GetLocation(new TextSpan(at, needle.Length));
    }

    /// <summary>A result over the sample tree with every feature the writer handles.</summary>
    public static AnalysisResult Sample(string baseDirectory)
    {
        var lib = "src/lib.rs";
        var crlf = "src/crlf.rs";
        var odd = "src/dir with space/a#b%c?d.rs";
        var uni = "src/ünï/çödé.rs";

        var libDiagnostics = new List<Diagnostic>
        {
            Diagnostic.Create(Undocumented, Find(lib, "unsafe { *p }"),
                [new RelatedLocation(Find(lib, "*p }"), "raw pointer dereference occurs here")]),
            Diagnostic.Create(RawDeref, Find(lib, "*p }"), messageArgs: "p"),
            Diagnostic.Create(RawDeref, Find(lib, "*s.as_ptr()"),
                [new RelatedLocation(Find(lib, "é"), "`é` is declared here, [not](a link)"),
                 new RelatedLocation(Find(lib, "😀"), "an emoji: two UTF-16 units")],
                ImmutableDictionary<string, string>.Empty.Add("score", "0.25").Add("operations", "1").Add("block", "unsafe"),
                "s.as_ptr()"),
            Diagnostic.Create(FfiInventory, Find(lib, "abs(-1)"), messageArgs: "abs")
                .WithSuppression(new Suppression("inSource", "audited: abs is total")),
            Diagnostic.Create(HiddenFacts, Find(lib, "unsafe { abs(-1) }"), messageArgs: "1"),
        };
        var crlfDiagnostics = new List<Diagnostic>
        {
            Diagnostic.Create(RawDeref, Find(crlf, "*P"), messageArgs: "P"),
            Diagnostic.Create(RawDeref, Find(crlf, "*P", 1), messageArgs: "P"),
        };
        var oddDiagnostics = new List<Diagnostic>
        {
            Diagnostic.Create(Undocumented, Find(odd, "unsafe { *Q }")).WithSeverity(DiagnosticSeverity.Error),
        };
        var uniDiagnostics = new List<Diagnostic>
        {
            Diagnostic.Create(Undocumented, Find(uni, "unsafe { *R }"))
                .WithSuppression(new Suppression("external", "baseline 2026-11")),
        };

        FileResult File(string path, List<Diagnostic> diagnostics, params ToolNotification[] notes) => new()
        {
            Path = path,
            Status = FileStatus.Analyzed,
            Diagnostics = [.. diagnostics],
            Notifications = [.. notes],
        };

        var parseNote = new ToolNotification(NotificationIds.ParseErrors, NotificationLevel.Note, "src/crlf.rs has 1 syntax error; it was analyzed with error recovery.", crlf, 2);
        return new AnalysisResult
        {
            BaseDirectory = baseDirectory,
            Files = [File(crlf, crlfDiagnostics, parseNote), File(odd, oddDiagnostics), File(lib, libDiagnostics), File(uni, uniDiagnostics)],
            Rules = Rules,
            RuleOverrides = ImmutableDictionary<string, ReportSeverity>.Empty
                .Add("US9001", ReportSeverity.Warn).Add("US9005", ReportSeverity.Suppress).Add("US9003", ReportSeverity.Default),
            Notifications =
            [
                new ToolNotification(NotificationIds.PathNotFound, NotificationLevel.Warning, "The path 'missing/' does not exist."),
                parseNote,
            ],
            StartTime = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero),
            Elapsed = TimeSpan.FromMilliseconds(1234),
        };
    }

    public static SarifWriteOptions Options(string sourceRoot) => new()
    {
        SourceRoot = sourceRoot,
        CommandLine = "unsafescope analyze . --sarif out.sarif",
        VersionControl = new VersionControlInfo("https://github.com/example/driver", "0123456789abcdef0123456789abcdef01234567", "main", sourceRoot),
    };

    public static byte[] WriteToBytes(AnalysisResult result, SarifWriteOptions options)
    {
        using var ms = new MemoryStream();
        SarifLogWriter.Write(result, options, ms);
        return ms.ToArray();
    }
}

/// <summary>A temporary folder holding the sample sources, deleted afterwards.</summary>
public sealed class SampleTree : IDisposable
{
    public SampleTree()
    {
        Root = Directory.CreateTempSubdirectory("unsafescope-sarif-").FullName;
        SarifTestData.WriteSources(Root);
    }

    public string Root { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
