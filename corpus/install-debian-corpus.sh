#!/usr/bin/env bash
# Installs the Debian-packaged Rust crate corpus listed in debian-crates.txt.
# Needs root (apt). Idempotent: apt skips what is installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mapfile -t pkgs < <(grep -v '^\s*#' "$here/debian-crates.txt" | sed '/^\s*$/d')
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
echo "corpus: $(find /usr/share/cargo/registry /usr/src/rustc-1.63.0/library -name '*.rs' | wc -l) .rs files"
