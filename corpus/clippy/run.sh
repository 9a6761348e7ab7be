#!/usr/bin/env bash
# Measures UnsafeScope's clippy/rustc-equivalent rules (US1001-US1009) against real clippy on
# Debian-packaged crates, and writes corpus/clippy/RESULTS.md plus the raw per-crate results in
# corpus/clippy/results/.
#
# For every crate in crates.txt:
#   1. copy /usr/share/cargo/registry/<crate>-<version> to $CLIPPY_WORK/src/<crate>-<version>, drop its
#      Cargo.lock and [dev-dependencies] (tests/benches are not checked, and their dependencies often
#      are not packaged), and point cargo at the Debian registry, offline;
#   2. `cargo clippy` the library (and build script) with the nine lints forced to warn
#      (--force-warn: the crate's own #[allow] attributes cannot hide a finding), then once more with
#      plain -W (what the crate itself would see; only used to count findings hidden by #[allow]);
#   3. normalize clippy's JSON messages of the primary package (compare.py extract), and take the
#      files clippy compiled from the dep-info (.d) files of the primary package's artifacts;
#   4. run UnsafeScope on the same copy (--no-config --config unsafescope.toml: US1007 in all editions;
#      --deps: the crate's dependencies are read from the same Debian registry cargo built against).
# Then compare.py report matches the findings per rule on (file, line) over the compiled files.
# clippy's raw JSON messages of both runs are kept, gzipped, in results/raw/<crate>.clippy-{force,warn}.jsonl.gz.
#
# Environment overrides:
#   UNSAFESCOPE_DLL  the built CLI (default: this checkout's src/UnsafeScope.Cli/bin/Release/net10.0/UnsafeScope.Cli.dll)
#   CLIPPY_WORK      scratch directory (default /tmp/clippy-work); one shared cargo target dir inside
#   CARGO_JOBS       cargo -j (default 1: the machine is shared)
#   CRATE_TIMEOUT    seconds per cargo invocation (default 900)
#   CRATES           a crate list file (default corpus/clippy/crates.txt)
#   SKIP_BUILD=1     only recompute the report from corpus/clippy/results/
#   US_TARGET        pass --target to UnsafeScope (x86_64-unknown-linux-gnu is what clippy compiled for here): regions
#                    under a false cfg get no findings; unset (default), cfgs that exclude each other are alternatives
#   US_ONLY=1        keep the stored clippy results, re-run only UnsafeScope (step 4) and the report: the quick
#                    loop while changing UnsafeScope (~1 min instead of 6+; needs no cargo)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dll=${UNSAFESCOPE_DLL:-$here/../../src/UnsafeScope.Cli/bin/Release/net10.0/UnsafeScope.Cli.dll}
work=${CLIPPY_WORK:-/tmp/clippy-work}
cargo_jobs=${CARGO_JOBS:-1}
timeout_s=${CRATE_TIMEOUT:-900}
crates=${CRATES:-$here/crates.txt}
registry=/usr/share/cargo/registry
results=$here/results
export CARGO_TARGET_DIR=$work/target

log() { echo "[clippy] $*" >&2; }

lints=(clippy::undocumented_unsafe_blocks clippy::multiple_unsafe_ops_per_block clippy::missing_safety_doc
    clippy::unnecessary_safety_doc clippy::unnecessary_safety_comment clippy::not_unsafe_ptr_arg_deref
    unsafe_op_in_unsafe_fn clippy::mut_from_ref clippy::unsafe_removed_from_name)
force_args=(--cap-lints warn --force-warn unsafe_code)
warn_args=(--cap-lints warn)
for l in "${lints[@]}"; do force_args+=(--force-warn "$l"); warn_args+=(-W "$l"); done

wait_for_dll() {
    local waited=0
    while [ ! -f "$dll" ] && [ "$waited" -lt 600 ]; do
        log "waiting for $dll ($waited s)"
        sleep 30
        waited=$((waited + 30))
    done
    [ -f "$dll" ] || { log "no UnsafeScope CLI at $dll"; exit 1; }
}

run_unsafescope() {  # $1 = name-version, $2 = its prepared copy; writes results/$1.unsafescope.json
    local nv=$1 dst=$2 raw=$work/raw/$1 start
    mkdir -p "$raw"
    start=$(date +%s)
    dotnet "$dll" analyze "$dst" --json "$raw/unsafescope.json" --quiet --no-config --config "$here/unsafescope.toml" --jobs 1 \
        --deps "$registry" ${US_TARGET:+--target "$US_TARGET"} > "$raw/unsafescope.out"
    us_s=$(( $(date +%s) - start ))
    python3 "$here/compare.py" trim-us "$raw/unsafescope.json" "$results/$nv.unsafescope.json"
}

mkdir -p "$work/src" "$work/raw" "$results"
if [ "${US_ONLY:-0}" = 1 ]; then
    wait_for_dll
    while read -r nv extra; do
        [[ -z "$nv" || "$nv" == \#* ]] && continue
        [ -f "$results/$nv.clippy.json" ] || { log "$nv: no stored clippy result, skipped"; continue; }
        dst=$work/src/$nv
        if [ ! -d "$dst" ]; then
            cp -r "$registry/$nv" "$dst"
            python3 "$here/compare.py" prepare "$dst"
        fi
        run_unsafescope "$nv" "$dst"
        log "$nv: UnsafeScope ${us_s}s"
    done < "$crates"
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    wait_for_dll
    : > "$work/build-log.tsv"
    while read -r nv extra; do
        [[ -z "$nv" || "$nv" == \#* ]] && continue
        read -r -a extra_args <<< "${extra:-}"
        src=$registry/$nv
        dst=$work/src/$nv
        raw=$work/raw/$nv
        if [ ! -d "$src" ]; then log "$nv: not installed, skipped"; continue; fi
        rm -rf "$dst" "$raw"; mkdir -p "$raw"
        cp -r "$src" "$dst"
        python3 "$here/compare.py" prepare "$dst"
        start=$(date +%s)
        log "$nv: cargo clippy ${extra_args[*]:-} (force-warn)"
        status=ok
        ( cd "$dst" && timeout "$timeout_s" cargo clippy --offline -j "$cargo_jobs" --message-format=json "${extra_args[@]}" \
              -- "${force_args[@]}" > "$raw/clippy-force.jsonl" 2> "$raw/clippy-force.stderr" ) || status=failed
        if [ "$status" = ok ]; then
            log "$nv: cargo clippy (-W)"
            ( cd "$dst" && timeout "$timeout_s" cargo clippy --offline -j "$cargo_jobs" --message-format=json "${extra_args[@]}" \
                  -- "${warn_args[@]}" > "$raw/clippy-warn.jsonl" 2> "$raw/clippy-warn.stderr" ) || status=failed
        fi
        clippy_s=$(( $(date +%s) - start ))
        if [ "$status" != ok ]; then
            log "$nv: clippy failed (${clippy_s}s): $(grep -m1 -E '^error' "$raw/clippy-force.stderr" "$raw/clippy-warn.stderr" 2>/dev/null || true)"
            printf '%s\tfailed\t%s\t%s\n' "$nv" "$clippy_s" "${extra:-}" >> "$work/build-log.tsv"
            rm -f "$results/$nv.clippy.json" "$results/$nv.unsafescope.json"
            continue
        fi
        # The raw messages, compressed, so the normalization (compare.py extract) can be audited and re-run.
        mkdir -p "$results/raw"
        gzip -9 -n -c "$raw/clippy-force.jsonl" > "$results/raw/$nv.clippy-force.jsonl.gz"
        gzip -9 -n -c "$raw/clippy-warn.jsonl" > "$results/raw/$nv.clippy-warn.jsonl.gz"
        python3 "$here/compare.py" extract --crate "$nv" --crate-dir "$dst" --args "${extra:-}" \
            --force "$raw/clippy-force.jsonl" --warn "$raw/clippy-warn.jsonl" --out "$results/$nv.clippy.json"
        run_unsafescope "$nv" "$dst"
        printf '%s\tok\t%s\t%s\t%s\n' "$nv" "$clippy_s" "$us_s" "${extra:-}" >> "$work/build-log.tsv"
        log "$nv: done (clippy ${clippy_s}s, UnsafeScope ${us_s}s)"
    done < "$crates"
    cp "$work/build-log.tsv" "$results/build-log.tsv"
fi

python3 "$here/compare.py" report --results "$results" --crates "$crates" \
    --unsafescope-dll "$dll" --out "$here/RESULTS.md" --mismatches "$results/mismatches.md" \
    --diagnosis "$here/diagnosis.md"
log "wrote $here/RESULTS.md"
