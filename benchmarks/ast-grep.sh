#!/usr/bin/env bash
# Installs ast-grep 0.51.1 (the npm tarball, integrity-checked) under artifacts/tools and prints its path.
# The baseline of benchmarks/compare.sh and benchmarks/startup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=artifacts/tools/ast-grep
integrity="sha512-FlaaRLyopXet+zFrWOdlTbyJb+QqZzgV9jxIbgz0FoVsJSaJ6jsenO/6bgYJk4zPOCUODuvoQ1/XFlB4r6BdcQ=="
if [ ! -x "$tools/package/ast-grep" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm pack --silent @ast-grep/cli-linux-x64-gnu@0.51.1 >/dev/null)
  actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tools/ast-grep-cli-linux-x64-gnu-0.51.1.tgz")"
  [ "$actual" = "$integrity" ] || { echo "ast-grep tarball integrity mismatch" >&2; exit 1; }
  tar xzf "$tools/ast-grep-cli-linux-x64-gnu-0.51.1.tgz" -C "$tools"
fi
echo "$PWD/$tools/package/ast-grep"
