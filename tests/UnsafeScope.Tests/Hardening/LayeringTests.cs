using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace UnsafeScope.Tests.Hardening;

/// <summary>
/// The library's folders are layered, and a folder may only use folders of its own layer or below it:
/// Text/IO → Diagnostics/Syntax/Catalogs → Workspace → Semantics/Inventory → Analyzers/Scoring/Configuration → Driver →
/// Reports/Sarif/Correlation. The check binds every name in the sources with Roslyn, so a reference counts whatever
/// the <c>using</c>s look like (a partial namespace such as <c>Driver.ToolNotification</c> included).
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Each folder of src/UnsafeScope and its layer; a reference to a higher layer is an error.</summary>
    internal static readonly ImmutableDictionary<string, int> Layers = new Dictionary<string, int>
    {
        ["Text"] = 0, ["IO"] = 0,
        ["Diagnostics"] = 1, ["Syntax"] = 1, ["Catalogs"] = 1,
        ["Workspace"] = 2,
        ["Semantics"] = 3, ["Inventory"] = 3,
        ["Analyzers"] = 4, ["Scoring"] = 4, ["Configuration"] = 4,
        ["Driver"] = 5,
        ["Reports"] = 6, ["Sarif"] = 6, ["Correlation"] = 6,
    }.ToImmutableDictionary();

    private static readonly Lazy<ImmutableArray<(string From, string To, string Where)>> s_references = new(Collect);

    [Fact]
    public void EveryFolderHasALayer()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "UnsafeScope");
        var folders = Directory.EnumerateDirectories(root).Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj")).Order(StringComparer.Ordinal).ToList();
        Assert.All(folders, f => Assert.True(Layers.ContainsKey(f!), $"src/UnsafeScope/{f} has no layer"));
        Assert.Empty(Directory.EnumerateFiles(root, "*.cs"));
    }

    [Fact]
    public void NoReferenceRunsUpward()
    {
        var upward = s_references.Value.Where(r => Layers[r.To] > Layers[r.From])
            .Select(r => $"{r.Where}: {r.From} (layer {Layers[r.From]}) uses {r.To} (layer {Layers[r.To]})").ToList();
        Assert.True(upward.Count == 0, "references that run up the layers:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void TheCheckSeesReferences()
    {
        // Guards the test itself: if binding silently failed, no reference would be found and the check would pass.
        var edges = s_references.Value.Select(r => (r.From, r.To)).ToHashSet();
        Assert.Contains(("Driver", "Inventory"), edges);
        Assert.Contains(("Inventory", "Syntax"), edges);
        Assert.Contains(("Sarif", "Diagnostics"), edges);
    }

    private static ImmutableArray<(string From, string To, string Where)> Collect()
    {
        var root = Path.Combine(RepoPaths.Root, "src", "UnsafeScope");
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
        // The implicit usings of the SDK (ImplicitUsings=enable).
        trees.Add(CSharpSyntaxTree.ParseText("""
            global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq;
            global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;
            """, options, "GlobalUsings.cs"));

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("UnsafeScope", StringComparison.Ordinal))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(p => MetadataReference.CreateFromFile(p)).ToList();
        var compilation = CSharpCompilation.Create("layering", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));

        var found = new SortedSet<(string, string, string)>();
        foreach (var tree in trees.Where(t => t.FilePath.StartsWith(root, StringComparison.Ordinal)))
        {
            var from = Folder(root, tree.FilePath);
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (SimpleNameSyntax or ImplicitObjectCreationExpressionSyntax)) continue;
                var info = model.GetSymbolInfo(node);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (symbol is null or INamespaceSymbol) continue;
                var declared = symbol.OriginalDefinition.Locations.FirstOrDefault(l => l.IsInSource)?.SourceTree?.FilePath;
                if (declared is null || !declared.StartsWith(root, StringComparison.Ordinal)) continue;
                var to = Folder(root, declared);
                if (to == from) continue;
                var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                var where = $"{Path.GetRelativePath(RepoPaths.Root, tree.FilePath).Replace('\\', '/')}:{line} ({symbol.Name})";
                found.Add((from, to, where));
            }
        }
        // One example per file and edge keeps a failure readable.
        return [.. found.DistinctBy(r => (r.Item1, r.Item2, r.Item3[..r.Item3.IndexOf(':', StringComparison.Ordinal)]))];
    }

    private static string Folder(string root, string file)
    {
        var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
        var slash = relative.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : relative[..slash];
    }
}
