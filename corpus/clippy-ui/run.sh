#!/usr/bin/env bash
# Measures UnsafeScope's clippy-equivalent rules (US1001-US1006, US1008, US1009) against clippy's own UI tests
# (the edge cases clippy documents), and writes corpus/clippy-ui/RESULTS.md. See README.md.
#
#   1. extract tests/ui, tests/ui-toml and tests/ui-cargo of rust-clippy from a git mirror (git archive);
#   2. compare.py prepare: one crate per test (and per revision) with its edition, grouped by the clippy.toml
#      options that change our rules (each group gets the equivalent unsafescope.toml);
#   3. run the CLI once per group (--json);
#   4. compare.py report: per rule recall/precision over (test, line, rule), every miss and false positive.
#
# Environment overrides:
#   CLIPPY_MIRROR    bare git dir of rust-lang/rust-clippy (default /work/.mirror/rust-lang+rust-clippy/repo)
#   CLIPPY_REV       commit or ref to read (default HEAD)
#   UNSAFESCOPE_DLL  the built CLI (default: this checkout's Release build)
#   WORK             scratch folder (default /tmp/clippy-ui-work; deleted and recreated)
#   OUT              the report (default corpus/clippy-ui/RESULTS.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${CLIPPY_MIRROR:-/work/.mirror/rust-lang+rust-clippy/repo}
rev=${CLIPPY_REV:-HEAD}
dll=${UNSAFESCOPE_DLL:-$here/../../src/UnsafeScope.Cli/bin/Release/net10.0/UnsafeScope.Cli.dll}
work=${WORK:-/tmp/clippy-ui-work}
out=${OUT:-$here/RESULTS.md}
[ -f "$dll" ] || { echo "no UnsafeScope CLI at $dll (dotnet build UnsafeScope.sln -c Release)" >&2; exit 1; }
commit=$(git -C "$mirror" rev-parse --short=10 "$rev")
rm -rf "$work"
mkdir -p "$work/src"
git -C "$mirror" archive "$rev" tests/ui tests/ui-toml tests/ui-cargo | tar -x -C "$work/src"
python3 "$here/compare.py" prepare "$work/src/tests" "$work/crates"
for group in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["groups"]))' "$work/crates/manifest.json"); do
    if [ -f "$work/crates/$group/unsafescope.toml" ]; then cfg=(--no-config --config "$work/crates/$group/unsafescope.toml"); else cfg=(--no-config); fi
    # exit code 1 = findings; 3 = some file could not be analyzed (reported in the run's notifications)
    dotnet "$dll" analyze "$work/crates/$group" --json "$work/crates/$group.json" --quiet --jobs 1 "${cfg[@]}" --fail-on none \
        > "$work/crates/$group.out" 2>&1 || echo "[clippy-ui] $group: exit $?" >&2
done
python3 "$here/compare.py" report "$work/crates/manifest.json" "$out" --json "$work/result.json" --commit "$commit"
