using UnsafeScope.Text;

namespace UnsafeScope.Sarif;

/// <summary>How <see cref="SarifLogWriter"/> writes a SARIF log. The defaults suit an upload to GitHub code scanning.</summary>
public sealed record SarifWriteOptions
{
    /// <summary>The default <see cref="Category"/>.</summary>
    public const string DefaultCategory = "unsafescope/rust/";

    /// <summary>GitHub's limit on results per run.</summary>
    public const int GitHubMaxResultsPerRun = 25_000;

    /// <summary>GitHub's limit on locations per result.</summary>
    public const int GitHubMaxLocationsPerResult = 1_000;

    /// <summary>
    /// <c>run.automationDetails.id</c>. GitHub keys an upload by tool and category (the text up to the last <c>/</c>);
    /// a later upload with the same key replaces the earlier one.
    /// </summary>
    public string Category { get; init; } = DefaultCategory;

    /// <summary>
    /// The folder the files are read from to compute <c>primaryLocationLineHash</c>; null means the result's
    /// <see cref="Driver.AnalysisResult.BaseDirectory"/>. Only files inside it are read.
    /// </summary>
    public string? SourceRoot { get; init; }

    /// <summary>
    /// Gives the text of a file by its relative path (forward slashes) when it is at hand, to avoid reading it again;
    /// when null or when it returns null the file is read from <see cref="SourceRoot"/>.
    /// </summary>
    public Func<string, SourceText?>? SourceTexts { get; init; }

    /// <summary>
    /// How many files are read and hashed for fingerprints at once (default -1: as many as the thread pool gives);
    /// 1 keeps writing SARIF on the calling thread. Files given by <see cref="SourceTexts"/> are always taken one at a time.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Compute <c>partialFingerprints.primaryLocationLineHash</c> (default true).</summary>
    public bool ComputeFingerprints { get; init; } = true;

    /// <summary>The command line written to <c>invocations[0].commandLine</c>, or null.</summary>
    public string? CommandLine { get; init; }

    /// <summary>Version control provenance (<c>run.versionControlProvenance</c>), or null.</summary>
    public VersionControlInfo? VersionControl { get; init; }

    /// <summary>Write <c>startTimeUtc</c>/<c>endTimeUtc</c>; false makes the output depend on the findings only.</summary>
    public bool IncludeTimes { get; init; } = true;

    /// <summary>Write results of <see cref="Diagnostics.DiagnosticSeverity.Hidden"/> severity (as <c>note</c>); default false.</summary>
    public bool IncludeHiddenResults { get; init; }

    /// <summary>At most this many results are written (default GitHub's 25,000); the rest are counted in a notification.</summary>
    public int MaxResultsPerRun { get; init; } = GitHubMaxResultsPerRun;

    /// <summary>At most this many related locations are written per result (default GitHub's 1,000).</summary>
    public int MaxLocationsPerResult { get; init; } = GitHubMaxLocationsPerResult;

    /// <summary>Indent the JSON (default true).</summary>
    public bool Indented { get; init; } = true;

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Category, nameof(Category));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxResultsPerRun, nameof(MaxResultsPerRun));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxLocationsPerResult, nameof(MaxLocationsPerResult));
    }
}

/// <summary>Where the analyzed code came from (SARIF <c>versionControlDetails</c>).</summary>
/// <param name="RepositoryUri">An absolute URI of the repository (no credentials).</param>
/// <param name="RevisionId">The commit id, or null.</param>
/// <param name="Branch">The branch name (<c>main</c>), or null.</param>
/// <param name="LocalRoot">
/// The folder the repository is checked out in, or null when unknown. When it holds the analyzed base directory,
/// <c>%SRCROOT%</c> is this folder, artifact URIs are relative to it (what GitHub expects when a subfolder was
/// analyzed), and <c>versionControlDetails.mappedTo</c> says so.
/// </param>
public sealed record VersionControlInfo(string RepositoryUri, string? RevisionId = null, string? Branch = null, string? LocalRoot = null)
{
    /// <summary>
    /// Reads the provenance of the git work tree holding <paramref name="directory"/> from its files only
    /// (<c>.git/HEAD</c>, refs, <c>packed-refs</c>, the <c>origin</c> URL in <c>config</c>); never runs git or anything
    /// else from the repository. Null when there is no repository or no usable <c>origin</c> URL.
    /// </summary>
    public static VersionControlInfo? FromGitWorkTree(string directory) => GitProvenance.Detect(directory);
}
