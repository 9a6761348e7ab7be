#!/usr/bin/env python3
"""Validate UnsafeScope catalogs (stdlib only).

Usage:
    check.py                 check the four catalogs next to this script
    check.py FILE...         check the given files as well; the schema is
                             chosen by the file name's ending
                             (...wdk-apis.tsv, ...mmio.tsv,
                             ...ffi-macros.tsv, ...families.tsv)

Prints `file:line: problem` for every problem and exits 1 if there was any.
"""

import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RISKS = {"high", "medium", "low"}
FRAMEWORK_ORDER = ["wdm", "kmdf", "umdf"]
API_FAMILIES = {
    "Wdf", "Io", "Ke", "Ex", "Mm", "Rtl", "Ob", "Zw", "Nt", "Ps", "Po", "Hal",
    "Dbg", "Kd", "Se", "Cm", "Flt", "Ndis", "Wsk", "Win32", "Intrinsic", "Other",
}
EXTRA_FAMILIES = {
    "Ks", "Acx", "Ufx", "Ucx", "Udecx", "Sercx", "Spb", "GpioClx", "Hid",
    "StorPort", "ScsiPort", "Etw", "Fs",
}
ROLES = {"acquire", "release", "none"}
IRQLS = {"PASSIVE_LEVEL", "APC_LEVEL", "DISPATCH_LEVEL", "DIRQL", "ANY", "-"}
MMIO_KINDS = {
    "map", "unmap", "volatile-read", "volatile-write", "unaligned-read",
    "unaligned-write", "port-in", "port-out", "msr-read", "msr-write",
    "bus-config", "register-read", "register-write",
}
FORM_ORDER = ["free", "path", "method", "field"]
MACRO_KINDS = {"api-first-argument", "expands-to"}
YES_NO = {"yes", "no"}

SCHEMAS = {
    "wdk-apis.tsv": ["name", "family", "risk", "frameworks", "role", "release", "irql", "notes"],
    "mmio.tsv": ["name", "kind", "forms", "notes"],
    "ffi-macros.tsv": ["name", "kind", "target", "use", "notes"],
    "families.tsv": ["prefix", "family", "default_risk", "frameworks", "notes"],
}


class Report:
    def __init__(self):
        self.count = 0

    def __call__(self, path, line, message):
        self.count += 1
        print(f"{os.path.relpath(path)}:{line}: {message}")


def schema_of(path):
    base = os.path.basename(path)
    for suffix in SCHEMAS:
        if base.endswith(suffix):
            return suffix
    return None


def ordered_list(value, order, what, path, line, report):
    """Check a comma list drawn from `order`, without repeats, in that order."""
    items = value.split(",")
    for item in items:
        if item not in order:
            report(path, line, f"unknown {what} value '{item}' (allowed: {','.join(order)})")
            return
    if len(set(items)) != len(items):
        report(path, line, f"repeated {what} value in '{value}'")
        return
    if items != sorted(items, key=order.index):
        report(path, line, f"{what} list '{value}' not in the order {','.join(order)}")


def read_table(path, report):
    """Return (kind, rows) where rows are (line_number, fields)."""
    kind = schema_of(path)
    if kind is None:
        report(path, 0, "cannot tell the catalog kind from the file name")
        return None, []
    try:
        raw = open(path, "rb").read()
    except OSError as error:
        report(path, 0, f"cannot read: {error}")
        return kind, []
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        report(path, 0, f"not UTF-8: {error}")
        return kind, []
    if text.startswith("\ufeff"):
        report(path, 1, "byte order mark not allowed")
        text = text[1:]
    if "\r" in text:
        report(path, 0, "CR characters found; use LF line endings")
    if text and not text.endswith("\n"):
        report(path, 0, "file does not end with a newline")

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].startswith("#"):
        report(path, 1, "missing header comment block (lines starting with '#')")

    expected = SCHEMAS[kind]
    header_seen = False
    rows = []
    for number, line in enumerate(lines, start=1):
        if line.startswith("#"):
            if header_seen:
                continue  # comments are allowed later too; the analyzer skips them
            continue
        if line.strip() == "":
            report(path, number, "blank line")
            continue
        fields = line.split("\t")
        if not header_seen:
            header_seen = True
            if fields != expected:
                report(path, number, f"header row must be: {chr(9).join(expected)!r}")
            continue
        if len(fields) != len(expected):
            report(path, number, f"expected {len(expected)} tab-separated columns, found {len(fields)}")
            continue
        bad = False
        for column, value in zip(expected, fields):
            if value == "":
                report(path, number, f"empty {column} (use '-')")
                bad = True
            elif value != value.strip():
                report(path, number, f"leading/trailing whitespace in {column}")
                bad = True
        if not bad:
            rows.append((number, fields))
    if not header_seen:
        report(path, 0, "no header row")
    return kind, rows


def check_names(path, rows, report):
    seen = {}
    previous = None
    for number, fields in rows:
        name = fields[0]
        if not IDENT.match(name):
            report(path, number, f"'{name}' is not a C/Rust identifier")
        if name in seen:
            report(path, number, f"duplicate name '{name}' (first at line {seen[name]})")
        else:
            seen[name] = number
        if previous is not None and name <= previous:
            report(path, number, f"'{name}' out of order (must sort after '{previous}' in code-point order)")
        previous = name


def check_wdk_apis(path, rows, report):
    for number, (name, family, risk, frameworks, role, release, irql, _notes) in rows:
        if family not in API_FAMILIES:
            report(path, number, f"unknown family '{family}'")
        if risk not in RISKS:
            report(path, number, f"risk must be high|medium|low, not '{risk}'")
        ordered_list(frameworks, FRAMEWORK_ORDER, "frameworks", path, number, report)
        if role not in ROLES:
            report(path, number, f"role must be acquire|release|none, not '{role}'")
        if irql not in IRQLS:
            report(path, number, f"irql '{irql}' not one of {'|'.join(sorted(IRQLS))}")
        if role == "acquire":
            if release == "-":
                report(path, number, "acquire row needs a release API")
            else:
                parts = release.split("|")
                for part in parts:
                    if not IDENT.match(part):
                        report(path, number, f"release name '{part}' is not an identifier")
                if len(set(parts)) != len(parts):
                    report(path, number, f"repeated name in release '{release}'")
        elif release != "-":
            report(path, number, f"release must be '-' for role {role}")


def check_release_targets(apis, mmio, report):
    """apis: list of (path, rows) for wdk-apis files; mmio likewise."""
    roles = {}
    for _path, rows in apis:
        for _number, fields in rows:
            roles[fields[0]] = fields[4]  # later files override earlier ones
    unmaps = set()
    for _path, rows in mmio:
        for _number, fields in rows:
            if fields[1] == "unmap":
                unmaps.add(fields[0])
            else:
                unmaps.discard(fields[0])
    for path, rows in apis:
        for number, fields in rows:
            name, role, release = fields[0], fields[4], fields[5]
            if role != "acquire" or release == "-":
                continue
            for target in release.split("|"):
                if target == name:
                    continue  # self-paired (same API with a remove flag)
                if roles.get(target) == "release" or target in unmaps:
                    continue
                if target in roles:
                    report(path, number, f"release '{target}' has role {roles[target]}, not release")
                else:
                    report(path, number, f"release '{target}' is not a row of wdk-apis.tsv or an unmap in mmio.tsv")


def check_mmio(path, rows, report):
    for number, (_name, kind, forms, _notes) in rows:
        if kind not in MMIO_KINDS:
            report(path, number, f"unknown kind '{kind}'")
        ordered_list(forms, FORM_ORDER, "forms", path, number, report)


def check_macros(path, rows, report):
    for number, (_name, kind, target, unsafe, _notes) in rows:
        if kind not in MACRO_KINDS:
            report(path, number, f"kind must be api-first-argument|expands-to, not '{kind}'")
        if kind == "api-first-argument" and target != "-":
            report(path, number, "target must be '-' for api-first-argument")
        if kind == "expands-to":
            if target == "-":
                report(path, number, "expands-to row needs a target API")
            else:
                for part in target.split("|"):
                    if not IDENT.match(part):
                        report(path, number, f"target '{part}' is not an identifier")
        if unsafe not in ("caller", "inside", "no"):
            report(path, number, f"use must be caller|inside|no, not '{unsafe}'")


def check_families(path, rows, report):
    for number, (_prefix, family, risk, frameworks, _notes) in rows:
        if family not in API_FAMILIES | EXTRA_FAMILIES:
            report(path, number, f"unknown family '{family}'")
        if risk not in RISKS:
            report(path, number, f"default_risk must be high|medium|low, not '{risk}'")
        ordered_list(frameworks, FRAMEWORK_ORDER, "frameworks", path, number, report)


def main(argv):
    report = Report()
    paths = [os.path.join(HERE, name) for name in SCHEMAS]
    for extra in argv[1:]:
        if os.path.abspath(extra) not in paths:
            paths.append(os.path.abspath(extra))

    tables = {kind: [] for kind in SCHEMAS}
    for path in paths:
        kind, rows = read_table(path, report)
        if kind is None:
            continue
        check_names(path, rows, report)
        if kind == "wdk-apis.tsv":
            check_wdk_apis(path, rows, report)
        elif kind == "mmio.tsv":
            check_mmio(path, rows, report)
        elif kind == "ffi-macros.tsv":
            check_macros(path, rows, report)
        elif kind == "families.tsv":
            check_families(path, rows, report)
        tables[kind].append((path, rows))

    check_release_targets(tables["wdk-apis.tsv"], tables["mmio.tsv"], report)

    total = sum(len(rows) for kind in tables for _path, rows in tables[kind])
    if report.count:
        print(f"{report.count} problem(s) in {len(paths)} file(s)")
        return 1
    print(f"ok: {len(paths)} file(s), {total} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
