using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using UnsafeScope.Analyzers.Rules.Configuration;
using UnsafeScope.Catalogs;
using UnsafeScope.Correlation;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Workspace;

namespace UnsafeScope.Reports;

/// <summary>How one configuration check came out for a driver package.</summary>
public enum ReadinessOutcome
{
    /// <summary>The configuration is right.</summary>
    Pass,
    /// <summary>The rule found a mistake; see the problems.</summary>
    Fail,
    /// <summary>The rule is turned off in the configuration.</summary>
    Off,
}

/// <summary>One configuration check of the readiness page: a US3xxx rule, its outcome, and where it failed.</summary>
/// <param name="RuleId">The rule (<c>US3001</c>).</param>
/// <param name="Title">The rule's title.</param>
/// <param name="Outcome">Pass, fail or off.</param>
/// <param name="Problems">For a failure: <c>file:line: message</c> per finding.</param>
public sealed record ReadinessCheck(string RuleId, string Title, ReadinessOutcome Outcome, ImmutableArray<string> Problems);

/// <summary>Whether the repository runs CodeQL, and how its alerts sit in unsafe code.</summary>
/// <param name="Workflows">Workflow files (relative paths) that run <c>github/codeql-action</c>.</param>
/// <param name="AnalyzesRust">A CodeQL workflow lists <c>rust</c> among its languages.</param>
/// <param name="Alerts">Alerts in the <c>--codeql</c> SARIF, or null when none was given.</param>
/// <param name="AlertsInUnsafeRegions">Of those, alerts inside an unsafe region.</param>
/// <param name="AlertsInAnalyzedFiles">Of those, alerts in a file UnsafeScope analyzed.</param>
public sealed record CodeQlStatus(ImmutableArray<string> Workflows, bool AnalyzesRust, int? Alerts, int AlertsInUnsafeRegions, int AlertsInAnalyzedFiles);

/// <summary>The readiness of one driver package: the early adopters' checklist, measured.</summary>
public sealed record DriverReadiness
{
    /// <summary>The package name.</summary>
    public required string Crate { get; init; }

    /// <summary>Its folder relative to the base directory.</summary>
    public required string Root { get; init; }

    /// <summary><c>KMDF 1.33</c>, <c>UMDF 2.31</c>, <c>WDM</c>, or <c>undeclared</c>.</summary>
    public required string DriverModel { get; init; }

    /// <summary>The configuration checks (US3001–US3010), in rule order.</summary>
    public required ImmutableArray<ReadinessCheck> Checks { get; init; }

    /// <summary>The toolchain channel of rust-toolchain.toml, or null when there is none.</summary>
    public string? Toolchain { get; init; }

    /// <summary>The wdk crates pinned in Cargo.lock.</summary>
    public ImmutableArray<LockedPackage> Pins { get; init; } = [];

    /// <summary>Unsafe regions in the package's files.</summary>
    public int Regions { get; init; }

    /// <summary>FFI calls by risk (high, medium, low, unknown).</summary>
    public ImmutableSortedDictionary<string, int> FfiByRisk { get; init; } = ImmutableSortedDictionary<string, int>.Empty;

    /// <summary>Hardware accesses.</summary>
    public int Mmio { get; init; }

    /// <summary>The package's encapsulation score.</summary>
    public int Score { get; init; }

    /// <summary>Encapsulating functions a test reaches.</summary>
    public int TestedWrappers { get; init; }

    /// <summary>All encapsulating functions.</summary>
    public int Wrappers { get; init; }

    /// <summary>CodeQL status of the repository.</summary>
    public required CodeQlStatus CodeQl { get; init; }
}

/// <summary>
/// Builds and renders the readiness page: per driver package, its model, the configuration checks, pinned versions,
/// unsafe surface, tested-wrapper coverage and CodeQL status, with the dated certification fact from the catalogs.
/// </summary>
public static partial class ReadinessReport
{
    private static readonly string[] s_risks = ["high", "medium", "low", "unknown"];

    /// <summary>
    /// The readiness of each driver package of <paramref name="result"/>. <paramref name="codeQlSarif"/>, when given, is a
    /// CodeQL SARIF log whose alerts are placed in the unsafe regions (as <c>unsafescope correlate</c> does).
    /// </summary>
    public static ImmutableArray<DriverReadiness> Build(AnalysisResult result, string? codeQlSarif = null)
    {
        var drivers = result.Crates.Where(c => c.Driver is not null).ToList();
        if (drivers.Count == 0) return [];
        // Only the configuration rules: creating every analyzer would compile the built-in query packs for nothing.
        var rules = Analyzers.BuiltInAnalyzers.ConfigurationRules();
        // Turned off in the configuration: not run, or run with its findings suppressed.
        var enabled = result.Rules.Select(r => r.Id).Where(id => result.RuleOverrides.GetValueOrDefault(id) != Diagnostics.ReportSeverity.Suppress).ToHashSet(StringComparer.Ordinal);
        var codeQl = CodeQl(result, codeQlSarif);
        var list = ImmutableArray.CreateBuilder<DriverReadiness>();
        foreach (var c in drivers)
        {
            var d = c.Driver!;
            var checks = rules.Select(rule =>
            {
                var id = rule.SupportedDiagnostics[0];
                if (!enabled.Contains(id.Id)) return new ReadinessCheck(id.Id, id.Title, ReadinessOutcome.Off, []);
                var problems = rule.Evaluate(d).Select(p => $"{p.Location.Path}:{p.Location.StartLine}: {p.Message}").ToImmutableArray();
                return new ReadinessCheck(id.Id, id.Title, problems.IsEmpty ? ReadinessOutcome.Pass : ReadinessOutcome.Fail, problems);
            }).OrderBy(x => x.RuleId, StringComparer.Ordinal).ToImmutableArray();
            var regions = result.Files.Where(f => f.Inventory is { } inv && inv.Crate == c.Name && Under(f.Path, c.Root)).SelectMany(f => f.Inventory!.Regions).ToList();
            var ffi = regions.SelectMany(r => r.FfiCalls).GroupBy(f => Array.IndexOf(s_risks, f.Risk) >= 0 ? f.Risk : "unknown")
                .ToImmutableSortedDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            list.Add(new DriverReadiness
            {
                Crate = c.Name,
                Root = c.Root,
                DriverModel = ModelText(d.Model),
                Checks = checks,
                Toolchain = d.Package.ToolchainChannel?.Value,
                Pins = d.LockedWdkCrates,
                Regions = regions.Count,
                FfiByRisk = ffi,
                Mmio = regions.Sum(r => r.Mmio.Length),
                Score = c.Score,
                TestedWrappers = c.TestedEncapsulatingFunctions,
                Wrappers = c.EncapsulatingFunctions.Length,
                CodeQl = codeQl,
            });
        }
        return list.ToImmutable();
    }

    private static bool Under(string path, string root) => root == "." || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static string ModelText(WdkDriverModel? model)
    {
        if (model is null) return "undeclared";
        var type = model.DriverType.ToUpperInvariant();
        var (major, minor) = type switch
        {
            "KMDF" => (model.Number("kmdf-version-major"), model.Number("target-kmdf-version-minor")),
            "UMDF" => (model.Number("umdf-version-major"), model.Number("target-umdf-version-minor")),
            _ => (null, null),
        };
        return major is { } m ? (minor is { } n ? $"{type} {m}.{n}" : $"{type} {m}") : type;
    }

    /// <summary>
    /// The workflows of the repository that holds the analyzed folder (<c>.github/workflows</c> in the nearest folder
    /// upward that has one, not above the one holding <c>.git</c>), read as untrusted files, and the CodeQL alerts.
    /// </summary>
    private static CodeQlStatus CodeQl(AnalysisResult result, string? sarif)
    {
        var workflows = ImmutableArray.CreateBuilder<string>();
        bool rust = false;
        for (var dir = new DirectoryInfo(result.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, ".github", "workflows");
            if (Directory.Exists(folder))
            {
                foreach (var file in Directory.EnumerateFiles(folder).Where(f => f.EndsWith(".yml", StringComparison.Ordinal) || f.EndsWith(".yaml", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                {
                    string text;
                    try
                    {
                        text = IO.UntrustedFile.ReadAllText(file, 1 << 20);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        continue;
                    }
                    // Running CodeQL means init/analyze; upload-sarif alone only uploads another tool's results (ours).
                    if (!CodeQlRun().IsMatch(text)) continue;
                    workflows.Add(Path.GetRelativePath(result.BaseDirectory, file).Replace('\\', '/'));
                    rust |= RustLanguage().IsMatch(text);
                }
                break;
            }
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git"))) break;
        }
        if (sarif is null) return new CodeQlStatus(workflows.ToImmutable(), rust, null, 0, 0);
        var correlated = CodeQlCorrelation.Correlate(CodeQlCorrelation.ReadAlerts(sarif), result);
        return new CodeQlStatus(workflows.ToImmutable(), rust, correlated.Length, correlated.Count(a => a.Region is not null), correlated.Count(a => a.File is not null));
    }

    [GeneratedRegex(@"github/codeql-action/(init|analyze)@")]
    private static partial Regex CodeQlRun();

    // `languages: rust`, `languages: [ cpp, rust ]`, `language: [ 'rust' ]` in a matrix, `--language=rust`.
    [GeneratedRegex(@"language[s]?\s*[:=][^\n]*\brust\b", RegexOptions.IgnoreCase)]
    private static partial Regex RustLanguage();

    /// <summary>The readiness page as GitHub-flavoured markdown (empty when no package is a driver).</summary>
    public static string ToMarkdown(ImmutableArray<DriverReadiness> drivers, ApiCatalog? catalog = null)
    {
        if (drivers.IsEmpty) return "";
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("\n## Driver readiness\n");
        foreach (var d in drivers)
        {
            sb.Append(inv, $"\n### {d.Crate} ({d.Root}): {d.DriverModel}\n\n");
            sb.Append("| Check | Result |\n|---|---|\n");
            foreach (var c in d.Checks)
                sb.Append(inv, $"| {c.RuleId} {c.Title} | {Outcome(c)} |\n");
            sb.Append(inv, $"\n- Pinned: toolchain {(d.Toolchain is { } t ? "`" + t + "`" : "not pinned")}; {(d.Pins.IsEmpty ? "no wdk crates in Cargo.lock" : string.Join(", ", d.Pins.Select(p => $"{p.Name} {p.Version}")))}\n");
            sb.Append(inv, $"- Unsafe surface: {d.Regions} regions, FFI calls {string.Join(" / ", s_risks.Select(r => $"{d.FfiByRisk.GetValueOrDefault(r)} {r}"))}, {d.Mmio} hardware accesses, score {d.Score}\n");
            sb.Append(inv, $"- Tested wrappers: {d.TestedWrappers} of {d.Wrappers} encapsulating functions reached by tests\n");
            sb.Append(inv, $"- CodeQL: {CodeQlText(d.CodeQl)}\n");
        }
        if (Certification(catalog) is { } fact)
            sb.Append(inv, $"\n> **{fact.Program}, as of {fact.AsOf:yyyy-MM-dd}:** {fact.Fact}\n");
        return sb.ToString();
    }

    internal static string Outcome(ReadinessCheck c) => c.Outcome switch
    {
        ReadinessOutcome.Pass => "pass",
        ReadinessOutcome.Off => "off",
        _ => "**fail**: " + string.Join("; ", c.Problems.Select(p => p.Replace("|", "\\|", StringComparison.Ordinal))),
    };

    internal static string CodeQlText(CodeQlStatus s)
    {
        var runs = s.Workflows.IsEmpty ? "no workflow runs CodeQL" : $"run by {string.Join(", ", s.Workflows)}{(s.AnalyzesRust ? ", Rust included" : ", without Rust")}";
        return s.Alerts is { } n ? $"{runs}; {n} alerts in the given SARIF, {s.AlertsInUnsafeRegions} in unsafe regions" : runs;
    }

    internal static CertificationFact? Certification(ApiCatalog? catalog)
        => (catalog ?? ApiCatalog.Default).CertificationFacts.GetValueOrDefault("WHCP");
}
