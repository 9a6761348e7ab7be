using UnsafeScope.Catalogs;
using UnsafeScope.Inventory;

namespace UnsafeScope.Tests.Semantics;

/// <summary>
/// <c>&amp;raw const</c> of a field path reads no union field, unless the path derefs through one (clippy's
/// multiple_unsafe_ops_per_block checks each prefix's adjustments): the union field of reference or smart pointer type
/// that a further field is reached through is read.
/// </summary>
public class RawPlaceTests
{
    private const string Decls = """
        pub struct Target { pub x: u32, pub inner: Inner }
        pub struct Inner { pub y: u32 }
        pub struct Plain { pub r: u32 }
        pub union Shared<'a> { pub r: &'a Target, pub b: Box<Target>, pub v: Target }
        pub struct Holder<'a> { pub sh: Shared<'a> }

        """;

    [Theory]
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.r.x; } }", "r")] // through a reference
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.b.x; } }", "b")] // through a Box
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.r.inner.y; } }", "r")] // deeper paths too
    [InlineData("fn f(h: Holder<'_>) { unsafe { let _ = &raw const h.sh.r.x; } }", "r")] // a union inside a struct
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.v.x; } }", "")] // a plain field: only its address
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.v.inner.y; } }", "")]
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = &raw const sh.r; } }", "")] // the reference's own place
    [InlineData("fn f(sh: Shared<'_>) { unsafe { let _ = sh.v.x; } }", "v")] // a read, without &raw
    [InlineData("fn f() { union L<'a> { r: &'a Inner } let i = Inner { y: 0 }; let l = L { r: &i }; unsafe { let _ = &raw const l.r.y; } }", "r")] // a union of the body: by the type l was built with
    [InlineData("fn f(p: Plain, q: &Plain) { unsafe { let _ = &raw const q.r; } let _ = p; }", "")]
    public void UnionFieldsReadUnderARawBorrow(string body, string expected)
    {
        var facts = Compile.Facts("src/lib.rs", "", Decls + body);
        var linked = new CrateLinker(ApiCatalog.Default, [facts]).Link(facts);
        var block = Assert.Single(linked.Regions, r => r.Kind == RegionKind.UnsafeBlock);
        var reads = string.Join(",", block.Operations.Where(o => o.Kind == OperationKind.UnionFieldAccess).Select(o => o.Name));
        Assert.Equal(expected, reads);
    }
}
