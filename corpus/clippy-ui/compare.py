#!/usr/bin/env python3
"""Compares UnsafeScope's clippy-equivalent rules with the expectations of clippy's own UI tests.

  prepare TESTS OUT      make one crate per UI test (and per revision) under OUT/<group>/, write OUT/manifest.json
  report MANIFEST OUT.md [--json FILE]
                         match UnsafeScope's findings (OUT/<group>.json, one --json inventory per config group)
                         against the diagnostics in clippy's .stderr snapshots, per rule

A finding is (test crate, line, rule). Clippy's expected findings come from the test's .stderr snapshot: a
diagnostic's lint is known from its message (each lint has its own message texts), its line from the `-->`
line that follows it. Only lints the test enables are counted on both sides: clippy's default-on lints
(missing_safety_doc, unsafe_removed_from_name: style; not_unsafe_ptr_arg_deref, mut_from_ref: correctness)
unless the crate allows them, the restriction lints only where the test raises them (`#![warn(clippy::x)]`,
`#![deny]`, a group such as `clippy::restriction`, `//@compile-flags: -W clippy::x`, `[lints.clippy]`).
Item-level `#[allow]` is left to UnsafeScope (it honours allow/expect attributes; its suppressed findings are
not counted).
"""
import argparse
import collections
import json
import os
import re
import shutil
import sys

# rule -> (clippy lint, default on?)
RULES = {
    "US1001": ("undocumented_unsafe_blocks", False),
    "US1002": ("multiple_unsafe_ops_per_block", False),
    "US1003": ("missing_safety_doc", True),
    "US1004": ("unnecessary_safety_doc", False),
    "US1005": ("unnecessary_safety_comment", False),
    "US1006": ("not_unsafe_ptr_arg_deref", True),
    "US1008": ("mut_from_ref", True),
    "US1009": ("unsafe_removed_from_name", True),
}
LINT_RULE = {lint: rule for rule, (lint, _) in RULES.items()}
GROUPS = {  # clippy lint groups that hold one of the lints above
    "all": {"missing_safety_doc", "unsafe_removed_from_name", "not_unsafe_ptr_arg_deref", "mut_from_ref"},
    "style": {"missing_safety_doc", "unsafe_removed_from_name"},
    "correctness": {"not_unsafe_ptr_arg_deref", "mut_from_ref"},
    "restriction": {"undocumented_unsafe_blocks", "multiple_unsafe_ops_per_block", "unnecessary_safety_doc",
                    "unnecessary_safety_comment"},
}
# The message texts of each lint (clippy_lints/src: undocumented_unsafe_blocks.rs, doc/, ...).
MESSAGES = [
    (re.compile(r"^unsafe (block|impl) missing a safety comment$"), "undocumented_unsafe_blocks"),
    (re.compile(r"^this `unsafe` block contains \d+ unsafe operations, expected only one$"), "multiple_unsafe_ops_per_block"),
    (re.compile(r"^unsafe function's docs are missing a `# Safety` section$"), "missing_safety_doc"),
    (re.compile(r"^docs for unsafe (trait|field) missing `# Safety` section$"), "missing_safety_doc"),
    (re.compile(r"^safe function's docs have unnecessary `# Safety` section$"), "unnecessary_safety_doc"),
    (re.compile(r"^docs for safe trait have unnecessary `# Safety` section$"), "unnecessary_safety_doc"),
    (re.compile(r"^field with `# Safety` documentation is not marked unsafe$"), "unnecessary_safety_doc"),
    (re.compile(r"^.* has unnecessary safety comment$"), "unnecessary_safety_comment"),
    (re.compile(r"^this public function might dereference a raw pointer but is not marked `unsafe`$"), "not_unsafe_ptr_arg_deref"),
    (re.compile(r"^mutable borrow from immutable input\(s\)$"), "mut_from_ref"),
    (re.compile(r"^removed `unsafe` from the name of `.*` in use as `.*`$"), "unsafe_removed_from_name"),
]
# clippy.toml keys that change one of these lints, and the UnsafeScope option each maps to (None: not supported).
CONFIG_KEYS = {
    "accept-comment-above-statement": [("US1001", "accept-comment-above-statement")],
    # clippy's unnecessary_safety_comment reads the same option
    "accept-comment-above-attributes": [("US1001", "accept-comment-above-attributes"), ("US1005", "accept-comment-above-attributes")],
    "check-private-items": [("US1003", "check-private-items"), ("US1004", "check-private-items")],
}
HEADER = re.compile(r"^//@\s*(?:\[([\w,-]+)\])?\s*([\w-]+)\s*(?::\s*(.*))?$")
ATTR_LINT = re.compile(r"#!\[\s*(allow|expect|warn|deny|forbid)\s*\(([^\]]*)\)\s*\]", re.S)
FLAG_LINT = re.compile(r"(?:^|\s)-([AWDF])\s*(clippy::[\w-]+)")


def lints_named(arg_text):
    out = []
    for m in re.finditer(r"clippy\s*::\s*([\w]+)", arg_text):
        name = m.group(1).replace("-", "_")
        out.extend(sorted(GROUPS[name]) if name in GROUPS else [name])
    return out


def parse_headers(text):
    """[(revisions or None, key, value)] of the //@ header lines."""
    out = []
    for line in text.splitlines():
        m = HEADER.match(line.strip())
        if m:
            revs = m.group(1).split(",") if m.group(1) else None
            out.append((revs, m.group(2), (m.group(3) or "").strip()))
    return out


def headers_for(headers, rev):
    return [(k, v) for revs, k, v in headers if revs is None or (rev is not None and rev in revs)]


def enabled_lints(text, flags, cargo_lints):
    """The lints among ours the crate enables at crate level, in rustc's order: command line, Cargo [lints], attributes."""
    on = {lint for _, (lint, default) in RULES.items() if default}
    for level, lint in list(flags) + list(cargo_lints):
        (on.discard if level in ("A", "allow", "expect") else on.add)(lint)
    code = strip_comments(text)
    for m in ATTR_LINT.finditer(code):
        for lint in lints_named(m.group(2)):
            (on.discard if m.group(1) in ("allow", "expect") else on.add)(lint)
    return sorted(l for l in on if l in LINT_RULE)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def parse_stderr(text, want_path):
    """Clippy's diagnostics of our lints in a .stderr snapshot: [(lint, path, line, col)]."""
    out = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(?:error|warning)(?:\[[\w:]+\])?: (.*)$", line)
        if not m:
            continue
        lint = next((l for rx, l in MESSAGES if rx.match(m.group(1))), None)
        if lint is None:
            continue
        for j in range(i + 1, min(i + 4, len(lines))):
            loc = re.match(r"^\s*--> (.*):(\d+):(\d+)$", lines[j])
            if loc:
                out.append((lint, loc.group(1), int(loc.group(2)), int(loc.group(3)), m.group(1)))
                break
    return out


def parse_toml_keys(path):
    keys = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            m = re.match(r"^\s*([\w-]+)\s*=\s*(.+?)\s*$", line.split("#")[0])
            if m:
                keys[m.group(1)] = m.group(2)
    return keys


def crate_name(s):
    return re.sub(r"[^a-z0-9_]", "_", s.lower())[:60] + "_" + format(abs(hash_str(s)) % 100000, "05d")


def hash_str(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1000000007
    return h


def write_crate(dst, name, edition, text, is_lib, config_toml):
    os.makedirs(os.path.join(dst, "src"), exist_ok=True)
    with open(os.path.join(dst, "Cargo.toml"), "w", encoding="utf-8") as f:
        f.write(f'[package]\nname = "{name}"\nversion = "0.1.0"\nedition = "{edition}"\npublish = false\n')
    with open(os.path.join(dst, "src", "lib.rs" if is_lib else "main.rs"), "w", encoding="utf-8") as f:
        f.write(text)


def cmd_prepare(a):
    tests, out = a.tests, a.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    manifest = {"crates": [], "excluded": []}
    ours = re.compile("|".join(sorted(LINT_RULE)))

    def add(rel_rs, text, stderr_for, config_dir):
        headers = parse_headers(text)
        revisions = [None]
        for revs, k, v in headers:
            if k == "revisions" and revs is None:
                revisions = v.split()
        for rev in revisions:
            hs = headers_for(headers, rev)
            edition, flags, is_lib, conf = "2024", [], False, config_dir
            for k, v in hs:
                if k == "edition":
                    edition = v
                elif k == "compile-flags":
                    m = re.search(r"--edition[= ](\d+)", v)
                    if m:
                        edition = m.group(1)
                    if re.search(r"--crate-type[= ]lib", v):
                        is_lib = True
                    for fm in FLAG_LINT.finditer(v):
                        for lint in lints_named(fm.group(2)):
                            flags.append((fm.group(1), lint))
                elif k == "rustc-env" and v.startswith("CLIPPY_CONF_DIR="):
                    conf = os.path.join(tests, os.path.relpath(v.split("=", 1)[1], "tests"))
            if re.search(r"#!\[\s*crate_type\s*=\s*\"(lib|rlib|proc-macro)\"", text):
                is_lib = True
            stderr_path = stderr_for(rev)
            expected_raw = parse_stderr(open(stderr_path, encoding="utf-8").read(), rel_rs) if stderr_path and os.path.exists(stderr_path) else []
            enabled = enabled_lints(text, flags, [])
            # the configuration group: clippy.toml keys that touch our lints
            keys = parse_toml_keys(os.path.join(conf, "clippy.toml")) if conf else {}
            options, unsupported = {}, []
            for k, v in keys.items():
                if k in CONFIG_KEYS:
                    if CONFIG_KEYS[k] is None:
                        unsupported.append(f"{k} = {v}")
                    else:
                        for rule, option in CONFIG_KEYS[k]:
                            options.setdefault(rule, {})[option] = v
            test_id = rel_rs + (f"#{rev}" if rev else "")
            if unsupported and (expected_raw or ours.search(text)):
                manifest["excluded"].append({"test": test_id, "reason": "clippy.toml option without an UnsafeScope equivalent: " + ", ".join(unsupported),
                                             "expected": len(expected_raw)})
                continue
            group = "default" if not options else "cfg_" + re.sub(r"\W", "_", "_".join(f"{r}_{k}_{v}" for r in sorted(options) for k, v in sorted(options[r].items())))
            gdir = os.path.join(out, group)
            if group != "default" and not os.path.exists(os.path.join(gdir, "unsafescope.toml")):
                os.makedirs(gdir, exist_ok=True)
                with open(os.path.join(gdir, "unsafescope.toml"), "w", encoding="utf-8") as f:
                    for r in sorted(options):
                        f.write(f"[rules.{r}]\n" + "".join(f"{k} = {v}\n" for k, v in sorted(options[r].items())))
            name = crate_name(test_id)
            write_crate(os.path.join(gdir, name), name, edition, text, is_lib, None)
            src = "src/lib.rs" if is_lib else "src/main.rs"
            manifest["crates"].append({
                "test": test_id, "group": group, "dir": name, "file": f"{name}/{src}", "edition": edition,
                "enabled": enabled,
                "expected": [{"lint": l, "line": ln, "column": c, "message": msg} for l, p, ln, c, msg in expected_raw if p == rel_rs],
                "expectedElsewhere": [{"lint": l, "path": p, "line": ln} for l, p, ln, c, msg in expected_raw if p != rel_rs],
            })

    for top in ("ui", "ui-toml"):
        root = os.path.join(tests, top)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "auxiliary")
            for fn in sorted(filenames):
                if not fn.endswith(".rs"):
                    continue
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, os.path.dirname(tests))
                text = open(path, encoding="utf-8", errors="replace").read()
                base = path[:-3]
                conf = dirpath if top == "ui-toml" else None
                # ui-toml: a test folder holds clippy.toml, or revisions point at subfolders that do
                add(rel, text, lambda rev, base=base: base + (f".{rev}" if rev else "") + ".stderr", conf)
    # ui-cargo: whole packages; only those that use one of our lints
    root = os.path.join(tests, "ui-cargo")
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        if "Cargo.toml" not in filenames or not os.path.isdir(os.path.join(dirpath, "src")):
            continue
        cargo = open(os.path.join(dirpath, "Cargo.toml"), encoding="utf-8").read()
        stderr_path = os.path.join(dirpath, "Cargo.stderr")
        stderr = open(stderr_path, encoding="utf-8").read() if os.path.exists(stderr_path) else ""
        if not (ours.search(cargo) or ours.search(stderr)):
            continue
        rel_pkg = os.path.relpath(dirpath, os.path.dirname(tests))
        name = crate_name(rel_pkg)
        dst = os.path.join(out, "default", name)
        shutil.copytree(dirpath, dst)
        cargo_lints = []
        sect = re.search(r"\[lints\.clippy\](.*?)(?:\n\[|\Z)", cargo, re.S)
        if sect:
            for m in re.finditer(r"^\s*([\w-]+)\s*=\s*\"?(\w+)", sect.group(1), re.M):
                for lint in lints_named("clippy::" + m.group(1)):
                    cargo_lints.append((m.group(2), lint))
        for main in ("src/main.rs", "src/lib.rs"):
            if os.path.exists(os.path.join(dst, main)):
                text = open(os.path.join(dst, main), encoding="utf-8").read()
                exp = parse_stderr(stderr, main)
                manifest["crates"].append({
                    "test": f"{rel_pkg}/{main}", "group": "default", "dir": name, "file": f"{name}/{main}", "edition": "2024",
                    "enabled": enabled_lints(text, [], cargo_lints),
                    "expected": [{"lint": l, "line": ln, "column": c, "message": msg} for l, p, ln, c, msg in exp if p == main],
                    "expectedElsewhere": [],
                })
    manifest["groups"] = sorted({c["group"] for c in manifest["crates"]})
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
    print(f"{len(manifest['crates'])} test crates in {len(manifest['groups'])} configuration groups, "
          f"{len(manifest['excluded'])} excluded", file=sys.stderr)


def pct(a, b):
    return f"{100.0 * a / b:.1f}%" if b else "–"


def cmd_report(a):
    out_dir = os.path.dirname(os.path.abspath(a.manifest))
    manifest = json.load(open(a.manifest, encoding="utf-8"))
    ours = {}  # (group, file) -> [(rule, line, col, message)]
    for group in manifest["groups"]:
        d = json.load(open(os.path.join(out_dir, group + ".json"), encoding="utf-8"))
        for f in d.get("files", []):
            seen = set()
            for g in f.get("diagnostics", []):
                if g.get("ruleId") not in RULES or g.get("suppressed") is not None:
                    continue
                k = (g["ruleId"], g["line"], g["column"], g["message"])
                if k not in seen:
                    seen.add(k)
                    ours.setdefault((group, f["path"].replace("\\", "/")), []).append(k)
    stats = {r: collections.Counter() for r in RULES}
    misses, extras, rows = [], [], []
    for c in manifest["crates"]:
        enabled = set(c["enabled"])
        text = open(os.path.join(out_dir, c["group"], c["file"]), encoding="utf-8", errors="replace").read().splitlines()
        exp = collections.Counter()
        for e in {(e["lint"], e["line"], e["column"], e["message"]) for e in c["expected"]}:
            exp[(LINT_RULE[e[0]], e[1])] += 1
        got = collections.Counter()
        for rule, line, col, msg in ours.get((c["group"], c["file"]), []):
            if RULES[rule][0] in enabled:
                got[(rule, line)] += 1
        for e in c["expected"]:
            if e["lint"] not in enabled:
                print(f"note: {c['test']}:{e['line']}: clippy reports {e['lint']}, which the harness thinks is not enabled", file=sys.stderr)
        for key in set(exp) | set(got):
            rule, line = key
            m = min(exp[key], got[key])
            stats[rule]["clippy"] += exp[key]
            stats[rule]["us"] += got[key]
            stats[rule]["matched"] += m
            src = text[line - 1].strip() if 0 < line <= len(text) else ""
            for _ in range(exp[key] - m):
                misses.append((rule, c["test"], line, src))
            for _ in range(got[key] - m):
                extras.append((rule, c["test"], line, src))
        for rule in RULES:
            if RULES[rule][0] in enabled:
                stats[rule]["tests"] += 1
    total = collections.Counter()
    for r in RULES:
        total.update(stats[r])
    lines = ["# UnsafeScope against clippy's UI tests", "",
             f"Generated by `corpus/clippy-ui/run.sh` from rust-clippy commit `{a.commit}` (tests/ui, tests/ui-toml, tests/ui-cargo).", "",
             "A finding is (test, line, rule); clippy's come from the tests' `.stderr` snapshots. Only the lints a test enables are",
             "counted (see README.md). precision = matched / UnsafeScope, recall = matched / clippy.", "",
             "| rule | clippy lint | tests enabling it | clippy | UnsafeScope | matched | precision | recall |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r, (lint, _) in RULES.items():
        s = stats[r]
        lines.append(f"| {r} | `{lint}` | {s['tests']} | {s['clippy']} | {s['us']} | {s['matched']} | {pct(s['matched'], s['us'])} | {pct(s['matched'], s['clippy'])} |")
    lines.append(f"| **total** | | | **{total['clippy']}** | **{total['us']}** | **{total['matched']}** | **{pct(total['matched'], total['us'])}** | **{pct(total['matched'], total['clippy'])}** |")
    lines += ["", f"{len(manifest['crates'])} test crates (one per test and revision).", ""]
    if manifest["excluded"]:
        lines += ["## Excluded tests", ""]
        for e in manifest["excluded"]:
            lines.append(f"- `{e['test']}` ({e['expected']} clippy findings): {e['reason']}")
        lines.append("")
    elsewhere = [(c["test"], e) for c in manifest["crates"] for e in c["expectedElsewhere"]]
    if elsewhere:
        lines += ["## Clippy findings outside the test file (auxiliary crates; not counted)", ""]
        for t, e in elsewhere:
            lines.append(f"- `{t}`: {e['lint']} at `{e['path']}:{e['line']}`")
        lines.append("")
    for title, items in (("Missed (clippy reports, UnsafeScope does not)", misses), ("False positives (UnsafeScope reports, clippy does not)", extras)):
        lines += [f"## {title}: {len(items)}", ""]
        for rule, test, line, src in sorted(items):
            lines.append(f"- {rule} `{test}:{line}`: `{src[:100]}`")
        lines.append("")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"stats": {r: dict(stats[r]) for r in RULES}, "misses": misses, "extras": extras}, f, indent=1)
    for r in RULES:
        s = stats[r]
        print(f"{r} {RULES[r][0]:32} clippy {s['clippy']:4} us {s['us']:4} matched {s['matched']:4}  P {pct(s['matched'], s['us']):>6}  R {pct(s['matched'], s['clippy']):>6}", file=sys.stderr)
    print(f"total {'':37} clippy {total['clippy']:4} us {total['us']:4} matched {total['matched']:4}  P {pct(total['matched'], total['us']):>6}  R {pct(total['matched'], total['clippy']):>6}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("prepare")
    s.add_argument("tests")
    s.add_argument("out")
    s.set_defaults(fn=cmd_prepare)
    s = sub.add_parser("report")
    s.add_argument("manifest")
    s.add_argument("out")
    s.add_argument("--json")
    s.add_argument("--commit", default="?")
    s.set_defaults(fn=cmd_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
