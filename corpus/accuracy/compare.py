#!/usr/bin/env python3
"""Compare UnsafeScope's unsafe-region inventory with an independent syn-based count (syn-count).

Both tools run over the same roots. Regions are matched per file by (kind, start line) as multisets.
UnsafeScope regions with inMacro=true are left out of the match (syn cannot see inside macro token
trees) and counted separately. Files that syn cannot parse, or where UnsafeScope reported syntax
errors, are skipped from the main table (and counted); a second table also takes in the files where
only UnsafeScope reported syntax errors, because UnsafeScope still analyzes the rest of such a file.

Usage:
  compare.py --name NAME --syn-count BIN --unsafescope DLL|COMMAND [--work DIR] [--out-md FILE]
             [--out-json FILE] [--examples N] ROOT...

Only the Python standard library is used.
"""

import argparse
import collections
import datetime
import json
import os
import re
import shlex
import subprocess
import sys
import time

KINDS = [
    "unsafe_block",
    "unsafe_fn",
    "unsafe_impl",
    "unsafe_trait",
    "static_mut",
    "extern_block",
    "extern_fn",
    "extern_static",
    "union",
]
SKIP_DIRS = {"target", ".git"}  # UnsafeScope skips these folders too


def find_rs(roots):
    files = []
    for root in roots:
        root = os.path.abspath(root)
        if os.path.isfile(root):
            files.append(root)
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
            for f in sorted(filenames):
                if f.endswith(".rs"):
                    files.append(os.path.join(dirpath, f))
    return sorted(set(files))


def run_unsafescope(command, roots, out_json, jobs):
    # A .dll path runs with `dotnet`; anything else is a command prefix (e.g. "dotnet run -c Release --project X --").
    prefix = ["dotnet", command] if command.endswith(".dll") else shlex.split(command)
    cmd = [*prefix, "analyze", *[os.path.abspath(r) for r in roots],
           "--root", "/", "--json", out_json, "--quiet", "--jobs", str(jobs)]
    t0 = time.time()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.time() - t0
    if not os.path.exists(out_json):
        sys.exit(f"UnsafeScope failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    if proc.returncode not in (0, 3):
        print(f"warning: UnsafeScope exited {proc.returncode}", file=sys.stderr)
    return cmd, elapsed


def run_syn_count(binary, files, out_jsonl, list_file):
    with open(list_file, "w", encoding="utf-8") as f:
        f.write("\n".join(files) + "\n")
    cmd = [binary, list_file]
    t0 = time.time()
    with open(out_jsonl, "w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
    elapsed = time.time() - t0
    if proc.returncode != 0:
        sys.exit(f"syn-count failed (exit {proc.returncode}): {proc.stderr}")
    return cmd, elapsed


def abs_us_path(p):
    return os.path.normpath(p if os.path.isabs(p) else os.path.join("/", p))


_line_cache = {}


def source_line(path, line):
    if path not in _line_cache:
        try:
            with open(path, "rb") as f:
                _line_cache.clear()  # keep one file at a time
                _line_cache[path] = f.read().decode("utf-8", "replace").split("\n")
        except OSError:
            _line_cache[path] = []
    lines = _line_cache[path]
    if 1 <= line <= len(lines):
        return lines[line - 1].strip()[:140]
    return ""


def file_lines(path):
    source_line(path, 1)
    return _line_cache.get(path, [])


# Heuristic labels for the first syntax error UnsafeScope reported in a file (tested on its source line).
ERROR_PATTERNS = [
    ("extern type `type X;` in an extern block (wasm-bindgen, extern_types)", r"^\s*(pub(\([^)]*\))?\s+)?type\s+\w+\s*;"),
    ("`raw` used as an identifier after `&` (read as `&raw const/mut`)", r"&\s*raw\b(?!\s+(const|mut)\b)"),
    ("`try!` macro / `try` identifier (2015 edition)", r"\btry\s*(!|::)"),
    ("`box` expression (nightly box_syntax)", r"\bbox\s"),
    ("`~const` bound (nightly const_trait_impl)", r"~\s*const"),
    ("macro 2.0 item (`macro name { .. }`, decl_macro)", r"\bmacro\s+\w+"),
    ("`auto trait` (nightly)", r"\bauto\s+trait\b"),
    ("`impl const Trait` (nightly const_trait_impl)", r"\bimpl\b.*\bconst\b"),
    ("negative / `default impl` (nightly)", r"\bimpl\s*!|\bdefault\s+impl\b"),
    ("trait alias (nightly)", r"\btrait\s+\w+[^{]*="),
    ("struct literal named like a primitive type", r"\b(u8|u16|u32|u64|u128|i8|i16|i32|i64|i128|usize|isize|f32|f64|bool|char|str)\s*\{"),
    ("c\"..\" C-string literal", r"\bc\""),
    ("`~` token inside a macro token tree", r"~"),
    ("macro metavariable expression `${..}`", r"\$\{"),
]


def error_category(text):
    for name, pat in ERROR_PATTERNS:
        if re.search(pat, text):
            return name
    return "other"


# Constructs that syn 1 keeps as opaque tokens (Verbatim / macro) or that tree-sitter-rust does not know.
ENCLOSING_PATTERNS = [
    ("in a macro 2.0 body (syn: opaque ItemMacro2; UnsafeScope: not marked inMacro)", r"^\s*(pub(\([^)]*\))?\s+)?macro\s+\w+"),
    ("in a macro_rules! body", r"\bmacro_rules!"),
    ("at/in `impl const Trait` (syn 1: Item::Verbatim)", r"\bimpl\b(\s*<.*>)?\s+const\b"),
    ("in an inline `const { .. }` block (syn 1: Expr::Verbatim)", r"(^|[^\w])const\s*\{"),
]


def indent(s):
    return len(s) - len(s.lstrip(" \t"))


def enclosing_hint(path, line):
    """A heuristic label for a mismatch: the construct on the line or on the enclosing (less indented) lines."""
    lines = file_lines(path)
    if not 1 <= line <= len(lines):
        return ""
    cur = indent(lines[line - 1])
    candidates = [lines[line - 1]]
    for i in range(line - 2, max(-1, line - 600), -1):
        s = lines[i]
        st = s.strip()
        if not st or st.startswith("//") or st.startswith("#["):
            continue
        if indent(s) < cur:
            cur = indent(s)
            candidates.append(s)
            if cur == 0:
                break
    for s in candidates:
        for name, pat in ENCLOSING_PATTERNS:
            if re.search(pat, s):
                return name
    return ""


def pct(a, b):
    return "n/a" if b == 0 else f"{100.0 * a / b:.2f}%"


def compare(files_syn, files_us, paths):
    """Per-kind totals and mismatch lists over the given paths."""
    stats = {k: collections.Counter() for k in KINDS}
    mismatches = {k: [] for k in KINDS}
    sub_stats = collections.defaultdict(collections.Counter)  # syn unsafe_fn sub-kind -> syn/matched
    for path in paths:
        syn_regions = files_syn[path]["regions"]
        # Regions in macro arguments (inMacro, or items of cfg_if!-like macros: expandedFrom) are invisible to syn.
        us_regions = [r for r in files_us[path].get("regions", []) if r["kind"] in KINDS and not r["inMacro"] and not r.get("expandedFrom")]
        syn_c = collections.Counter((r["kind"], r["line"]) for r in syn_regions if r["kind"] in KINDS)
        us_c = collections.Counter((r["kind"], r["startLine"]) for r in us_regions)
        for (kind, line), n in syn_c.items():
            stats[kind]["syn"] += n
        for (kind, line), n in us_c.items():
            stats[kind]["us"] += n
        for key in set(syn_c) | set(us_c):
            kind, line = key
            m = min(syn_c[key], us_c[key])
            stats[kind]["matched"] += m
            for _ in range(syn_c[key] - m):
                mismatches[kind].append((path, line, "syn-only"))
            for _ in range(us_c[key] - m):
                mismatches[kind].append((path, line, "unsafescope-only"))
        # unsafe_fn breakdown by syn's item type (matched greedily per line)
        left = collections.Counter({k: v for k, v in us_c.items() if k[0] == "unsafe_fn"})
        for r in syn_regions:
            if r["kind"] != "unsafe_fn":
                continue
            sub_stats[r["sub"]]["syn"] += 1
            key = ("unsafe_fn", r["line"])
            if left[key] > 0:
                left[key] -= 1
                sub_stats[r["sub"]]["matched"] += 1
    for k in KINDS:
        mismatches[k].sort()
    return stats, mismatches, sub_stats


def in_macro_counts(files_us, paths):
    c = collections.Counter()
    for path in paths:
        for r in files_us[path].get("regions", []):
            if (r["inMacro"] or r.get("expandedFrom")) and r["kind"] in KINDS:
                c[r["kind"]] += 1
    return c


def table(stats, macro):
    rows = ["| kind | syn | UnsafeScope | matched | precision | recall | syn-only | UnsafeScope-only | UnsafeScope inMacro (ignored) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    tot = collections.Counter()
    for k in KINDS:
        s = stats[k]
        tot.update(s)
        rows.append(f"| {k} | {s['syn']} | {s['us']} | {s['matched']} | {pct(s['matched'], s['us'])} | "
                    f"{pct(s['matched'], s['syn'])} | {s['syn'] - s['matched']} | {s['us'] - s['matched']} | {macro[k]} |")
    rows.append(f"| **all** | {tot['syn']} | {tot['us']} | {tot['matched']} | {pct(tot['matched'], tot['us'])} | "
                f"{pct(tot['matched'], tot['syn'])} | {tot['syn'] - tot['matched']} | {tot['us'] - tot['matched']} | "
                f"{sum(macro[k] for k in KINDS)} |")
    return "\n".join(rows)


def pick_examples(items, n, per_file=3):
    """The first n mismatches, at most per_file from one file so that patterns show."""
    out, per = [], collections.Counter()
    for it in items:
        if per[it[0]] >= per_file:
            continue
        per[it[0]] += 1
        out.append(it)
        if len(out) >= n:
            break
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("roots", nargs="+")
    ap.add_argument("--name", required=True, help="corpus name for the report")
    ap.add_argument("--syn-count", required=True, help="path of the syn-count binary")
    ap.add_argument("--unsafescope", required=True,
                    help="path of UnsafeScope.Cli.dll, or a command prefix that runs the CLI")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--work", default=None, help="folder for raw outputs (default: a temp folder)")
    ap.add_argument("--out-md", default=None, help="write the markdown section here (default: stdout)")
    ap.add_argument("--out-json", default=None, help="write the numbers and all mismatches here")
    ap.add_argument("--examples", type=int, default=15, help="mismatches listed per kind and side")
    args = ap.parse_args()

    work = args.work or os.path.join("/tmp", "unsafescope-accuracy", args.name.replace(" ", "_"))
    os.makedirs(work, exist_ok=True)
    roots = [os.path.abspath(r) for r in args.roots]

    files = find_rs(roots)
    us_json = os.path.join(work, "unsafescope.json")
    syn_jsonl = os.path.join(work, "syn-count.jsonl")
    us_cmd, us_time = run_unsafescope(args.unsafescope, roots, us_json, args.jobs)
    syn_cmd, syn_time = run_syn_count(args.syn_count, files, syn_jsonl, os.path.join(work, "files.txt"))

    with open(us_json, encoding="utf-8") as f:
        us = json.load(f)
    files_us = {abs_us_path(f["path"]): f for f in us["files"]}
    files_syn = {}
    with open(syn_jsonl, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            files_syn[os.path.normpath(d["path"])] = d

    found = set(files)
    not_in_us = sorted(found - set(files_us))
    us_extra = sorted(set(files_us) - found)
    us_skipped = sorted(p for p in found if p in files_us and files_us[p]["status"] != "analyzed")
    syn_failed = sorted(p for p in found if not files_syn.get(p, {}).get("ok"))
    us_errors = sorted(p for p in found if p in files_us and files_us[p]["status"] == "analyzed"
                       and files_us[p]["syntaxErrors"] > 0)
    syn_failed_set, us_errors_set = set(syn_failed), set(us_errors)
    excluded = set(not_in_us) | set(us_skipped)
    strict = sorted(p for p in found if p not in excluded and p not in syn_failed_set and p not in us_errors_set)
    loose = sorted(p for p in found if p not in excluded and p not in syn_failed_set)

    stats, mism, sub = compare(files_syn, files_us, strict)
    stats_l, mism_l, _ = compare(files_syn, files_us, loose)
    macro = in_macro_counts(files_us, strict)
    macro_l = in_macro_counts(files_us, loose)

    syn_err_msgs = collections.Counter(files_syn[p].get("error", "?").split("\n")[0][:120] for p in syn_failed)

    def rel(p):
        for r in roots:
            if p.startswith(r.rstrip("/") + "/"):
                return os.path.relpath(p, os.path.dirname(r.rstrip("/")))
        return p

    md = []
    md.append(f"### {args.name}\n")
    md.append(f"Roots: {', '.join('`' + r + '`' for r in roots)}  ")
    md.append(f"Run: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
              f"UnsafeScope {us.get('tool', {}).get('version', '?')} took {us_time:.1f} s, syn-count {syn_time:.1f} s.\n")
    md.append("| files | count |\n| --- | ---: |")
    md.append(f"| `*.rs` files found (target/ and .git/ skipped) | {len(files)} |")
    md.append(f"| not in UnsafeScope's output | {len(not_in_us)} |")
    md.append(f"| skipped by UnsafeScope (size/timeout) | {len(us_skipped)} |")
    md.append(f"| syn 1 could not parse (skipped) | {len(syn_failed)} |")
    md.append(f"| UnsafeScope reported syntax errors (skipped) | {len(us_errors)} |")
    md.append(f"| ... of which syn also failed | {len(syn_failed_set & us_errors_set)} |")
    md.append(f"| **compared (both parsed cleanly)** | **{len(strict)}** |")
    md.append(f"| compared in the second table (syn parsed; UnsafeScope errors allowed) | {len(loose)} |\n")

    md.append("**Main table** — files both tools parsed without errors; matched on (kind, start line). "
              "precision = matched / UnsafeScope, recall = matched / syn.\n")
    md.append(table(stats, macro) + "\n")
    md.append("syn's `unsafe_fn` by item type (recall against UnsafeScope):\n")
    md.append("| syn item | syn | matched | recall |\n| --- | ---: | ---: | ---: |")
    for s in ("item_fn", "impl_method", "trait_method"):
        md.append(f"| {s} | {sub[s]['syn']} | {sub[s]['matched']} | {pct(sub[s]['matched'], sub[s]['syn'])} |")
    md.append("")
    md.append(f"**Second table** — all {len(loose)} files syn parsed, including the {len(loose) - len(strict)} where "
              "UnsafeScope reported syntax errors (it analyzes the rest of such files):\n")
    md.append(table(stats_l, macro_l) + "\n")

    if syn_err_msgs:
        md.append("syn 1 parse errors (message: files):\n")
        for msg, n in syn_err_msgs.most_common(10):
            md.append(f"- {n}: `{msg.replace('`', chr(39))}`")
        for p in syn_failed[:10]:
            md.append(f"  - `{rel(p)}:{files_syn.get(p, {}).get('line', 0)}`")
        md.append("")

    # Why UnsafeScope reported syntax errors: the source line of each file's first error, labelled.
    first_error = {}
    for n in us.get("notifications", []):
        if n.get("id") == "US0006" and n.get("path"):
            first_error.setdefault(abs_us_path(n["path"]), n.get("line", 0))
    err_cats = collections.defaultdict(list)
    for p in us_errors:
        line = first_error.get(p, 0)
        err_cats[error_category(source_line(p, line))].append((p, line))
    if us_errors:
        md.append("Files where UnsafeScope reported syntax errors, by the construct on the line of the first error "
                  "(regex heuristic on that source line; the real cause may be earlier in the file):\n")
        md.append("| first-error construct | files | example |\n| --- | ---: | --- |")
        for cat, items in sorted(err_cats.items(), key=lambda kv: -len(kv[1])):
            p, line = items[0]
            md.append(f"| {cat} | {len(items)} | `{rel(p)}:{line}` |")
        md.append("")

    def listing(title, mm, limit):
        md.append(title + "\n")
        any_ = False
        for k in KINDS:
            if not mm[k]:
                continue
            any_ = True
            n_syn = sum(1 for m in mm[k] if m[2] == "syn-only")
            n_us = sum(1 for m in mm[k] if m[2] == "unsafescope-only")
            md.append(f"<details><summary>{k}: {n_syn} syn-only, {n_us} UnsafeScope-only</summary>")
            for side in ("syn-only", "unsafescope-only"):
                items = [m for m in mm[k] if m[2] == side]
                hints = collections.Counter(enclosing_hint(p, l) or "no hint" for p, l, _ in items)
                if not items:
                    continue
                md.append("")
                md.append(f"{side} by heuristic context: " + "; ".join(f"{h}: {n}" for h, n in hints.most_common()) + "\n")
                for path, line, _ in pick_examples(items, limit):
                    hint = enclosing_hint(path, line)
                    err = f" [UnsafeScope's first syntax error at line {first_error[path]}]" if path in us_errors_set and path in first_error else ""
                    md.append(f"- {side}: `{rel(path)}:{line}` — `{source_line(path, line).replace('`', chr(39))}`"
                              + (f" — {hint}" if hint else "") + err)
                md.append("")
            md.append("</details>\n")
        if not any_:
            md.append("(none)\n")

    listing(f"Mismatches per kind, main table (at most 3 per file, {args.examples} per side):", mism, args.examples)
    strict_set = set(strict)
    extra = {k: [m for m in mism_l[k] if m[0] not in strict_set] for k in KINDS}
    listing("Additional mismatches in the files where UnsafeScope reported syntax errors (second table only):",
            extra, args.examples)

    text = "\n".join(md) + "\n"
    if args.out_md:
        with open(args.out_md, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)

    if args.out_json:
        out = {
            "name": args.name,
            "roots": roots,
            "commands": {"unsafescope": us_cmd, "syn_count": syn_cmd},
            "files": {
                "found": len(files), "not_in_unsafescope": len(not_in_us), "unsafescope_extra": len(us_extra),
                "unsafescope_skipped": len(us_skipped), "syn_failed": len(syn_failed),
                "unsafescope_syntax_errors": len(us_errors), "both_failed": len(syn_failed_set & us_errors_set),
                "compared": len(strict), "compared_loose": len(loose),
            },
            "syn_failed": [rel(p) for p in syn_failed],
            "main": {k: dict(stats[k]) | {"in_macro_ignored": macro[k]} for k in KINDS},
            "loose": {k: dict(stats_l[k]) | {"in_macro_ignored": macro_l[k]} for k in KINDS},
            "unsafe_fn_by_syn_item": {s: dict(v) for s, v in sub.items()},
            "mismatches": {k: [[rel(p), l, side] for p, l, side in mism[k]] for k in KINDS},
            "mismatches_loose": {k: [[rel(p), l, side] for p, l, side in mism_l[k]] for k in KINDS},
            "unsafescope_syntax_error_causes": {c: [f"{rel(p)}:{l}" for p, l in v] for c, v in err_cats.items()},
        }
        with open(args.out_json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
