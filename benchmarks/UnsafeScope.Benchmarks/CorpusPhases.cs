using System.Diagnostics;
using System.Globalization;
using UnsafeScope.Analyzers;
using UnsafeScope.Catalogs;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// Where the per-file stage spends its time, one phase at a time over every corpus file on one thread:
/// decode (SourceText), parse with the analyzers' queries (native parse + flatten + query matches),
/// extract (the inventory walk), node actions, query actions, line hashes; then the crate link. Also parses
/// with every query run (no skipping by required text) and counts files whose matches differ (must be 0).
/// The link is also timed for the crates alone that hold one of compare.sh's spread edits (every 100th file of the
/// copy, sorted): what a warm run that caches whole crates must link again however fast the rest of it is.
///   UnsafeScope.Benchmarks corpus-phases [--list FILE]
/// </summary>
internal static class CorpusPhases
{
    public static int Run(string[] args)
    {
        var files = args is ["--list", var listFile] ? File.ReadAllLines(listFile).Where(l => l.Length > 0).ToArray() : Corpus.AllFiles();
        var bytes = files.Select(File.ReadAllBytes).ToArray();
        var catalog = ApiCatalog.Default;
        var session = AnalysisSession.Create(new AnalysisOptions { Paths = ["/"] });
        var host = session.Host;
        var locator = new CrateLocator("/");
        var phases = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var clock = new Stopwatch();
        T Time<T>(string phase, Func<T> f)
        {
            clock.Restart();
            var r = f();
            phases[phase] = phases.GetValueOrDefault(phase) + clock.Elapsed;
            return r;
        }
        var facts = new List<FileFacts>();
        long diagnostics = 0;
        var parseOptions = RustParseOptions.Default with { Queries = host.Queries };
        var noQueries = RustParseOptions.Default;
        var noSkip = parseOptions with { SkipUnmatchableQueries = false };
        int differ = 0;
        static string Matches(RustSyntaxTree t) => string.Join(";", t.QueryMatches.Select(m => $"{m.Pattern}:{string.Join(",", m.Captures.Select(c => c.Node.Span))}"));
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < files.Length; i++)
        {
            var text = Time("decode", () => SourceText.From(bytes[i], files[i]));
            if (text.ContainsNul) continue;
            Time("parse (no queries)", () => RustSyntaxTree.Parse(text, noQueries));
            var all = Time("parse + queries, none skipped", () => RustSyntaxTree.Parse(text, noSkip));
            var tree = Time("parse + queries", () => RustSyntaxTree.Parse(text, parseOptions));
            if (Matches(all) != Matches(tree)) differ++;
            if (tree.Status != ParseStatus.Ok) continue;
            var crate = locator.Locate(files[i]);
            var f = Time("extract", () => Extractor.Extract(tree, catalog, files[i], crate.Name, CrateLocator.ModulePath(crate.Root, files[i])));
            f.CrateRoot = crate.Root;
            f.Edition = crate.Edition;
            f.LineHashes = Time("line hashes", () => Fingerprints.LineHashes(text));
            var list = new List<Diagnostic>();
            // Timed alone here; in a run the extractor's walk feeds the same dispatcher.
            Time("node actions", () => { var nodes = host.CreateNodeDispatcher(crate.Edition, list.Add, default); foreach (var n in tree.AllNodes) nodes.Visit(n); return 0; });
            Time("query actions", () => { host.RunQueryActions(tree, crate.Edition, list.Add, default); return 0; });
            diagnostics += list.Count;
            facts.Add(f);
        }
        long retainedFacts = GC.GetTotalMemory(forceFullCollection: true);
        var inventories = new List<FileInventory>();
        var edited = SpreadEditCrates(files, locator);
        const string EditedLink = "link, edited crates only";
        foreach (var group in facts.GroupBy(f => f.CrateRoot, StringComparer.Ordinal))
        {
            bool isEdited = edited.Contains(group.Key);
            T Link<T>(Func<T> f)
            {
                long start = Stopwatch.GetTimestamp();
                var r = Time("link", f);
                if (isEdited) phases[EditedLink] = phases.GetValueOrDefault(EditedLink) + Stopwatch.GetElapsedTime(start);
                return r;
            }
            var linker = Link(() => new CrateLinker(catalog, group));
            foreach (var f in group)
            {
                var inventory = Link(() => linker.Link(f));
                inventories.Add(inventory);
                Time("file actions", () => { host.RunFileActions(inventory, _ => diagnostics++, default); return 0; });
            }
        }
        long retainedBoth = GC.GetTotalMemory(forceFullCollection: true);
        facts.Clear();
        long retainedInventories = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(inventories);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"retained_mb: facts {retainedFacts / 1e6:F0}, facts+inventories {retainedBoth / 1e6:F0}, inventories {retainedInventories / 1e6:F0}"));
        Console.WriteLine(string.Create(inv, $"files={files.Length} bytes={bytes.Sum(b => (long)b.Length)} diagnostics={diagnostics} query_skip_changed_matches_in_files={differ} alloc_mb={(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6:F0}"));
        var editedFiles = files.Where(f => edited.Contains(locator.Locate(f).Root)).ToList();
        Console.WriteLine(string.Create(inv, $"edited_crates: {edited.Count} crates holding {editedFiles.Count} files, {editedFiles.Sum(f => new FileInfo(f).Length) / 1e6:F1} MB (compare.sh's spread edit: every 100th file)"));
        foreach (var (phase, t) in phases.OrderByDescending(p => p.Value))
            Console.WriteLine(string.Create(inv, $"{phase,-22} {t.TotalSeconds,8:F2} s"));
        return 0;
    }

    /// <summary>
    /// The crate roots holding compare.sh's spread edits: every 100th file of the corpus copy sorted by path, where
    /// the copy names the library and the registry by their folder names (<c>library/…</c> sorts first).
    /// </summary>
    private static HashSet<string> SpreadEditCrates(string[] files, CrateLocator locator)
    {
        string CopyPath(string file) => Corpus.Roots.FirstOrDefault(r => file.StartsWith(r + "/", StringComparison.Ordinal)) is { } root
            ? Path.GetFileName(root) + file[root.Length..] : file;
        var sorted = files.OrderBy(CopyPath, StringComparer.Ordinal).ToArray();
        var crates = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 99; i < sorted.Length; i += 100) crates.Add(locator.Locate(sorted[i]).Root);
        return crates;
    }
}
