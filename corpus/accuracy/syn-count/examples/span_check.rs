//! Shows what `syn::spanned::Spanned::span()` covers for items and expressions with outer
//! attributes (doc comments included), versus the first non-attribute token that syn-count uses.
//! Run: cargo run --release --offline --example span_check
use syn::spanned::Spanned;

const SRC: &str = "/// doc\n#[inline]\npub unsafe fn a() {\n    #[allow(unused)]\n    unsafe { 1 };\n}\n";

fn main() {
    let file = syn::parse_file(SRC).unwrap();
    let syn::Item::Fn(f) = &file.items[0] else { panic!() };
    println!("ItemFn.span() starts at line {}", f.span().start().line);
    println!("ItemFn.vis starts at line {}", f.vis.span().start().line);
    println!("ItemFn.sig.unsafety at line {}", f.sig.unsafety.unwrap().span.start().line);
    let syn::Stmt::Semi(syn::Expr::Unsafe(u), _) = &f.block.stmts[0] else { panic!() };
    println!("ExprUnsafe.span() starts at line {}", u.span().start().line);
    println!("ExprUnsafe.unsafe_token at line {}", u.unsafe_token.span.start().line);
}
