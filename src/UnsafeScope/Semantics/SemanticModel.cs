using System.Collections.Immutable;
using UnsafeScope.Inventory;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Semantics;

/// <summary>
/// What the linked crate knows about one file, for region, file and crate actions (Roslyn's <c>SemanticModel</c> in
/// shape): the unsafe operations of a region or span, resolved once for the crate with the run's catalogs and
/// dependencies, whether an item is exported (clippy's effective visibility) and whether it is compiled for the
/// configured target. Rules, the inventory and the score read the same answers, so they cannot disagree.
/// </summary>
public sealed class SemanticModel
{
    private static readonly RustCompilation s_empty = new("", []);
    private readonly Lazy<RustSyntaxTree?> _tree;

    internal SemanticModel(FileInventory file, RustCompilation? compilation = null, Func<RustSyntaxTree?>? syntax = null)
    {
        File = file;
        Compilation = compilation ?? s_empty;
        _tree = new(syntax ?? (() => null), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The file this model answers for.</summary>
    public FileInventory File { get; }

    /// <summary>The crate's declarations: its module tree, symbols and name resolution.</summary>
    public RustCompilation Compilation { get; }

    /// <summary>
    /// The file's syntax tree. Region, file and crate actions run after the crate is linked, when the tree of the
    /// file's parse is no longer held: the file is read again (through the same IO gateway, size and time limits) and
    /// re-parsed on first use, once per model. Null when it cannot be read or parsed any more. Macro fragments the
    /// analysis re-parsed are not part of it.
    /// </summary>
    public RustSyntaxTree? SyntaxTree => _tree.Value;

    /// <summary>The symbol an item node declares (a function, struct, enum, variant, trait, impl, module, static, const, macro_rules), or null.</summary>
    public RustSymbol? GetDeclaredSymbol(SyntaxNode node)
    {
        var at = node.ChildByField(RustSyntaxField.Name) is { } name ? name.Location : node.Location;
        return Compilation.GetDeclaredSymbol(at) ?? Compilation.GetDeclaredSymbol(node.Location);
    }

    /// <summary>The symbol of the function a region is in or is (its body's function for a block), or null.</summary>
    public RustSymbol? GetDeclaredSymbol(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (SyntaxTree is not { } tree || NodeAt(tree, region.Location.SourceSpan) is not { } node) return null;
        for (SyntaxNode? n = node; n is { } a; n = a.Parent)
            if (a.Kind is RustSyntaxKind.FunctionItem or RustSyntaxKind.FunctionSignatureItem or RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem
                or RustSyntaxKind.StaticItem or RustSyntaxKind.UnionItem && GetDeclaredSymbol(a) is { } s) return s;
        return null;
    }

    /// <summary>
    /// What a node refers to: a path (value or type), a call's function, a method call's method (by the receiver's
    /// type), a field access's field. Names of other crates are <see cref="ResolutionKind.External"/> unless their
    /// sources were given; locals and what cannot be known are <see cref="ResolutionKind.Unknown"/>.
    /// </summary>
    public SymbolInfo GetSymbolInfo(SyntaxNode node)
    {
        var module = ModuleAt(node);
        switch (node.Kind)
        {
            case RustSyntaxKind.CallExpression when node.ChildByField(RustSyntaxField.Function) is { } f:
                return GetSymbolInfo(f.Kind == RustSyntaxKind.GenericFunction && f.ChildByField(RustSyntaxField.Function) is { } g ? g : f);
            case RustSyntaxKind.FieldExpression when node.ChildByField(RustSyntaxField.Field) is { } field && node.ChildByField(RustSyntaxField.Value) is { } value:
            {
                var receiver = GetType(value);
                bool isCallee = node.Field == RustSyntaxField.Function || node.Parent is { Kind: RustSyntaxKind.GenericFunction } gf && gf.Field == RustSyntaxField.Function;
                if (isCallee) return SymbolInfo.Of(Compilation.FindMethod(receiver, field.Text));
                return receiver.StripReferences() is PathType { Symbol: NamedTypeSymbol t } ? SymbolInfo.Of(t.GetField(field.Text)) : SymbolInfo.None;
            }
            case RustSyntaxKind.Identifier when Locals(node) is { } locals && locals.Lookup(node.Text, node.Span.Start) is not null:
                return SymbolInfo.None; // a local
            case RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.TypeIdentifier or RustSyntaxKind.ScopedTypeIdentifier or RustSyntaxKind.GenericType:
                return Compilation.ResolvePath(node.Text, module);
            default:
                return SymbolInfo.None;
        }
    }

    /// <summary>The symbol <see cref="GetSymbolInfo(SyntaxNode)"/> resolves to, or null.</summary>
    public RustSymbol? GetSymbol(SyntaxNode node) => GetSymbolInfo(node).Symbol;

    /// <summary>What the node exactly at <paramref name="span"/> in the re-parsed file refers to (see <see cref="SyntaxTree"/>).</summary>
    public SymbolInfo GetSymbolInfo(TextSpan span) => SyntaxTree is { } t && NodeAt(t, span) is { } n ? GetSymbolInfo(n) : SymbolInfo.None;

    /// <summary>
    /// An expression's type, best effort: parameters, annotated <c>let</c>s and those initialized from an expression of
    /// known type (struct literals, calls of functions with a declared return type, casts, borrows, derefs), fields
    /// through declared field types, method calls on known types (raw pointers' inherent methods included), <c>Self</c>,
    /// type aliases expanded. Generics stay parameters; anything else is <see cref="RustType.Unknown"/>.
    /// </summary>
    public RustType GetType(SyntaxNode expression)
    {
        if (EnclosingBody(expression) is not { } scopeNode) return RustType.Unknown;
        var (locals, scope) = Bind(scopeNode, expression);
        if (locals is null || scope is null) return RustType.Unknown;
        return Compilation.Evaluate(TypeRecipe.Of(expression, locals), scope);
    }

    /// <summary>The type of the expression exactly at <paramref name="span"/> in the re-parsed file.</summary>
    public RustType GetType(TextSpan span) => SyntaxTree is { } t && NodeAt(t, span) is { } n ? GetType(n) : RustType.Unknown;

    /// <summary>The innermost node covering <paramref name="span"/> (the outermost of those with exactly that span).</summary>
    private static SyntaxNode? NodeAt(RustSyntaxTree tree, TextSpan span)
    {
        if (tree.Root is not { } root) return null;
        SyntaxNode? best = null;
        foreach (var n in root.DescendantsAndSelf)
        {
            if (n.Span.Start > span.Start) break;
            if (n.Span.Start <= span.Start && n.Span.End >= span.End && (best is null || n.Span.Length < best.Value.Span.Length)) best = n;
        }
        return best;
    }

    private ModuleSymbol ModuleAt(SyntaxNode node)
    {
        var parts = new List<string>();
        for (var n = node.Parent; n is { } p; n = p.Parent)
            if (p.Kind == RustSyntaxKind.ModItem) parts.Insert(0, Inventory.Extractor.NameOf(p));
        var path = Compilation.ModuleOfFile(File.Path) ?? "";
        foreach (var part in parts) path = path.Length == 0 ? part : path + "::" + part;
        return Compilation.GetModule(path) ?? Compilation.RootModule;
    }

    /// <summary>The outermost function of the node (with its impl or trait, whose self type and generics it needs).</summary>
    private static SyntaxNode? EnclosingBody(SyntaxNode node)
    {
        SyntaxNode? fn = null;
        for (SyntaxNode? n = node; n is { } a; n = a.Parent)
        {
            if (a.Kind == RustSyntaxKind.FunctionItem) fn = a;
            if (a.Kind is RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem && fn is not null) return a;
        }
        return fn;
    }

    private LocalBindings? Locals(SyntaxNode node) => EnclosingBody(node) is { } b ? Bind(b, node).Locals : null;

    /// <summary>Runs the extractor's collector over the enclosing item (on demand): the bindings and scope at the node.</summary>
    private (LocalBindings? Locals, TypeScope? Scope) Bind(SyntaxNode scopeNode, SyntaxNode at)
    {
        var module = ModuleAt(scopeNode);
        var facts = new FileFacts { Path = File.Path, Crate = File.Crate };
        var collector = new ItemCollector(facts, () => module.Path, () => false);
        LocalBindings? locals = null;
        foreach (var n in scopeNode.DescendantsAndSelf)
        {
            if (n.Span.Start > at.Span.Start) break;
            collector.Visit(n);
            if (collector.CurrentLocals is { } l) locals = l;
        }
        var scope = facts.TypeScopes.Where(s => s.Start <= at.Span.Start && at.Span.Start < s.End).OrderBy(s => s.Start).LastOrDefault();
        return (scope is null ? null : locals, scope);
    }

    /// <summary>
    /// The operations rustc requires <c>unsafe</c> for that belong to <paramref name="region"/> itself (not to a region
    /// nested in it): raw pointer dereferences, calls of unsafe and extern functions and methods (also through
    /// <c>unsafe fn</c> pointers), <c>static mut</c> and extern statics, union field reads, inline assembly, unsafe
    /// macros. Each has its location, its kind, the locals it works on and the cfg it sits under. All of them, whatever
    /// their cfgs; see <see cref="GetCountedOperations"/> for one configuration's.
    /// </summary>
    public ImmutableArray<UnsafeOperation> GetUnsafeOperations(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.Operations;
    }

    /// <summary>The operations of the file's regions that start inside <paramref name="span"/>, in source order.</summary>
    public ImmutableArray<UnsafeOperation> GetUnsafeOperations(TextSpan span)
        => [.. File.Regions.SelectMany(r => r.Operations).Where(o => span.Contains(o.Location.SourceSpan.Start))
            .OrderBy(o => o.Location.SourceSpan.Start).ThenBy(o => o.Kind)];

    /// <summary>
    /// The operations the compiler sees together in any one configuration: those under no cfg plus the largest of each
    /// set of alternatives (cfgs that exclude each other). What US1002 and the score count.
    /// </summary>
    public IReadOnlyList<UnsafeOperation> GetCountedOperations(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return CfgAlternatives.Counted(region.Operations);
    }

    /// <summary>
    /// Whether the region's item is reachable from outside the crate, as clippy decides (see
    /// <see cref="UnsafeRegion.IsExported"/>); for a block, whether its function is.
    /// </summary>
    public bool IsExported(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.IsExported;
    }

    /// <summary>False when a cfg around the region is false for the configured target (never without a target).</summary>
    public bool IsActive(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.IsActive;
    }

    /// <summary>
    /// For a region in a function: the parameters whose type is a raw pointer (also through a crate alias) and that
    /// the body has not re-bound before the region.
    /// </summary>
    public ImmutableArray<string> GetPointerParameters(UnsafeRegion region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region.PointerParameters;
    }
}
