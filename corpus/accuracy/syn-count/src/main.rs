//! syn-count: an independent, syn-based inventory of unsafe regions, counted the way cargo-geiger
//! counts (syn 1 parses each file, a `syn::visit::Visit` walks everything syn can see; macro token
//! trees stay opaque).
//!
//! Input: .rs paths, one per line, from the file named by the first argument or from stdin.
//! Output: one JSON object per line and input path:
//!   {"path":"...","ok":true,"regions":[{"kind":"unsafe_block","line":12,"sub":""},...]}
//!   {"path":"...","ok":false,"error":"...","line":3}
//!
//! Kinds: unsafe_block, unsafe_fn (sub: item_fn, impl_method, trait_method), unsafe_impl,
//! unsafe_trait, static_mut, extern_block, extern_fn, extern_static, union.
//! Lines are 1-based. Item regions are anchored on the item's first token after its attributes
//! (visibility if present, else the first keyword), the way a tree-sitter item node starts.

use proc_macro2::Span;
use std::io::{self, BufRead, BufWriter, Read, Write};
use syn::visit::{self, Visit};

struct Region {
    kind: &'static str,
    sub: &'static str,
    line: usize,
}

#[derive(Default)]
struct Counter {
    regions: Vec<Region>,
}

fn line(span: Span) -> usize {
    span.start().line
}

fn vis_span(vis: &syn::Visibility) -> Option<Span> {
    match vis {
        syn::Visibility::Public(v) => Some(v.pub_token.span),
        syn::Visibility::Crate(v) => Some(v.crate_token.span),
        syn::Visibility::Restricted(v) => Some(v.pub_token.span),
        syn::Visibility::Inherited => None,
    }
}

fn sig_span(sig: &syn::Signature) -> Span {
    if let Some(t) = &sig.constness {
        return t.span;
    }
    if let Some(t) = &sig.asyncness {
        return t.span;
    }
    if let Some(t) = &sig.unsafety {
        return t.span;
    }
    if let Some(abi) = &sig.abi {
        return abi.extern_token.span;
    }
    sig.fn_token.span
}

/// Line of the first non-attribute token of a fn item: visibility, `default`, then the signature.
fn fn_line(vis: Option<&syn::Visibility>, default: Option<Span>, sig: &syn::Signature) -> usize {
    if let Some(s) = vis.and_then(vis_span) {
        return line(s);
    }
    if let Some(s) = default {
        return line(s);
    }
    line(sig_span(sig))
}

impl Counter {
    fn add(&mut self, kind: &'static str, sub: &'static str, line: usize) {
        self.regions.push(Region { kind, sub, line });
    }
}

impl<'ast> Visit<'ast> for Counter {
    fn visit_expr_unsafe(&mut self, e: &'ast syn::ExprUnsafe) {
        self.add("unsafe_block", "", line(e.unsafe_token.span));
        visit::visit_expr_unsafe(self, e);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if f.sig.unsafety.is_some() {
            self.add("unsafe_fn", "item_fn", fn_line(Some(&f.vis), None, &f.sig));
        }
        visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_method(&mut self, m: &'ast syn::ImplItemMethod) {
        if m.sig.unsafety.is_some() {
            let default = m.defaultness.as_ref().map(|d| d.span);
            self.add("unsafe_fn", "impl_method", fn_line(Some(&m.vis), default, &m.sig));
        }
        visit::visit_impl_item_method(self, m);
    }

    fn visit_trait_item_method(&mut self, m: &'ast syn::TraitItemMethod) {
        if m.sig.unsafety.is_some() {
            self.add("unsafe_fn", "trait_method", fn_line(None, None, &m.sig));
        }
        visit::visit_trait_item_method(self, m);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if let Some(u) = &i.unsafety {
            let first = i.defaultness.as_ref().map(|d| d.span).unwrap_or(u.span);
            self.add("unsafe_impl", "", line(first));
        }
        visit::visit_item_impl(self, i);
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        if let Some(u) = &t.unsafety {
            let first = vis_span(&t.vis).unwrap_or(u.span);
            self.add("unsafe_trait", "", line(first));
        }
        visit::visit_item_trait(self, t);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if s.mutability.is_some() {
            let first = vis_span(&s.vis).unwrap_or(s.static_token.span);
            self.add("static_mut", "", line(first));
        }
        visit::visit_item_static(self, s);
    }

    fn visit_item_union(&mut self, u: &'ast syn::ItemUnion) {
        let first = vis_span(&u.vis).unwrap_or(u.union_token.span);
        self.add("union", "", line(first));
        visit::visit_item_union(self, u);
    }

    fn visit_item_foreign_mod(&mut self, m: &'ast syn::ItemForeignMod) {
        self.add("extern_block", "", line(m.abi.extern_token.span));
        visit::visit_item_foreign_mod(self, m);
    }

    fn visit_foreign_item_fn(&mut self, f: &'ast syn::ForeignItemFn) {
        self.add("extern_fn", "", fn_line(Some(&f.vis), None, &f.sig));
        visit::visit_foreign_item_fn(self, f);
    }

    fn visit_foreign_item_static(&mut self, s: &'ast syn::ForeignItemStatic) {
        let first = vis_span(&s.vis).unwrap_or(s.static_token.span);
        self.add("extern_static", "", line(first));
        visit::visit_foreign_item_static(self, s);
    }
}

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn process(path: &str) -> String {
    let mut out = String::new();
    out.push_str("{\"path\":");
    json_str(&mut out, path);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            out.push_str(",\"ok\":false,\"error\":");
            json_str(&mut out, &format!("read: {e}"));
            out.push_str(",\"line\":0}");
            return out;
        }
    };
    // Invalid UTF-8 is replaced (line structure is kept), as a lossy reader would.
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let result = std::panic::catch_unwind(|| match syn::parse_file(&text) {
        Ok(file) => {
            let mut c = Counter::default();
            c.visit_file(&file);
            Ok(c.regions)
        }
        Err(e) => Err((e.to_string(), line(e.span()))),
    });
    match result {
        Ok(Ok(regions)) => {
            out.push_str(",\"ok\":true,\"regions\":[");
            for (i, r) in regions.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&format!("{{\"kind\":\"{}\",\"line\":{},\"sub\":\"{}\"}}", r.kind, r.line, r.sub));
            }
            out.push_str("]}");
        }
        Ok(Err((msg, l))) => {
            out.push_str(",\"ok\":false,\"error\":");
            json_str(&mut out, &msg);
            out.push_str(&format!(",\"line\":{l}}}"));
        }
        Err(_) => {
            out.push_str(",\"ok\":false,\"error\":\"panic while parsing\",\"line\":0}");
        }
    }
    out
}

fn run() -> io::Result<()> {
    let mut input = String::new();
    match std::env::args().nth(1) {
        Some(f) if f != "-" => input = std::fs::read_to_string(f)?,
        _ => {
            io::stdin().lock().read_to_string(&mut input)?;
        }
    }
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    for p in input.as_bytes().lines() {
        let p = p?;
        let p = p.trim_end_matches('\r');
        if p.is_empty() {
            continue;
        }
        writeln!(w, "{}", process(p))?;
    }
    w.flush()
}

fn main() {
    // Keep panic messages (e.g. from deeply nested input) off the JSON stream.
    std::panic::set_hook(Box::new(|_| {}));
    // syn's parser is recursive: give it a large stack.
    let worker = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(run)
        .expect("spawn worker");
    match worker.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("syn-count: {e}");
            std::process::exit(1);
        }
        Err(_) => std::process::exit(101),
    }
}
