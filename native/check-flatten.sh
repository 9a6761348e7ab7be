#!/usr/bin/env bash
# Checks the shim's direct flatten walk (native/shim/unsafescope_ts.c) against tree-sitter's TSTreeCursor walk it
# replaced, record for record, on every .rs file under the given folders:
#   native/check-flatten.sh DIR...      (default: the Debian corpus, /usr/share/cargo/registry and the Rust 1.63 std)
# Needs gcc and the pinned sources native/build.sh unpacks; prints "files N nodes M different 0" when they agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
src="$root/artifacts/native/src"
[ -d "$src/tree-sitter" ] && [ -d "$src/tree-sitter-rust" ] || bash "$here/build.sh" "$root/artifacts/native" >/dev/null
rt="$src/tree-sitter/vendor/tree-sitter/lib"
gr="$src/tree-sitter-rust/src"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=200112L -D_DEFAULT_SOURCE -DUS_FLATTEN_CHECK -I"$rt/include" -I"$rt/src" -I"$gr" -I"$here/shim" -w \
  "$here/check/flatten-check.c" "$rt/src/lib.c" "$gr/parser.c" "$gr/scanner.c" -o "$out/check"
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(/usr/share/cargo/registry /usr/src/rustc-1.63.0/library)
find "${dirs[@]}" -name '*.rs' -type f | LC_ALL=C sort > "$out/list"
"$out/check" "$out/list"
