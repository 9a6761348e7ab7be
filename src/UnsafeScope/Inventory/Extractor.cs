using UnsafeScope.Catalogs;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Inventory;

/// <summary>
/// One preorder pass over a file's tree that records unsafe regions, the operations decidable from the
/// file alone (inline asm, catalog FFI and MMIO), candidates that need the whole crate (calls of crate
/// functions, statics, union fields), declarations and imports.
/// </summary>
internal sealed class Extractor
{
    private readonly RustSyntaxTree _tree;
    private readonly SourceText _text;
    private readonly ApiCatalog _catalog;
    private readonly FileFacts _facts;
    private readonly string _modulePath;
    private readonly List<Context> _stack = [];
    private static readonly SafetyCommentOptions s_strict = new(AcceptAboveStatement: false, AcceptAboveAttributes: false);

    private enum ContextKind { Module, Impl, Trait, Function, Region, ExternBlock }

    // A record: a macro fragment inherits its caller's contexts as copies (with), so no field can be forgotten.
    private sealed record Context
    {
        public required ContextKind Kind { get; init; }
        public required int End { get; init; }
        public string Name { get; init; } = "";
        /// <summary>For a module: its full module path, made once when it is entered.</summary>
        public string ModulePath { get; init; } = "";
        public string Visibility { get; init; } = "private";
        public string Abi { get; init; } = "";
        public bool TraitImpl { get; init; }
        public RegionDraft? Region { get; init; }
        public HashSet<string>? RawLocals { get; init; }
        public Dictionary<string, string>? MmioLocals { get; init; }
        /// <summary>Locals that may be raw pointers, known only at link: name → where the value came from.</summary>
        public Dictionary<string, PointerOrigin>? CallOrigins { get; init; }
        public bool IsUnsafe { get; init; }
        /// <summary>The function has <c>#[target_feature(enable = …)]</c>: core::arch intrinsics are safe to call in it.</summary>
        public bool TargetFeature { get; init; }
        /// <summary>Parameters and locals declared as <c>unsafe fn(…)</c> pointers: calling them is unsafe.</summary>
        public HashSet<string>? UnsafeFnLocals { get; init; }
        /// <summary>Raw-pointer parameters (<c>name:Type</c> when the type may be an alias), until a <c>let</c> re-binds the name.</summary>
        public List<string>? PointerParameters { get; init; }
        /// <summary>A module, impl or trait marked <c>#[doc(hidden)]</c>: clippy's doc lints skip everything inside.</summary>
        public bool DocHidden { get; init; }
        /// <summary>Functions: what the test reach needs of the body (calls, unsafe blocks).</summary>
        public FunctionBody? Body { get; init; }
        /// <summary>Functions: the fns declared in the body (items of its blocks, not of nested fns): name → unsafe. They shadow module-level namesakes.</summary>
        public Dictionary<string, bool>? LocalFns { get; init; }
        /// <summary>Modules: under <c>#[cfg(test)]</c> (itself or an enclosing module).</summary>
        public bool TestOnly { get; init; }
    }

    private readonly int _depth;
    private string _expandedFrom = "";

    /// <summary>In the items of a macro that declares their fns <c>unsafe</c> (libc's <c>f!</c>): that macro's name.</summary>
    private string _unsafeFnsBy = "";

    /// <summary>The crate's macro_rules! (null inside an expansion: nested invocations were expanded with it).</summary>
    private Syntax.Macros.MacroTable? _macros;

    /// <summary>In a macro expansion's tree: the invocation's offset, where the macro's own code is located (else -1).</summary>
    private int _expansionAnchor = -1;

    /// <summary>Do the work the lazy proofs skip, and keep what it finds (<see cref="Driver.ParseMode.All"/>).</summary>
    private bool _parseAll;

    private Extractor(RustSyntaxTree tree, ApiCatalog catalog, FileFacts facts, string modulePath, int depth = 0)
    {
        _depth = depth;
        _tree = tree;
        _text = tree.Text;
        _catalog = catalog;
        _facts = facts;
        _modulePath = modulePath;
        _items = new ItemCollector(facts, CurrentModule, () => CurrentRegion() is not null);
    }

    /// <summary>Collects the item skeleton and local type recipes during this walk.</summary>
    private readonly ItemCollector _items;

    // nodeActions, when given, sees every node of the tree and of item macros' re-parsed code (cfg_if! groups…), in this
    // one walk: the rules' syntax node actions run there, so no second pass goes over the tree.
    // macros, when given, are the crate's macro_rules!: their invocations where unsafe fn bodies can come from are expanded.
    // parseBudget: the file's time limit and the run's cancellation, shared by the re-parses of macro code (none: unlimited).
    // parseAll: Driver.ParseMode.All, where the expansions the lazy proofs skip are made and walked too.
    public static FileFacts Extract(RustSyntaxTree tree, ApiCatalog catalog, string path, string crate, string modulePath, Action<SyntaxNode>? nodeActions = null,
        Syntax.Macros.MacroTable? macros = null, ParseBudget? parseBudget = null, bool parseAll = false)
    {
        var facts = new FileFacts { Path = path, Crate = crate, Lines = tree.Text.LineCount, ModulePath = modulePath };
        if (tree.Root is not null)
            new Extractor(tree, catalog, facts, modulePath) { _parse = parseBudget ?? ParseBudget.Unlimited, _parseAll = parseAll, _nodeSink = nodeActions, _feedsNodes = true, _macros = macros is { Count: > 0 } ? macros : null, _budget = new FragmentBudget(4L * tree.Text.Bytes.Length + 256 * 1024), _expressionBudget = new FragmentBudget(tree.Text.Bytes.Length + 64 * 1024) }.Walk();
        CollectPathModules(tree.Text.Bytes, facts);
        // Checks, flows and parameters only matter where a region can be: drop them for functions without unsafe code
        // (most of them), so the crate's facts stay small until it is linked.
        foreach (var b in facts.FunctionBodies)
        {
            b.ParameterKinds = null;
            if (b.UnsafeBlocks == 0 && !b.IsUnsafe) b.ForgetSoundness();
        }
        return facts;
    }

    private static readonly System.Text.RegularExpressions.Regex s_pathModule = new(
        @"#\s*\[\s*path\s*=\s*""([^""\\]+)""\s*\]\s*(?:#\s*\[[^\]]*\]\s*)*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+([A-Za-z_][A-Za-z0-9_]*)\s*;",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// <c>#[path = "p"] mod name;</c> in the file's text, also where a macro (cfg_if!) holds it, so the compilation
    /// can give the file at p that module path. Text after <c>//</c> on its line is left out.
    /// </summary>
    private static void CollectPathModules(ReadOnlySpan<byte> bytes, FileFacts facts)
    {
        if (bytes.IndexOf("[path"u8) < 0) return;
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        try
        {
            foreach (System.Text.RegularExpressions.Match m in s_pathModule.Matches(text))
            {
                int lineStart = text.LastIndexOf('\n', Math.Max(0, m.Index - 1)) + 1;
                if (text.AsSpan(lineStart, m.Index - lineStart).Contains("//", StringComparison.Ordinal)) continue;
                facts.PathModules.Add(m.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\t" + m.Groups[2].Value + "\t" + m.Groups[1].Value);
            }
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            // A pathological file: no #[path] modules from it.
        }
    }

    private Action<SyntaxNode>? _nodeSink;

    /// <summary>Whether this walk's nodes go to <see cref="_nodeSink"/>: the file's tree and item fragments (code the compiler checks), not the const wrapping an expression macro's arguments.</summary>
    private bool _feedsNodes;

    // Re-parsed macro fragments keep the file's offsets, so each costs a parse of the file up to the fragment. A file
    // with thousands of assert!s in unsafe code (stdarch's tests) made that quadratic: bound the bytes re-parsed per file.
    private sealed class FragmentBudget(long bytes)
    {
        private long _left = bytes;

        public bool CanTake(long bytes) => bytes <= _left;

        public bool TryTake(long bytes)
        {
            if (bytes > _left) return false;
            _left -= bytes;
            return true;
        }
    }

    private FragmentBudget? _budget, _expressionBudget; // items (cfg_if!, s!) are few and matter more: a larger share
    private ParseBudget _parse = ParseBudget.Unlimited;

    /// <summary>The macro_rules! whose body is being scanned ("" elsewhere).</summary>
    private string _macroRules = "";

    /// <summary>
    /// Scanning the arguments of a crate's own macro_rules! called in a function body: the macro pastes them into the
    /// body as code, so unsafe blocks written there are compiled (and linted) like any other, not opaque tokens.
    /// </summary>
    private bool _argumentsAreCode;

    /// <summary>For an expression macro's fragment: the invocation in the real tree, whose text holds the SAFETY comments.</summary>
    private SyntaxNode? _commentScope;

    private void Walk()
    {
        int count = _tree.NodeCount;
        var sink = _feedsNodes ? _nodeSink : null;
        int skipTo = 0; // the end of a subtree Visit handled itself: its nodes still go to the sink
        for (int i = 0; i < count; i++)
        {
            var node = new SyntaxNode(_tree, i);
            sink?.Invoke(node);
            if (i < skipTo) continue;
            ApplyLets(i);
            while (_stack.Count > 0 && _stack[^1].End <= i) Leave();
            if (Visit(node)) skipTo = node.Index + node.DescendantsAndSelf.Count;
        }
        ApplyLets(int.MaxValue);
    }

    /// <summary>
    /// Pops the innermost context. A function's locals go back, emptied, for the next function of this walk: every
    /// function made four maps and a list of its own. Contexts a fragment inherits from its
    /// caller end with the caller (their End is past the fragment), so only this walk's own locals are reused.
    /// </summary>
    private void Leave()
    {
        var c = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        if (c is { Kind: ContextKind.Function, RawLocals: { } raw, MmioLocals: { } mmio, CallOrigins: { } origins, UnsafeFnLocals: { } unsafeFns, PointerParameters: { } pointers })
        {
            raw.Clear();
            mmio.Clear();
            origins.Clear();
            unsafeFns.Clear();
            pointers.Clear();
            _spareLocals.Push((raw, mmio, origins, unsafeFns, pointers));
        }
    }

    private readonly Stack<(HashSet<string>, Dictionary<string, string>, Dictionary<string, PointerOrigin>, HashSet<string>, List<string>)> _spareLocals = new();

    /// <summary><c>let</c> statements whose bindings take effect where the statement ends (node index), in the order seen.</summary>
    private readonly List<(int End, Action Apply)> _pendingLets = [];

    private void ApplyLets(int index)
    {
        for (int k = 0; k < _pendingLets.Count;)
        {
            if (_pendingLets[k].End > index) { k++; continue; }
            var apply = _pendingLets[k].Apply;
            _pendingLets.RemoveAt(k);
            apply();
        }
    }

    /// <summary>Handles one node; returns true when its subtree was handled and must be skipped.</summary>
    private bool Visit(SyntaxNode node)
    {
        _items.Visit(node);
        if (node.Kind == RustSyntaxKind.CallExpression && CurrentFunction()?.Body is { } caller)
        {
            RecordCall(node, caller);
            SoundnessCollector.Visit(node, caller);
        }
        else if (node.Kind is RustSyntaxKind.LetDeclaration or RustSyntaxKind.IfExpression or RustSyntaxKind.WhileExpression or RustSyntaxKind.MacroInvocation or RustSyntaxKind.AssignmentExpression
                 or RustSyntaxKind.CompoundAssignmentExpr or RustSyntaxKind.StructExpression && CurrentFunction()?.Body is { } fn)
            SoundnessCollector.Visit(node, fn);
        switch (node.Kind)
        {
            case RustSyntaxKind.LineComment or RustSyntaxKind.BlockComment:
                if (IsSuppressionComment(node.Utf8Text)) RecordSuppression(node);
                DocTests.Read(node, _docTests, _facts.DocTestCalls);
                return true;
            case RustSyntaxKind.ModItem:
            {
                // Alternative declarations under different #[cfg]s: any `pub` one makes the module public.
                var key = ModuleChildPath(NameOf(node));
                _facts.ModuleDeclarations[key] = _facts.ModuleDeclarations.GetValueOrDefault(key) || SyntaxFacts.Visibility(node) == "pub";
                if (node.ChildByField(RustSyntaxField.Body) is not null)
                    _stack.Add(new Context { Kind = ContextKind.Module, End = End(node), Name = NameOf(node), ModulePath = ModuleChildPath(NameOf(node)), Visibility = SyntaxFacts.Visibility(node), DocHidden = SyntaxTrivia.IsDocHidden(node), TestOnly = InTestModule() || DocTests.IsCfgTest(node) });
                return false;
            }
            case RustSyntaxKind.ImplItem:
                VisitImpl(node);
                return false;
            case RustSyntaxKind.TraitItem:
                VisitTrait(node);
                return false;
            case RustSyntaxKind.FunctionItem:
                VisitFunction(node);
                return false;
            case RustSyntaxKind.FunctionSignatureItem:
                VisitSignature(node);
                return true;
            case RustSyntaxKind.ForeignModItem:
                VisitExternBlock(node);
                return false;
            case RustSyntaxKind.StaticItem:
                VisitStatic(node);
                return false;
            case RustSyntaxKind.UnionItem:
                AddRegion(RegionKind.Union, node, name: NameOf(node), visibility: SyntaxFacts.Visibility(node));
                CollectFields(node, _facts.UnionFields, null);
                if (node.ChildByField(RustSyntaxField.Body) is { } unionBody)
                    foreach (var field in unionBody.Children)
                        if (field.Kind == RustSyntaxKind.FieldDeclaration && field.ChildByField(RustSyntaxField.Name) is { } fieldName)
                        {
                            _facts.UnionTypedFields.Add(NameOf(node) + "." + fieldName.Text);
                            bool derefs = DerefsThrough(field.ChildByField(RustSyntaxField.Type));
                            (derefs ? _facts.DerefUnionFields : _facts.PlaceUnionFields).Add(fieldName.Text);
                            if (derefs) _facts.DerefUnionTypedFields.Add(NameOf(node) + "." + fieldName.Text);
                        }
                DeclareType(node);
                return true;
            case RustSyntaxKind.StructItem:
                if (CollectFields(node, _facts.StructFields, _facts))
                    _facts.TypesWithPublicRawFields.Add(NameOf(node));
                DeclareType(node);
                return true;
            case RustSyntaxKind.EnumItem:
                DeclareType(node);
                break;
            case RustSyntaxKind.TypeItem:
                if (node.ChildByField(RustSyntaxField.Type) is { } aliased && (IsPointerType(aliased) || IsNonNullType(aliased)))
                    _facts.PointerAliases.Add(NameOf(node));
                return true;
            case RustSyntaxKind.ConstItem:
                if (node.ChildByField(RustSyntaxField.Type) is { } constType && IsUnsafeFnPointer(constType))
                    _facts.UnsafeFnConsts.Add(NameOf(node));
                break;
            case RustSyntaxKind.AttributeItem:
                if (CurrentRegion() is { } attributed && SyntaxTrivia.GetAttributeName(node) == "cfg") attributed.HasInnerCfg = true;
                VisitAttribute(node);
                return true;
            case RustSyntaxKind.InnerAttributeItem:
                // #![allow(lint)] covers the enclosing module or file; at file level it may set a crate-wide level.
                if (node.Parent is { } scope) RecordAllowedLints(node, scope.Span);
                if (node.Parent is { Kind: RustSyntaxKind.SourceFile })
                {
                    RecordCrateLintLevels(node);
                    // #![no_std] or #![cfg_attr(not(test), no_std)]: what a kernel-mode crate root must say.
                    if (SyntaxTrivia.GetAttributeName(node) is { } inner && (inner is "no_std" or "no_main" || inner == "cfg_attr" && node.Text.Contains("no_std", StringComparison.Ordinal)))
                        _facts.MarkerAttributes.Add(inner == "cfg_attr" ? "crate:no_std" : "crate:" + inner);
                }
                return true;
            case RustSyntaxKind.UseDeclaration:
                VisitUse(node);
                return true;
            case RustSyntaxKind.UnsafeBlock:
            {
                var fn = CurrentFunction();
                if (fn?.Body is { } body) body.UnsafeBlocks++;
                var draft = AddRegion(RegionKind.UnsafeBlock, node, visibility: fn?.Visibility ?? "private", hasBody: true);
                _stack.Add(new Context { Kind = ContextKind.Region, End = End(node), Region = draft });
                return false;
            }
            case RustSyntaxKind.LetDeclaration:
                VisitLet(node);
                return false;
            case RustSyntaxKind.LetCondition:
                VisitLetCondition(node);
                break;
            case RustSyntaxKind.ClosureExpression:
                VisitCellClosure(node);
                break;
            case RustSyntaxKind.AssignmentExpression:
                VisitAssignment(node);
                return false;
            case RustSyntaxKind.MacroInvocation:
            {
                var holder = CurrentRegion();
                int ops = holder?.Operations.Count ?? 0, candidates = holder?.Candidates.Count ?? 0;
                if (CurrentFunction()?.Body is { } inMacro) DocTests.TokenCalls(node, inMacro.Calls);
                VisitMacro(node);
                if (holder is not null) AnnotateCfg(node, holder, ops, candidates);
                return true;
            }
            case RustSyntaxKind.MacroDefinition:
                if (CurrentRegion() is null)
                {
                    // What the body does outside its own unsafe blocks: does a call of the macro perform unsafe operations?
                    var body = new RegionDraft { Region = new UnsafeRegion { Kind = RegionKind.UnsafeBlock, Location = node.Location, InMacro = true, Item = ItemPath(NameOf(node)), Name = NameOf(node) }, Module = CurrentModule() };
                    _facts.MacroBodies.Add(body);
                    _macroRules = NameOf(node);
                    ScanTokenTrees(node, body);
                    _macroRules = "";
                }
                else
                {
                    ScanTokenTrees(node);
                }
                return true;
        }
        if (CurrentRegion() is { } region)
        {
            int ops = region.Operations.Count, candidates = region.Candidates.Count;
            VisitInRegion(node, region);
            AnnotateCfg(node, region, ops, candidates);
        }
        return false;
    }

    /// <summary>
    /// Marks the operations and candidates just recorded at <paramref name="node"/> with the <c>#[cfg]</c> of the
    /// statement holding them inside the region (only regions that hold a cfg attribute pay for the walk up).
    /// </summary>
    private void AnnotateCfg(SyntaxNode node, RegionDraft region, int ops, int candidates)
    {
        if (!region.HasInnerCfg || (ops == region.Operations.Count && candidates == region.Candidates.Count)) return;
        var cfg = "";
        for (SyntaxNode? n = node; n is { } a && region.Location.SourceSpan.Contains(a.Span.Start) && a.Span.Start != region.Location.SourceSpan.Start; n = a.Parent)
        {
            if (a.Parent is not { Kind: RustSyntaxKind.Block }) continue;
            if (CfgPredicates(a).FirstOrDefault() is { } p) { cfg = p; break; }
        }
        if (cfg.Length == 0) return;
        for (int i = ops; i < region.Operations.Count; i++) region.Operations[i] = region.Operations[i] with { Cfg = cfg };
        for (int i = candidates; i < region.Candidates.Count; i++) region.Candidates[i] = region.Candidates[i] with { Cfg = cfg };
    }

    /// <summary>The predicates of the <c>#[cfg(…)]</c> attributes before a node, as written inside <c>cfg( )</c>.</summary>
    private static IEnumerable<string> CfgPredicates(SyntaxNode node)
    {
        foreach (var a in SyntaxTrivia.GetPrecedingAttributes(node))
        {
            if (SyntaxTrivia.GetAttributeName(a) != "cfg") continue;
            var text = a.Text;
            int open = text.IndexOf('('), close = text.LastIndexOf(')');
            if (open >= 0 && close > open) yield return StringTable.Share(Semantics.CfgAlternatives.Normalize(text[(open + 1)..close]));
        }
    }

    // ---- items ----

    private void VisitImpl(SyntaxNode node)
    {
        _facts.Impls++;
        var type = node.ChildByField(RustSyntaxField.Type);
        var trait = node.ChildByField(RustSyntaxField.Trait);
        var typeName = type is { } t ? TypeName(t) : "";
        if (node.HasChild(RustSyntaxKind.UnsafeKeyword))
        {
            AddRegion(RegionKind.UnsafeImpl, node, name: trait is { } tr ? $"{TypeName(tr)} for {typeName}" : typeName, itemSuffix: typeName);
            if (SoundnessCollector.SendSyncVariance(node) is { Length: > 0 } variance) _facts.SendSyncVariance.Add(node.Location.StartLine + "\t" + variance);
        }
        Push(ContextKind.Impl, node, typeName, traitImpl: trait is not null);
    }

    private void VisitTrait(SyntaxNode node)
    {
        _facts.Traits++;
        var name = NameOf(node);
        if (node.HasChild(RustSyntaxKind.UnsafeKeyword))
            AddRegion(RegionKind.UnsafeTrait, node, name: name, visibility: SyntaxFacts.Visibility(node), itemSuffix: name, safetyDoc: SafetyComments.HasSafetyDocSection(node));
        _stack.Add(new Context { Kind = ContextKind.Trait, End = End(node), Name = name, Visibility = SyntaxFacts.Visibility(node), DocHidden = SyntaxTrivia.IsDocHidden(node) });
    }

    private void VisitFunction(SyntaxNode node)
    {
        var name = NameOf(node);
        var modifiers = node.ChildOfKind(RustSyntaxKind.FunctionModifiers);
        bool isUnsafe = SyntaxFacts.IsUnsafeFunction(node);
        // The macro writes `unsafe` around a free fn written here: rustc checks its body as an unsafe fn's.
        bool madeUnsafe = !isUnsafe && _unsafeFnsBy.Length > 0 && OwnerOf(node) is not (ContextKind.Impl or ContextKind.Trait);
        var abi = modifiers is { } mm && mm.ChildOfKind(RustSyntaxKind.ExternModifier) is { } ext ? AbiOf(ext) : "";
        var owner = OwnerOf(node);
        bool isMethod = owner is ContextKind.Impl or ContextKind.Trait;
        var visibility = owner == ContextKind.Trait ? CurrentOf(ContextKind.Trait)?.Visibility ?? "private" : SyntaxFacts.Visibility(node);
        if (owner == ContextKind.Impl && ImplContext() is { TraitImpl: true }) visibility = "trait-impl";

        if (isMethod) _facts.Methods++;
        else _facts.Functions++;
        if (isUnsafe)
        {
            if (isMethod) _facts.UnsafeMethodCount++;
            else _facts.UnsafeFreeFunctions++;
        }
        Declare(node, name, owner, isUnsafe || madeUnsafe, visibility);

        if (node.ChildByField(RustSyntaxField.ReturnType) is { } ret && (IsPointerType(ret) || IsNonNullType(ret)))
            _facts.PointerReturningFunctions.Add(name);

        var exported = ExportAttribute(node);
        if (abi.Length > 0 || exported is not null)
            AddRegion(RegionKind.FfiEntry, node, name: exported ?? name, visibility: visibility, abi: abi.Length > 0 ? abi : "Rust", itemSuffix: name);

        var (rawLocals, mmioLocals, origins, unsafeFnLocals, pointerParameters) = _spareLocals.TryPop(out var spare) ? spare
            : (new HashSet<string>(StringComparer.Ordinal), new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, PointerOrigin>(StringComparer.Ordinal),
                new HashSet<string>(StringComparer.Ordinal), new List<string>());
        if (node.ChildByField(RustSyntaxField.Parameters) is { } ps)
        {
            foreach (var p in ps.Children)
            {
                if (p.Kind != RustSyntaxKind.Parameter || p.ChildByField(RustSyntaxField.Type) is not { } pt || p.ChildByField(RustSyntaxField.Pattern) is not { } pat) continue;
                // `mut p` binds p too (clippy looks at every binding pattern).
                var bound = pat.Kind == RustSyntaxKind.MutPattern && pat.Children.ToList().LastOrDefault(c => c.IsNamed) is { Kind: RustSyntaxKind.Identifier } inner ? inner : pat;
                if (IsPointerType(pt) || IsNonNullType(pt)) rawLocals.Add(pat.Text);
                else if (IsUnsafeFnPointer(pt)) unsafeFnLocals.Add(pat.Text);
                if (bound.Kind != RustSyntaxKind.Identifier) continue;
                if (IsPointerType(pt))
                {
                    rawLocals.Add(bound.Text);
                    pointerParameters.Add(bound.Text);
                }
                else if (pt.Kind is RustSyntaxKind.TypeIdentifier or RustSyntaxKind.ScopedTypeIdentifier)
                {
                    // A named type: a raw pointer if the crate declares it as an alias of one; a tuple struct's fields are callable.
                    pointerParameters.Add(bound.Text + ":" + LastSegment(pt.Text));
                    origins[bound.Text] = new PointerOrigin(PointerOriginKind.TypeAlias, LastSegment(pt.Text));
                }
            }
        }
        _fnDocHidden = SyntaxTrivia.IsDocHidden(node);
        FunctionBody? body = null;
        if (node.ChildByField(RustSyntaxField.Body) is not null && name.Length > 0)
        {
            body = new FunctionBody
            {
                Item = ItemPath(name), Name = name, OwnerType = owner == ContextKind.Impl ? ImplContext()?.Name ?? "" : "", IsUnsafe = isUnsafe || madeUnsafe,
                Visibility = visibility, IsTest = DocTests.IsTestFunction(node), InTestModule = InTestModule(),
                Location = node.ChildByField(RustSyntaxField.Name)?.Location ?? node.Location,
                Module = CurrentModule(), EndLine = node.Location.EndLine,
            };
            SoundnessCollector.Signature(node, body);
            _facts.FunctionBodies.Add(body);
        }
        _stack.Add(new Context { Kind = ContextKind.Function, End = End(node), Name = name, Visibility = visibility, Abi = abi, IsUnsafe = isUnsafe || madeUnsafe, RawLocals = rawLocals, MmioLocals = mmioLocals, CallOrigins = origins, TargetFeature = HasTargetFeature(node), UnsafeFnLocals = unsafeFnLocals, PointerParameters = pointerParameters, Body = body, LocalFns = LocalFunctions(node) });
        if (isUnsafe || madeUnsafe)
        {
            var draft = AddRegion(madeUnsafe ? RegionKind.MacroUnsafeFn : RegionKind.UnsafeFn, node, name: name, visibility: visibility, abi: abi,
                safetyDoc: SafetyComments.HasSafetyDocSection(node), hasBody: node.ChildByField(RustSyntaxField.Body) is not null);
            _stack.Add(new Context { Kind = ContextKind.Region, End = End(node), Region = draft });
        }
    }

    /// <summary>The fns declared as items in a function's body (in any of its blocks, not inside a nested fn, impl, trait or module).</summary>
    private static Dictionary<string, bool>? LocalFunctions(SyntaxNode fn)
    {
        if (fn.ChildByField(RustSyntaxField.Body) is not { } body) return null;
        Dictionary<string, bool>? result = null;
        foreach (var d in body.Descendants)
        {
            if (d.Kind != RustSyntaxKind.FunctionItem || NameOf(d) is not { Length: > 0 } local) continue;
            bool direct = true;
            for (var a = d.Parent; a is { } x && x != body; a = x.Parent)
                if (x.Kind is RustSyntaxKind.FunctionItem or RustSyntaxKind.ImplItem or RustSyntaxKind.TraitItem or RustSyntaxKind.ModItem or RustSyntaxKind.MacroInvocation) { direct = false; break; }
            if (!direct) continue;
            result ??= new(StringComparer.Ordinal);
            // Two fns of one name in different blocks: unsafe if either is (the blocks are not told apart).
            result[local] = (result.TryGetValue(local, out var u) && u) || SyntaxFacts.IsUnsafeFunction(d);
        }
        return result;
    }

    /// <summary>Whether a call of the plain name calls an unsafe fn declared in an enclosing function's body; null if none declares it.</summary>
    private bool? LocalFnIsUnsafe(string name)
    {
        for (int i = _stack.Count - 1; i >= 0; i--)
            if (_stack[i].Kind == ContextKind.Function && _stack[i].LocalFns is { } locals && locals.TryGetValue(name, out var isUnsafe)) return isUnsafe;
        return null;
    }

    private void VisitSignature(SyntaxNode node)
    {
        var name = NameOf(node);
        var owner = OwnerOf(node);
        if (owner == ContextKind.ExternBlock)
        {
            bool declaredSafe = _tree.HasRecoveredKeyword(node.Span, "safe");
            (declaredSafe ? _facts.SafeExternFunctions : _facts.ExternFunctions).Add(name);
            AddRegion(RegionKind.ExternFn, node, name: name, visibility: SyntaxFacts.Visibility(node), abi: CurrentOf(ContextKind.ExternBlock)?.Abi ?? "C", itemSuffix: name);
            return;
        }
        var modifiers = node.ChildOfKind(RustSyntaxKind.FunctionModifiers);
        bool isUnsafe = modifiers is { } m && m.HasChild(RustSyntaxKind.UnsafeKeyword);
        // Trait items have no visibility of their own: they are as visible as the trait.
        var visibility = owner == ContextKind.Trait ? CurrentOf(ContextKind.Trait)?.Visibility ?? "private" : SyntaxFacts.Visibility(node);
        Declare(node, name, owner, isUnsafe, visibility);
        if (node.ChildByField(RustSyntaxField.ReturnType) is { } ret && (IsPointerType(ret) || IsNonNullType(ret)))
            _facts.PointerReturningFunctions.Add(name);
        if (isUnsafe)
        {
            AddRegion(RegionKind.UnsafeFn, node, name: name, visibility: visibility, safetyDoc: SafetyComments.HasSafetyDocSection(node), itemSuffix: name);
        }
    }

    /// <summary>Records a function for call resolution: free functions under their module, items of impls and traits under the type or trait.</summary>
    private void Declare(SyntaxNode fn, string name, ContextKind? owner, bool isUnsafe, string visibility)
    {
        if (name.Length == 0) return;
        bool inImplOrTrait = owner is ContextKind.Impl or ContextKind.Trait;
        var shape = !inImplOrTrait ? FunctionShape.Free : HasSelf(fn) ? FunctionShape.Method : FunctionShape.Associated;
        var ownerName = !inImplOrTrait ? CurrentModule() : (owner == ContextKind.Trait ? CurrentOf(ContextKind.Trait)?.Name : ImplContext()?.Name) ?? "";
        bool isPublic = visibility is "pub" or "trait-impl" || owner == ContextKind.Trait;
        _facts.FunctionDeclarations.Add(new FunctionDeclaration(name, ownerName, shape, isUnsafe, isPublic));
    }

    private static bool HasTargetFeature(SyntaxNode fn)
        => SyntaxTrivia.AnyPrecedingAttribute(fn, static a => SyntaxTrivia.GetAttributeName(a) == "target_feature");

    /// <summary>The module path here: the file's module and the inline <c>mod</c>s around.</summary>
    // Asked for every item and region: the innermost inline module's path, made once when it was entered.
    private string CurrentModule()
    {
        for (int i = _stack.Count - 1; i >= 0; i--)
            if (_stack[i].Kind == ContextKind.Module) return _stack[i].ModulePath;
        return _modulePath;
    }

    private void VisitExternBlock(SyntaxNode node)
    {
        var abi = node.ChildOfKind(RustSyntaxKind.ExternModifier) is { } ext ? AbiOf(ext) : "C";
        AddRegion(RegionKind.ExternBlock, node, name: _tree.HasRecoveredKeyword(node.Span, "unsafe") ? "unsafe extern" : "extern", abi: abi);
        Push(ContextKind.ExternBlock, node, "", abi: abi);
    }

    /// <summary>A <c>pub</c> struct, enum or union: a trait impl for it is as exported as the type.</summary>
    private void DeclareType(SyntaxNode node)
    {
        if (SyntaxFacts.Visibility(node) == "pub" && CurrentFunction() is null) _facts.PublicTypes.Add(Join(CurrentModule(), NameOf(node)));
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "::" + b;

    private void VisitStatic(SyntaxNode node)
    {
        var name = NameOf(node);
        if (node.ChildByField(RustSyntaxField.Type) is { } staticType && IsUnsafeFnPointer(staticType)) _facts.UnsafeFnConsts.Add(name);
        if (OwnerOf(node) == ContextKind.ExternBlock)
        {
            _facts.ExternStatics.Add(name);
            AddRegion(RegionKind.ExternStatic, node, name: name, visibility: SyntaxFacts.Visibility(node), abi: CurrentOf(ContextKind.ExternBlock)?.Abi ?? "C", itemSuffix: name);
        }
        else if (node.HasChild(RustSyntaxKind.MutableSpecifier))
        {
            _facts.StaticMuts.Add(name);
            AddRegion(RegionKind.StaticMut, node, name: name, visibility: SyntaxFacts.Visibility(node), itemSuffix: name);
        }
    }

    private void VisitAttribute(SyntaxNode node)
    {
        var name = SyntaxTrivia.GetAttributeName(node);
        if (name is "global_allocator" or "panic_handler") _facts.MarkerAttributes.Add(name);
        if (name is "allow" or "expect" && NextItem(node) is { } covered)
            RecordAllowedLints(node, TextSpan.FromBounds(node.Span.Start, covered.Span.End));
        bool unsafeAttribute = name is "no_mangle" or "export_name" or "link_section" or "unsafe"
            || (name == "cfg_attr" && HasUnsafeAttributeToken(node));
        if (!unsafeAttribute) return;
        var target = NextItem(node);
        AddRegion(RegionKind.UnsafeAttribute, node, name: AttributeText(node),
            visibility: target is { } t ? SyntaxFacts.Visibility(t) : "private", itemSuffix: target is { } tt ? NameOf(tt) : "");
    }

    /// <summary>Records the lints of <c>allow(…)</c>/<c>expect(…)</c>: <c>clippy::name</c> or a rustc lint name.</summary>
    private void RecordAllowedLints(SyntaxNode attribute, TextSpan scope)
    {
        if (SyntaxTrivia.GetAttributeName(attribute) is not ("allow" or "expect")) return;
        foreach (var lint in AttributeLints(attribute))
            if (!lint.Contains("::", StringComparison.Ordinal) || lint.StartsWith("clippy::", StringComparison.Ordinal)) _facts.AllowedLints.Add((scope, lint));
    }

    /// <summary>A file-level <c>#![allow|expect|warn|deny|forbid(lint, …)]</c>: the level of each lint it names.</summary>
    private void RecordCrateLintLevels(SyntaxNode attribute)
    {
        var level = SyntaxTrivia.GetAttributeName(attribute);
        if (level is not ("allow" or "expect" or "warn" or "deny" or "forbid")) return;
        foreach (var lint in AttributeLints(attribute))
            _facts.CrateLintAttributes.Add((level == "expect" ? "allow" : level, lint, attribute.StartLine + 1));
    }

    /// <summary>The lints a lint-level attribute names: <c>tool::name</c> or a rustc lint name.</summary>
    private static IEnumerable<string> AttributeLints(SyntaxNode attribute)
    {
        SyntaxNode? args = null;
        foreach (var n in attribute.Descendants)
            if (n.Kind == RustSyntaxKind.TokenTree) { args = n; break; }
        if (args is null) yield break;
        var tokens = MacroTokens.GetTokens(args.Value);
        for (int i = 0; i < tokens.Length; i++)
        {
            // A tool name (`clippy` in `clippy::x`) is not a lint.
            if (tokens[i].Kind != RustSyntaxKind.Identifier || i + 1 < tokens.Length && tokens[i + 1].Kind == RustSyntaxKind.ColonColonToken) continue;
            bool qualified = i >= 2 && tokens[i - 1].Kind == RustSyntaxKind.ColonColonToken;
            yield return qualified ? tokens[i - 2].Text + "::" + tokens[i].Text : tokens[i].Text;
        }
    }

    private static bool HasUnsafeAttributeToken(SyntaxNode attribute)
    {
        foreach (var n in attribute.Descendants)
            if (n.Kind == RustSyntaxKind.UnsafeKeyword || (n.Kind == RustSyntaxKind.Identifier && (n.TextEquals("no_mangle") || n.TextEquals("export_name") || n.TextEquals("link_section"))))
                return true;
        return false;
    }

    private static string AttributeText(SyntaxNode attributeItem)
    {
        var attr = attributeItem.ChildOfKind(RustSyntaxKind.Attribute);
        return string.Join(' ', (attr?.Text ?? attributeItem.Text).Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
    }

    private static SyntaxNode? NextItem(SyntaxNode attributeItem)
    {
        for (var s = attributeItem.NextSibling; s is { } n; s = n.NextSibling)
            if (!n.IsComment && n.Kind != RustSyntaxKind.AttributeItem) return n;
        return null;
    }

    /// <summary>The exported symbol name of a function with #[no_mangle] / #[export_name = "…"] (plain, unsafe(…) or cfg_attr), or null.</summary>
    private static string? ExportAttribute(SyntaxNode fn)
    {
        // Asked for every function; the attribute names below are in the text of any attribute that has them.
        if (!SyntaxTrivia.AnyPrecedingAttribute(fn, static a => a.Utf8Text.IndexOf("no_mangle"u8) >= 0 || a.Utf8Text.IndexOf("export_name"u8) >= 0))
            return null;
        foreach (var attr in SyntaxTrivia.GetPrecedingAttributes(fn))
        {
            string? exported = null;
            bool noMangle = false;
            foreach (var n in attr.Descendants)
            {
                if (n.Kind == RustSyntaxKind.Identifier && n.TextEquals("no_mangle")) noMangle = true;
                if (n.Kind == RustSyntaxKind.Identifier && n.TextEquals("export_name"))
                {
                    for (var s = n.NextSibling; s is { } q; s = q.NextSibling)
                        if (q.Kind == RustSyntaxKind.StringLiteral) { exported = Unquote(q.Text); break; }
                }
            }
            if (exported is not null) return exported;
            if (noMangle) return NameOf(fn);
        }
        return null;
    }

    private void VisitUse(SyntaxNode node)
    {
        if (node.ChildByField(RustSyntaxField.Argument) is not { } arg) return;
        CollectUse(arg, "");
        if (SyntaxFacts.Visibility(node) == "pub") CollectReexports(arg, "", CurrentModule());
    }

    /// <summary>The paths a <c>pub use</c> re-exports, one per leaf (<c>a::{B, c::*}</c> → a::B, a::c::*).</summary>
    private void CollectReexports(SyntaxNode node, string prefix, string module)
    {
        string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "::" + b;
        switch (node.Kind)
        {
            case RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.Self or RustSyntaxKind.Crate or RustSyntaxKind.Super:
                _facts.Reexports.Add((module, Join(prefix, node.Text)));
                break;
            case RustSyntaxKind.UseAsClause when node.ChildByField(RustSyntaxField.Path) is { } p:
                _facts.Reexports.Add((module, Join(prefix, p.Text)));
                break;
            case RustSyntaxKind.UseWildcard:
            {
                var inner = node.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
                _facts.Reexports.Add((module, Join(Join(prefix, inner.Tree is null ? "" : inner.Text), "*")));
                break;
            }
            case RustSyntaxKind.ScopedUseList:
                if (node.ChildByField(RustSyntaxField.List) is { } list)
                    CollectReexports(list, node.ChildByField(RustSyntaxField.Path) is { } sp ? Join(prefix, sp.Text) : prefix, module);
                break;
            case RustSyntaxKind.UseList:
                foreach (var c in node.Children)
                    if (c.IsNamed && !c.IsComment) CollectReexports(c, prefix, module);
                break;
        }
    }

    private void CollectUse(SyntaxNode node, string prefix)
    {
        string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "::" + b;
        switch (node.Kind)
        {
            case RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.Crate or RustSyntaxKind.Self or RustSyntaxKind.Super:
            {
                // Shared: the same imports recur in every file of a crate, and the facts live until it links.
                var path = StringTable.Share(Join(prefix, node.Text));
                var local = StringTable.Share(LastSegment(path));
                if (local != "self") _facts.Imports[local] = path;
                else if (prefix.Length > 0) _facts.Imports[StringTable.Share(LastSegment(prefix))] = prefix;
                break;
            }
            case RustSyntaxKind.UseAsClause:
                if (node.ChildByField(RustSyntaxField.Path) is { } p && node.ChildByField(RustSyntaxField.Alias) is { } alias)
                    _facts.Imports[alias.Text] = StringTable.Share(Join(prefix, p.Text));
                break;
            case RustSyntaxKind.UseWildcard:
            {
                var inner = node.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
                _facts.GlobImports.Add(Join(prefix, inner.Tree is null ? "" : inner.Text));
                break;
            }
            case RustSyntaxKind.ScopedUseList:
            {
                var path = node.ChildByField(RustSyntaxField.Path) is { } sp ? Join(prefix, sp.Text) : prefix;
                if (node.ChildByField(RustSyntaxField.List) is { } list) CollectUse(list, path);
                break;
            }
            case RustSyntaxKind.UseList:
                foreach (var c in node.Children)
                    if (c.IsNamed && !c.IsComment) CollectUse(c, prefix);
                break;
        }
    }

    // ---- statements that teach pointer facts ----

    private void VisitLet(SyntaxNode node)
    {
        if (CurrentFunction() is not { RawLocals: { } raw, MmioLocals: { } mmio, CallOrigins: { } origins }) return;
        if (node.ChildByField(RustSyntaxField.Pattern) is not { } pat) return;
        var name = pat.Kind == RustSyntaxKind.MutPattern ? pat.Children.ToList().LastOrDefault(c => c.IsNamed).Text ?? pat.Text : pat.Text;
        if (pat.Kind is not (RustSyntaxKind.Identifier or RustSyntaxKind.MutPattern)) return;
        var type = node.ChildByField(RustSyntaxField.Type);
        var value = node.ChildByField(RustSyntaxField.Value);
        var fn = CurrentFunction()!;
        // The new binding exists only after the statement: `let p = f(*p)` still reads the old p (a pointer parameter,
        // say) in its initializer. Record what the let says now, apply it when the walk leaves the statement.
        _pendingLets.Add((End(node), () => Bind(fn, name, type, value, raw, mmio, origins)));
    }

    /// <summary>The effect of a <c>let</c> on what the function knows of its locals (see <see cref="VisitLet"/>).</summary>
    private void Bind(Context fn, string name, SyntaxNode? type, SyntaxNode? value, HashSet<string> raw, Dictionary<string, string> mmio, Dictionary<string, PointerOrigin> origins)
    {
        // A later `let` shadows: forget what an earlier one said.
        raw.Remove(name);
        origins.Remove(name);
        fn.PointerParameters?.RemoveAll(p => p == name || p.StartsWith(name + ":", StringComparison.Ordinal));
        fn.UnsafeFnLocals?.Remove(name);
        if (type is { } ft && IsUnsafeFnPointer(ft)) fn.UnsafeFnLocals?.Add(name);
        if (type is { Kind: RustSyntaxKind.TypeIdentifier or RustSyntaxKind.ScopedTypeIdentifier } named) origins[name] = new PointerOrigin(PointerOriginKind.TypeAlias, LastSegment(named.Text));
        if ((type is { } t && (IsPointerType(t) || IsNonNullType(t))) || (value is { } v && (IsRawPointerExpression(v) || ProducesNonNull(v)))) raw.Add(name);
        else if (value is { } init && OriginOf(init) is { Kind: not PointerOriginKind.None } origin) origins[name] = origin;
        if (value is { } val && MappingApi(val) is { } api)
        {
            mmio[name] = api;
            raw.Add(name);
        }
    }

    /// <summary><c>if let Some(f) = x.field</c> / <c>Some(ref f)</c>: f holds what the field holds (an unsafe fn pointer, say).</summary>
    private void VisitLetCondition(SyntaxNode node)
    {
        if (CurrentFunction() is not { CallOrigins: { } origins }) return;
        if (node.ChildByField(RustSyntaxField.Pattern) is not { Kind: RustSyntaxKind.TupleStructPattern } pat || node.ChildByField(RustSyntaxField.Value) is not { } value) return;
        if (pat.ChildByField(RustSyntaxField.Type) is not { } ctor || ctor.Text != "Some") return;
        SyntaxNode? bound = null;
        foreach (var c in pat.Children)
            if (c.IsNamed && !c.IsComment && c.Field != RustSyntaxField.Type) { bound = bound is null ? c : null; if (bound is null) return; }
        if (bound is not { } b) return;
        if (b.Kind == RustSyntaxKind.RefPattern) b = b.Children.ToList().LastOrDefault(c => c.IsNamed);
        if (b.Tree is null || b.Kind != RustSyntaxKind.Identifier) return;
        if (OriginOf(value) is { Kind: not PointerOriginKind.None } origin) origins[b.Text] = origin;
    }

    /// <summary>
    /// Loom-style UnsafeCell access: <c>cell.with_mut(|ptr| …)</c> hands the closure the cell's raw pointer (no std type
    /// has a with_mut taking a closure); <c>x.cell.with(|ptr| …)</c> too when <c>cell</c> is an UnsafeCell field.
    /// </summary>
    private void VisitCellClosure(SyntaxNode closure)
    {
        if (CurrentFunction() is not { CallOrigins: { } origins, RawLocals: { } raw }) return;
        if (closure.Parent is not { Kind: RustSyntaxKind.Arguments } args || args.Parent is not { Kind: RustSyntaxKind.CallExpression } call
            || call.ChildByField(RustSyntaxField.Function) is not { Kind: RustSyntaxKind.FieldExpression } f
            || f.ChildByField(RustSyntaxField.Field)?.Text is not ({ } method and ("with_mut" or "with"))) return;
        if (closure.ChildByField(RustSyntaxField.Parameters) is not { } ps) return;
        var first = ps.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
        if (first.Tree is null || first.Kind != RustSyntaxKind.Identifier) return;
        if (method == "with_mut")
        {
            raw.Add(first.Text);
            return;
        }
        if (f.ChildByField(RustSyntaxField.Value) is { } recv && SyntaxFacts.Strip(recv) is { Kind: RustSyntaxKind.FieldExpression } cell
            && cell.ChildByField(RustSyntaxField.Field) is { Kind: RustSyntaxKind.FieldIdentifier } cellField)
            origins[first.Text] = new PointerOrigin(PointerOriginKind.CellField, cellField.Text);
    }

    private void VisitAssignment(SyntaxNode node)
    {
        if (CurrentFunction() is not { RawLocals: { } raw, MmioLocals: { } mmio }) return;
        if (node.ChildByField(RustSyntaxField.Left) is not { } left || node.ChildByField(RustSyntaxField.Right) is not { } right) return;
        var key = left.Kind == RustSyntaxKind.FieldExpression && left.ChildByField(RustSyntaxField.Field) is { } f ? "." + f.Text : left.Text;
        if (MappingApi(right) is { } api)
        {
            mmio[key] = api;
            raw.Add(key);
        }
        else if (IsRawPointerExpression(right))
        {
            raw.Add(key);
        }
    }

    /// <summary>The mapping API (MMIO catalog kind <c>map</c>) called in an expression, if any.</summary>
    private string? MappingApi(SyntaxNode expr)
    {
        foreach (var n in expr.DescendantsAndSelf)
        {
            if (n.Kind == RustSyntaxKind.CallExpression && n.ChildByField(RustSyntaxField.Function) is { } f)
            {
                var name = LastSegment(CalleePath(f));
                if (_catalog.Mmio.TryGetValue(name, out var e) && e.Kind == "map") return name;
            }
            else if (n.Kind == RustSyntaxKind.MacroInvocation && IsWdfBinding(MacroName(n)) && MacroTokens.GetArguments(n) is { Length: > 0 } args
                     && args[0].Length > 0 && _catalog.Mmio.TryGetValue(args[0][^1].Text, out var me) && me.Kind == "map")
            {
                return args[0][^1].Text;
            }
        }
        return null;
    }

    private static bool ProducesPointer(SyntaxNode expr)
    {
        var e = SyntaxFacts.Strip(expr);
        switch (e.Kind)
        {
            case RustSyntaxKind.TypeCastExpression:
                return e.ChildByField(RustSyntaxField.Type) is { } t && IsPointerType(t);
            case RustSyntaxKind.ReferenceExpression:
                return e.HasChild(RustSyntaxKind.RawKeyword);
            case RustSyntaxKind.CallExpression when e.ChildByField(RustSyntaxField.Function) is { } f:
            {
                // `p.cast::<T>()`: the method under the generic arguments.
                if (f.Kind == RustSyntaxKind.GenericFunction && f.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.FieldExpression } gm) f = gm;
                var name = f.Kind == RustSyntaxKind.FieldExpression && f.ChildByField(RustSyntaxField.Field) is { } m ? m.Text : LastSegment(CalleePath(f));
                return name is "null" or "null_mut" or "as_ptr" or "as_mut_ptr" or "cast" or "cast_mut" or "cast_const" or "add" or "offset" or "sub"
                    or "byte_add" or "wrapping_add" or "wrapping_offset" or "into_raw" or "from_exposed_addr" or "with_exposed_provenance" or "dangling" or "as_non_null_ptr";
            }
            case RustSyntaxKind.MacroInvocation:
                return MacroName(e) is "addr_of" or "addr_of_mut";
        }
        return false;
    }

    private static bool IsPointerType(SyntaxNode type) => type.Kind == RustSyntaxKind.PointerType;

    /// <summary><c>NonNull::new_unchecked(…)</c>, <c>NonNull::from(…)</c>, <c>NonNull::dangling()</c> (through unsafe blocks).</summary>
    private static bool ProducesNonNull(SyntaxNode expr)
    {
        var e = SyntaxFacts.Strip(expr);
        if (e.Kind == RustSyntaxKind.UnsafeBlock && e.ChildOfKind(RustSyntaxKind.Block) is { } b && LastExpression(b) is { } last) e = SyntaxFacts.Strip(last);
        if (e.Kind != RustSyntaxKind.CallExpression || e.ChildByField(RustSyntaxField.Function) is not { } f) return false;
        var path = CalleePath(f is { Kind: RustSyntaxKind.GenericFunction } g && g.ChildByField(RustSyntaxField.Function) is { } inner ? inner : f);
        return path.EndsWith("NonNull::new_unchecked", StringComparison.Ordinal) || path.EndsWith("NonNull::from", StringComparison.Ordinal)
            || path.EndsWith("NonNull::dangling", StringComparison.Ordinal);
    }

    /// <summary>
    /// Where a value that is not syntactically a raw pointer came from, for the crate link to decide: a local's recorded
    /// origin, a field (<c>x.ptr</c>), a cell field's getter (<c>x.slot.get()</c>), or a call (through unsafe blocks, parentheses and `?`).
    /// </summary>
    private PointerOrigin OriginOf(SyntaxNode expr)
    {
        var e = expr;
        for (int guard = 0; guard < 8; guard++)
        {
            switch (e.Kind)
            {
                case RustSyntaxKind.UnsafeBlock when e.ChildOfKind(RustSyntaxKind.Block) is { } b && LastExpression(b) is { } last:
                    e = last;
                    continue;
                case RustSyntaxKind.ParenthesizedExpression or RustSyntaxKind.TryExpression when e.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } inner:
                    e = inner;
                    continue;
                case RustSyntaxKind.Identifier:
                    return CurrentFunction()?.CallOrigins is { } origins && origins.TryGetValue(e.Text, out var o) ? o : PointerOrigin.None;
                // `U { i: 0 }`: a value of the type the literal names (a union's fields are then known).
                case RustSyntaxKind.StructExpression when e.ChildByField(RustSyntaxField.Name) is { Kind: RustSyntaxKind.TypeIdentifier or RustSyntaxKind.ScopedTypeIdentifier } literal:
                    return new PointerOrigin(PointerOriginKind.TypeAlias, LastSegment(literal.Text));
                case RustSyntaxKind.FieldExpression when e.ChildByField(RustSyntaxField.Field) is { Kind: RustSyntaxKind.FieldIdentifier or RustSyntaxKind.IntegerLiteral } field:
                    return new PointerOrigin(e.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Self } ? PointerOriginKind.SelfField : PointerOriginKind.Field, field.Text);
                case RustSyntaxKind.CallExpression when e.ChildByField(RustSyntaxField.Function) is { } f:
                {
                    if (f.Kind == RustSyntaxKind.GenericFunction && f.ChildByField(RustSyntaxField.Function) is { } g) f = g;
                    if (f.Kind != RustSyntaxKind.FieldExpression) return CalleePath(f) is { Length: > 0 } p ? new PointerOrigin(PointerOriginKind.Call, LastSegment(p)) : PointerOrigin.None;
                    var method = f.ChildByField(RustSyntaxField.Field)?.Text ?? "";
                    // `x.f.expect(…)`, `x.f.unwrap()`: what the Option field holds.
                    if (method is "expect" or "unwrap" or "unwrap_unchecked" && f.ChildByField(RustSyntaxField.Value) is { } held)
                    {
                        e = held;
                        continue;
                    }
                    if (method is "get" or "load" or "swap" && f.ChildByField(RustSyntaxField.Value) is { } recv && SyntaxFacts.Strip(recv) is { Kind: RustSyntaxKind.FieldExpression } cell
                        && cell.ChildByField(RustSyntaxField.Field) is { Kind: RustSyntaxKind.FieldIdentifier } cellField)
                        return new PointerOrigin(PointerOriginKind.CellField, cellField.Text);
                    return method.Length > 0 ? new PointerOrigin(PointerOriginKind.Call, method) : PointerOrigin.None;
                }
            }
            return PointerOrigin.None;
        }
        return PointerOrigin.None;
    }

    private static SyntaxNode? LastExpression(SyntaxNode block)
    {
        SyntaxNode? last = null;
        foreach (var c in block.Children)
            if (c.IsNamed && !c.IsComment) last = c;
        return last is { Kind: not (RustSyntaxKind.LetDeclaration or RustSyntaxKind.ExpressionStatement) } ? last : null;
    }

    // ---- inside regions ----

    private void VisitInRegion(SyntaxNode node, RegionDraft region)
    {
        switch (node.Kind)
        {
            case RustSyntaxKind.CallExpression when node.ChildByField(RustSyntaxField.Function) is { } f:
                VisitCall(node, f, region);
                break;
            // `&raw const *p`, `&raw mut STATIC`: taking the address reads and writes nothing (the pointer expression is still checked).
            case RustSyntaxKind.UnaryExpression when node.HasChild(RustSyntaxKind.AsteriskToken) && !DirectlyUnderRawBorrow(node):
                VisitDeref(node, region);
                break;
            case RustSyntaxKind.Identifier when IsValuePath(node) && !DirectlyUnderRawBorrow(node):
                if (node.Utf8Text.Length > 0 && char.IsAsciiLetterUpper((char)node.Utf8Text[0]))
                    region.Candidates.Add(new Candidate(CandidateKind.Ident, node.Text, node.Text, node.Location));
                break;
            case RustSyntaxKind.ScopedIdentifier when IsValuePath(node):
                region.Candidates.Add(new Candidate(CandidateKind.Ident, LastSegment(node.Text), node.Text, node.Location));
                break;
            case RustSyntaxKind.FieldExpression when node.Field != RustSyntaxField.Function && node.ChildByField(RustSyntaxField.Field) is { } field && UnderRawBorrow(node):
                // `&raw const w.s.i`: a prefix of the path, read when the path derefs through it (decided at link, by types).
                if (RawPlaceFieldsAbove(node) is { } between)
                {
                    var receiver = node.ChildByField(RustSyntaxField.Value) is { } v ? SyntaxFacts.Strip(v) : default;
                    var origin = receiver is { Kind: RustSyntaxKind.Identifier } ? OriginOf(receiver) : PointerOrigin.None;
                    region.Candidates.Add(new Candidate(CandidateKind.RawPlaceField, field.Text, node.Text, node.Location, between, Origin: origin));
                }
                break;
            case RustSyntaxKind.FieldExpression when node.Field != RustSyntaxField.Function && node.ChildByField(RustSyntaxField.Field) is { } field:
            {
                var receiver = node.ChildByField(RustSyntaxField.Value) is { } v ? SyntaxFacts.Strip(v) : default;
                var origin = receiver is { Kind: RustSyntaxKind.Identifier } ? OriginOf(receiver) : PointerOrigin.None;
                region.Candidates.Add(new Candidate(CandidateKind.Field, field.Text, node.Text, node.Location, Origin: origin));
                break;
            }
        }
    }

    private void VisitCall(SyntaxNode call, SyntaxNode function, RegionDraft region)
    {
        // `x.m::<T>()` is a method call too.
        if (function.Kind == RustSyntaxKind.GenericFunction && function.ChildByField(RustSyntaxField.Function) is { Kind: RustSyntaxKind.FieldExpression } generic)
            function = generic;
        // Calls through function pointers: a parameter or local declared `unsafe fn`, or a field or local that holds one.
        var arguments = ArgumentOperands(call);
        if (function.Kind == RustSyntaxKind.Identifier && CurrentFunction()?.UnsafeFnLocals?.Contains(function.Text) == true)
        {
            region.Operations.Add(new UnsafeOperation(OperationKind.UnsafeCall, function.Text, call.Location) { Operands = arguments });
            return;
        }
        // `x.0()`: a call of the tuple struct field 0, an unsafe fn when the struct (x's declared or constructed type) says so.
        if (function.Kind == RustSyntaxKind.FieldExpression && function.ChildByField(RustSyntaxField.Field) is { Kind: RustSyntaxKind.IntegerLiteral } index
            && function.ChildByField(RustSyntaxField.Value) is { } holder)
        {
            region.Candidates.Add(new Candidate(CandidateKind.Call, index.Text, function.Text, call.Location, Origin: OriginOf(SyntaxFacts.Strip(holder))) { Operands = arguments });
            return;
        }
        if (SyntaxFacts.Strip(function) is { } callee && (callee.Kind == RustSyntaxKind.FieldExpression && function.Kind == RustSyntaxKind.ParenthesizedExpression
            || callee.Kind == RustSyntaxKind.Identifier) && OriginOf(callee) is { Kind: PointerOriginKind.Field or PointerOriginKind.SelfField } held)
        {
            region.Candidates.Add(new Candidate(CandidateKind.Call, callee.Text, callee.Text, call.Location, Origin: held) { Operands = arguments });
            return;
        }
        if (function.Kind == RustSyntaxKind.FieldExpression)
        {
            var method = function.ChildByField(RustSyntaxField.Field)?.Text ?? "";
            var receiver = function.ChildByField(RustSyntaxField.Value);
            var receiverText = receiver?.Text ?? "";
            bool raw = receiver is { } r && IsRawPointerExpression(r);
            var origin = !raw && receiver is { } rc ? OriginOf(SyntaxFacts.Strip(rc)) : PointerOrigin.None;
            var operands = receiver is { } rv && OperandOf(rv) is { } ro ? arguments.Insert(0, ro) : arguments;
            region.Candidates.Add(new Candidate(CandidateKind.MethodCall, method, method, function.ChildByField(RustSyntaxField.Field)!.Value.Location, receiverText, raw, origin) { Operands = operands });
            if (_catalog.Mmio.TryGetValue(method, out var m) && m.Forms.Contains("method"))
                region.Mmio.Add(new MmioAccess(m.Kind, method, receiverText, call.Location));
            return;
        }
        if (function.Kind == RustSyntaxKind.Identifier && LocalFnIsUnsafe(function.Text) is { } localUnsafe)
        {
            if (localUnsafe) region.Operations.Add(new UnsafeOperation(OperationKind.UnsafeCall, function.Text, call.Location) { Operands = arguments });
            return;
        }
        var path = ResolveImport(CalleePath(function));
        var name = LastSegment(path);
        region.Candidates.Add(new Candidate(CandidateKind.Call, name, path, call.Location) { Operands = arguments });
        // core::arch intrinsics carry #[target_feature]: calling one is unsafe outside a #[target_feature] fn
        // (the pointer-taking ones are unsafe fns everywhere: the catalog's prefixes, resolved at link).
        if (_catalog.IsTargetFeatureIntrinsic(name) && CurrentFunction() is { TargetFeature: false } && !_catalog.UnsafeStdPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
            region.Operations.Add(new UnsafeOperation(OperationKind.UnsafeCall, name, call.Location) { Operands = arguments });
        if (_catalog.Mmio.TryGetValue(name, out var e) && (e.Forms.Contains("free") || (e.Forms.Contains("path") && path.Contains("::", StringComparison.Ordinal))))
        {
            var args = call.ChildByField(RustSyntaxField.Arguments);
            var first = args?.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment);
            region.Mmio.Add(new MmioAccess(e.Kind, name, first is { Tree: not null } a ? a.Text : "", call.Location));
        }
    }

    private void VisitDeref(SyntaxNode deref, RegionDraft region)
    {
        var operand = deref.Children.ToList().LastOrDefault(c => c.IsNamed && !c.IsComment);
        if (operand.Tree is null) return;
        var fn = CurrentFunction();
        var key = SyntaxFacts.Strip(operand);
        string fieldKey = key.Kind == RustSyntaxKind.FieldExpression && key.ChildByField(RustSyntaxField.Field) is { } f ? "." + f.Text : key.Text;
        bool raw = IsRawPointerExpression(operand);
        if (fn?.MmioLocals is { } mmio && mmio.TryGetValue(fieldKey, out var api))
            region.Mmio.Add(new MmioAccess(IsWritten(deref) ? "deref-write" : "deref-read", api, operand.Text, deref.Location));
        // Name: the field for `*x.f`; Origin: the callee x was initialised from (raw if it returns a pointer).
        string name = key.Kind == RustSyntaxKind.FieldExpression ? fieldKey[1..] : "";
        // `*self.0`, `*self.ptr`: the field of the impl's own type decides; other field derefs go by the field's name (Name).
        var origin = raw ? PointerOrigin.None
            : key.Kind == RustSyntaxKind.FieldExpression ? (key.ChildByField(RustSyntaxField.Value) is { Kind: RustSyntaxKind.Self } ? OriginOf(key) : PointerOrigin.None)
            : OriginOf(key);
        // A bindgen static (`*wdk_sys::WdfDriverGlobals`) is a raw pointer.
        if (key.Kind == RustSyntaxKind.ScopedIdentifier && key.Text.Contains("_sys::", StringComparison.Ordinal)) raw = true;
        region.Candidates.Add(new Candidate(CandidateKind.Deref, name, operand.Text, deref.Location, operand.Text, raw, origin) { Operands = OperandOf(operand) is { } o ? [o] : [] });
    }

    /// <summary>
    /// <c>&amp;raw const u.f</c> (however deep the field path): taking a raw pointer to a union field reads nothing and
    /// is safe (Rust 1.92); what the path starts from is still checked.
    /// </summary>
    private static bool UnderRawBorrow(SyntaxNode field)
    {
        var n = field;
        while (n.Parent is { Kind: RustSyntaxKind.FieldExpression } p && n.Field == RustSyntaxField.Value) n = p;
        return n.Parent is { Kind: RustSyntaxKind.ReferenceExpression } r && r.HasChild(RustSyntaxKind.RawKeyword);
    }

    /// <summary>A field type that a further field access derefs through: a reference, or std's Box, ManuallyDrop, Rc, Arc.</summary>
    private static bool DerefsThrough(SyntaxNode? type)
    {
        if (type is not { } t) return false;
        if (t.Kind == RustSyntaxKind.ReferenceType) return true;
        var name = t.Kind == RustSyntaxKind.GenericType && t.ChildByField(RustSyntaxField.Type) is { } g ? g.Text : t.Text;
        return LastSegment(name) is "Box" or "ManuallyDrop" or "Rc" or "Arc";
    }

    /// <summary>
    /// For a field expression under a raw borrow that is the receiver of a further field: the names of the fields
    /// between it and the path's last one (dot-separated, "" when the next is the last); null for the path's last field.
    /// </summary>
    private static string? RawPlaceFieldsAbove(SyntaxNode field)
    {
        if (field.Parent is not { Kind: RustSyntaxKind.FieldExpression } n || field.Field != RustSyntaxField.Value) return null;
        var names = new List<string>();
        for (; n.Parent is { Kind: RustSyntaxKind.FieldExpression } p && n.Field == RustSyntaxField.Value; n = p)
            names.Add(n.ChildByField(RustSyntaxField.Field)?.Text ?? "");
        return string.Join('.', names);
    }

    /// <summary>The place of <c>&amp;raw const</c>/<c>&amp;raw mut</c> itself (through parentheses), not a field path inside it.</summary>
    private static bool DirectlyUnderRawBorrow(SyntaxNode node)
    {
        var n = node;
        while (n.Parent is { Kind: RustSyntaxKind.ParenthesizedExpression } p) n = p;
        return n.Parent is { Kind: RustSyntaxKind.ReferenceExpression } r && r.HasChild(RustSyntaxKind.RawKeyword);
    }

    /// <summary>
    /// A local written as a plain name (in parentheses at most), as clippy's <c>path_to_local</c> sees it; or a field of
    /// <c>self</c> (<c>self.ptr</c>), so the score can ask who wrote it (US1006 only matches parameter names).
    /// </summary>
    private static Operand? OperandOf(SyntaxNode expr)
    {
        if (expr.Kind is not (RustSyntaxKind.Identifier or RustSyntaxKind.ParenthesizedExpression or RustSyntaxKind.FieldExpression)) return null;
        var e = SyntaxFacts.Strip(expr);
        if (e.Kind == RustSyntaxKind.Identifier) return new Operand(e.Text, e.Location);
        return e.Kind == RustSyntaxKind.FieldExpression && SoundnessCollector.SelfField(e) is { } field ? new Operand(field, e.Location) : null;
    }

    private static System.Collections.Immutable.ImmutableArray<Operand> ArgumentOperands(SyntaxNode call)
    {
        if (call.ChildByField(RustSyntaxField.Arguments) is not { } args) return [];
        var list = System.Collections.Immutable.ImmutableArray.CreateBuilder<Operand>();
        foreach (var a in args.Children)
            if (a.IsNamed && !a.IsComment && OperandOf(a) is { } o) list.Add(o);
        return list.ToImmutable();
    }

    private bool IsRawPointerExpression(SyntaxNode expr)
    {
        var e = SyntaxFacts.Strip(expr);
        if (ProducesPointer(e)) return true;
        if (CurrentFunction() is not { RawLocals: { } raw }) return false;
        if (e.Kind == RustSyntaxKind.Identifier) return raw.Contains(e.Text);
        if (e.Kind == RustSyntaxKind.FieldExpression && e.ChildByField(RustSyntaxField.Field) is { } f) return raw.Contains("." + f.Text);
        return false;
    }


    /// <summary>True when the expression is (part of) the target of an assignment.</summary>
    private static bool IsWritten(SyntaxNode expr)
    {
        var n = expr;
        while (n.Parent is { } p)
        {
            if (p.Kind is RustSyntaxKind.AssignmentExpression or RustSyntaxKind.CompoundAssignmentExpr)
                return n.Field == RustSyntaxField.Left;
            if (p.Kind is not (RustSyntaxKind.FieldExpression or RustSyntaxKind.IndexExpression or RustSyntaxKind.ParenthesizedExpression)) return false;
            n = p;
        }
        return false;
    }

    /// <summary>Identifiers in value position (not a pattern, a callee, a type, a macro name, a field name, a path prefix).</summary>
    private static bool IsValuePath(SyntaxNode node)
    {
        if (node.Parent is not { } p) return false;
        if (node.Field is RustSyntaxField.Function or RustSyntaxField.Pattern or RustSyntaxField.Type or RustSyntaxField.Macro
            or RustSyntaxField.Name or RustSyntaxField.Path or RustSyntaxField.Field or RustSyntaxField.Trait or RustSyntaxField.Alias)
            return false;
        return p.Kind is not (RustSyntaxKind.ScopedIdentifier or RustSyntaxKind.Parameter or RustSyntaxKind.ClosureParameters
            or RustSyntaxKind.TuplePattern or RustSyntaxKind.TupleStructPattern or RustSyntaxKind.StructPattern or RustSyntaxKind.FieldPattern
            or RustSyntaxKind.MutPattern or RustSyntaxKind.RefPattern or RustSyntaxKind.SlicePattern or RustSyntaxKind.OrPattern
            or RustSyntaxKind.MatchPattern or RustSyntaxKind.Label or RustSyntaxKind.LetCondition or RustSyntaxKind.ShorthandFieldInitializer
            or RustSyntaxKind.TypeArguments or RustSyntaxKind.GenericType or RustSyntaxKind.ScopedTypeIdentifier or RustSyntaxKind.AttributeItem
            or RustSyntaxKind.Attribute)
            || (p.Kind == RustSyntaxKind.ShorthandFieldInitializer);
    }

    // ---- macros ----

    private void VisitMacro(SyntaxNode node)
    {
        var name = MacroName(node);
        _facts.MacroCalls.Add(name);
        if (_catalog.ItemMacroShape(name) is { } shape && _depth < 4 && ExtractItemMacro(node, shape))
            return;
        if (_macros is { } macros && macros.Contains(name) && !_catalog.Macros.ContainsKey(name) && _depth < 4
            && (CurrentFunction() is null || CurrentRegion() is { Kind: RegionKind.UnsafeFn or RegionKind.MacroUnsafeFn })
            && ExpandLocalMacro(node, name, macros))
        {
            // What the expansion showed replaces the token-level guesses; unsafe blocks written in the arguments stay regions.
            ScanTokenTrees(node, collect: false);
            return;
        }
        var region = CurrentRegion();
        if (name is "asm" or "global_asm" or "naked_asm" or "llvm_asm")
        {
            AddRegion(RegionKind.InlineAsm, node, name: name + "!", visibility: CurrentFunction()?.Visibility ?? "private");
            if (region is not null && name != "global_asm")
            {
                region.Operations.Add(new UnsafeOperation(OperationKind.InlineAsm, name + "!", node.Location));
                region.Mmio.Add(new MmioAccess("inline-asm", name + "!", "", node.Location));
            }
        }
        // A local macro called in an unsafe block is one operation if its body performs unsafe operations (clippy's
        // count). In an unsafe fn rustc reports those operations in the macro's body instead, so no candidate there.
        if (region is { Kind: RegionKind.UnsafeBlock } && !_catalog.Macros.ContainsKey(name) && name is not ("asm" or "global_asm" or "naked_asm" or "llvm_asm"))
            region.Candidates.Add(new Candidate(CandidateKind.Macro, name, name, node.Location));
        if (_catalog.Macros.TryGetValue(name, out var entry) && entry.Use != "no")
        {
            var args = entry.Kind == "api-first-argument" ? MacroTokens.GetArguments(node) : [];
            var apis = entry.Kind == "api-first-argument"
                ? (args.Length > 0 && args[0].Length > 0 ? [args[0][^1].Text] : [])
                : entry.Targets;
            // `inside`: the expansion holds its own unsafe block, a hidden region at the invocation.
            var target = region;
            if (entry.WrapsUnsafe && region is null)
                target = AddRegion(RegionKind.UnsafeBlock, node, inMacro: true, visibility: CurrentFunction()?.Visibility ?? "private", hasBody: true, name: name + "!");
            if (target is not null)
            {
                if (entry.NeedsUnsafeContext)
                    target.Operations.Add(new UnsafeOperation(OperationKind.UnsafeMacro, name + "!", node.Location));
                foreach (var api in apis)
                {
                    target.FfiCalls.Add(Ffi(api, entry.Kind == "api-first-argument" ? FfiCallForm.WdfMacro : FfiCallForm.HiddenByMacro, node.Location));
                    if (!entry.NeedsUnsafeContext && target != region)
                        target.Operations.Add(new UnsafeOperation(OperationKind.ExternCall, api, node.Location));
                    if (_catalog.Mmio.TryGetValue(api, out var m))
                        target.Mmio.Add(new MmioAccess(m.Kind, api, args.Length > 1 ? string.Concat(args[1].Select(t => t.Text)) : "", node.Location));
                }
            }
        }
        bool saved = _argumentsAreCode;
        _argumentsAreCode = _macros is { } table && table.Contains(name) && CurrentFunction() is not null;
        // A local macro whose rules use no metavariable drops what it is given: no operation of the arguments is compiled.
        ScanTokenTrees(node, collect: !(_macros is { } own && own.DiscardsArguments(name)));
        _argumentsAreCode = saved;
    }

    /// <summary>
    /// Items passed to an item macro (<c>cfg_if!</c>, nix's <c>feature!</c>…) are code the compiler checks: blank
    /// the file outside the macro's code groups (keeping line breaks, so offsets and lines stay) and extract
    /// from that tree as ordinary code.
    /// </summary>
    private bool ExtractItemMacro(SyntaxNode macro, string shape)
    {
        if (macro.ChildOfKind(RustSyntaxKind.TokenTree) is not { } tt || tt.Span.Length < 2) return false;
        if (shape == "expression") return ExtractExpressionMacro(macro, tt);
        var groups = new List<TextSpan>();
        List<(TextSpan Group, string Cfg)>? branchCfgs = null;
        if (shape is "items" or "unsafe-fns")
        {
            groups.Add(TextSpan.FromBounds(tt.Span.Start + 1, tt.Span.End - 1));
        }
        else
        {
            // `if #[cfg(A)] { … } else if #[cfg(B)] { … } else { … }`: each branch holds when its predicate does and
            // none before it did, so the branches are alternatives (and a target decides which is compiled).
            var earlier = new List<string>();
            string? pending = null;
            foreach (var c in tt.Children)
            {
                if (c.Kind != RustSyntaxKind.TokenTree || c.Utf8Text.Length < 2) continue;
                if (c.Utf8Text[0] == (byte)'[')
                {
                    var attribute = c.Text;
                    int open = attribute.IndexOf("cfg(", StringComparison.Ordinal), close = attribute.LastIndexOf(')');
                    pending = open >= 0 && close > open + 4 ? Semantics.CfgAlternatives.Normalize(attribute[(open + 4)..close]) : null;
                    continue;
                }
                if (c.Utf8Text[0] != (byte)'{') continue;
                var group = TextSpan.FromBounds(c.Span.Start + 1, c.Span.End - 1);
                groups.Add(group);
                var negated = earlier.Select(e => $"not({e})").ToList();
                var cfg = pending is { } p ? (negated.Count == 0 ? p : $"all({string.Join(',', negated)},{p})")
                    : negated.Count == 0 ? "" : negated.Count == 1 ? negated[0] : $"all({string.Join(',', negated)})";
                if (cfg.Length > 0) (branchCfgs ??= []).Add((group, cfg));
                if (pending is not null) earlier.Add(pending);
                pending = null;
            }
        }
        if (groups.Count == 0) return false;
        var source = _text.Bytes;
        var bytes = new byte[groups.Max(g => g.End)]; // the blank rest of the file would only cost parse time
        BlankTemplate().AsSpan(0, bytes.Length).CopyTo(bytes);
        foreach (var g in groups)
        {
            source.Slice(g.Start, g.Length).CopyTo(bytes.AsSpan(g.Start));
            // libc's f! writes `pub {const} fn`: the braces are the macro's, not Rust's.
            for (int i = bytes.AsSpan(g.Start, g.Length).IndexOf("{const}"u8); i >= 0; i = bytes.AsSpan(g.Start, g.Length).IndexOf("{const}"u8))
                " const "u8.CopyTo(bytes.AsSpan(g.Start + i));
        }
        return ExtractFragment(macro, bytes, isItems: true, unsafeFnsBy: shape == "unsafe-fns" ? MacroName(macro) : "", branchCfgs: branchCfgs, blankPrefix: groups.Min(g => g.Start));
    }

    /// <summary>
    /// The arguments of std's expression macros (<c>assert!</c>, <c>debug_assert_eq!</c>, <c>addr_of_mut!</c>…) are
    /// expressions the compiler checks in place: re-parse <c>(args)</c> as <c>const _: () = (args);</c> at the same
    /// offsets, the rest of the file blanked, and extract that with the invocation's context (SAFETY comments are read
    /// from the real tree). Only inside functions where it can matter: in an unsafe region, or around an unsafe block.
    /// </summary>
    private bool ExtractExpressionMacro(SyntaxNode macro, SyntaxNode tokenTree)
    {
        if (CurrentFunction() is null || (CurrentRegion() is null && !SyntaxFacts.ContainsUnsafe(tokenTree))) return false;
        var source = _text.Bytes;
        // Blank up to just past the arguments: what follows would be blank too, and only costs parse time.
        int size = Math.Min(source.Length, tokenTree.Span.End + 256);
        // Over budget the fragment is not parsed: say so before building it (building is O(file) per macro).
        if (_expressionBudget is { } budget && !budget.CanTake(size)) return false;
        var bytes = new byte[size];
        BlankTemplate().AsSpan(0, size).CopyTo(bytes);
        source.Slice(tokenTree.Span.Start, tokenTree.Span.Length).CopyTo(bytes.AsSpan(tokenTree.Span.Start));
        int at = tokenTree.Span.Start;
        foreach (var token in (ReadOnlySpan<string>)["=", ")", "(", ":", "_", "const"])
            if ((at = PlaceBefore(bytes, at, token)) < 0) return false;
        int end = tokenTree.Span.End;
        while (end < bytes.Length && bytes[end] != (byte)' ') end++;
        if (end >= bytes.Length) return false;
        bytes[end] = (byte)';';
        return ExtractFragment(macro, bytes, isItems: false, commentScope: _commentScope ?? macro, blankPrefix: at);
    }

    /// <summary>The file with every byte but line ends blanked (fragments keep the file's offsets and lines), made once.</summary>
    private byte[] BlankTemplate()
    {
        if (_blankTemplate is { } t) return t;
        var source = _text.Bytes;
        t = new byte[source.Length];
        t.AsSpan().Fill((byte)' ');
        for (int i = source.IndexOfAny((byte)'\n', (byte)'\r'); i >= 0;)
        {
            t[i] = source[i];
            int next = source[(i + 1)..].IndexOfAny((byte)'\n', (byte)'\r');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return _blankTemplate = t;
    }

    private byte[]? _blankTemplate;

    /// <summary>Writes a token into the nearest blank run before <paramref name="limit"/> (one blank kept after it); its start, or -1.</summary>
    private static int PlaceBefore(byte[] bytes, int limit, string token)
    {
        int need = token.Length + 1, run = 0;
        for (int i = limit - 1; i >= 0; i--)
        {
            run = bytes[i] == (byte)' ' ? run + 1 : 0;
            if (run < need) continue;
            for (int k = 0; k < token.Length; k++) bytes[i + k] = (byte)token[k];
            return i;
        }
        return -1;
    }

    /// <summary>Extracts a re-parsed fragment of this file with the macro's context (modules, impl, function, region) around it.</summary>
    private bool ExtractFragment(SyntaxNode macro, byte[] bytes, bool isItems, SyntaxNode? commentScope = null, string unsafeFnsBy = "",
        List<(TextSpan Group, string Cfg)>? branchCfgs = null, int blankPrefix = 0)
    {
        if ((isItems ? _budget : _expressionBudget) is { } budget && !budget.TryTake(bytes.Length)) return false;
        var fragment = _parse.Parse(SourceText.From(bytes, _text.Path), RustParseOptions.Default with { RecoverUnsafeExternBlocks = true, BlankPrefix = blankPrefix, NodesInPlace = true });
        if (fragment?.Root is null) return false;
        try
        {
            fragment.LocationMap = _tree.LocationMap; // a fragment of an expansion keeps the expansion's offsets
            // Item code is checked by the syntax rules too; the const wrapping an expression macro's arguments is ours, not code.
            var nested = new Extractor(fragment, _catalog, _facts, _modulePath, _depth + 1) { _parse = _parse, _parseAll = _parseAll, _expandedFrom = _expandedFrom.Length > 0 ? _expandedFrom : MacroName(macro), _nodeSink = _nodeSink, _feedsNodes = isItems, _commentScope = commentScope ?? _commentScope, _budget = _budget, _expressionBudget = _expressionBudget, _unsafeFnsBy = unsafeFnsBy.Length > 0 ? unsafeFnsBy : _unsafeFnsBy, _macros = _macros, _expansionAnchor = _expansionAnchor, _outerCfgs = CfgsAt(macro), _branchCfgs = branchCfgs };
            nested._items.Disabled = _items.Disabled || _items.InsideItem;
            nested._items.FunctionsMadeUnsafe = nested._unsafeFnsBy.Length > 0;
            // The macro's enclosing modules, impls and functions stay the items' context.
            nested.InheritContext(_stack);
            nested.Walk();
            return true;
        }
        finally
        {
            fragment.ReleaseNodes(); // what the walk found is kept as spans
        }
    }

    /// <summary>The enclosing modules, impls, functions and regions of a macro call stay the context of its re-parsed code.</summary>
    private void InheritContext(List<Context> outer)
    {
        foreach (var c in outer) _stack.Add(c with { End = int.MaxValue });
    }

    /// <summary>Token-level view of macro bodies and arguments: unsafe blocks/fns/impls there, and candidates inside regions.</summary>
    private void ScanTokenTrees(SyntaxNode node, RegionDraft? into = null, bool collect = true)
    {
        foreach (var tt in node.Children)
        {
            if (!MacroTokens.IsTokenTree(tt.Kind) && tt.Kind != RustSyntaxKind.MacroRule) continue;
            var tokens = MacroTokens.GetTokens(tt);
            ScanTokens(tokens, 0, tokens.Length, collect ? into ?? CurrentRegion() : null);
        }
    }

    /// <summary>
    /// An invocation of one of the crate's <c>macro_rules!</c> at item level or in an unsafe fn body: expand it, parse
    /// the expansion and extract it with the invocation's context, keeping what rustc sees that the token trees hide —
    /// operations written at the call that land in the enclosing unsafe fn's body, and the unsafe fns the macro writes
    /// around code passed to it (glib's <c>wrapper!</c> closures), as <see cref="RegionKind.MacroUnsafeFn"/>. The
    /// macro's own code is left to its definition (read as a macro body); other regions of the expansion are dropped.
    /// </summary>
    private bool ExpandLocalMacro(SyntaxNode macro, string name, Syntax.Macros.MacroTable macros)
    {
        if (macro.ChildOfKind(RustSyntaxKind.TokenTree) is not { } tt || tt.Span.Length < 2) return false;
        // Three proofs that an expansion holds nothing the extractor keeps; with --parse all (_parseAll) the expansion is
        // made, parsed and walked anyway, without charging the fragment budget, and what it shows is kept, while the
        // answer given to the caller stays the lazy one: outputs differ from the lazy run's exactly where a proof is wrong.
        // 1. Outside functions and regions only the unsafe fns an expansion writes are kept (below), and an expansion
        // holds `unsafe` only if a rule it reaches writes it or the call passes it. Without either there is nothing
        // to lex, match or render, and what the caller does next is the same whether a rule would have matched or not
        // (no region to add to; a macro named like asm! is not skipped, since its failed expansion adds a region).
        bool items = CurrentFunction() is null;
        bool provedEmpty = items && CurrentRegion() is null && !_argumentsAreCode
            && name is not ("asm" or "global_asm" or "naked_asm" or "llvm_asm") && !macros.MayExpandToUnsafe(name, tt.Utf8Text);
        if (provedEmpty && !_parseAll) return true;
        var source = _text.Bytes;
        if (Syntax.Macros.MacroLexer.Lex(source, tt.Span.Start + 1, tt.Span.End - 1, callSite: true) is not { } input
            || Syntax.Macros.MacroExpander.Expand(macros, name, input) is not { } output)
            return provedEmpty;
        // 2. At item level only the unsafe fns an expansion writes are kept (below): without an `unsafe` token there are
        // none, and the parse is skipped (most item-level calls generate safe items).
        if (items && !Syntax.Macros.TokenTree.HoldsUnsafe(output))
        {
            if (!_parseAll) return true;
            provedEmpty = true;
        }
        var (prefix, suffix) = items ? ("", "") : ("const _: () = {", "};");
        if (!provedEmpty && _budget is { } budget && !budget.TryTake(Syntax.Macros.Expansion.RenderedLength(output, prefix, suffix))) return false;
        // 3. Outside any region, what an item-level expansion keeps are operations written at the call inside the unsafe
        // fns it writes; with no call-site token after any `unsafe`, all of it is the macro's own code and would be
        // dropped: not rendered, not parsed (its size still counts against the file's budget, as before). On the
        // corpus: 4,971 of 8,369 item-level expansions with `unsafe` (3.3 of 7.0 MB of text).
        if (items && CurrentRegion() is null && !HasCallSiteTokenAfterUnsafe(output))
        {
            if (!_parseAll) return true;
            provedEmpty = true;
        }
        var expansion = Syntax.Macros.Expansion.Render(output, prefix, suffix);
        var tree = _parse.Parse(SourceText.From(expansion.Text, _text.Path), RustParseOptions.Default with { RecoverUnsafeExternBlocks = true, NodesInPlace = true });
        if (tree?.Root is null) return provedEmpty;
        try
        {
            return ExtractExpansion(tree, expansion, macro, name, provedEmpty);
        }
        finally
        {
            tree.ReleaseNodes(); // what the walk found is kept as spans
        }
    }

    // checkingProof: a walk only --parse all makes; fragments in it take no budget that the rest of the file would miss.
    private bool ExtractExpansion(RustSyntaxTree tree, Syntax.Macros.Expansion expansion, SyntaxNode macro, string name, bool checkingProof)
    {
        var original = _text;
        int anchor = macro.Span.Start;
        tree.LocationMap = span => original.GetLocation(expansion.Map(span) ?? new TextSpan(anchor, 0));
        bool MacroWrote(Location l) => l.SourceSpan.Length == 0 && l.SourceSpan.Start == anchor;

        var scratch = new FileFacts { Path = _facts.Path, Crate = _facts.Crate, Lines = _facts.Lines, ModulePath = _facts.ModulePath };
        var region = CurrentRegion();
        var (ops, candidates, ffi, mmio) = region is null ? (0, 0, 0, 0) : (region.Operations.Count, region.Candidates.Count, region.FfiCalls.Count, region.Mmio.Count);
        var (budget, expressionBudget) = checkingProof ? (new FragmentBudget(long.MaxValue), new FragmentBudget(long.MaxValue)) : (_budget, _expressionBudget);
        var nested = new Extractor(tree, _catalog, scratch, _modulePath, _depth + 1) { _parse = _parse, _parseAll = _parseAll, _expandedFrom = name, _budget = budget, _expressionBudget = expressionBudget, _expansionAnchor = anchor, _unsafeFnsBy = _unsafeFnsBy };
        nested.InheritContext(_stack);
        nested.Walk();
        if (region is not null) KeepWrittenHere(region, ops, candidates, ffi, mmio);
        foreach (var r in scratch.Regions)
        {
            if (r.Kind != RegionKind.MacroUnsafeFn) continue;
            KeepWrittenHere(r, 0, 0, 0, 0);
            if (r.Operations.Count + r.Candidates.Count > 0) _facts.Regions.Add(r);
        }
        return true;

        void KeepWrittenHere(RegionDraft r, int ops, int candidates, int ffi, int mmio)
        {
            RemoveFrom(r.Operations, ops, o => MacroWrote(o.Location));
            RemoveFrom(r.Candidates, candidates, c => MacroWrote(c.Location));
            RemoveFrom(r.FfiCalls, ffi, f => MacroWrote(f.Location));
            RemoveFrom(r.Mmio, mmio, m => MacroWrote(m.Location));
        }

        static void RemoveFrom<T>(List<T> list, int from, Func<T, bool> drop)
        {
            for (int i = list.Count - 1; i >= from; i--)
                if (drop(list[i])) list.RemoveAt(i);
        }
    }

    /// <summary>
    /// Whether a token written at the call follows an <c>unsafe</c> in the same list, up to the next <c>;</c> there
    /// (nested groups included). An item runs from its <c>unsafe</c> to its body's <c>}</c> in one list, so this finds
    /// every call-site token of an unsafe fn, and more (the items after it when no <c>;</c> separates them).
    /// </summary>
    private static bool HasCallSiteTokenAfterUnsafe(List<Syntax.Macros.TokenTree> trees)
    {
        for (int i = 0; i < trees.Count; i++)
        {
            var t = trees[i];
            if (t.IsGroup)
            {
                if (HasCallSiteTokenAfterUnsafe(t.Children!)) return true;
                continue;
            }
            if (t.Token is not { Kind: Syntax.Macros.TokenKind.Ident, Text: "unsafe" }) continue;
            for (int j = i; j < trees.Count && !trees[j].IsPunct(";"); j++)
                if (HasCallSiteToken(trees[j])) return true;
        }
        return false;
    }

    private static bool HasCallSiteToken(Syntax.Macros.TokenTree tree)
    {
        if (tree.Token.Origin >= 0 || tree.IsGroup && tree.Close.Origin >= 0) return true;
        if (tree.Children is { } children)
            foreach (var c in children)
                if (HasCallSiteToken(c)) return true;
        return false;
    }

    private void ScanTokens(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int start, int end, RegionDraft? region, HashSet<string>? rawLocals = null)
    {
        bool IsRaw(string name) => rawLocals?.Contains(name) == true || CurrentFunction()?.RawLocals?.Contains(name) == true;
        for (int i = start; i < end; i++)
        {
            var t = tokens[i];
            if (t.Kind == RustSyntaxKind.UnsafeKeyword && i + 1 < end)
            {
                var next = tokens[i + 1];
                if (next.Kind == RustSyntaxKind.OpenBraceToken)
                {
                    int close = MatchingClose(tokens, i + 1, end);
                    var span = TextSpan.FromBounds(t.Span.Start, tokens[close].Span.End);
                    var draft = AddRegionAt(RegionKind.UnsafeBlock, span, t.Node, inMacro: !_argumentsAreCode, visibility: CurrentFunction()?.Visibility ?? "private", hasBody: true);
                    ScanTokens(tokens, i + 2, close, draft, rawLocals);
                    i = close;
                    continue;
                }
                var kind = next.Kind switch
                {
                    RustSyntaxKind.FnKeyword or RustSyntaxKind.ExternKeyword => RegionKind.UnsafeFn,
                    RustSyntaxKind.ImplKeyword => RegionKind.UnsafeImpl,
                    RustSyntaxKind.TraitKeyword => RegionKind.UnsafeTrait,
                    _ => (RegionKind?)null,
                };
                if (kind is { } k)
                {
                    string fnName = "";
                    for (int j = i + 1; j < Math.Min(end, i + 6); j++)
                        if (tokens[j].Kind == RustSyntaxKind.FnKeyword && j + 1 < end) { fnName = tokens[j + 1].Kind == RustSyntaxKind.Identifier ? tokens[j + 1].Text : ""; break; }
                    if (k == RegionKind.UnsafeFn && fnName.Length > 0 && !fnName.StartsWith('$'))
                        _facts.FunctionDeclarations.Add(new FunctionDeclaration(fnName, "", FunctionShape.Unknown, IsUnsafe: true, IsPublic: true));
                    // Written in a macro_rules! body, the item is linted in each expansion: its visibility and docs are the tokens' and lines' before it.
                    var (tokenVisibility, tokenDoc) = TokenItemHead(tokens, start, i);
                    // An unsafe fn with a body in a token tree: a region over the body, with its raw-pointer parameters.
                    if (k == RegionKind.UnsafeFn && TokenFunctionBody(tokens, i + 1, end) is var (open, close, fnRaw))
                    {
                        var fnRegion = AddRegionAt(k, TextSpan.FromBounds(t.Span.Start, tokens[close].Span.End), t.Node, inMacro: true, name: fnName, hasBody: true, visibility: tokenVisibility, safetyDoc: tokenDoc);
                        ScanTokens(tokens, open + 1, close, fnRegion, fnRaw);
                        i = close;
                        continue;
                    }
                    AddRegionAt(k, TextSpan.FromBounds(t.Span.Start, next.Span.End), t.Node, inMacro: true, name: fnName, visibility: tokenVisibility, safetyDoc: tokenDoc);
                }
                continue;
            }
            if (t.Kind == RustSyntaxKind.Identifier && i + 1 < end && tokens[i + 1].Kind == RustSyntaxKind.ExclamationToken) _facts.MacroCalls.Add(t.Text);
            if (region is null) continue;
            // `*(p as *const T)`: a cast to a raw pointer, dereferenced (atomic's and crossbeam's macro arguments).
            if (t.Kind == RustSyntaxKind.OpenParenToken && i > start && tokens[i - 1].Kind == RustSyntaxKind.AsteriskToken
                && (i - 1 == start || !IsOperandEnd(tokens[i - 2].Kind)) && CastsToRawPointer(tokens, i, end))
                region.Candidates.Add(new Candidate(CandidateKind.Deref, "", "(…)", tokens[i - 1].Node.Location, "(…)", RawReceiver: true));
            // Calls: ident ( … ), a::b ( … ), .m ( … ); derefs: * ident after a non-operand; statics: Uppercase identifiers.
            if (t.Kind == RustSyntaxKind.Identifier)
            {
                bool isCall = i + 1 < end && tokens[i + 1].Kind == RustSyntaxKind.OpenParenToken
                    || (i + 2 < end && tokens[i + 1].Kind == RustSyntaxKind.ColonColonToken && tokens[i + 2].Kind == RustSyntaxKind.LessThanToken && TurbofishCall(tokens, i + 2, end));
                bool isMacro = i + 1 < end && tokens[i + 1].Kind == RustSyntaxKind.ExclamationToken;
                bool afterDot = i > start && tokens[i - 1].Kind == RustSyntaxKind.DotToken;
                bool inPath = i + 1 < end && tokens[i + 1].Kind == RustSyntaxKind.ColonColonToken;
                if (isMacro)
                {
                    var macroName = t.Text;
                    if (_catalog.Macros.TryGetValue(macroName, out var entry) && entry.Kind == "api-first-argument" && i + 3 < end)
                    {
                        if (entry.NeedsUnsafeContext) region.Operations.Add(new UnsafeOperation(OperationKind.UnsafeMacro, macroName + "!", t.Node.Location));
                        var api = tokens[i + 3];
                        if (api.Kind == RustSyntaxKind.Identifier) region.FfiCalls.Add(Ffi(api.Text, FfiCallForm.WdfMacro, api.Node.Location));
                    }
                    else if (macroName is "asm")
                    {
                        region.Operations.Add(new UnsafeOperation(OperationKind.InlineAsm, "asm!", t.Node.Location));
                    }
                    else if (region.Kind == RegionKind.UnsafeBlock)
                    {
                        region.Candidates.Add(new Candidate(CandidateKind.Macro, macroName, macroName, t.Node.Location));
                    }
                }
                else if (isCall && afterDot)
                {
                    var receiver = i >= 2 ? tokens[i - 2].Text : "";
                    bool rawReceiver = i >= 2 && tokens[i - 2].Kind == RustSyntaxKind.Identifier && (i < 3 || tokens[i - 3].Kind != RustSyntaxKind.DotToken) && IsRaw(receiver);
                    region.Candidates.Add(new Candidate(CandidateKind.MethodCall, t.Text, t.Text, t.Node.Location, receiver, rawReceiver));
                }
                else if (isCall)
                {
                    var path = new System.Text.StringBuilder(t.Text);
                    for (int j = i - 1; j >= start + 1 && tokens[j].Kind == RustSyntaxKind.ColonColonToken && (tokens[j - 1].Kind is RustSyntaxKind.Identifier or RustSyntaxKind.Crate or RustSyntaxKind.Self or RustSyntaxKind.Super || tokens[j - 1].Text == "$crate"); j -= 2)
                        path.Insert(0, tokens[j - 1].Text + "::");
                    var full = ResolveImport(path.ToString());
                    if (path.Length == t.Text.Length && LocalFnIsUnsafe(t.Text) is { } localUnsafe)
                    {
                        if (localUnsafe) region.Operations.Add(new UnsafeOperation(OperationKind.UnsafeCall, t.Text, t.Node.Location));
                    }
                    else
                        region.Candidates.Add(new Candidate(CandidateKind.Call, t.Text, full, t.Node.Location));
                }
                else if (!inPath && !afterDot && char.IsAsciiLetterUpper(t.Text[0]))
                {
                    region.Candidates.Add(new Candidate(CandidateKind.Ident, t.Text, t.Text, t.Node.Location));
                }
                if (!isCall && i > start && tokens[i - 1].Kind == RustSyntaxKind.AsteriskToken && (i - 1 == start || !IsOperandEnd(tokens[i - 2].Kind)))
                {
                    // `*p` — or `*(p.add(n))`, `*p.add(n)`: pointer arithmetic on a raw local is still a raw pointer.
                    bool raw = IsRaw(t.Text) && !(i + 3 < end && tokens[i + 1].Kind == RustSyntaxKind.DotToken && !IsPointerArithmetic(tokens[i + 2].Text));
                    region.Candidates.Add(new Candidate(CandidateKind.Deref, "", t.Text, tokens[i - 1].Node.Location, t.Text, raw));
                }
                else if (i > start + 1 && tokens[i - 1].Kind == RustSyntaxKind.OpenParenToken && tokens[i - 2].Kind == RustSyntaxKind.AsteriskToken
                         && (i - 2 == start || !IsOperandEnd(tokens[i - 3].Kind)) && IsRaw(t.Text) && i + 2 < end
                         && tokens[i + 1].Kind == RustSyntaxKind.DotToken && IsPointerArithmetic(tokens[i + 2].Text))
                {
                    region.Candidates.Add(new Candidate(CandidateKind.Deref, "", t.Text, tokens[i - 2].Node.Location, t.Text, RawReceiver: true));
                }
            }
        }
    }

    /// <summary>
    /// An item's head in tokens, before its <c>unsafe</c> at <paramref name="at"/>: "pub" for a plain <c>pub</c> (after
    /// <c>const</c>/<c>async</c> are skipped), and whether the doc lines above it hold a <c># Safety</c> section. Docs or
    /// attributes the macro takes from its caller (<c>$(#[$meta])*</c>) are unknown here: counted as documented.
    /// </summary>
    private (string Visibility, bool SafetyDoc) TokenItemHead(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int start, int at)
    {
        int j = at - 1;
        while (j >= start && tokens[j].Kind is RustSyntaxKind.ConstKeyword or RustSyntaxKind.AsyncKeyword) j--;
        string visibility = "private";
        int first = j + 1;
        if (j >= start && tokens[j].Kind == RustSyntaxKind.PubKeyword) { visibility = "pub"; first = j; }
        else if (j >= start && tokens[j].Kind == RustSyntaxKind.VisibilityModifier && tokens[j].Text == "pub") { visibility = "pub"; first = j; }
        if (j >= start && tokens[j].Kind == RustSyntaxKind.CloseParenToken) visibility = "restricted";
        if (j >= start && tokens[j].Text.StartsWith('$')) visibility = "pub"; // `$vis unsafe fn`: as the caller says; assume exported
        // The lines above the head: `///` docs and `#[…]` attributes, up to the first other line.
        var bytes = _text.Bytes;
        int lineStart = tokens[first].Span.Start;
        while (lineStart > 0 && bytes[lineStart - 1] != (byte)'\n') lineStart--;
        var doc = new System.Text.StringBuilder();
        while (lineStart > 0)
        {
            int prevEnd = lineStart - 1, prevStart = prevEnd;
            while (prevStart > 0 && bytes[prevStart - 1] != (byte)'\n') prevStart--;
            var line = System.Text.Encoding.UTF8.GetString(bytes.Slice(prevStart, prevEnd - prevStart)).Trim();
            if (line.StartsWith("///", StringComparison.Ordinal)) doc.Insert(0, line + "\n");
            else if (line.StartsWith("#[", StringComparison.Ordinal) || line.StartsWith("$(", StringComparison.Ordinal))
            {
                if (line.Contains('$', StringComparison.Ordinal)) return (visibility, true);
                if (line.StartsWith("#[doc", StringComparison.Ordinal)) doc.Insert(0, line + "\n");
            }
            else break;
            lineStart = prevStart;
        }
        return (visibility, SafetyComments.HasSafetyHeading(doc.ToString()));
    }

    /// <summary><c>f::&lt;A, B&lt;C&gt;&gt;(</c>: the generic arguments starting at <paramref name="lt"/> close and a call follows.</summary>
    private static bool TurbofishCall(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int lt, int end)
    {
        int angle = 0;
        for (int j = lt; j < end && j < lt + 64; j++)
        {
            if (tokens[j].Kind == RustSyntaxKind.LessThanToken) angle++;
            // `Boxed<_, _>>` closes two at once.
            else if ((tokens[j].Kind == RustSyntaxKind.GreaterThanToken && --angle == 0) || (tokens[j].Kind == RustSyntaxKind.GreaterThanGreaterThanToken && (angle -= 2) <= 0))
                return j + 1 < end && tokens[j + 1].Kind == RustSyntaxKind.OpenParenToken;
            else if (tokens[j].Kind is RustSyntaxKind.SemicolonToken or RustSyntaxKind.OpenBraceToken) return false;
        }
        return false;
    }

    private static bool IsPointerArithmetic(string method) => method is "add" or "sub" or "offset" or "wrapping_add" or "wrapping_sub" or "wrapping_offset" or "byte_add" or "byte_sub" or "cast";

    /// <summary>
    /// After <c>unsafe</c> in a token tree: the body of the <c>fn</c> that follows (its braces) and the parameters it
    /// declares as raw pointers (<c>src: *const T</c>); null for a declaration without a body.
    /// </summary>
    private static (int Open, int Close, HashSet<string> RawParams)? TokenFunctionBody(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int from, int end)
    {
        int fn = -1;
        for (int j = from; j < Math.Min(end, from + 6); j++)
            if (tokens[j].Kind == RustSyntaxKind.FnKeyword) { fn = j; break; }
        if (fn < 0) return null;
        int depth = tokens[fn].Depth;
        var raw = new HashSet<string>(StringComparer.Ordinal);
        for (int j = fn + 1; j < end; j++)
        {
            var t = tokens[j];
            if (t.Depth == depth && t.Kind == RustSyntaxKind.SemicolonToken) return null;
            // The body's `{` opens a token tree one level down (braces belong to the tree they delimit).
            if (t.Kind == RustSyntaxKind.OpenBraceToken && t.Depth == depth + 1) return (j, MatchingClose(tokens, j, end), raw);
            if (t.Depth < depth) return null;
            // A parameter `name: *const T` / `name: *mut T`.
            if (t.Kind is RustSyntaxKind.Identifier && j + 3 < end && tokens[j + 1].Kind == RustSyntaxKind.ColonToken && tokens[j + 2].Kind == RustSyntaxKind.AsteriskToken
                && tokens[j + 3].Text is "const" or "mut")
                raw.Add(t.Text);
        }
        return null;
    }

    private static bool IsOperandEnd(RustSyntaxKind kind) => kind is RustSyntaxKind.Identifier or RustSyntaxKind.IntegerLiteral or RustSyntaxKind.FloatLiteral
        or RustSyntaxKind.CloseParenToken or RustSyntaxKind.CloseBracketToken or RustSyntaxKind.StringLiteral or RustSyntaxKind.Self;

    /// <summary>The parenthesized group at <paramref name="open"/> ends in a cast to <c>*const</c>/<c>*mut</c> (its last top-level <c>as</c>).</summary>
    private static bool CastsToRawPointer(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int open, int end)
    {
        int depth = tokens[open].Depth, lastAs = -1;
        for (int j = open + 1; j < end; j++)
        {
            // A group's delimiters are at the depth of its tokens.
            if (tokens[j].Depth != depth) continue;
            if (tokens[j].Kind == RustSyntaxKind.CloseParenToken)
                return lastAs >= 0 && lastAs + 2 < j && tokens[lastAs + 1].Kind == RustSyntaxKind.AsteriskToken
                    && (tokens[lastAs + 2].Kind is RustSyntaxKind.ConstKeyword or RustSyntaxKind.MutableSpecifier || tokens[lastAs + 2].Text is "const" or "mut");
            if (tokens[j].Kind == RustSyntaxKind.AsKeyword || tokens[j].Node.Utf8Text.SequenceEqual("as"u8)) lastAs = j; // bytes: no string per token
        }
        return false;
    }

    private static int MatchingClose(System.Collections.Immutable.ImmutableArray<MacroToken> tokens, int open, int end)
    {
        int depth = tokens[open].Depth;
        for (int j = open + 1; j < end; j++)
            if (tokens[j].Kind == RustSyntaxKind.CloseBraceToken && tokens[j].Depth == depth) return j;
        return end - 1;
    }

    // ---- helpers ----

    /// <summary><c>// unsafescope-ignore: US1001, US1002 -- reason</c>: applies to its own line when it trails code, else to the next code line.</summary>
    private void RecordSuppression(SyntaxNode comment)
    {
        var text = comment.Text;
        int at = text.IndexOf("unsafescope-ignore", StringComparison.Ordinal);
        var rest = text[(at + "unsafescope-ignore".Length)..].TrimStart(':', ' ').TrimEnd('*', '/', ' ', '\r', '\n');
        int dash = rest.IndexOf("--", StringComparison.Ordinal);
        var idsPart = dash >= 0 ? rest[..dash] : rest;
        var reason = dash >= 0 ? rest[(dash + 2)..].Trim() : "";
        var ids = idsPart.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        int line = comment.StartLine;
        var lineSpan = _text.GetLineSpan(line);
        bool trailing = _text.Bytes[lineSpan.Start..comment.Span.Start].Trim(" \t"u8).Length > 0;
        int target = line;
        if (!trailing)
        {
            target = comment.EndLine + 1;
            while (target < _text.LineCount)
            {
                var t = _text.GetText(_text.GetLineSpan(target)).Trim();
                if (t.Length > 0 && !t.StartsWith("//", StringComparison.Ordinal) && !t.StartsWith("#[", StringComparison.Ordinal)) break;
                target++;
            }
        }
        _facts.Suppressions.Add(new SuppressionComment(comment.Location, target + 1, ids, reason));
    }

    /// <summary>The directive must open the comment (as ast-grep's): a comment that only mentions it, such as a fixture's expectation, is prose.</summary>
    private static bool IsSuppressionComment(ReadOnlySpan<byte> comment)
        => comment.TrimStart("/*!"u8).TrimStart(" \t"u8).StartsWith("unsafescope-ignore"u8);

    private FfiCall Ffi(string api, FfiCallForm form, Location location)
    {
        if (_catalog.Apis.TryGetValue(api, out var e)) return new FfiCall(api, e.Family, e.Risk, form, "catalog", location);
        // The WDF binding macro's first argument is a WDF function whether or not the catalog lists it: shown as a gap.
        if (form == FfiCallForm.WdfMacro) return new FfiCall(api, _catalog.FamilyOf(api)?.Family ?? "unknown", "unknown", form, "wdf-macro", location);
        if (_catalog.FamilyOf(api) is { } f) return new FfiCall(api, f.Family, f.DefaultRisk, form, "family-rule", location);
        return new FfiCall(api, "unknown", "unknown", form, "macro", location);
    }

    private RegionDraft AddRegion(RegionKind kind, SyntaxNode node, string name = "", string visibility = "private", string abi = "",
        bool inMacro = false, bool safetyDoc = false, bool hasBody = false, string itemSuffix = "")
        => AddRegionAt(kind, node.Span, node, inMacro, name, visibility, abi, safetyDoc, hasBody, itemSuffix);

    private RegionDraft AddRegionAt(RegionKind kind, TextSpan span, SyntaxNode anchor, bool inMacro = false, string name = "", string visibility = "private",
        string abi = "", bool safetyDoc = false, bool hasBody = false, string itemSuffix = "")
    {
        var fn = CurrentFunction();
        var owner = ImplContext() ?? CurrentOf(ContextKind.Trait);
        // In an expression macro's fragment the comments were blanked: look from the same token of the real tree.
        if (_commentScope is { } scope && RealNodeAt(scope, anchor.Span.Start) is { } real) anchor = real;
        int commentLine = SafetyComments.FindLine(anchor, s_strict);
        var placement = commentLine >= 0 ? SafetyCommentPlacement.OnRegion
            : (commentLine = SafetyComments.FindLine(anchor)) >= 0 ? SafetyCommentPlacement.AboveStatementOrAttributes : SafetyCommentPlacement.None;
        var draft = new RegionDraft
        {
            Region = new UnsafeRegion
            {
                // In an expansion, an unsafe fn is the macro's way to check code passed to it (see ExpandLocalMacro).
                Kind = kind == RegionKind.UnsafeFn && _expansionAnchor >= 0 ? RegionKind.MacroUnsafeFn : kind,
                Location = _tree.GetLocation(span),
                InMacro = inMacro,
                Item = ItemPath(itemSuffix),
                Name = name,
                Visibility = visibility,
                HasSafetyComment = placement != SafetyCommentPlacement.None,
                // The Linux kernel's `// INVARIANT:` where a SAFETY comment would stand (accepted by its preset).
                HasInvariantComment = placement == SafetyCommentPlacement.None && kind is RegionKind.UnsafeBlock or RegionKind.UnsafeImpl
                    && SafetyComments.FindLine(anchor, null, "INVARIANT:"u8) >= 0,
                SafetyCommentPlacement = placement,
                SafetyComment = commentLine >= 0 ? SafetyComments.Text(anchor.Tree.Text, commentLine) : "",
                HasSafetyDoc = safetyDoc,
                Abi = abi,
                OwnerType = owner?.Name ?? "",
                ExpandedFrom = _expandedFrom,
                EnclosingAbi = kind is RegionKind.UnsafeBlock && fn is not null ? fn.Abi : "",
                InUnsafeFunction = kind is RegionKind.UnsafeBlock && fn is not null && fn.IsUnsafe,
                // The linker keeps it only when the crate calls the macro.
                MacroRules = inMacro ? _macroRules : "",
            },
            DocHidden = SyntaxTrivia.IsDocHidden(anchor) || (fn is not null && kind == RegionKind.UnsafeBlock && _fnDocHidden) || _stack.Exists(c => c.DocHidden),
            PointerParameters = kind is RegionKind.UnsafeBlock && fn?.PointerParameters is { Count: > 0 } pp ? [.. pp] : [],
            Cfgs = CfgsAt(anchor),
            Module = CurrentModule(),
            HasBody = hasBody,
        };
        _facts.Regions.Add(draft);
        return draft;
    }

    /// <summary>cfgs that hold around this (fragment) tree: the macro invocation's own and those of the branch it sits in.</summary>
    private List<string> _outerCfgs = [];

    /// <summary>In a <c>cfg_if!</c> fragment: each branch's code span and the predicate under which it is compiled.</summary>
    private List<(TextSpan Group, string Cfg)>? _branchCfgs;

    /// <summary>Every cfg that must hold for the node to be compiled: its attributes, its cfg_if! branch, the invocation's.</summary>
    private List<string> CfgsAt(SyntaxNode node)
    {
        var cfgs = EnclosingCfgs(node);
        if (_branchCfgs is { } branches)
            foreach (var (group, cfg) in branches)
                if (group.Contains(node.Span.Start)) cfgs.Add(cfg);
        if (_outerCfgs.Count > 0) cfgs.AddRange(_outerCfgs);
        return cfgs;
    }

    /// <summary>The <c>#[cfg]</c> predicates on the node and every item or statement around it in this tree.</summary>
    private static List<string> EnclosingCfgs(SyntaxNode node)
    {
        List<string>? cfgs = null;
        for (SyntaxNode? n = node; n is { } a; n = a.Parent)
        {
            if (a.Parent is not { Kind: RustSyntaxKind.Block or RustSyntaxKind.DeclarationList or RustSyntaxKind.SourceFile }) continue;
            if (!SyntaxTrivia.AnyPrecedingAttribute(a, static at => at.Utf8Text.IndexOf("cfg"u8) >= 0)) continue; // most items have none
            foreach (var p in CfgPredicates(a)) (cfgs ??= []).Add(p);
        }
        return cfgs ?? [];
    }


    private static SyntaxNode? RealNodeAt(SyntaxNode scope, int start)
    {
        SyntaxNode? best = null;
        foreach (var n in scope.DescendantsAndSelf)
            if (n.Span.Start == start && (best is null || n.Span.Length < best.Value.Span.Length)) best = n;
        return best;
    }

    // Every region, call and function of an item asks for its path: one shared string per item, no list per call.
    private string ItemPath(string suffix)
    {
        var path = t_itemPath ??= new System.Text.StringBuilder();
        path.Clear();
        string last = "";
        if (_modulePath.Length > 0) Append(_modulePath);
        foreach (var c in _stack)
            if (c.Kind is ContextKind.Module or ContextKind.Impl or ContextKind.Trait or ContextKind.Function && c.Name.Length > 0)
                Append(c.Name);
        if (suffix.Length > 0 && (path.Length == 0 || last != suffix)) Append(suffix);
        return StringTable.Share(path.ToString());

        void Append(string part)
        {
            if (path.Length > 0) path.Append("::");
            path.Append(part);
            last = part;
        }
    }

    [ThreadStatic] private static System.Text.StringBuilder? t_itemPath;

    private bool _fnDocHidden;


    /// <summary>The module path of a child module declared here (<c>mod x;</c>).</summary>
    private string ModuleChildPath(string name) => CurrentModule() is { Length: > 0 } m ? m + "::" + name : name;

    private void Push(ContextKind kind, SyntaxNode node, string name, bool traitImpl = false, string abi = "")
        => _stack.Add(new Context { Kind = kind, End = End(node), Name = name, TraitImpl = traitImpl, Abi = abi, DocHidden = SyntaxTrivia.IsDocHidden(node) });

    private static int End(SyntaxNode node) => node.Index + node.DescendantsAndSelf.Count;

    private RegionDraft? CurrentRegion()
    {
        for (int i = _stack.Count - 1; i >= 0; i--)
        {
            if (_stack[i].Kind == ContextKind.Region) return _stack[i].Region;
            if (_stack[i].Kind is ContextKind.Function or ContextKind.Impl or ContextKind.Trait or ContextKind.Module) return null;
        }
        return null;
    }

    private Context? CurrentFunction()
    {
        for (int i = _stack.Count - 1; i >= 0; i--)
        {
            if (_stack[i].Kind == ContextKind.Function) return _stack[i];
            if (_stack[i].Kind is ContextKind.Impl or ContextKind.Trait or ContextKind.Module) return null;
        }
        return null;
    }

    private Context? CurrentOf(ContextKind kind)
    {
        for (int i = _stack.Count - 1; i >= 0; i--)
            if (_stack[i].Kind == kind) return _stack[i];
        return null;
    }

    private Context? ImplContext() => CurrentOf(ContextKind.Impl);

    private bool InTestModule() => CurrentOf(ContextKind.Module) is { TestOnly: true };

    /// <summary>Doc-comment code fences seen so far in this file (doctests span several comment nodes).</summary>
    private readonly DocTests.FenceState _docTests = new();

    /// <summary>Records what a call names, for the test reach: <c>f</c>, <c>T::f</c> or <c>.m</c> for a method.</summary>
    private static void RecordCall(SyntaxNode call, FunctionBody caller)
    {
        var function = call.ChildByField(RustSyntaxField.Function);
        if (function is { Kind: RustSyntaxKind.GenericFunction } g) function = g.ChildByField(RustSyntaxField.Function);
        switch (function)
        {
            case { Kind: RustSyntaxKind.Identifier } id:
                caller.Calls.Add(id.Text);
                break;
            case { Kind: RustSyntaxKind.ScopedIdentifier } scoped when scoped.ChildByField(RustSyntaxField.Name) is { } n:
                caller.Calls.Add(scoped.ChildByField(RustSyntaxField.Path) is { } path ? StringTable.Share(DocTests.LastSegment(path.Text) + "::" + n.Text) : n.Text);
                break;
            case { Kind: RustSyntaxKind.FieldExpression } field when field.ChildByField(RustSyntaxField.Field) is { } m:
                caller.Calls.Add(StringTable.Share("." + m.Text));
                break;
        }
    }

    /// <summary>What directly owns an item: the innermost impl, trait, extern block, function or module context.</summary>
    private ContextKind? OwnerOf(SyntaxNode item)
    {
        // The item's parent is a declaration_list whose parent is the owner; anything else is a module/function scope.
        if (item.Parent is { Kind: RustSyntaxKind.DeclarationList } list && list.Parent is { } owner)
        {
            return owner.Kind switch
            {
                RustSyntaxKind.ImplItem => ContextKind.Impl,
                RustSyntaxKind.TraitItem => ContextKind.Trait,
                RustSyntaxKind.ForeignModItem => ContextKind.ExternBlock,
                _ => ContextKind.Module,
            };
        }
        return item.Parent is { Kind: RustSyntaxKind.Block } ? ContextKind.Function : ContextKind.Module;
    }

    private static bool HasSelf(SyntaxNode fn)
    {
        if (fn.ChildByField(RustSyntaxField.Parameters) is not { } ps) return false;
        foreach (var p in ps.Children)
        {
            if (p.Kind == RustSyntaxKind.SelfParameter) return true;
            if (p.Kind == RustSyntaxKind.Parameter && p.ChildByField(RustSyntaxField.Pattern) is { Kind: RustSyntaxKind.Self }) return true;
        }
        return false;
    }

    /// <summary>Collects field names (struct fields: also by pointer-ness of their type); true when a raw-pointer field is <c>pub</c>.</summary>
    private static bool CollectFields(SyntaxNode item, HashSet<string> names, FileFacts? types)
    {
        bool publicRaw = false;
        if (item.ChildByField(RustSyntaxField.Body) is { Kind: RustSyntaxKind.OrderedFieldDeclarationList } tuple && types is not null)
        {
            // Tuple struct fields: by type and index only (`0` says nothing across structs).
            int index = 0;
            foreach (var t in tuple.Children)
            {
                if (t.Field != RustSyntaxField.Type) continue;
                var typed = NameOf(item) + "." + index++;
                types.TypedFields.Add(typed);
                if (IsPointerType(t) || IsNonNullType(t)) types.TypedPointerFields.Add(typed);
                else if (IsUnsafeFnPointer(t)) types.UnsafeFnTupleFields.Add(typed);
            }
            return false;
        }
        if (item.ChildByField(RustSyntaxField.Body) is not { Kind: RustSyntaxKind.FieldDeclarationList } body) return false;
        foreach (var f in body.Children)
        {
            if (f.Kind != RustSyntaxKind.FieldDeclaration || f.ChildByField(RustSyntaxField.Name) is not { } n) continue;
            names.Add(n.Text);
            if (types is null || f.ChildByField(RustSyntaxField.Type) is not { } t) continue;
            var typed = NameOf(item) + "." + n.Text;
            types.TypedFields.Add(typed);
            if (IsPointerType(t) || IsNonNullType(t)) types.TypedPointerFields.Add(typed);
            if (IsPointerType(t))
            {
                types.RawPointerFields.Add(n.Text);
                publicRaw |= SyntaxFacts.Visibility(f) == "pub";
            }
            else if (IsNonNullType(t)) types.NonNullFields.Add(n.Text);
            else if (IsPointerCell(t)) types.PointerCellFields.Add(n.Text);
            else if (IsUnsafeFnPointer(t)) types.UnsafeFnPointerFields.Add(n.Text);
            else types.NonPointerFields.Add(n.Text);
        }
        return publicRaw;
    }

    /// <summary><c>unsafe fn(…)</c> or <c>unsafe extern "C" fn(…)</c>, bare or in an <c>Option</c>.</summary>
    private static bool IsUnsafeFnPointer(SyntaxNode type)
    {
        var t = type;
        if (t.Kind == RustSyntaxKind.GenericType && t.ChildByField(RustSyntaxField.Type) is { } g && LastSegment(g.Text) == "Option"
            && t.ChildByField(RustSyntaxField.TypeArguments) is { } args && args.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } inner)
            t = inner;
        return t.Kind == RustSyntaxKind.FunctionType && t.ChildOfKind(RustSyntaxKind.FunctionModifiers) is { } m && m.HasChild(RustSyntaxKind.UnsafeKeyword);
    }

    /// <summary><c>NonNull&lt;T&gt;</c> (any path): its as_ref/as_mut/add… are unsafe like a raw pointer's.</summary>
    private static bool IsNonNullType(SyntaxNode type)
        => type.Kind == RustSyntaxKind.GenericType && type.ChildByField(RustSyntaxField.Type) is { } t && LastSegment(t.Text) == "NonNull";

    /// <summary>
    /// <c>UnsafeCell&lt;T&gt;</c>, <c>Cell&lt;*T&gt;</c>, <c>Cell&lt;NonNull&lt;T&gt;&gt;</c> or <c>AtomicPtr&lt;T&gt;</c>: <c>get()</c>/<c>load()</c>
    /// gives a raw pointer (a NonNull for the third, whose as_ref/as_mut are unsafe alike).
    /// </summary>
    private static bool IsPointerCell(SyntaxNode type)
    {
        if (type.Kind != RustSyntaxKind.GenericType || type.ChildByField(RustSyntaxField.Type) is not { } t) return false;
        var name = LastSegment(t.Text);
        if (name is "UnsafeCell" or "AtomicPtr") return true;
        return name == "Cell" && type.ChildByField(RustSyntaxField.TypeArguments) is { } args
            && args.Children.ToList().FirstOrDefault(c => c.IsNamed && !c.IsComment) is { Tree: not null } inner
            && (inner.Kind == RustSyntaxKind.PointerType || IsNonNullType(inner));
    }

    internal static string NameOf(SyntaxNode item) => item.ChildByField(RustSyntaxField.Name) is { } n ? n.Text : "";


    private static string TypeName(SyntaxNode type)
    {
        var t = type;
        if (t.Kind == RustSyntaxKind.GenericType && t.ChildByField(RustSyntaxField.Type) is { } inner) t = inner;
        return LastSegment(t.Text);
    }

    private static string AbiOf(SyntaxNode externModifier)
        => externModifier.ChildOfKind(RustSyntaxKind.StringLiteral) is { } s ? Unquote(s.Text) : "C";

    private static string Unquote(string s) => s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1] : s;

    internal static string MacroName(SyntaxNode macro)
        => macro.ChildByField(RustSyntaxField.Macro) is { } m ? LastSegment(m.Text) : "";

    internal static bool IsWdfBinding(string macro) => macro == "call_unsafe_wdf_function_binding";

    internal static string LastSegment(string path)
    {
        int i = path.LastIndexOf("::", StringComparison.Ordinal);
        var s = i >= 0 ? path[(i + 2)..] : path;
        int lt = s.IndexOf('<');
        return (lt >= 0 ? s[..lt] : s).Trim();
    }

    /// <summary>The callee path of a call's function expression (generic arguments dropped).</summary>
    private static string CalleePath(SyntaxNode function)
    {
        var f = function;
        if (f.Kind == RustSyntaxKind.GenericFunction && f.ChildByField(RustSyntaxField.Function) is { } inner) f = inner;
        if (f.Kind is RustSyntaxKind.Identifier or RustSyntaxKind.ScopedIdentifier)
            return SyntaxFacts.TextWithoutWhitespace(f);
        return "";
    }

    /// <summary>Replaces the first path segment by what a <c>use</c> imported under that name.</summary>
    private string ResolveImport(string path)
    {
        if (path.Length == 0) return path;
        int i = path.IndexOf("::", StringComparison.Ordinal);
        var first = i >= 0 ? path[..i] : path;
        if (_facts.Imports.TryGetValue(first, out var full) && full != first)
            return i >= 0 ? full + path[i..] : full;
        return path;
    }
}
