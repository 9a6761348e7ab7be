#!/usr/bin/env bash
# Builds the C baseline against the project's own native parser library.
#   benchmarks/baseline/build.sh   ->  artifacts/bench/baseline
# Builds artifacts/native/linux-x64/libunsafescope_ts.so first (native/build.sh) when it is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
lib="$root/artifacts/native/linux-x64/libunsafescope_ts.so"
if [ ! -f "$lib" ]; then
  bash "$root/native/build.sh" "$root/artifacts/native"
fi
out="$root/artifacts/bench"
mkdir -p "$out"
# The .so is linked by path and found at run time through an $ORIGIN-relative rpath,
# so the binary uses exactly the library the managed build ships.
gcc -O2 -std=c11 -Wall -Wextra -Werror -pthread "$here/baseline.c" \
  -L"$root/artifacts/native/linux-x64" -l:libunsafescope_ts.so \
  -Wl,-rpath,'$ORIGIN/../native/linux-x64' -o "$out/baseline.tmp"
mv "$out/baseline.tmp" "$out/baseline"
echo "baseline: built $out/baseline"
