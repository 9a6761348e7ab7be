using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Catalogs;
using UnsafeScope.Configuration;

namespace UnsafeScope.Driver;

/// <summary>What to analyze and how.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Files and folders to analyze. Folders are searched for <c>*.rs</c>.</summary>
    public ImmutableArray<string> Paths { get; init; } = [];

    /// <summary>
    /// Paths in results are relative to this folder (forward slashes). Default: the only folder in
    /// <see cref="Paths"/>, else the current directory.
    /// </summary>
    public string? BaseDirectory { get; init; }

    /// <summary>Worker threads (default: the processor count).</summary>
    public int Jobs { get; init; } = Environment.ProcessorCount;

    /// <summary>Files larger than this are reported and not parsed (default 16 MiB).</summary>
    public long MaxFileBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Time limit for parsing one file.</summary>
    public TimeSpan ParseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The API catalogs (default: the built-in packs; see <see cref="ApiCatalog.Load"/> for user packs).</summary>
    public ApiCatalog? Catalog { get; init; }

    /// <summary>The analyzers to run (default: <see cref="BuiltInAnalyzers"/>); add your own here.</summary>
    public ImmutableArray<RustAnalyzer>? Analyzers { get; init; }

    /// <summary>Query pack files (<c>.scm</c>, see queries/README.md) whose rules run next to the analyzers.</summary>
    public ImmutableArray<string> QueryPacks { get; init; } = [];

    /// <summary>Rule severities and options (default: none, i.e. every rule at its default).</summary>
    public UnsafeScopeConfig? Configuration { get; init; }

    /// <summary>Findings of an earlier run: matching findings are kept but marked suppressed, so only new ones count.</summary>
    public Baseline? Baseline { get; init; }

    /// <summary>
    /// A folder for the result cache, or null for none. Each file's record is stored under a hash of its bytes,
    /// path, crate, the tool build, catalog, configuration, analyzers and limits; a re-run reads unchanged files
    /// from it and gives output identical to a run without it. The folder only grows; delete it to clear it.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>
    /// Opt-in: folders of unpacked crates named <c>&lt;package&gt;-&lt;version&gt;</c>, such as a cargo registry's
    /// <c>~/.cargo/registry/src/index.crates.io-…</c> or Debian's <c>/usr/share/cargo/registry</c>. The dependencies each
    /// analyzed crate's Cargo.toml names are looked up there (the highest version meeting the requirement; renamed
    /// <c>package =</c> dependencies too) and their public unsafe functions, unsafe trait methods and extern functions
    /// indexed, so that calling them counts as an unsafe operation. Only these folders are read (Cargo.toml and
    /// <c>.rs</c> files of the chosen crates); the analyzed code cannot point the analysis anywhere else.
    /// </summary>
    public ImmutableArray<string> DependencySources { get; init; } = [];

    /// <summary>
    /// A target triple (<c>x86_64-pc-windows-msvc</c>) that fixes <c>target_*</c>, <c>unix</c> and <c>windows</c> cfgs:
    /// regions under a cfg that is false for it stay in the inventory, inactive, and get no findings, and operations under
    /// a false cfg are not counted. Null (the default): cfgs that exclude each other are alternatives, and counts take the
    /// largest (see <see cref="Semantics.CfgAlternatives"/>). An invalid triple fails the run's setup with an ArgumentException.
    /// </summary>
    public string? Target { get; init; }

    /// <summary>
    /// How much is parsed (default <see cref="ParseMode.Lazy"/>): whether work the analysis has proved cannot change a
    /// result is skipped, or done anyway (<see cref="ParseMode.All"/>, the command's <c>--parse all</c>) to check those
    /// proofs: the outputs of the two must be byte-identical.
    /// </summary>
    public ParseMode Parse { get; init; } = ParseMode.Lazy;

    /// <summary>Folder names never descended into.</summary>
    public ImmutableArray<string> ExcludedDirectoryNames { get; init; } = ["target", ".git", "node_modules"];
}

/// <summary>What <see cref="AnalysisOptions.Parse"/> parses.</summary>
public enum ParseMode
{
    /// <summary>
    /// Skip what is proved unable to change a result: the expansions of a crate's <c>macro_rules!</c> at item level that
    /// cannot hold <c>unsafe</c>, or whose unsafe fns hold no code written at the call, and the elements of literal tables
    /// (a <c>static</c> or <c>const</c> array of literals only, of 4 KB or more, when no analyzer looks at such nodes),
    /// which the parser reads as blank (docs/scaling.md).
    /// </summary>
    Lazy,

    /// <summary>
    /// Parse everything: make, parse and walk those expansions too, keeping whatever they show, with no fragment budget
    /// charged for them, and parse literal tables whole. Where a proof behind <see cref="Lazy"/> were wrong, the outputs
    /// would differ.
    /// </summary>
    All,
}
