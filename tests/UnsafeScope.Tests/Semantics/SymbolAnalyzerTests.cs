using System.Collections.Immutable;
using UnsafeScope.Analyzers;
using UnsafeScope.Diagnostics;
using UnsafeScope.Driver;
using UnsafeScope.Inventory;
using UnsafeScope.Semantics;
using UnsafeScope.Syntax;

namespace UnsafeScope.Tests.Semantics;

/// <summary>
/// A custom analyzer (docs/semantic-model.md) that asks for symbols and types: calls of this crate's unsafe methods
/// whose receiver is reached through a dereferenced raw pointer.
/// </summary>
public sealed class UnsafeCallThroughPointerAnalyzer : RustAnalyzer
{
    public static readonly DiagnosticDescriptor Rule = new(
        "US8201", "UnsafeCallThroughPointer", "unsafe method of this crate called through a raw pointer", "`{0}` is called on `{1}`, reached through the raw pointer `{2}` ({3})",
        "Custom", DiagnosticSeverity.Info, true, new RuleDocumentation("Finds calls.", "Information.", "-", "-"), "high");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

    public override void Initialize(AnalysisContext context)
        => context.RegisterRegionAction(c =>
        {
            var model = c.SemanticModel;
            if (model.SyntaxTree is not { } tree) return;
            foreach (var op in model.GetUnsafeOperations(c.Region).Where(o => o.Kind == OperationKind.UnsafeMethodCall))
            {
                // The operation is located at the method's name: its parent is the callee `receiver.name`.
                if (tree.Root is not { } root) continue;
                var name = root.DescendantsAndSelf.FirstOrDefaultNode(n => n.Span == op.Location.SourceSpan && n.Kind == RustSyntaxKind.FieldIdentifier);
                if (name?.Parent is not { Kind: RustSyntaxKind.FieldExpression } callee || callee.ChildByField(RustSyntaxField.Value) is not { } receiver) continue;
                if (model.GetSymbol(callee) is not FunctionSymbol { IsUnsafe: true } method || method.ContainingModule?.CrateName != model.Compilation.CrateName) continue;
                for (SyntaxNode? e = receiver; e is { } x;)
                {
                    if (x.Kind == RustSyntaxKind.UnaryExpression && x.Children.ToList().LastOrDefault(k => k.IsNamed) is { Tree: not null } operand
                        && model.GetType(operand) is RawPointerType pointer)
                    {
                        c.ReportDiagnostic(Diagnostic.Create(Rule, op.Location, null, null, method.Path, receiver.Text, operand.Text, pointer));
                        break;
                    }
                    e = x.Kind is RustSyntaxKind.FieldExpression ? x.ChildByField(RustSyntaxField.Value)
                        : x.Kind is RustSyntaxKind.ParenthesizedExpression ? x.Children.ToList().FirstOrDefault(k => k.IsNamed) is { Tree: not null } inner ? inner : null
                        : x.Kind == RustSyntaxKind.UnaryExpression ? x.Children.ToList().LastOrDefault(k => k.IsNamed) is { Tree: not null } o2 ? o2 : null : null;
                }
            }
        }, [RegionKind.UnsafeBlock, RegionKind.UnsafeFn]);
}

internal static class NodeSearch
{
    public static SyntaxNode? FirstOrDefaultNode(this SyntaxNodeRange range, Func<SyntaxNode, bool> predicate)
    {
        foreach (var n in range)
            if (predicate(n)) return n;
        return null;
    }
}

public class SymbolAnalyzerTests
{
    [Fact]
    public void ACustomAnalyzerFindsUnsafeMethodCallsThroughRawPointersWithSymbolsAndTypes()
    {
        var dir = RepoPaths.Fixtures("rules", "US1007-types");
        var result = Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1, Analyzers = [new UnsafeCallThroughPointerAnalyzer()] });
        var d = Assert.Single(result.Diagnostics, d => d.Id == "US8201");
        Assert.Equal("`Foo::get_unchecked_thing` is called on `(*q).inner`, reached through the raw pointer `q` (*const Wrapper)", d.Message);
    }

    [Fact]
    public void TheModelResolvesDeclarationsAndPathsOfTheReparsedFile()
    {
        var dir = RepoPaths.Fixtures("rules", "US1007-types");
        RustSymbol? declared = null;
        SymbolInfo bits = default;
        var analyzer = new LambdaAnalyzer(c =>
        {
            var model = c.SemanticModel;
            var root = model.SyntaxTree!.Root!.Value;
            var fn = root.DescendantsAndSelf.FirstOrDefaultNode(n => n.Kind == RustSyntaxKind.FunctionItem && Extractor.NameOf(n) == "through_let")!.Value;
            declared = model.GetDeclaredSymbol(fn);
            bits = model.Compilation.GetSymbolByPath("Bits");
        });
        Analysis.Run(new AnalysisOptions { Paths = [dir], Jobs = 1, Analyzers = [analyzer] });
        var f = Assert.IsType<FunctionSymbol>(declared);
        Assert.True(f.IsUnsafe);
        Assert.True(f.IsExported);
        Assert.Equal("&Outer", Assert.Single(f.Parameters).Type.ToString());
        Assert.Equal(RustSymbolKind.Union, bits.Symbol!.Kind);
    }

    private sealed class LambdaAnalyzer(Action<FileAnalysisContext> action) : RustAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [UnsafeCallThroughPointerAnalyzer.Rule];

        public override void Initialize(AnalysisContext context) => context.RegisterFileAction(action);
    }
}
