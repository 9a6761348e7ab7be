using UnsafeScope.Inventory;
using UnsafeScope.Semantics;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Semantics;

/// <summary>
/// The local type rules of patterns, loops, Deref and generic arguments (corpus/fixtures/rules/US1007-patterns):
/// what <see cref="SemanticModel.GetType(SyntaxNode)"/> gives the expression at a marker, and that what is not
/// written stays unknown.
/// </summary>
public class PatternTypeTests
{
    private const string Decls = """
        use std::ops::Deref;
        pub struct Holder<T>(pub T);
        impl<T> Holder<T> { pub unsafe fn poke(&self) -> u8 { 0 } pub fn get(&self) -> &T { &self.0 } pub fn take(self) -> T { self.0 } }
        pub struct Plain;
        pub enum Flavor<T> { Held(Holder<T>), Loose(Plain), Named { inner: Holder<T>, other: Plain } }
        pub struct Guard<T> { value: T }
        impl<T> Deref for Guard<T> { type Target = T; fn deref(&self) -> &T { &self.value } }
        pub struct Items;
        impl Iterator for Items { type Item = Holder<u8>; fn next(&mut self) -> Option<Holder<u8>> { None } }
        pub struct Pair { pub a: Holder<u8>, pub b: Plain }
        pub struct Slot<T>(T);
        impl<T> Slot<T> { pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R { loop {} } }
        pub fn init<F: FnOnce(*mut u8, *mut u32)>(f: F) {}
        pub fn init2<F>(f: F) where F: FnMut(*const Plain) -> bool {}

        """;

    [Theory]
    // Variant patterns: the enum's generic arguments substituted; through `&` the binding is a reference.
    [InlineData("fn f(x: &Flavor<u8>) { match x { Flavor::Held(h) => unsafe { h.poke(); }, _ => {} } }", "h.poke", "&Holder<u8>")]
    [InlineData("fn f(x: Flavor<u8>) { match x { Flavor::Named { inner, .. } => unsafe { inner.poke(); }, _ => {} } }", "inner.poke", "Holder<u8>")]
    [InlineData("fn f(x: &mut Flavor<u8>) { if let Flavor::Named { inner: i, other: _ } = x { unsafe { i.poke(); } } }", "i.poke", "&mut Holder<u8>")]
    // std's Some / Ok / Err.
    [InlineData("fn f(o: Option<*const u8>) { if let Some(p) = o { unsafe { *p; } } }", "*p", "*const u8")]
    [InlineData("fn f(r: Result<Plain, Holder<u8>>) { if let Err(h) = r { unsafe { h.poke(); } } }", "h.poke", "Holder<u8>")]
    [InlineData("fn f(mut o: Option<*const u8>) { while let Some(p) = o { unsafe { *p; } } }", "*p", "*const u8")]
    // Binding modes: through a reference, `&` patterns, `ref`.
    [InlineData("fn f(o: &Option<*const u8>) { if let Some(p) = o { unsafe { *p; } } }", "*p", "&*const u8")]
    [InlineData("fn f(o: &Option<*const u8>) { if let &Some(p) = o { unsafe { *p; } } }", "*p", "*const u8")]
    [InlineData("fn f(t: (*const u8, u8)) { let (ref q, _) = t; unsafe { *q; } }", "*q", "&*const u8")]
    // Tuples (also from the end after `..`), struct patterns, slice patterns, parameters.
    [InlineData("fn f(t: (u8, u8, *const u8)) { let (.., p) = t; unsafe { *p; } }", "*p", "*const u8")]
    [InlineData("fn f(t: (*const u8, &mut usize, u8)) { let (_, q, _) = t; unsafe { *q; } }", "*q", "&mut usize")] // `_` holds its place
    [InlineData("fn f(s: Pair) { let Pair { a, .. } = s; unsafe { a.poke(); } }", "a.poke", "Holder<u8>")]
    [InlineData("fn f(s: &[*const u8]) { if let [p, ..] = s { unsafe { *p; } } }", "*p", "&*const u8")]
    [InlineData("fn f((p, _): (*const u8, u8)) { unsafe { *p; } }", "*p", "*const u8")]
    // For loops.
    [InlineData("fn f(s: &[*const u8]) { for p in s { unsafe { *p; } } }", "*p", "&*const u8")]
    [InlineData("fn f(s: &[*const u8]) { for p in s.iter() { unsafe { *p; } } }", "*p", "&*const u8")]
    [InlineData("fn f(v: Vec<*const u8>) { for p in v { unsafe { *p; } } }", "*p", "*const u8")]
    [InlineData("fn f(v: &mut Vec<*const u8>) { for p in v.iter_mut() { unsafe { *p; } } }", "*p", "&mut *const u8")]
    [InlineData("fn f(i: Items) { for h in i { unsafe { h.poke(); } } }", "h.poke", "Holder<u8>")]
    [InlineData("fn f(a: [*const u8; 2]) { for (k, p) in a.iter().enumerate() { unsafe { *p; } } }", "*p", "?")] // adapters are not followed
    // Deref's Target (generic argument substituted) for fields and methods; method returns with the receiver's arguments.
    [InlineData("fn f(g: Guard<Holder<*const u8>>) { unsafe { *g.0; } }", "*g.0", "*const u8")]
    [InlineData("fn f(g: &Guard<Holder<*const u8>>) { unsafe { **g.get(); } }", "**g", "*const u8")]
    [InlineData("fn f(h: Holder<*const u8>) { unsafe { *h.take(); } }", "*h", "*const u8")]
    [InlineData("fn f(h: &Holder<*const u8>) { unsafe { *h.0; } }", "*h", "*const u8")]
    [InlineData("fn f(i: &mut Items) { for h in &mut *i { unsafe { h.poke(); } } }", "h.poke", "Holder<u8>")] // &mut iterator
    // Closure parameters: the receiver's generic argument in `impl FnOnce(*const T)`, `F: Fn(..)` bounds, std's adapters.
    [InlineData("fn f(s: &Slot<Plain>) { s.with(|p| unsafe { *p; }); }", "*p", "*const Plain")]
    [InlineData("fn f() { init(|a, b| unsafe { *b; }); }", "*b", "*mut u32")]
    [InlineData("fn f() { init(|_, b| unsafe { *b; }); }", "*b", "*mut u32")]
    [InlineData("fn f() { init2(|p| unsafe { *p; true }); }", "*p", "*const Plain")]
    [InlineData("fn f(o: Option<(u8, *const u8)>) { o.map(|(_, p)| unsafe { *p; }); }", "*p", "*const u8")] // closure parameter patterns
    [InlineData("fn f(o: Option<*const u8>) { o.map(|p| unsafe { *p }); }", "*p", "*const u8")]
    [InlineData("fn f(s: &[*const u8]) { s.iter().filter(|p| unsafe { **p; true }); }", "**p", "&*const u8")]
    [InlineData("fn f(s: &[*const u8]) { s.iter().map(|p| p).for_each(|p| unsafe { *p; }); }", "*p", "?")] // adapters' results are not followed
    // Pin reaches its pointee; Pin::map_unchecked_mut's closure gets `&mut` of it; std's pointer constructors and readers.
    [InlineData("fn f(p: std::pin::Pin<&mut Pair>) { unsafe { p.a.poke(); } }", "p.a.poke", "Holder<u8>")]
    [InlineData("fn f(p: std::pin::Pin<&mut Pair>) { unsafe { p.map_unchecked_mut(|s| { s.a.poke(); &mut s.b }); } }", "s.a.poke", "Holder<u8>")]
    [InlineData("fn f(p: *mut Pair) { let b = unsafe { Box::from_raw(p) }; unsafe { b.a.poke(); } }", "b.a", "Box<Pair>")]
    [InlineData("fn f(p: *const *const u8) { unsafe { *std::ptr::read(p); } }", "*std", "*const u8")]
    [InlineData("fn f(p: usize) { unsafe { *std::ptr::read(p); } }", "*std", "?")] // not a pointer argument
    // `let x;` typed by its first assignment; if / match typed by their first branch of known type.
    [InlineData("fn f(c: bool, p: *const u8) { let q; if c { q = p; } else { q = p; } unsafe { *q; } }", "*q", "*const u8")]
    [InlineData("fn f(c: bool, p: *const u8) { let q = if c { p } else { return }; unsafe { *q; } }", "*q", "*const u8")]
    [InlineData("fn f(o: Option<*const u8>) { let q = match o { Some(p) => p, None => return }; unsafe { *q; } }", "*q", "*const u8")]
    [InlineData("fn f(c: bool, p: *const u8) { let q = if c { g() } else { p }; unsafe { *q; } }", "*q", "*const u8")]
    [InlineData("fn f(c: bool, p: *const u8) { let q = if c { p }; unsafe { *q; } }", "*q", "?")] // no else: not the branch's type
    [InlineData("fn f(p: *const u8) { let q; let q2 = 1; q = g(); unsafe { *q; } }", "*q", "?")]
    [InlineData("fn f(p: *const u8) { let mut o = None; o = Some(p); if let Some(q) = o { unsafe { *q; } } }", "*q", "*const u8")] // `= None`, then Some(x)
    [InlineData("fn f(p: *const u8) { let mut o = None; o = None; o = Some(p); if let Some(q) = o { unsafe { *q; } } }", "*q", "?")] // only the first assignment
    // A method whose result is its closure's (`with<R>(&self, f: impl FnOnce(*const T) -> R) -> R`): the closure body's type.
    [InlineData("fn f(s: &Slot<Pair>) { let p = s.with(|x| x); unsafe { *p; } }", "*p", "*const Pair")]
    [InlineData("fn f(s: &Slot<Pair>) { unsafe { (*s.with(|x| x)).a.poke(); } }", "(*s.with(|x| x)).a.poke", "Holder<u8>")]
    [InlineData("fn f(s: &Slot<Pair>) { let p = s.with(|x| unknown(x)); unsafe { *p; } }", "*p", "R")] // body unknown: the result stays a parameter
    // Slices' methods behind Box.
    [InlineData("fn f(b: Box<[*const u8]>) { unsafe { *b.get_unchecked(0); } }", "*b", "&*const u8")]
    // std's vector constructor: element type not written.
    [InlineData("fn f() { let v = Vec::new(); unsafe { v.as_ptr().add(1); } }", "v.as_ptr().add", "*const ?")]
    // Unknown stays unknown: `_`, a scrutinee of unknown type, a pattern that does not name the scrutinee's type.
    [InlineData("fn f() { let v: Option<_> = None; if let Some(p) = v { unsafe { *p; } } }", "*p", "?")]
    [InlineData("fn f() { match g() { Flavor::Held(h) => unsafe { h.poke(); }, _ => {} } }", "h.poke", "?")]
    [InlineData("fn f(o: Option<Holder<u8>>) { match o { Flavor::Held(h) => unsafe { h.poke(); }, _ => {} } }", "h.poke", "?")]
    [InlineData("fn f(x: Flavor<u8>) { let y: Plain = Plain; if let Flavor::Held(y) = x { } unsafe { y.poke(); } }", "y.poke", "Plain")] // the binding ends with its if
    public void TheModelTypesTheExpression(string body, string marker, string expected)
    {
        var source = Decls + body;
        int start = source.IndexOf(marker, Decls.Length, StringComparison.Ordinal);
        Assert.True(start >= 0, marker);
        Assert.Equal(expected, TypeOf(source, start, marker).ToString());
    }

    [Fact]
    public void PathAttributesGiveFilesTheirModuleTheFirstAlternativeWinning()
    {
        var c = Compile.Crate(
            ("src/lib.rs", "", "mod sys;"),
            ("src/sys/mod.rs", "sys", """
                cfg_if::cfg_if! {
                    if #[cfg(unix)] {
                        #[path = "unix.rs"]
                        mod imp;
                    } else {
                        #[path = "windows.rs"]
                        mod imp;
                    }
                }
                // #[path = "other.rs"] mod commented;
                pub use self::imp::Parker;
                """),
            ("src/sys/unix.rs", "sys::unix", "pub struct Parker; impl Parker { pub unsafe fn park(&self) {} }"),
            ("src/sys/windows.rs", "sys::windows", "pub struct Parker; impl Parker { pub fn park(&self) {} }"),
            ("src/sys/other.rs", "sys::other", "pub struct Other;"));
        var parker = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("sys::imp::Parker").Symbol);
        Assert.Equal("src/sys/unix.rs", parker.Location.Path);
        Assert.True(Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("sys::Parker::park").Symbol).IsUnsafe);
        Assert.NotNull(c.GetModule("sys::windows")); // the other alternative keeps its place
        Assert.NotNull(c.GetSymbolByPath("sys::other::Other").Symbol); // a commented-out #[path] moves nothing
        Assert.Null(c.GetModule("sys::commented"));
    }

    /// <summary>The semantic model's type of the receiver (before the last <c>.name</c> of the marker) or deref operand at the marker.</summary>
    private static RustType TypeOf(string source, int start, string marker)
    {
        var text = SourceText.From(System.Text.Encoding.UTF8.GetBytes(source), "src/lib.rs");
        var tree = RustSyntaxTree.Parse(text, RustParseOptions.Default, CancellationToken.None);
        var facts = Extractor.Extract(tree, UnsafeScope.Catalogs.ApiCatalog.Default, "src/lib.rs", "demo", "");
        var compilation = new RustCompilation("demo", [facts]);
        var model = new SemanticModel(new FileInventory("src/lib.rs", "demo", [], new InventoryCounts()), compilation, () => tree);
        var root = tree.Root!.Value;
        int dot = marker.LastIndexOf('.');
        bool deref = marker.StartsWith('*');
        // The receiver: the expression that ends right before the last `.`; a deref: its operand.
        var wantedStart = deref ? start + 1 : start;
        var wantedEnd = deref ? -1 : start + dot;
        SyntaxNode? best = null;
        foreach (var n in root.DescendantsAndSelf)
        {
            if (!n.IsNamed || n.Span.Start != wantedStart) continue;
            if (deref ? n.Parent is { Kind: RustSyntaxKind.UnaryExpression } u && u.Span.Start == start : n.Span.End == wantedEnd)
            {
                best = n;
                break;
            }
        }
        Assert.True(best is not null, "no node at " + marker);
        return model.GetType(best.Value);
    }
}
