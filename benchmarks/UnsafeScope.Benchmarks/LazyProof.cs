using System.Globalization;
using System.Text;
using System.Text.Json;
using UnsafeScope.Catalogs;
using UnsafeScope.Syntax;
using UnsafeScope.Syntax.Macros;

namespace UnsafeScope.Benchmarks;

/// <summary>
/// Groundwork for #14's lazy parsing: how much of the corpus a token-level proof would leave unparsed, and whether the
/// proof is sound file by file. Each file is lexed (<see cref="MacroLexer"/>: comments, strings, raw strings and char
/// literals as the compiler reads them) and checked for what can make any region, FFI call, MMIO access or finding
/// (the triggers below, from an audit of every rule). Files without a trigger are the ones that would need only their
/// declarations. Their findings in a full run (<c>--json</c> of <c>unsafescope analyze</c> over the corpus, rooted at
/// /usr) must be none: every finding or region there is a hole in the trigger set.
/// What this does not check: facts a file gives other files (items, calls, field writes): the skeleton must carry them.
///   UnsafeScope.Benchmarks lazy-proof FULL.json [OUT.md]
/// </summary>
internal static class LazyProof
{
    private static readonly HashSet<string> s_keywords = new(StringComparer.Ordinal)
    {
        // unsafe code, FFI, unions; Rust 2024's unsafe attributes (and their bare pre-2024 forms: US2010)
        "unsafe", "extern", "union", "no_mangle", "export_name", "link_section",
    };

    private static readonly HashSet<string> s_asm = new(StringComparer.Ordinal) { "asm", "global_asm", "naked_asm", "llvm_asm" };

    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2) { Console.Error.WriteLine("usage: lazy-proof FULL.json [OUT.md]"); return 2; }
        var files = Corpus.AllFiles().Order(StringComparer.Ordinal).ToArray();
        var catalog = ApiCatalog.Default;
        var names = new HashSet<string>(catalog.Apis.Keys.Concat(catalog.Mmio.Keys).Concat(catalog.Macros.Keys), StringComparer.Ordinal);
        var lexed = new List<TokenTree>?[files.Length];
        var bytes = new byte[files.Length][];
        for (int i = 0; i < files.Length; i++) bytes[i] = File.ReadAllBytes(files[i]);
        // Timed apart from the reads: what deciding "parse or not" costs a lazy run before any parse (one thread).
        var lexTime = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < files.Length; i++)
            lexed[i] = MacroLexer.Lex(bytes[i], 0, bytes[i].Length, callSite: true); // call-site tokens keep their offsets
        lexTime.Stop();
        // A scanner that builds nothing: how fast the same decision could be made (checked against the lexer's count).
        var scanTime = System.Diagnostics.Stopwatch.StartNew();
        var leanCounts = new long[files.Length];
        for (int i = 0; i < files.Length; i++) leanCounts[i] = LeanScan.Count(bytes[i], "unsafe"u8);
        scanTime.Stop();
        long leanUnsafe = leanCounts.Sum();
        // Compared where the lexer gives trees (it gives none for files whose delimiters do not balance).
        long lexedUnsafe = 0, leanBalanced = 0;
        var disagree = new List<string>();
        for (int i = 0; i < files.Length; i++)
        {
            if (lexed[i] is not { } trees) continue;
            long a = CountIdent(trees, "unsafe"), b = leanCounts[i];
            (lexedUnsafe, leanBalanced) = (lexedUnsafe + a, leanBalanced + b);
            if (a != b) disagree.Add($"{files[i]} ({a} / {b})");
        }
        // Macros whose definition holds a trigger: calling one is a trigger. Per crate, as the run expands them (its
        // own macro_rules!; dependencies' only when their sources are given, which this run does not).
        var locator = new UnsafeScope.Inventory.CrateLocator("/");
        var crateOf = files.Select(f => locator.Locate(f).Root).ToArray();
        var triggerMacros = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        for (int i = 0; i < files.Length; i++)
        {
            if (!triggerMacros.TryGetValue(crateOf[i], out var set)) triggerMacros[crateOf[i]] = set = new(StringComparer.Ordinal);
            if (lexed[i] is { } trees) CollectTriggerMacros(trees, names, set);
        }

        var findings = ReadFindings(args[0]);
        long totalBytes = 0, lazyBytes = 0, itemBytes = 0;
        int lazyFiles = 0;
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        var holes = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < files.Length; i++)
        {
            totalBytes += bytes[i].Length;
            var reason = Trigger(files[i], bytes[i], lexed[i], names, triggerMacros[crateOf[i]]);
            reasons[reason ?? "none"] = reasons.GetValueOrDefault(reason ?? "none") + 1;
            if (reason is not null)
            {
                // Item by item (items of modules and impls too): what a parse of only the items with a trigger would read.
                itemBytes += reason is "crate root" or "delimiters do not balance" || lexed[i] is null ? bytes[i].Length
                    : TriggerItemBytes(bytes[i], lexed[i]!, 0, names, triggerMacros[crateOf[i]]);
                continue;
            }
            lazyFiles++;
            lazyBytes += bytes[i].Length;
            var key = Path.GetRelativePath("/usr", files[i]).Replace('\\', '/');
            if (!findings.TryGetValue(key, out var found)) continue;
            foreach (var f in found)
            {
                if (!holes.TryGetValue(f, out var list)) holes[f] = list = [];
                list.Add(key);
            }
        }
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Lazy parsing: what a token-level proof leaves unparsed (issue #14, item 1)");
        md.AppendLine();
        md.AppendLine(inv, $"Generated by `UnsafeScope.Benchmarks lazy-proof` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC over {files.Length} corpus files ({totalBytes / 1048576.0:F1} MiB).");
        md.AppendLine();
        md.AppendLine(inv, $"Files with no trigger (would need only their declarations): **{lazyFiles}** ({100.0 * lazyFiles / files.Length:F1}% of files), **{lazyBytes / 1048576.0:F1} MiB** ({100.0 * lazyBytes / totalBytes:F1}% of bytes).");
        md.AppendLine();
        md.AppendLine(inv, $"Item by item in the files with a trigger (top-level items, and the items of `mod {{}}`, `impl {{}}` and `trait {{}}` blocks, split on the tokens; an item runs from the end of the one before it, so its comments and attributes are its own; crate roots whole): the items with a trigger, a SAFETY comment or a suppression hold **{itemBytes / 1048576.0:F1} MiB**, {100.0 * itemBytes / totalBytes:F1}% of the corpus's bytes. A parse of only those would read that much; everything else would need only its declarations.");
        md.AppendLine();
        md.AppendLine(inv, $"Lexing every file into token trees (the macro lexer, one thread, files already in memory) took **{lexTime.Elapsed.TotalSeconds:F1} s** ({totalBytes / 1048576.0 / lexTime.Elapsed.TotalSeconds:F0} MiB/s): the least a lazy run spends before it decides what to parse, unless a leaner scanner replaces the lexer.");
        md.AppendLine();
        md.AppendLine(inv, $"A scanner that allocates nothing (`LeanScan` in LazyProof.cs: comments, strings, raw strings, chars and lifetimes skipped, identifiers compared in place) counted {leanUnsafe:N0} `unsafe` keywords ({leanBalanced:N0} in the files the lexer reads, where it counts {lexedUnsafe:N0}; files that disagree: {(disagree.Count == 0 ? "none" : string.Join(", ", disagree.Take(5)))}) in **{scanTime.Elapsed.TotalSeconds:F2} s** ({totalBytes / 1048576.0 / scanTime.Elapsed.TotalSeconds:F0} MiB/s).");
        md.AppendLine();
        md.AppendLine("First trigger found per file:");
        md.AppendLine();
        md.AppendLine("| trigger | files |");
        md.AppendLine("|---|---:|");
        foreach (var (r, n) in reasons.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            md.AppendLine(inv, $"| {r} | {n} |");
        md.AppendLine();
        md.AppendLine("Holes: regions or findings of the full run in files without a trigger (must be none for the proof to be sound):");
        md.AppendLine();
        if (holes.Count == 0) md.AppendLine("none.");
        foreach (var (what, where) in holes)
            md.AppendLine(inv, $"- {what}: {where.Count} file(s), e.g. `{where[0]}`");
        Console.Write(md.ToString());
        if (args.Length == 2) File.WriteAllText(args[1], md.ToString());
        return 0;
    }

    /// <summary>The first reason the file may hold something a rule or the inventory sees, or null.</summary>
    private static string? Trigger(string path, byte[] bytes, List<TokenTree>? trees, HashSet<string> names, HashSet<string> triggerMacros)
    {
        if (trees is null) return "delimiters do not balance";
        var file = Path.GetFileName(path);
        // Crate roots carry the crate's attributes (no_std, panic handler, lint levels: US3xxx): always parsed.
        if (file is "lib.rs" or "main.rs" or "build.rs") return "crate root";
        // Comments are not tokens: SAFETY comments (US1004/US1005) and suppressions (US9001/US9002) are found in the bytes.
        var span = bytes.AsSpan();
        // clippy reads "SAFETY:" case-insensitively (tokio-util's `// Deadlock safety:` is one).
        if (span.IndexOf("AFETY"u8) >= 0 || span.IndexOf("afety"u8) >= 0) return "safety comment or doc";
        if (span.IndexOf("unsafescope"u8) >= 0) return "suppression";
        return Trigger(trees, names, triggerMacros);
    }

    private static string? Trigger(List<TokenTree> list, HashSet<string> names, HashSet<string> triggerMacros)
    {
        for (int i = 0; i < list.Count; i++)
        {
            var t = list[i];
            if (t.IsGroup)
            {
                if (Trigger(t.Children!, names, triggerMacros) is { } inner) return inner;
                continue;
            }
            var next = i + 1 < list.Count ? list[i + 1] : null;
            if (t.Token.Kind == TokenKind.Ident)
            {
                var text = t.Token.Text;
                // `extern crate` (2015) is a dependency, not FFI.
                if (s_keywords.Contains(text) && !(text == "extern" && next is { } c && c.IsIdent("crate"))) return text;
                if (text.Contains("nsafe", StringComparison.Ordinal)) return "identifier naming unsafe (US1009)";
                if (text == "static" && next is { } m && m.IsIdent("mut")) return "static mut";
                if (next is { } bang && bang.IsPunct("!"))
                {
                    if (s_asm.Contains(text)) return "inline assembly";
                    if (triggerMacros.Contains(text)) return "macro whose body has a trigger";
                }
                if (names.Contains(text)) return "catalog name (WDK API, MMIO, FFI macro)";
            }
            else if (t.IsPunct("*") && next is { } q && (q.IsIdent("const") || q.IsIdent("mut"))) return "raw pointer type";
            else if (t.IsPunct("->") && ReturnsMutReference(list, i + 1)) return "returns &mut (US1008)";
        }
        return null;
    }

    /// <summary>
    /// The bytes of the items of <paramref name="list"/> (which starts at byte <paramref name="from"/>) that hold a
    /// trigger, descending into mod, impl and trait blocks. An item's bytes start where the one before it ended.
    /// </summary>
    private static long TriggerItemBytes(byte[] bytes, List<TokenTree> list, int from, HashSet<string> names, HashSet<string> triggerMacros)
    {
        long total = 0;
        int start = 0;
        bool Triggers(List<TokenTree> item, int at, int end)
        {
            var text = bytes.AsSpan(at, end - at);
            return text.IndexOf("AFETY"u8) >= 0 || text.IndexOf("afety"u8) >= 0 || text.IndexOf("unsafescope"u8) >= 0 || Trigger(item, names, triggerMacros) is not null;
        }
        for (int i = 0; i < list.Count; i++)
        {
            // An item ends at a `;` or a `{ }` group at this level (struct literals in consts end at the `;` after).
            if (!list[i].IsPunct(";") && !(list[i].IsGroup && list[i].Delimiter == '{')) continue;
            var item = list.GetRange(start, i + 1 - start);
            int end = End(list[i]);
            bool container = list[i].IsGroup && item.Exists(t => t.IsIdent("mod") || t.IsIdent("impl") || t.IsIdent("trait"));
            if (container)
            {
                // The head (`unsafe impl X for Y {`) is its own item; the members are counted one by one.
                int open = list[i].Token.Origin + 1;
                if (Triggers(item.GetRange(0, item.Count - 1), from, open)) total += open - from;
                total += TriggerItemBytes(bytes, list[i].Children!, open, names, triggerMacros);
            }
            else if (Triggers(item, from, end)) total += end - from;
            from = end;
            start = i + 1;
        }
        if (start < list.Count)
        {
            int end = End(list[^1]);
            if (Triggers(list.GetRange(start, list.Count - start), from, end)) total += end - from;
        }
        return total;
    }

    /// <summary>The byte offset just after a tree lexed with call-site origins.</summary>
    internal static int End(TokenTree t) => t.IsGroup ? t.Close.Origin + t.Close.Text.Length : t.Token.Origin + Encoding.UTF8.GetByteCount(t.Token.Text);

    // `-> &mut T` or `-> &'a mut T`, up to the body, a `;` or a where clause.
    private static bool ReturnsMutReference(List<TokenTree> list, int from)
    {
        for (int j = from; j < list.Count && !list[j].IsPunct(";") && !list[j].IsIdent("where") && !(list[j].IsGroup && list[j].Delimiter == '{'); j++)
        {
            if (!list[j].IsPunct("&") && !list[j].IsPunct("&&")) continue;
            int k = j + 1;
            if (k < list.Count && list[k].Token.Kind == TokenKind.Lifetime) k++;
            if (k < list.Count && list[k].IsIdent("mut")) return true;
        }
        return false;
    }

    private static void CollectTriggerMacros(List<TokenTree> list, HashSet<string> names, HashSet<string> into)
    {
        for (int i = 0; i < list.Count; i++)
        {
            var t = list[i];
            if (t.IsGroup) { CollectTriggerMacros(t.Children!, names, into); continue; }
            if (!t.IsIdent("macro_rules") || i + 3 >= list.Count || !list[i + 1].IsPunct("!") || list[i + 2].Token.Kind != TokenKind.Ident || !list[i + 3].IsGroup) continue;
            if (Trigger(list[i + 3].Children!, names, into) is not null) into.Add(list[i + 2].Token.Text);
        }
    }

    /// <summary>Per file (path relative to /usr): each region kind and each finding's rule id, once per occurrence.</summary>
    private static Dictionary<string, List<string>> ReadFindings(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json), new JsonDocumentOptions { MaxDepth = 256 });
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateArray())
        {
            var list = new List<string>();
            if (f.TryGetProperty("regions", out var regions))
                foreach (var r in regions.EnumerateArray())
                    list.Add("region " + (r.TryGetProperty("kind", out var k) ? k.GetString() : "?"));
            if (f.TryGetProperty("diagnostics", out var diagnostics))
                foreach (var d in diagnostics.EnumerateArray())
                    list.Add(d.TryGetProperty("ruleId", out var id) ? id.GetString()! : d.TryGetProperty("id", out var id2) ? id2.GetString()! : "?");
            if (list.Count > 0) result[f.GetProperty("path").GetString()!] = list;
        }
        return result;
    }

    private static long CountIdent(List<TokenTree> trees, string word)
    {
        long n = 0;
        foreach (var t in trees)
            n += t.IsGroup ? CountIdent(t.Children!, word) : t.IsIdent(word) ? 1 : 0;
        return n;
    }

    /// <summary>
    /// Counts an identifier in Rust source without building tokens: what is not code (comments, strings, raw strings,
    /// chars, lifetimes) is skipped by the product's <see cref="LeanLexer"/>; raw identifiers (<c>r#unsafe</c>) are not the keyword.
    /// </summary>
    private static class LeanScan
    {
        public static long Count(ReadOnlySpan<byte> s, ReadOnlySpan<byte> word)
        {
            long count = 0;
            int i = 0, n = s.Length;
            while (i < n)
            {
                byte c = s[i];
                if (c == '/' && i + 1 < n && s[i + 1] is (byte)'/' or (byte)'*') { i = LeanLexer.SkipComment(s, i); continue; }
                if (c is (byte)'"' or (byte)'\'') { i = LeanLexer.SkipLiteral(s, i); continue; }
                if (LeanLexer.IsIdentStart(c))
                {
                    int end = LeanLexer.SkipIdent(s, i);
                    if (LeanLexer.IsLiteralPrefix(s, i, end)) { i = LeanLexer.SkipPrefixedLiteral(s, i); continue; }
                    if (s[i..end].SequenceEqual(word)) count++;
                    i = end;
                    continue;
                }
                i = c is >= (byte)'0' and <= (byte)'9' ? LeanLexer.SkipIdent(s, i) : i + 1; // 0x1f_u8, 1e5: no identifier inside
            }
            return count;
        }
    }
}
