#!/usr/bin/env bash
# Builds the UnsafeScope native parser from pinned, integrity-checked npm tarballs.
#   native/build.sh OUT_DIR
# Produces OUT_DIR/linux-x64/libunsafescope_ts.so, OUT_DIR/win-x64/unsafescope_ts.dll
# (only when x86_64-w64-mingw32-gcc is installed) and OUT_DIR/generated/*.g.cs.
# Messages use MSBuild's canonical "error CODE: text" form so `dotnet build` shows them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error USN001: the native parser build needs '$1' ($2), which is not on PATH." >&2; exit 1; }
}
need npm "install Node.js and npm, e.g. apt-get install nodejs npm"
need node "install Node.js"
need gcc "install gcc, e.g. apt-get install gcc"
need tar "install tar"

dl="$out/download"; src="$out/src"
mkdir -p "$dl" "$src"

# Fetch and verify each pin; npm pack runs no install scripts.
while read -r name version integrity; do
  case "$name" in ''|'#'*) continue ;; esac
  tgz="$dl/$name-$version.tgz"
  if [ ! -f "$tgz" ]; then
    (cd "$dl" && npm pack --silent "$name@$version" >/dev/null) || { echo "error USN002: npm pack $name@$version failed (is the npm registry reachable?)." >&2; exit 1; }
  fi
  actual="sha512-$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tgz")"
  if [ "$actual" != "$integrity" ]; then
    rm -f "$tgz"
    echo "error USN003: $name@$version integrity mismatch: expected $integrity, got $actual." >&2; exit 1
  fi
  rm -rf "$src/$name"; mkdir -p "$src/$name"
  tar xzf "$tgz" -C "$src/$name" --strip-components=1
done < "$here/pins.txt"

rt="$src/tree-sitter/vendor/tree-sitter/lib"
gr="$src/tree-sitter-rust/src"
sources=("$rt/src/lib.c" "$gr/parser.c" "$gr/scanner.c" "$here/shim/unsafescope_ts.c")
cflags=(-O2 -std=c11 -D_POSIX_C_SOURCE=200112L -D_DEFAULT_SOURCE -I"$rt/include" -I"$rt/src" -I"$gr"
        -ffile-prefix-map="$src"=. -ffile-prefix-map="$here"=. -fvisibility=hidden -w)

# Linux: profile-guided. An instrumented build of the same objects parses the repository's own Rust fixtures the way
# the managed side does (native/pgo/train.c: parse, flatten, the query packs), and gcc lays the final objects out by
# those counts: 10-11% less time to parse and flatten the Debian corpus, which training never sees, 9-10% of a whole
# corpus run (benchmarks/README, session 23). -fprofile-partial-training keeps code the fixtures never reach optimized
# as at -O2, not for size.
# Each object keeps one path in both builds, which is how gcc pairs it with its .gcda; old counts are removed first
# because gcc adds to them. UNSAFESCOPE_NATIVE_PGO=0 builds plain -O2 (to measure the difference).
compile() { # compile MODE_FLAGS...: every source to $obj/NAME.o
  local s
  for s in "${sources[@]}"; do gcc "${cflags[@]}" -fPIC "$@" -c "$s" -o "$obj/$(basename "$s" .c).o"; done
}
obj="$out/pgo/obj"
rm -rf "$obj"; mkdir -p "$obj" "$out/linux-x64"
training=()
if [ "${UNSAFESCOPE_NATIVE_PGO:-1}" != "0" ]; then
  root=$(cd "$here/.." && pwd)
  find "$root/corpus/fixtures" "$root/tests" -name '*.rs' -type f -not -path '*/bin/*' -not -path '*/obj/*' 2>/dev/null | LC_ALL=C sort > "$out/pgo/training.list"
  [ -s "$out/pgo/training.list" ] && training=(yes)
  [ ${#training[@]} -gt 0 ] || echo "UnsafeScope native: no Rust fixtures to train on; building without a profile."
fi
if [ ${#training[@]} -gt 0 ]; then
  compile -fprofile-generate -fprofile-update=single
  gcc -O2 -c "$here/pgo/train.c" -o "$out/pgo/train.o" # the trainer itself is not profiled
  gcc -fprofile-generate "$out/pgo/train.o" "$obj"/*.o -o "$out/pgo/train"
  "$out/pgo/train" "$out/pgo/training.list" "$here/../queries/packs/"*.scm >/dev/null \
    || { echo "error USN005: profile training of the native parser failed ($out/pgo/train)." >&2; exit 1; }
  rm -f "$obj"/*.o
  compile -fprofile-use -fprofile-partial-training -Wno-missing-profile
else
  compile
fi
gcc -shared -Wl,--build-id=none -s "$obj"/*.o -o "$out/linux-x64/libunsafescope_ts.so.tmp"
mv "$out/linux-x64/libunsafescope_ts.so.tmp" "$out/linux-x64/libunsafescope_ts.so"

if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  wobj="$out/obj/win-x64" # not in win-x64/, which holds only what ships
  rm -rf "$wobj"; mkdir -p "$wobj" "$out/win-x64"
  objects=()
  for s in "${sources[@]}"; do
    x86_64-w64-mingw32-gcc "${cflags[@]}" -c "$s" -o "$wobj/$(basename "$s" .c).o"
    objects+=("$(basename "$s" .c).o")
  done
  # Linked in the object folder, from relative names, to the DLL's own name: ld's output depends on the objects'
  # paths and the export directory records the file name, so gcc's temporary objects or a .tmp name made the bytes
  # differ from build to build (and named the DLL unsafescope_ts.dll.tmp inside).
  (cd "$wobj" && x86_64-w64-mingw32-gcc -shared -static-libgcc -Wl,--export-all-symbols -Wl,--no-insert-timestamp -s \
    "${objects[@]}" -o unsafescope_ts.dll)
  mv "$wobj/unsafescope_ts.dll" "$out/win-x64/unsafescope_ts.dll"
else
  echo "UnsafeScope native: x86_64-w64-mingw32-gcc not found; skipping the win-x64 library."
fi

mkdir -p "$out/generated"
node "$here/gen-kinds.mjs" "$src/tree-sitter-rust/src/node-types.json" "$out/generated"
cp "$src/tree-sitter-rust/src/node-types.json" "$out/generated/node-types.json"
echo "UnsafeScope native: built $(ls "$out"/*/*unsafescope_ts* | tr '\n' ' ')"
