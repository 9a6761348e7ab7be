#!/usr/bin/env python3
"""Compares UnsafeScope's clippy/rustc-equivalent rules with real clippy findings (stdlib only).

Subcommands (run.sh calls them in this order):
  prepare DIR          make a copied Debian crate buildable offline: drop Cargo.lock and dev-dependencies,
                       write .cargo/config.toml pointing crates-io at /usr/share/cargo/registry.
  extract ...          normalize `cargo clippy --message-format=json` output of the primary package into
                       {lint, file, line, column, ...} records and list the files rustc compiled (dep-info).
  trim-us IN OUT       keep the US1001-US1009 diagnostics of an UnsafeScope --json inventory.
  report ...           match per rule on (file, line) over compiled files, write RESULTS.md and a mismatch list.
"""
import argparse
import collections
import datetime
import glob
import json
import os
import re
import subprocess
import sys

RULES = [
    ("US1001", "clippy::undocumented_unsafe_blocks"),
    ("US1002", "clippy::multiple_unsafe_ops_per_block"),
    ("US1003", "clippy::missing_safety_doc"),
    ("US1004", "clippy::unnecessary_safety_doc"),
    ("US1005", "clippy::unnecessary_safety_comment"),
    ("US1006", "clippy::not_unsafe_ptr_arg_deref"),
    ("US1007", "unsafe_op_in_unsafe_fn"),
    ("US1008", "clippy::mut_from_ref"),
    ("US1009", "clippy::unsafe_removed_from_name"),
]
LINT_OF = dict(RULES)
RULE_OF = {lint: rule for rule, lint in RULES}


def write_json(path, obj):
    """Compact JSON (the results are committed)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")


# ---------------------------------------------------------------------------------------------- prepare

def cmd_prepare(a):
    d = a.dir
    lock = os.path.join(d, "Cargo.lock")
    if os.path.exists(lock):
        os.remove(lock)
    toml = os.path.join(d, "Cargo.toml")
    out, skip = [], False
    for line in open(toml, encoding="utf-8").read().splitlines():
        s = line.strip()
        if s.startswith("["):
            # [dev-dependencies], [dev-dependencies.x], [target.'cfg(..)'.dev-dependencies(.x)]
            skip = re.match(r"^\[(target\..*\.)?dev-dependencies(\.|\])", s) is not None
        if not skip:
            out.append(line)
    open(toml, "w", encoding="utf-8").write("\n".join(out) + "\n")
    os.makedirs(os.path.join(d, ".cargo"), exist_ok=True)
    with open(os.path.join(d, ".cargo", "config.toml"), "w", encoding="utf-8") as f:
        f.write('[source.crates-io]\nreplace-with = "debian"\n[source.debian]\n'
                'directory = "/usr/share/cargo/registry"\n[net]\noffline = true\n')


# ---------------------------------------------------------------------------------------------- extract

def lint_name(msg):
    """The lint of a rustc/clippy diagnostic, or None when it is not one of the nine."""
    code = (msg.get("code") or {}).get("code")
    if code in LINT_OF.values():
        return code
    if code == "unsafe_op_in_unsafe_fn":
        return "unsafe_op_in_unsafe_fn"
    # rustc >= 1.77 reports unsafe_op_in_unsafe_fn with the error code E0133 at warning level
    # ("call to unsafe function `f` is unsafe and requires unsafe block"); a real E0133 is an error.
    if code == "E0133" and msg.get("level") == "warning":
        return "unsafe_op_in_unsafe_fn"
    return None


def rel_in_crate(path, crate_dir):
    """The path relative to the crate root, or None when it lies outside (std, dependencies, OUT_DIR)."""
    if not os.path.isabs(path):
        path = os.path.join(crate_dir, path)
    path = os.path.normpath(path)
    root = os.path.normpath(crate_dir) + os.sep
    if not path.startswith(root):
        return None
    rel = path[len(root):]
    return rel if not rel.startswith("target" + os.sep) else None


def locate(span, crate_dir):
    """(file, line, column, in_macro, macro) of a primary span: the span itself when it is in the crate
    (for a local macro_rules! that is the definition site, like UnsafeScope's token-tree regions),
    else the innermost call site inside the crate."""
    in_macro = span.get("expansion") is not None
    macro = span["expansion"]["macro_decl_name"] if in_macro else None
    s = span
    while s is not None:
        rel = rel_in_crate(s["file_name"], crate_dir)
        if rel is not None:
            return rel, s["line_start"], s["column_start"], s["line_end"], in_macro, macro
        s = (s.get("expansion") or {}).get("span")
    return None


def read_messages(path, crate_dir):
    pkg_prefix = "path+file://" + os.path.normpath(crate_dir)
    msgs, artifacts, success = [], [], None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        m = json.loads(line)
        r = m.get("reason")
        if r == "build-finished":
            success = m.get("success")
        if not m.get("package_id", "").startswith(pkg_prefix):
            continue
        if r == "compiler-message":
            msgs.append(m)
        elif r == "compiler-artifact":
            artifacts.append(m)
    return msgs, artifacts, success


def findings(msgs, crate_dir):
    """Unique findings per (lint, file, line, column, message); `instances` counts macro re-expansions."""
    out = collections.OrderedDict()
    for m in msgs:
        msg = m["message"]
        lint = lint_name(msg)
        if lint is None:
            continue
        prim = [s for s in msg.get("spans", []) if s.get("is_primary")]
        if not prim:
            continue
        loc = locate(prim[0], crate_dir)
        if loc is None:
            continue
        f, line, col, end, in_macro, macro = loc
        # Same span and text = one finding (a macro body expanded many times); two different
        # operations can share a span start (`(*p).f.get_unchecked(i)`: deref and call), so the text counts.
        key = (lint, f, line, col, msg.get("message", ""))
        if key in out:
            out[key]["instances"] += 1
            continue
        notes = []
        for ch in msg.get("children", []):
            for sp in ch.get("spans", []):
                if sp.get("is_primary"):
                    l = locate(sp, crate_dir)
                    if l is not None:
                        notes.append([ch.get("message", ""), l[0], l[1], span_text(sp)])
        out[key] = {"lint": lint, "file": f, "line": line, "column": col, "endLine": end, "inMacro": in_macro,
                    "macro": macro, "target": m.get("target", {}).get("kind", ["?"])[0],
                    "message": msg.get("message", ""), "notes": notes if lint != "unsafe_op_in_unsafe_fn" else [],
                    "instances": 1}
    return list(out.values())


def span_text(sp):
    """The highlighted source text of a span (its first line only)."""
    t = (sp.get("text") or [{}])[0]
    line = t.get("text", "")
    hs, he = t.get("highlight_start", 1), t.get("highlight_end", len(line) + 1)
    return line[hs - 1:he - 1] if sp.get("line_start") == sp.get("line_end") else line[hs - 1:]


def unsafe_code_sites(msgs, crate_dir):
    """Where rustc's `unsafe_code` lint fired: every `unsafe` block, fn, impl and trait that survived cfg
    stripping. These lines say which unsafe regions clippy actually compiled."""
    out = set()
    for m in msgs:
        msg = m["message"]
        if (msg.get("code") or {}).get("code") != "unsafe_code":
            continue
        prim = [s for s in msg.get("spans", []) if s.get("is_primary")]
        loc = locate(prim[0], crate_dir) if prim else None
        if loc is not None:
            out.add((loc[0], loc[1], msg.get("message", "")))
    return [list(x) for x in sorted(out)]


def compiled_files(artifacts, crate_dir):
    """Files of the crate that rustc read, from the dep-info (.d) next to each artifact of the package."""
    files, dfiles = set(), []
    for a in artifacts:
        for fn in a.get("filenames") or []:
            m = re.search(r"-([0-9a-f]{16})(\.[a-z]+)?$", os.path.basename(fn))
            if m:
                dfiles += glob.glob(os.path.join(os.path.dirname(fn), "*-%s.d" % m.group(1)))
    for d in sorted(set(dfiles)):
        text = open(d, encoding="utf-8").read().replace("\\\n", " ")
        for line in text.splitlines():
            if ":" not in line or line.startswith("#"):
                continue
            target, _, deps = line.partition(": ")
            for p in deps.split():
                rel = rel_in_crate(p.replace("\\ ", " "), crate_dir)
                if rel is not None and rel.endswith(".rs"):
                    files.add(rel)
    return sorted(files), [os.path.basename(d) for d in sorted(set(dfiles))]


def cmd_extract(a):
    msgs, artifacts, success = read_messages(a.force, a.crate_dir)
    if not success:
        sys.exit("clippy did not finish successfully: " + a.force)
    forced = findings(msgs, a.crate_dir)
    wmsgs, _, wsuccess = read_messages(a.warn, a.crate_dir) if a.warn else ([], [], None)
    warned = {(f["lint"], f["file"], f["line"], f["column"]) for f in findings(wmsgs, a.crate_dir)}
    for f in forced:
        f["allowedInSource"] = bool(a.warn) and (f["lint"], f["file"], f["line"], f["column"]) not in warned
    files, dfiles = compiled_files(artifacts, a.crate_dir)
    # Files named by a message are compiled too (dep-info should already list them all).
    files = sorted(set(files) | {f["file"] for f in forced})
    manifest = open(os.path.join(a.crate_dir, "Cargo.toml"), encoding="utf-8").read()
    ed = re.search(r'^edition\s*=\s*"(\d+)"', manifest, re.M)
    out = {
        "crate": a.crate, "cargoArgs": a.args, "edition": ed.group(1) if ed else "2015",
        "clippy": subprocess.run(["cargo", "clippy", "--version"], capture_output=True, text=True).stdout.strip(),
        "targets": sorted({t for art in artifacts for t in art.get("target", {}).get("kind", [])}),
        "features": sorted({f for art in artifacts for f in art.get("features", [])}),
        "depInfo": dfiles, "compiledFiles": files, "unsafeCodeSites": unsafe_code_sites(msgs, a.crate_dir),
        "findings": forced,
    }
    write_json(a.out, out)


# ---------------------------------------------------------------------------------------------- trim-us

REGION_KEYS = ("kind", "startLine", "startColumn", "endLine", "inMacro", "macroRules", "item", "name", "visibility",
               "hasSafetyComment", "hasSafetyDoc", "operations")


def cmd_trim_us(a):
    d = json.load(open(a.inp, encoding="utf-8"))
    files = []
    for f in d.get("files", []):
        diags = [g for g in f.get("diagnostics", []) if g.get("ruleId") in LINT_OF]
        files.append({"path": f["path"], "status": f.get("status"), "syntaxErrors": f.get("syntaxErrors", 0),
                      "counts": {k: f.get("counts", {}).get(k, 0) for k in ("unsafeBlocks", "unsafeFunctions", "unsafeImpls", "unsafeTraits", "lines")},
                      "regions": [{k: r.get(k) for k in REGION_KEYS if k in r} for r in f.get("regions", [])
                                  if r.get("kind") in ("unsafe_block", "unsafe_fn", "unsafe_impl", "unsafe_trait")],
                      "diagnostics": diags})
    out = {"schemaVersion": d.get("schemaVersion"), "tool": d.get("tool"), "crates": d.get("crates"), "total": d.get("total"), "files": files}
    write_json(a.out, out)



# ---------------------------------------------------------------------------------------------- report

def load_crates(crates_file, results):
    order = []
    for line in open(crates_file, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            order.append(line.split()[0])
    out = []
    for nv in order:
        cp, up = os.path.join(results, nv + ".clippy.json"), os.path.join(results, nv + ".unsafescope.json")
        if os.path.exists(cp) and os.path.exists(up):
            out.append((nv, json.load(open(cp, encoding="utf-8")), json.load(open(up, encoding="utf-8"))))
    return out


class Source:
    """Reads lines of the pristine crate sources (the copies differ only in Cargo.toml)."""
    def __init__(self):
        self.cache = {}

    def lines(self, nv, path):
        key = (nv, path)
        if key not in self.cache:
            try:
                self.cache[key] = open(os.path.join(REGISTRY, nv, path), encoding="utf-8", errors="replace").read().split("\n")
            except OSError:
                self.cache[key] = []
        return self.cache[key]

    def in_macro(self, nv, path, n):
        """Whether line n lies inside a macro token tree (macro argument or macro_rules! body)."""
        key = ("macro", nv, path)
        if key not in self.cache:
            self.cache[key] = macro_ranges("\n".join(self.lines(nv, path)))
        return any(a <= n <= b for a, b in self.cache[key])

    def line(self, nv, path, n):
        ls = self.lines(nv, path)
        return ls[n - 1].strip() if 0 < n <= len(ls) else ""


REGISTRY = "/usr/share/cargo/registry"


def macro_ranges(text):
    """(first line, last line) of every macro token tree: the bracketed arguments of `name!(...)`,
    `name![...]`, `name! {...}` and the body of `macro_rules! name {...}`. A small lexer skips comments,
    strings, raw strings and char literals (a `'` followed by an identifier and no closing `'` is a lifetime)."""
    out, i, n, line = [], 0, len(text), 1
    stack = []          # open brackets: (char, start line, is_macro_tree)
    pending = False     # saw `ident!` (optionally `macro_rules! name`), the next bracket opens a token tree
    close = {")": "(", "]": "[", "}": "{"}
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1; i += 1; continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i): depth += 1; i += 2
                elif text.startswith("*/", i): depth -= 1; i += 2
                else:
                    line += text[i] == "\n"; i += 1
            continue
        m = re.match(r'b?r(#*)"', text[i:i + 260]) if c in "br" else None
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = text.find('"' + m.group(1), i + m.end())
            end = n if end < 0 else end + 1 + len(m.group(1))
            line += text.count("\n", i, end); i = end; continue
        if c == '"' or (c == "b" and text.startswith('b"', i)):
            i += 1 if c == '"' else 2
            while i < n and text[i] != '"':
                if text[i] == "\\": i += 1
                line += i < n and text[i] == "\n"
                i += 1
            i += 1; continue
        if c == "'":
            m = re.match(r"'(\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F_]*\}|.)|[^\\'])'", text[i:i + 16])
            i += m.end() if m else 1
            continue
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)\s*!\s*(?:[A-Za-z_][A-Za-z0-9_]*\s*)?", text[i:i + 200]) if (c.isalpha() or c == "_") and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) else None
        if m and not text.startswith("!=", i + len(m.group(1)) + (len(m.group(0)) - len(m.group(0).lstrip()))) and text[i + m.end():i + m.end() + 1] in ("(", "[", "{"):
            pending = True
            line += text.count("\n", i, i + m.end()); i += m.end(); continue
        if m is None and (c.isalnum() or c == "_"):
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"): j += 1
            i = j; continue
        if c in "([{":
            stack.append((c, line, pending)); pending = False
        elif c in ")]}":
            while stack:
                o, start, is_macro = stack.pop()
                if is_macro:
                    out.append((start, line))
                if o == close[c]:
                    break
        i += 1
    return out


def us_findings(u, rule, src=None, nv=None):
    """UnsafeScope diagnostics of one rule, unique per (file, line, column, message). For US1007 the line is
    normalized to rustc's anchor: rustc reports a method call at the start of the whole call expression
    (its receiver), UnsafeScope at the method name, so an operation on a `.method()` continuation line of a
    multi-line chain is moved up to the line where the chain starts (`originalLine` keeps UnsafeScope's)."""
    seen, out = set(), []
    for f in u["files"]:
        for g in f["diagnostics"]:
            if g["ruleId"] != rule:
                continue
            k = (f["path"], g["line"], g["column"], g["message"])
            if k in seen:
                continue
            seen.add(k)
            x = {"file": f["path"], "line": g["line"], "column": g["column"], "message": g["message"]}
            if rule == "US1007" and src is not None and at_continuation_method(src, nv, f["path"], g["line"], g["column"]):
                start = chain_start(src, nv, f["path"], g["line"])
                if start != g["line"]:
                    x["originalLine"], x["line"] = g["line"], start
            out.append(x)
    return out


def at_continuation_method(src, nv, path, line, column):
    """The diagnostic is at the method name right after the `.` that opens a continuation line (`    .m(…)`): its
    receiver starts on an earlier line. A call further right on that line (`.m(self.f(x))`'s `f`) has its own receiver
    on this line, where rustc reports it."""
    text = src.line(nv, path, line)
    if not text.startswith("."):
        return False
    lines = src.lines(nv, path)
    full = lines[line - 1] if 0 < line <= len(lines) else text
    indent = len(full) - len(full.lstrip())
    return column - 1 == indent + 1


def chain_start(src, nv, path, line):
    """The first line of a method chain whose continuation line `line` starts with `.`."""
    n = line
    while n > 1 and src.line(nv, path, n).startswith("."):
        n -= 1
    return n


def match(cl, us):
    """Multiset match on (file, line). Returns (matched, clippy_only, us_only) as lists of findings."""
    by_key = collections.defaultdict(list)
    for x in us:
        by_key[(x["file"], x["line"])].append(x)
    matched, c_only = [], []
    for x in cl:
        lst = by_key.get((x["file"], x["line"]))
        if lst:
            matched.append((x, lst.pop(0)))
        else:
            c_only.append(x)
    u_only = [x for lst in by_key.values() for x in lst]
    return matched, c_only, u_only


FN_SITE = ("declaration of an `unsafe` function", "declaration of an `unsafe` method",
           "implementation of an `unsafe` method", "declaration of an `unsafe` trait")
REGION_RULES = ("US1001", "US1002", "US1003", "US1007")


HOST_CFG = {"unix": True, "windows": False, "test": False, "debug_assertions": True, "doc": False, "docsrs": False,
            "miri": False, "loom": False, "fuzzing": False, "target_os": "linux", "target_arch": "x86_64",
            "target_family": "unix", "target_env": "gnu", "target_endian": "little", "target_pointer_width": "64",
            "target_vendor": "unknown", "panic": "unwind"}


def eval_cfg(expr, features):
    """Evaluates a cfg predicate for the host (x86_64 Linux, the crate's enabled features); None if unknown."""
    toks = re.findall(r'[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|[(),=]', expr)
    pos = [0]

    def peek():
        return toks[pos[0]] if pos[0] < len(toks) else None

    def take():
        pos[0] += 1
        return toks[pos[0] - 1]

    def pred():
        name = take()
        if name in ("all", "any", "not") and peek() == "(":
            take()
            vals = []
            while peek() not in (")", None):
                vals.append(pred())
                if peek() == ",":
                    take()
            take()
            if name == "not":
                return None if vals[0] is None else not vals[0]
            if name == "all":
                return False if False in vals else (None if None in vals else True)
            return True if True in vals else (None if None in vals else False)
        if peek() == "=":
            take()
            value = take().strip('"')
            if name == "feature":
                return value in features
            if name in HOST_CFG:
                return HOST_CFG[name] == value
            if name == "target_has_atomic":
                return True
            return None
        return HOST_CFG.get(name)

    try:
        return pred()
    except (IndexError, KeyError):
        return None


def cfg_disabled(src, nv, f, line, features):
    """A syntactic estimate: whether `line` sits in an item/statement whose #[cfg(...)] is false for the host.
    Walks up by indentation (rustfmt layout) and evaluates the #[cfg] attributes above each enclosing header."""
    lines = src.lines(nv, f)
    if not (0 < line <= len(lines)):
        return False
    indent = lambda t: len(t) - len(t.lstrip())
    n, limit = line, indent(lines[line - 1]) + 1
    while n > 0:
        t = lines[n - 1]
        st = t.strip()
        if st and indent(t) < limit and not st.startswith(("//", "#", "}", ")", "]", "*", "/*")):
            limit = indent(t)
            k = n - 1
            while k > 0 and lines[k - 1].strip().startswith(("#[", "///", "//")):
                m = re.match(r"\s*#\[cfg\((.*)\)\]\s*$", lines[k - 1])
                if m and eval_cfg(m.group(1), features) is False:
                    return True
                k -= 1
            if limit == 0:
                return False
        n -= 1
    return False


def manifest_dependencies(nv):
    """Names under which the crate's dependencies are visible in paths (renames included)."""
    try:
        text = open(os.path.join(REGISTRY, nv, "Cargo.toml"), encoding="utf-8").read()
    except OSError:
        return set()
    names = set(re.findall(r"^\[(?:target\.[^\]]*\.)?(?:build-|dev-)?dependencies\.([A-Za-z0-9_-]+)\]", text, re.M))
    return {n.replace("-", "_") for n in names}


class CrateView:
    """One crate's clippy results and UnsafeScope inventory, with the lookups the classification needs."""
    def __init__(self, nv, c, u):
        self.nv, self.c, self.u = nv, c, u
        self.name = re.sub(r"-[0-9][^-]*$", "", nv).replace("-", "_")
        self.compiled = set(c["compiledFiles"])
        self.dependencies = manifest_dependencies(nv)
        self.features = set(c.get("features", []))
        self.regions = {f["path"]: f["regions"] for f in u["files"]}
        self.block_sites = {(f, l) for f, l, m in c["unsafeCodeSites"] if m not in FN_SITE}
        self.fn_sites = collections.defaultdict(set)
        for f, l, m in c["unsafeCodeSites"]:
            if m in FN_SITE:
                self.fn_sites[f].add(l)

    def regions_at(self, f, line, kinds=None):
        """Regions covering the line, innermost (latest start) first."""
        rs = [r for r in self.regions.get(f, []) if r["startLine"] <= line <= r["endLine"] and (kinds is None or r["kind"] in kinds)]
        return sorted(rs, key=lambda r: (-r["startLine"], r["endLine"]))

    def regions_at_or_after(self, f, line, span):
        """Non-macro unsafe blocks that start within `span` lines after `line`."""
        return [r for r in self.regions.get(f, []) if r["kind"] == "unsafe_block" and not r["inMacro"] and line <= r["startLine"] <= line + span]

    def region_starting(self, f, line, kinds):
        return next((r for r in self.regions.get(f, []) if r["startLine"] == line and r["kind"] in kinds), None)

    def fn_compiled(self, f, r):
        return any(r["startLine"] <= l <= r["endLine"] for l in self.fn_sites.get(f, ()))

    def region_compiled(self, rule, x):
        """Whether rustc compiled the code a finding is about (True/False), or None when unknown."""
        f, line = x["file"], x["line"]
        if f not in self.compiled:
            return False
        if rule in ("US1001", "US1002"):
            return (f, line) in self.block_sites
        if rule == "US1003":
            r = self.region_starting(f, line, ("unsafe_fn", "unsafe_trait"))
            return self.fn_compiled(f, r) if r else None
        if rule == "US1007":
            r = next(iter(self.regions_at(f, line, ("unsafe_fn",))), None)
            return self.fn_compiled(f, r) if r else None
        return None


def analyze(crates, src):
    """Per crate and rule: counts and the unmatched findings."""
    rows = []
    for nv, c, u in crates:
        v = CrateView(nv, c, u)
        for rule, lint in RULES:
            cl = [x for x in c["findings"] if x["lint"] == lint]
            us_all = us_findings(u, rule, src, nv)
            us = [x for x in us_all if x["file"] in v.compiled]
            for x in us:
                x["compiled"] = v.region_compiled(rule, x)
                if x["compiled"] is not False and cfg_disabled(src, nv, x["file"], x.get("originalLine", x["line"]), v.features):
                    x["compiled"] = False
            matched, c_only, u_only = match(cl, us)
            rows.append({"crate": nv, "view": v, "rule": rule, "lint": lint, "clippy": len(cl), "us": len(us),
                         "usRegion": sum(1 for x in us if x["compiled"] is not False),
                         "usNotCompiled": len(us_all) - len(us), "matched": len(matched),
                         "clippyMacro": sum(1 for x in cl if x["inMacro"]),
                         "clippyAllowed": sum(1 for x in cl if x.get("allowedInSource")),
                         "cOnly": c_only, "uOnly": u_only})
    return rows


# ---------------------------------------------------------------------------------------------- classification

FFI_PREFIXES = ("libc::", "ffi::", "glib_sys::", "gobject_sys::", "gio_sys::", "openssl_sys::", "x11::", "libz_sys::",
                "libgit2_sys::", "clang_sys::", "linux_raw_sys::", "winapi::")
def classify_op_message(msg, v):
    """A bucket for one rustc unsafe_op_in_unsafe_fn message."""
    m = re.search(r"`([^`]*)`", msg)
    name = m.group(1) if m else ""
    if msg.startswith("dereference of raw pointer"):
        return "raw pointer deref `*p`"
    if msg.startswith("use of mutable static"):
        return "static mut access"
    if msg.startswith("use of extern static"):
        return "extern static access"
    if msg.startswith("access to union field"):
        return "union field access"
    if "inline assembly" in msg:
        return "inline asm"
    if msg.startswith("call to function") and "target_feature" in msg:
        return "call of a #[target_feature] fn (SIMD intrinsic or the crate's own)"
    if not msg.startswith("call to unsafe function"):
        return "other: " + msg.split(" is unsafe")[0][:60]
    if not name:
        return "call through an unsafe fn pointer"
    return classify_callee(name, v)


def classify_callee(name, v):
    plain = re.sub(r"<[^<>]*>", "", re.sub(r"<[^<>]*>", "", name))
    first = plain.split("::")[0]
    if re.search(r"<impl \*(const|mut) ", name) or re.search(r"(^|::)NonNull::", plain):
        return "raw pointer / NonNull method (`p.add(n)`, `p.read()`, `nn.as_ref()`)"
    if "core_arch" in name or "::arch::" in name:
        return "SIMD intrinsic (core::arch)"
    if name.startswith(FFI_PREFIXES) or re.search(r"(^|::)(\w+_sys|ffi|libc)::", plain):
        return "FFI function (libc / -sys crate)"
    if first in ("core", "std", "alloc"):
        return "std unsafe fn or method (`ptr::read`, `Box::from_raw`, `Arc::from_raw`, ...)"
    if first != v.name and first in v.dependencies:
        return "unsafe fn or method of a dependency (`glib::translate::from_glib_full`, ...)"
    return "unsafe fn or method defined in the crate itself"


def callee_of(snippet):
    """The called name in a clippy note's highlighted text (`from_glib_full(x)` -> from_glib_full)."""
    ms = list(re.finditer(r"\.\s*(\w+)\s*(?:::<[^()]*>)?\s*\(", snippet))
    m = re.match(r"\s*([\w:]+?)(?:::<[^()]*>)?\s*\(", snippet)
    if m:
        return m.group(1).split("::")[-1]
    return ms[-1].group(1) if ms else snippet.strip()[:30]


def classify(row, x, side, src):
    """A short reason tag for an unmatched finding."""
    v, rule, nv = row["view"], row["rule"], row["crate"]
    f, line = x["file"], x["line"]
    msg = x.get("message", "")
    if side == "clippy":
        if x["inMacro"]:
            return "clippy: inside a macro_rules! expansion (US reads the unsafe fns and blocks of called macro bodies, not code spliced into them)"
        if any(r["inMacro"] for r in v.regions_at(f, line)) or src.in_macro(nv, f, line):
            return "clippy: code passed as a macro argument (US reads item macros and std's expression macros, not other token trees)"
        if rule == "US1001":
            r = v.region_starting(f, line, ("unsafe_block", "unsafe_impl"))
            if r is None:
                return "US1001: no UnsafeScope region on this line"
            return "US1001: US accepts a SAFETY comment above an enclosing statement (clippy: only the direct parent statement)" if r["hasSafetyComment"] else "US1001: region found, not reported"
        if rule == "US1002":
            r = v.region_starting(f, line, ("unsafe_block",))
            if r is None:
                return "US1002: no UnsafeScope block on this line"
            kinds = collections.Counter(k for k, _ in missed_ops(x, r, src, nv, f))
            return "US1002: US counts %s op(s); the op US misses first: %s" % (
                len(r["operations"]) if len(r["operations"]) <= 1 else ">1",
                kinds.most_common(1)[0][0] if kinds else "?")
        if rule == "US1007":
            if not v.regions_at(f, line, ("unsafe_fn",)):
                return "US1007: no UnsafeScope unsafe fn around the line"
            return "US1007 missed op: " + classify_op_message(msg, v)
        if rule == "US1003":
            if "unsafe trait" in msg:
                return "US1003: unsafe trait that is not `pub` (clippy checks traits of any visibility)"
            r = v.region_starting(f, line, ("unsafe_fn", "unsafe_trait"))
            if r is None:
                return "US1003: no UnsafeScope unsafe fn/trait on this line"
            if r.get("visibility") != "pub":
                return "US1003: unsafe method of an exported trait (US gives trait items visibility %r)" % r.get("visibility")
            return "US1003: visibility %r, hasSafetyDoc=%s" % (r.get("visibility"), r.get("hasSafetyDoc"))
        if rule == "US1004":
            if "safe trait" in msg:
                return "US1004: safe trait that is not `pub` (clippy checks traits of any visibility)"
            if src.line(nv, f, line).rstrip().endswith(";"):
                return "US1004: trait method declaration without a body (US checks fn items with bodies only)"
        if rule == "US1005":
            what = msg.split(" has unnecessary")[0]
            if what == "expression":
                return "US1005: tail expression not reported by UnsafeScope"
            if what in ("function", "associated function", "method"):
                return "US1005: fn item not reported by UnsafeScope"
            if v.regions_at(f, line, ("unsafe_block",)):
                if what == "import":
                    return "US1005: `use a::{B, C}` is several imports for clippy (one finding each); UnsafeScope reports the statement once"
                return "US1005: %s inside an unsafe block not reported by UnsafeScope" % what
            if what == "statement" and any(r["startLine"] > line for r in v.regions_at_or_after(f, line, 15)):
                return "US1005: statement whose only unsafe is inside a nested block/closure, not reported by UnsafeScope"
            return "US1005: %s not reported by UnsafeScope" % what
        if rule == "US1008":
            if re.search(r"->\s*(Result|Option)<\s*&", src.line(nv, f, line)):
                return "US1008: `&mut` nested in the return type (`Result<&mut T, E>`); US checks only a top-level `&mut`"
        return "%s: not reported by UnsafeScope" % rule
    # UnsafeScope-only
    if x.get("compiled") is False:
        return "US: code not compiled by clippy (cfg'd out: #[cfg(test)], other target, disabled feature)"
    if rule == "US1001":
        body = src.line(nv, f, line + 1)
        if re.match(r"//\s*SAFETY\b|/\*\s*SAFETY\b", body, re.I):
            return "US1001: SAFETY comment is the first line inside the block (clippy accepts it)"
        if src.line(nv, f, line).startswith("."):
            return "US1001: block in a closure on a `.method()` continuation line; clippy takes the comment above the whole statement"
        return "US1001: compiled, clippy silent"
    if rule == "US1002":
        r = v.region_starting(f, line, ("unsafe_block",))
        kinds = collections.Counter(o["kind"] for o in (r["operations"] if r else []))
        return "US1002: clippy counts <=1 (US ops: %s)" % ", ".join("%s x%d" % kv for kv in sorted(kinds.items()))
    if rule == "US1007":
        r = next(iter(v.regions_at(f, line, ("unsafe_fn",))), None)
        ln = x.get("originalLine", line)
        ops = [o for o in (r["operations"] if r else []) if o["line"] == ln]
        if r is not None and r.get("macroRules"):
            return "US1007: op in an unsafe fn of a called macro_rules! body that rustc does not flag"
        if src.in_macro(nv, f, ln):
            return "US1007: op inside a macro argument (the macro wraps it in its own unsafe block)"
        return "US1007: US op rustc does not flag: %s" % (ops[0]["kind"] if ops else "?")
    if rule == "US1003":
        if doc_hidden(src, nv, f, line):
            return "US1003: #[doc(hidden)] (clippy's doc lints skip hidden items)"
        r = v.region_starting(f, line, ("unsafe_fn", "unsafe_trait"))
        return "US1003: `pub` but not exported (private module / non-exported type; clippy uses effective visibility)"
    if rule == "US1005":
        text = src.line(nv, f, line)
        if v.regions_at(f, line, ("unsafe_block",)):
            return "US1005: statement inside an unsafe block (clippy skips those)"
        if re.match(r"let\s+(mut\s+)?\w+\s*(:[^=]*)?;$", text):
            return "US1005: `let x;` without initializer (clippy only checks lets with an initializer)"
        if re.match(r"[\w:]+!\s*[(\[{]", text):
            return "US1005: macro invocation statement (`assert!`; clippy skips statements from external macros)"
        if all(not t.strip() or t.strip().startswith(("//", "#", "/*", "*")) for t in src.lines(nv, f)[:line - 1]):
            return "US1005: first item of a module file (clippy cannot look above the first item of an out-of-line module)"
        return "US1005: clippy silent"
    if rule == "US1006":
        return "US1006: fn not exported (clippy checks exported fns only)"
    return "%s: clippy silent" % rule


def doc_hidden(src, nv, f, line):
    """Whether the attributes/doc comments right above `line` contain #[doc(hidden)]."""
    n = line - 1
    while n > 0:
        t = src.line(nv, f, n)
        if t.startswith("#[doc(hidden)]"):
            return True
        if not (t.startswith("#[") or t.startswith("///") or t.startswith("//") or t == ""):
            return False
        n -= 1
    return False


def missed_ops(x, r, src=None, nv=None, f=None):
    """clippy's notes (operations) of a multiple_unsafe_ops_per_block finding that UnsafeScope's region has no
    operation for on the same line (UnsafeScope lines normalized like US1007): [(kind, callee)]."""
    us_lines = collections.Counter(chain_start(src, nv, f, o["line"]) if src else o["line"] for o in r["operations"])
    out = []
    for note in x.get("notes", []):
        kind, nl, text = note[0].replace(" occurs here", ""), note[2], note[3] if len(note) > 3 else ""
        if us_lines.get(nl, 0) > 0:
            us_lines[nl] -= 1
        else:
            out.append((kind, callee_of(text) if "call" in kind else text.strip()[:30]))
    return out


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "–"


def mismatches(rows, src):
    """[(rule, side, tag, crate, finding)] for every unmatched finding."""
    out = []
    for r in rows:
        for x in r["cOnly"]:
            out.append((r["rule"], "clippy-only", classify(r, x, "clippy", src), r["crate"], x))
        for x in r["uOnly"]:
            out.append((r["rule"], "UnsafeScope-only", classify(r, x, "us", src), r["crate"], x))
    return out


def code(text, limit=110):
    text = text if len(text) <= limit else text[:limit - 1] + "…"
    return "`%s`" % text.replace("`", "'") if text else "(empty line)"


def cmd_dump(a):
    crates = load_crates(a.crates, a.results)
    src = Source()
    for rule, side, tag, nv, x in mismatches(analyze(crates, src), src):
        if a.rule and rule != a.rule:
            continue
        print("%s\t%s\t%s\t%s %s:%d\t%s" % (rule, side, tag, nv, x["file"], x["line"], src.line(nv, x["file"], x["line"])))


def cmd_report(a):
    crates = load_crates(a.crates, a.results)
    src = Source()
    rows = analyze(crates, src)
    mm = mismatches(rows, src)
    crate_args = {}
    for line in open(a.crates, encoding="utf-8"):
        parts = line.strip().split(None, 1)
        if parts and not parts[0].startswith("#"):
            crate_args[parts[0]] = parts[1] if len(parts) > 1 else ""

    clippy_version = next((c["clippy"] for _, c, _ in crates if c.get("clippy")), "clippy")
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    us_version = subprocess.run(["dotnet", a.unsafescope_dll, "--version"], capture_output=True, text=True).stdout.strip() if a.unsafescope_dll else "?"
    main_commit = subprocess.run(["git", "-C", os.path.dirname(a.unsafescope_dll) or ".", "rev-parse", "--short", "HEAD"],
                                 capture_output=True, text=True).stdout.strip() if a.unsafescope_dll else "?"
    L = []
    w = L.append
    w("# UnsafeScope's clippy-equivalent rules measured against real clippy")
    w("")
    w("Generated by `corpus/clippy/run.sh` (`compare.py report`) on %s." % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    w("")
    w("- clippy: %s; rustc: %s" % (clippy_version, rustc))
    w("- UnsafeScope: %s (CLI `%s`, commit %s), run with `--no-config --config corpus/clippy/unsafescope.toml` (US1007 `all-editions = true`) and `--deps /usr/share/cargo/registry`" % (us_version or "?", a.unsafescope_dll, main_commit or "?"))
    w("- %d Debian crates (x86_64-unknown-linux-gnu host config, library target + build script, default features unless listed)" % len(crates))
    w("")
    w("## Method")
    w("")
    w("Each crate is copied from `/usr/share/cargo/registry`, its `Cargo.lock` and `[dev-dependencies]` are dropped (only")
    w("the library and build script are checked), and cargo is pointed at the Debian registry offline. Commands per crate")
    w("(`$crate` = its copy; `CARGO_TARGET_DIR` shared by all crates):")
    w("")
    w("```sh")
    w("cd $crate && cargo clippy --offline -j 1 --message-format=json [FEATURES] -- --cap-lints warn --force-warn unsafe_code \\")
    w("    --force-warn clippy::undocumented_unsafe_blocks --force-warn clippy::multiple_unsafe_ops_per_block \\")
    w("    --force-warn clippy::missing_safety_doc --force-warn clippy::unnecessary_safety_doc \\")
    w("    --force-warn clippy::unnecessary_safety_comment --force-warn clippy::not_unsafe_ptr_arg_deref \\")
    w("    --force-warn unsafe_op_in_unsafe_fn --force-warn clippy::mut_from_ref --force-warn clippy::unsafe_removed_from_name")
    w("cd $crate && cargo clippy ... -- --cap-lints warn -W <the same nine lints>   # only to count findings hidden by #[allow]")
    w("dotnet UnsafeScope.Cli.dll analyze $crate --json us.json --quiet --no-config --config corpus/clippy/unsafescope.toml --jobs 1 \\")
    w("    --deps /usr/share/cargo/registry   # the crate's dependencies, from the registry cargo built against")
    w("```")
    w("")
    w("- Flags after `--` reach only the primary package (dependencies are checked without them; their messages are")
    w("  dropped by `package_id`). `--force-warn` is used instead of `-W` so that the crate's own `#[allow(...)]`")
    w("  attributes cannot hide a finding: the comparison measures the rule's *semantics*. (UnsafeScope does not read")
    w("  `#[allow(clippy::...)]` at all; the column *hidden by #[allow]* says how many clippy findings a user running")
    w("  plain `-W` would not see.) `-W` was verified to work too (e.g. smallvec: 91 undocumented_unsafe_blocks messages).")
    w("- rustc reports `unsafe_op_in_unsafe_fn` with code `E0133` at warning level; compare.py maps warning-level E0133")
    w("  to that lint (a real E0133 is an error and would fail the build).")
    w("- **Location normalization.** A finding is (rule, file relative to the crate root, line of the primary span's")
    w("  start). Clippy messages are de-duplicated per (lint, file, line, column): a `macro_rules!` body expanded 53")
    w("  times is one finding. Spans from a local `macro_rules!` body keep their definition-site line (as UnsafeScope")
    w("  would); spans outside the crate fall back to the innermost call site inside it. Findings are matched as")
    w("  multisets per (rule, file, line). No systematic line offset was found: every rule's anchor (block/impl start,")
    w("  fn item start incl. visibility, return type, statement start, operation expression start) starts on the same")
    w("  line on both sides; the unmatched findings within ±5 lines of an unmatched finding of the same rule are")
    w("  listed in `results/mismatches.md` and are different findings, not offsets.")
    w("- **cfg.** Clippy only sees code compiled for the host (x86_64 Linux, the features listed below, no `cfg(test)`).")
    w("  1. *Compiled files*: files in the dep-info (`.d`) of the package's artifacts or named in a message. UnsafeScope")
    w("     findings in other files are excluded (column *US not compiled files*). This is the brief's precision.")
    w("  2. *Compiled regions*: rustc's `unsafe_code` lint (forced to warn in the same run) fires on every `unsafe`")
    w("     block, `unsafe fn`/method, `unsafe impl` and `unsafe trait` that survived cfg stripping and macro expansion.")
    w("     For the region rules (US1001/US1002: the block or impl; US1003: the unsafe fn/trait; US1007: the enclosing")
    w("     unsafe fn) a finding whose region has no `unsafe_code` site is cfg'd-out code inside a compiled file")
    w("     (`#[cfg(test)] mod tests`, `#[cfg(target_arch = \"aarch64\")]`, `#[cfg(windows)]`, disabled features).")
    w("     *precision (compiled regions)* leaves those out. US1004/5/6/8/9 are not region-based and keep the file filter.")
    w("")
    w("precision = matched / UnsafeScope, recall = matched / clippy.")
    w("")
    def rule_table(title, keep, note=""):
        tot = collections.defaultdict(collections.Counter)
        for r in rows:
            if keep(r["crate"]):
                for k in ("clippy", "us", "usRegion", "usNotCompiled", "matched", "clippyMacro", "clippyAllowed"):
                    tot[r["rule"]][k] += r[k]
        nc = collections.Counter(rule for rule, side, tag, nv, x in mm if keep(nv) and tag.startswith("US: code not compiled"))
        ma = collections.Counter(rule for rule, side, tag, nv, x in mm if keep(nv) and tag.startswith("clippy: code passed as a macro argument"))
        w("## " + title)
        w("")
        if note:
            w(note)
            w("")
        w("| rule | clippy/rustc lint | clippy | UnsafeScope (compiled files) | matched | precision | recall | UnsafeScope in cfg'd-out code | precision (compiled code) | clippy in macro_rules! bodies | clippy in macro arguments | clippy hidden by #[allow] | US in not compiled files |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        T = collections.Counter()
        for rule, lint in RULES:
            t = tot[rule]
            T.update(t)
            T["nc"] += nc[rule]
            T["ma"] += ma[rule]
            w("| %s | %s | %d | %d | %d | %s | %s | %d | %s | %d | %d | %d | %d |" % (
                rule, lint, t["clippy"], t["us"], t["matched"], pct(t["matched"], t["us"]), pct(t["matched"], t["clippy"]),
                nc[rule], pct(t["matched"], t["us"] - nc[rule]), t["clippyMacro"], ma[rule], t["clippyAllowed"], t["usNotCompiled"]))
        w("| **total** | | **%d** | **%d** | **%d** | **%s** | **%s** | %d | **%s** | %d | %d | %d | %d |" % (
            T["clippy"], T["us"], T["matched"], pct(T["matched"], T["us"]), pct(T["matched"], T["clippy"]),
            T["nc"], pct(T["matched"], T["us"] - T["nc"]), T["clippyMacro"], T["ma"], T["clippyAllowed"], T["usNotCompiled"]))
        w("")

    rule_table("Results per rule (all crates)", lambda nv: True)
    big = ("glib-", "gio-")
    rule_table("Results per rule without glib and gio", lambda nv: not nv.startswith(big),
               "glib-0.14.8 and gio-0.14.8 (gtk-rs bindings) supply %d of the %d clippy findings, mostly calls of unsafe fns defined "
               "in glib (`from_glib_full`, `unsafe_cast_ref`, ...: known through `--deps`) and code generated by glib's macros. "
               "The same table without them:" % (sum(r["clippy"] for r in rows if r["crate"].startswith(big)), sum(r["clippy"] for r in rows)))

    # Which operations UnsafeScope does not see (US1002 notes and US1007 messages, outside macros).
    missed2, missed7 = collections.Counter(), collections.Counter()
    for r in rows:
        if r["rule"] == "US1002":
            for x in r["cOnly"]:
                reg = None if x["inMacro"] else r["view"].region_starting(x["file"], x["line"], ("unsafe_block",))
                if reg is not None and not any(q["inMacro"] for q in r["view"].regions_at(x["file"], x["line"])):
                    for kind, callee in missed_ops(x, reg, src, r["crate"], x["file"]):
                        missed2[(kind, callee)] += 1
        if r["rule"] == "US1007":
            for x in r["cOnly"]:
                if not x["inMacro"] and not src.in_macro(r["crate"], x["file"], x["line"]):
                    m = re.search(r"`([^`]*)`", x["message"])
                    missed7[(classify_op_message(x["message"], r["view"]), re.sub(r"<[^<>]*>", "", m.group(1)) if m else x["message"].split(" is unsafe")[0])] += 1
    w("### Operations clippy/rustc count that UnsafeScope does not (outside macros)")
    w("")
    w("US1002: clippy's notes (one per operation) of unmatched multiple_unsafe_ops_per_block findings without an UnsafeScope")
    w("operation on the same line; US1007: rustc's messages of unmatched unsafe_op_in_unsafe_fn findings. Top 15 each.")
    w("")
    w("| US1002: operation kind | callee / text | count | | US1007: bucket | callee (rustc path) | count |")
    w("|---|---|---:|---|---|---|---:|")
    a2, a7 = missed2.most_common(15), missed7.most_common(15)
    for i in range(max(len(a2), len(a7))):
        l = ("%s | `%s` | %d" % (a2[i][0][0], a2[i][0][1], a2[i][1])) if i < len(a2) else " | | "
        rr = ("%s | `%s` | %d" % (a7[i][0][0], a7[i][0][1], a7[i][1])) if i < len(a7) else " | | "
        w("| %s | | %s |" % (l, rr))
    w("")
    w("## Crates")
    w("")
    w("| crate | edition | cargo args | compiled .rs files | compiled unsafe sites (`unsafe_code`) | UnsafeScope unsafe blocks (compiled files) | clippy findings | UnsafeScope findings (compiled files) | matched |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|")
    by_crate = collections.defaultdict(collections.Counter)
    for r in rows:
        by_crate[r["crate"]].update({k: r[k] for k in ("clippy", "us", "matched")})
    S = collections.Counter()
    for nv, c, u in crates:
        comp = set(c["compiledFiles"])
        blocks = sum(f["counts"]["unsafeBlocks"] for f in u["files"] if f["path"] in comp)
        b = by_crate[nv]
        S.update({"files": len(comp), "sites": len(c["unsafeCodeSites"]), "blocks": blocks, **b})
        w("| %s | %s | %s | %d | %d | %d | %d | %d | %d |" % (nv, c["edition"], crate_args.get(nv, "") or "", len(comp), len(c["unsafeCodeSites"]), blocks, b["clippy"], b["us"], b["matched"]))
    w("| **%d crates** | | | %d | %d | %d | %d | %d | %d |" % (len(crates), S["files"], S["sites"], S["blocks"], S["clippy"], S["us"], S["matched"]))
    w("")
    w("## Mismatch patterns (automatic classification)")
    w("")
    w("Every unmatched finding gets one tag (compare.py `classify`); the full list with source lines is in")
    w("`results/mismatches.md`. Up to three examples per tag.")
    groups = collections.OrderedDict()
    for rule, side, tag, nv, x in mm:
        groups.setdefault(rule, collections.OrderedDict()).setdefault((side, tag), []).append((nv, x))
    for rule, lint in RULES:
        if rule not in groups:
            continue
        w("")
        w("### %s ↔ %s" % (rule, lint))
        w("")
        w("| side | tag | count | examples |")
        w("|---|---|---:|---|")
        for (side, tag), items in sorted(groups[rule].items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
            ex = "<br>".join("%s `%s:%d` %s" % (nv, x["file"], x["line"], code(src.line(nv, x["file"], x["line"]), 90)) for nv, x in spread(items, 3))
            w("| %s | %s | %d | %s |" % (side, tag.replace("|", "\\|"), len(items), ex.replace("|", "\\|")))
    if a.diagnosis and os.path.exists(a.diagnosis):
        w("")
        L.extend(open(a.diagnosis, encoding="utf-8").read().rstrip("\n").split("\n"))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")

    M = ["# Unmatched findings", "", "Generated by compare.py; rule, side, tag, crate, location, source line.", ""]
    for rule, lint in RULES:
        items = [m for m in mm if m[0] == rule]
        if not items:
            continue
        M += ["## %s ↔ %s (%d unmatched)" % (rule, lint, len(items)), "", "| side | tag | crate | location | source | clippy message |", "|---|---|---|---|---|---|"]
        for _, side, tag, nv, x in sorted(items, key=lambda m: (m[1], m[2], m[3], m[4]["file"], m[4]["line"])):
            M.append("| %s | %s | %s | `%s:%d` | %s | %s |" % (side, tag.replace("|", "\\|"), nv, x["file"], x["line"],
                     code(src.line(nv, x["file"], x["line"])).replace("|", "\\|"), x.get("message", "").replace("|", "\\|") if side == "clippy-only" else ""))
        M.append("")
    with open(a.mismatches, "w", encoding="utf-8") as f:
        f.write("\n".join(M) + "\n")


def spread(items, n):
    """Up to n examples, from different crates when possible."""
    out, seen = [], set()
    for nv, x in items:
        if nv not in seen:
            out.append((nv, x)); seen.add(nv)
        if len(out) == n:
            return out
    for it in items:
        if it not in out:
            out.append(it)
        if len(out) == n:
            break
    return out


# ---------------------------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("prepare"); s.add_argument("dir"); s.set_defaults(fn=cmd_prepare)
    s = sub.add_parser("extract")
    s.add_argument("--crate", required=True); s.add_argument("--crate-dir", required=True)
    s.add_argument("--args", default=""); s.add_argument("--force", required=True); s.add_argument("--warn")
    s.add_argument("--out", required=True); s.set_defaults(fn=cmd_extract)
    s = sub.add_parser("trim-us"); s.add_argument("inp"); s.add_argument("out"); s.set_defaults(fn=cmd_trim_us)
    s = sub.add_parser("report")
    s.add_argument("--results", required=True); s.add_argument("--crates", required=True)
    s.add_argument("--unsafescope-dll", default=""); s.add_argument("--out", required=True)
    s.add_argument("--mismatches", required=True); s.add_argument("--diagnosis")
    s.set_defaults(fn=cmd_report)
    s = sub.add_parser("dump"); s.add_argument("--results", required=True); s.add_argument("--crates", required=True)
    s.add_argument("--rule"); s.set_defaults(fn=cmd_dump)
    a = p.parse_args()
    a.fn(a)



if __name__ == "__main__":
    main()
