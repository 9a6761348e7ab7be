using FsCheck;
using FsCheck.Xunit;
using UnsafeScope.Catalogs;
using UnsafeScope.Inventory;
using UnsafeScope.Semantics;
using UnsafeScope.Syntax;
using UnsafeScope.Text;

namespace UnsafeScope.Tests.Semantics;

/// <summary>Builds compilations from source texts the way a run does: one extractor walk per file, then the crate's compilation.</summary>
internal static class Compile
{
    public static FileFacts Facts(string path, string module, string source, string crate = "demo")
    {
        var tree = RustSyntaxTree.Parse(SourceText.From(System.Text.Encoding.UTF8.GetBytes(source), path), RustParseOptions.Default, CancellationToken.None);
        return Extractor.Extract(tree, ApiCatalog.Default, path, crate, module);
    }

    public static RustCompilation Crate(params (string Path, string Module, string Source)[] files)
        => new("demo", files.Select(f => Facts(f.Path, f.Module, f.Source)));

    public static RustCompilation Crate(string source) => Crate(("src/lib.rs", "", source));

    /// <summary>The type of the receiver/operand recorded at the first occurrence of <paramref name="marker"/> in an unsafe block.</summary>
    public static string TypeAt(string source, string marker, int length = -1)
    {
        var facts = Facts("src/lib.rs", "", source);
        var compilation = new RustCompilation("demo", [facts]);
        int start = source.IndexOf(marker, StringComparison.Ordinal);
        var key = facts.Receivers.Keys.Where(k => k.Start == start && (length < 0 || k.Length == length)).OrderBy(k => k.Length).First();
        var scope = compilation.ScopeAt("src/lib.rs", start)!;
        return compilation.Evaluate(facts.Receivers[key], scope).ToString();
    }
}

public class SymbolTests
{
    private const string Items = """
        pub mod a {
            pub struct Foo { pub x: *const u8, y: (u8, Bar) }
            pub struct Bar(pub u32);
            pub union U { pub i: u32, pub f: f32 }
            pub enum E { A, B(u8), C { z: i64 } }
            pub type P = *mut Foo;
            pub trait T { const N: usize; type Item; unsafe fn go(&mut self) -> Self::Item; fn d(&self) {} }
            impl Foo { pub const unsafe fn get(&self, i: usize) -> *const u8 { self.x } pub async fn new() -> Self { loop {} } }
            impl T for Foo { const N: usize = 1; type Item = u8; unsafe fn go(&mut self) -> u8 { 0 } }
            pub static mut COUNT: u32 = 0;
            pub const ZERO: Bar = Bar(0);
            extern "C" { pub fn strlen(s: *const i8) -> usize; pub static errno: i32; }
            pub extern "system" fn callback(x: i32) {}
            macro_rules! m { () => {} }
        }
        """;

    [Fact]
    public void EachItemKindIsASymbolWithItsSignature()
    {
        var c = Compile.Crate(Items);
        var a = c.GetModule("a")!;
        Assert.Equal(RustSymbolKind.Module, a.Kind);
        var foo = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("a::Foo").Symbol);
        Assert.Equal(RustSymbolKind.Struct, foo.Kind);
        Assert.Equal("*const u8", foo.GetField("x")!.Type.ToString());
        Assert.Equal("(u8, a::Bar)", foo.GetField("y")!.Type.ToString());
        Assert.True(Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("a::Bar").Symbol).IsTupleStruct);
        Assert.Equal(RustSymbolKind.Union, c.GetSymbolByPath("a::U").Symbol!.Kind);
        var e = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("a::E").Symbol);
        Assert.Equal(["A", "B", "C"], e.Variants.Select(v => v.Name));
        Assert.Equal("i64", e.Variants[2].Fields[0].Type.ToString());
        Assert.Equal(RustSymbolKind.Variant, c.GetSymbolByPath("a::E::B").Symbol!.Kind);
        Assert.Equal("*mut a::Foo", Assert.IsType<TypeAliasSymbol>(c.GetSymbolByPath("a::P").Symbol).Target.ToString());
        var t = Assert.IsType<TraitSymbol>(c.GetSymbolByPath("a::T").Symbol);
        Assert.Equal(["N", "Item", "go", "d"], t.Members.Select(m => m.Name));
        var get = Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("a::Foo::get").Symbol);
        Assert.True(get.IsUnsafe && get.IsConst && get.SelfKind == SelfKind.Reference);
        Assert.Equal("*const u8", get.ReturnType.ToString());
        Assert.Equal("usize", Assert.Single(get.Parameters).Type.ToString());
        Assert.IsType<ImplSymbol>(get.Owner);
        var ctor = Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("a::Foo::new").Symbol);
        Assert.True(ctor.IsAsync);
        Assert.Equal("a::Foo", ctor.ReturnType.ToString());
        Assert.Equal(2, foo.Impls.Length);
        Assert.True(foo.Impls[1].IsTraitImpl);
        Assert.Equal("T", foo.Impls[1].TraitPath);
        var count = Assert.IsType<ValueSymbol>(c.GetSymbolByPath("a::COUNT").Symbol);
        Assert.True(count.IsMutable && count.Kind == RustSymbolKind.Static);
        Assert.Equal("a::Bar", Assert.IsType<ValueSymbol>(c.GetSymbolByPath("a::ZERO").Symbol).Type.ToString());
        var strlen = Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("a::strlen").Symbol);
        Assert.True(strlen.IsExtern && strlen.IsUnsafe && strlen.Abi == "C" && !strlen.HasBody);
        Assert.True(Assert.IsType<ValueSymbol>(c.GetSymbolByPath("a::errno").Symbol).IsExtern);
        Assert.Equal("system", Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("a::callback").Symbol).Abi);
        Assert.Equal(RustSymbolKind.Macro, c.GetSymbolByPath("a::m").Symbol!.Kind);
    }

    [Fact]
    public void ParametersAndFieldsAreMadeOnceOnFirstUseEvenWhenTwoThreadsAskAtOnce()
    {
        // Members are made when first asked for; symbols of a dependency's compilation are shared by crates that link
        // side by side, so a member must keep one identity whichever thread made it.
        for (int round = 0; round < 50; round++)
        {
            var c = Compile.Crate(Items);
            var get = Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("a::Foo::get").Symbol);
            var foo = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("a::Foo").Symbol);
            var variant = Assert.IsType<VariantSymbol>(c.GetSymbolByPath("a::E::C").Symbol);
            using var start = new Barrier(2);
            var seen = new object[2][];
            var threads = Enumerable.Range(0, 2).Select(k => new Thread(() =>
            {
                start.SignalAndWait();
                seen[k] = [get.Parameters[0], foo.Fields[1], variant.Fields[0]];
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Equal(seen[0], seen[1], ReferenceEqualityComparer.Instance);
            Assert.Same(get.Parameters[0], seen[0][0]);
            Assert.Same(get, get.Parameters[0].ContainingSymbol);
            Assert.Same(variant, variant.Fields[0].ContainingSymbol);
        }
        var plain = Compile.Crate("pub fn none() {} pub struct Unit;");
        Assert.Empty(Assert.IsType<FunctionSymbol>(plain.GetSymbolByPath("none").Symbol).Parameters);
        Assert.Empty(Assert.IsType<NamedTypeSymbol>(plain.GetSymbolByPath("Unit").Symbol).Fields);
    }

    [Fact]
    public void FunctionPointerAndReferenceTypesAreModelled()
    {
        var c = Compile.Crate("pub struct S<'a, T> { f: unsafe extern \"C\" fn(*mut u8, usize) -> i32, r: &'a mut [T; 4], g: T, n: fn() -> !, d: Box<dyn Fn()> }");
        var s = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("S").Symbol);
        var f = Assert.IsType<FunctionPointerType>(s.GetField("f")!.Type);
        Assert.True(f.IsUnsafe);
        Assert.Equal("C", f.Abi);
        Assert.Equal("unsafe extern \"C\" fn(*mut u8, usize) -> i32", f.ToString());
        Assert.Equal("&'a mut [T; 4]", s.GetField("r")!.Type.ToString());
        Assert.Equal(RustTypeKind.GenericParameter, s.GetField("g")!.Type.Kind);
        Assert.Equal("fn() -> !", s.GetField("n")!.Type.ToString());
        Assert.Equal("Box<?>", s.GetField("d")!.Type.ToString());
    }
}

public class ResolutionTests
{
    [Fact]
    public void UseGlobsRenamesGroupsSelfSuperCrateAndReexportsResolve()
    {
        var c = Compile.Crate(
            ("src/lib.rs", "", "pub mod inner; mod hidden { pub fn secret() {} pub struct Deep; }\npub use hidden::{secret as revealed, Deep};\npub use inner::*;\nuse self::inner::sub::{self, Leaf as L};"),
            ("src/inner.rs", "inner", "pub fn top() {}\npub mod sub { pub struct Leaf; pub fn up() { super::top() } pub use super::super::hidden::Deep as D2; }\npub use crate::hidden::secret;"));
        Assert.Equal("hidden::secret", c.GetSymbolByPath("revealed").Symbol!.Path);
        Assert.Equal("hidden::Deep", c.GetSymbolByPath("Deep").Symbol!.Path);
        Assert.Equal("inner::top", c.GetSymbolByPath("top").Symbol!.Path); // through the glob
        Assert.Equal("inner::sub::Leaf", c.GetSymbolByPath("L").Symbol!.Path);
        Assert.Equal(RustSymbolKind.Module, c.GetSymbolByPath("sub").Symbol!.Kind);
        Assert.Equal("hidden::Deep", c.GetSymbolByPath("inner::sub::D2").Symbol!.Path);
        Assert.Equal("hidden::secret", c.GetSymbolByPath("inner::secret").Symbol!.Path);
        Assert.Equal("inner::top", c.ResolvePath("super::top", c.GetModule("inner::sub")!).Symbol!.Path);
        Assert.Equal("inner::top", c.ResolvePath("crate::inner::top", c.GetModule("inner::sub")!).Symbol!.Path);
        Assert.Equal("inner::sub::Leaf", c.ResolvePath("self::Leaf", c.GetModule("inner::sub")!).Symbol!.Path);
    }

    [Fact]
    public void StdPreludeAndUndeclaredCratesAreExternalOrUnknownNeverGuessed()
    {
        var c = Compile.Crate("pub struct Vec; pub fn f() {}");
        Assert.Equal(ResolutionKind.Resolved, c.GetSymbolByPath("Vec").Resolution); // the crate's own shadows the prelude
        Assert.Equal(ResolutionKind.External, c.GetSymbolByPath("Option").Resolution);
        Assert.Equal("std", c.GetSymbolByPath("std::ptr::null").ExternalCrate);
        Assert.Equal("core", c.GetSymbolByPath("core::mem::zeroed").ExternalCrate);
        Assert.Equal(ResolutionKind.Unknown, c.GetSymbolByPath("nothing::here").Resolution);
        Assert.Equal(ResolutionKind.Unknown, c.GetSymbolByPath("g").Resolution);
    }

    [Fact]
    public void APathIntoADependencyResolvesInItsCompilationOrIsExternal()
    {
        var dep = new RustCompilation("dep", [Compile.Facts("src/lib.rs", "", "pub mod raw { pub unsafe fn poke() {} }\npub use raw::poke as p;", "dep")]);
        var facts = Compile.Facts("src/lib.rs", "", "use dep::raw;\nuse other::Thing;");
        var c = new RustCompilation("demo", [facts], code => code == "dep" ? dep : null, code => code is "dep" or "other");
        var poke = Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("raw::poke").Symbol);
        Assert.True(poke.IsUnsafe);
        Assert.Equal("dep", poke.ContainingModule!.CrateName);
        Assert.Equal("raw::poke", c.GetSymbolByPath("dep::p").Symbol!.Path);
        var external = c.GetSymbolByPath("Thing");
        Assert.Equal(ResolutionKind.External, external.Resolution);
        Assert.Equal("other", external.ExternalCrate);
    }

    [Fact]
    public void AssociatedItemsAndVariantsResolveThroughTheirType()
    {
        var c = Compile.Crate("pub struct S; impl S { pub unsafe fn raw() {} } pub enum E { V } pub type A = S;");
        Assert.True(Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("S::raw").Symbol).IsUnsafe);
        Assert.True(Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("A::raw").Symbol).IsUnsafe);
        Assert.Equal(RustSymbolKind.Variant, c.GetSymbolByPath("E::V").Symbol!.Kind);
    }

    [Fact]
    public void ImplsAreFoundThroughAliasesRenamesAndPathsAndStayWithTheCrateThatWroteThem()
    {
        var c = Compile.Crate("""
            pub mod m { pub struct S; pub struct Other; }
            use m::S as Renamed;
            pub type Alias = m::Other;
            impl Renamed { pub unsafe fn a() {} }
            impl Alias { pub unsafe fn b() {} }
            impl crate::m::S { pub unsafe fn c() {} }
            impl<T> Tr for m::S<T> { unsafe fn d() {} }
            mod n { pub struct S; impl S { pub fn a() {} } }
            trait Tr { unsafe fn d(); }
            """);
        var s = Assert.IsType<NamedTypeSymbol>(c.GetSymbolByPath("m::S").Symbol);
        Assert.Equal(["a", "c", "d"], s.Impls.SelectMany(i => i.Members).Select(f => f.Name));
        Assert.True(Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("m::Other::b").Symbol).IsUnsafe);
        Assert.False(Assert.IsType<FunctionSymbol>(c.GetSymbolByPath("n::S::a").Symbol).IsUnsafe);

        // A crate's impl of a dependency's type is seen by that crate, not by the dependency or its other users.
        var dep = new RustCompilation("dep", [Compile.Facts("src/lib.rs", "", "pub struct D; impl D { pub fn own() {} }", "dep")]);
        Func<string, RustCompilation?> deps = code => code == "dep" ? dep : null;
        var user = new RustCompilation("user", [Compile.Facts("src/lib.rs", "", "use dep::D;\ntrait X { unsafe fn extra(&self); }\nimpl X for D { unsafe fn extra(&self) {} }", "user")], deps, code => code == "dep");
        var other = new RustCompilation("other", [Compile.Facts("src/lib.rs", "", "use dep::D;", "other")], deps, code => code == "dep");
        Assert.True(Assert.IsType<FunctionSymbol>(user.GetSymbolByPath("D::extra").Symbol).IsUnsafe);
        Assert.NotNull(user.GetSymbolByPath("D::own").Symbol);
        Assert.Null(other.GetSymbolByPath("D::extra").Symbol);
        Assert.Equal(["own"], Assert.IsType<NamedTypeSymbol>(dep.GetSymbolByPath("D").Symbol).Impls.SelectMany(i => i.Members).Select(f => f.Name));
    }

    /// <summary>Any chain of <c>pub use</c> renames through modules reaches the declaration.</summary>
    [Property(MaxTest = 60)]
    public bool AChainOfPubUseRenamesReachesTheDeclaration(PositiveInt length, bool viaFiles)
    {
        int n = Math.Min(length.Get, 8);
        var files = new List<(string, string, string)>();
        var root = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++) root.Append($"pub mod m{i};\n");
        files.Add(("src/lib.rs", "", root.ToString()));
        for (int i = 0; i < n; i++)
        {
            var body = i == 0 ? "pub unsafe fn target() {}\n" : $"pub use crate::m{i - 1}::{(i == 1 ? "target" : "r" + (i - 1))} as r{i};\n";
            files.Add(($"src/m{i}.rs", $"m{i}", viaFiles ? body : body.Replace("crate::", "super::", StringComparison.Ordinal)));
        }
        var c = Compile.Crate([.. files]);
        var last = n == 1 ? "m0::target" : $"m{n - 1}::r{n - 1}";
        return c.GetSymbolByPath(last).Symbol is FunctionSymbol { Name: "target", IsUnsafe: true };
    }

    /// <summary>The compilation does not depend on the order files arrive in.</summary>
    [Property(MaxTest = 30)]
    public bool SymbolsDoNotDependOnFileOrder(int seed)
    {
        var files = new[]
        {
            ("src/lib.rs", "", "pub mod a; pub mod b; pub use a::X;"),
            ("src/a.rs", "a", "pub struct X { pub p: *const u8 } impl X { pub unsafe fn go(&self) {} }"),
            ("src/b.rs", "b", "use crate::a::X; pub fn make() -> X { loop {} }"),
        };
        var shuffled = files.OrderBy(_ => new Random(seed).Next()).ToArray();
        string Dump(RustCompilation c) => string.Join("\n", c.GetSymbols().Select(s => s + (s is FunctionSymbol f ? " -> " + f.ReturnType : "")));
        return Dump(Compile.Crate(files)) == Dump(Compile.Crate(shuffled));
    }
}

public class LocalTypeTests
{
    private const string Decls = """
        pub struct Inner { pub v: u32 }
        impl Inner { pub unsafe fn get_unchecked_thing(&self) -> *const u8 { 0 as _ } pub fn me(&self) -> &Self { self } }
        pub struct Outer { pub inner: Inner, pub raw: *mut Inner, pub w: W }
        #[repr(C)] pub union W { pub i: u32, pub s: Inner }
        pub type Alias = *const Inner;
        pub fn make() -> Outer { loop {} }
        """;

    [Theory]
    [InlineData("fn f(o: Outer) { unsafe { o.inner.get_unchecked_thing(); } }", "o.inner", "Outer")] // parameter
    [InlineData("impl Outer { fn f(&self) { unsafe { self.inner.get_unchecked_thing(); } } }", "self.inner", "&Outer")] // self and Self
    [InlineData("fn f() { let o: Outer = make(); unsafe { o.w.i; } }", "o.w", "W")] // annotated let; o.w.i reads the union W
    [InlineData("fn f() { let o = make(); unsafe { o.w.i; } }", "o.w", "W")] // let from a call's return type
    [InlineData("fn f() { let o = Outer { inner: Inner { v: 0 }, raw: 0 as _, w: W { i: 0 } }; unsafe { o.w.i; } }", "o.w", "W")] // struct literal
    [InlineData("fn f(x: usize) { let p = x as *const Inner; unsafe { *p; } }", "*p", "*const Inner")] // cast
    [InlineData("fn f(o: Outer) { let r = &o.inner; unsafe { r.get_unchecked_thing(); } }", "r.get", "&Inner")] // borrow and field type
    [InlineData("fn f(o: &Outer) { unsafe { (*o.raw).v; } }", "(*o.raw).v", "Inner")] // deref of a raw pointer field
    [InlineData("fn f(o: Outer) { unsafe { *o.raw.add(1); } }", "*o.raw", "*mut Inner")] // pointer arithmetic keeps the pointer
    [InlineData("fn f(o: Outer) { unsafe { o.raw.read().v; } }", "o.raw.read().v", "Inner")] // ptr::read gives the pointee
    [InlineData("fn f(o: Outer) { unsafe { o.inner.me().v; } }", "o.inner.me().v", "&Inner")] // method of a known type
    [InlineData("fn f(a: Alias) { unsafe { *a; } }", "*a", "*const Inner")] // alias expanded
    [InlineData("fn f<T>(t: T) { unsafe { t.go(); } }", "t.go", "T")] // generics stay parameters
    [InlineData("fn f(o: Outer) { let o = 3; unsafe { o.go(); } }", "o.go", "?")] // shadowing: unknown stays unknown
    public void TheReceiverTypeFollowsTheRule(string body, string marker, string expected)
    {
        var source = Decls + body;
        var start = source.IndexOf(marker, StringComparison.Ordinal);
        var facts = Compile.Facts("src/lib.rs", "", source);
        var c = new RustCompilation("demo", [facts]);
        // The recipe recorded for the receiver (method name), field expression value or deref operand starting there.
        var key = facts.Receivers.Keys.Where(k => k.Start == start || (k.Start > start && k.Start <= start + marker.Length)).OrderBy(k => k.Start).ThenByDescending(k => k.Length).FirstOrDefault();
        var actual = facts.Receivers.TryGetValue(key, out var recipe) ? c.Evaluate(recipe, c.ScopeAt("src/lib.rs", start)!).ToString() : "?";
        Assert.Equal(expected, actual);
    }
}
