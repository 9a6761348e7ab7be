#!/usr/bin/env bash
# Side-by-side parse throughput over the WHOLE installed Rust corpus:
#   C baseline   parse  (us_parse_only: tree-sitter parse only)
#   C baseline   walk   (us_parse: parse + the shim's flatten walk into 24-byte records)
#   managed      parse + full walk (RustSyntaxTree.Parse + every node's Kind and Span)
# each with 1 and 2 workers, REPS repetitions (medians reported), interleaved so that drift
# in machine load hits every scenario alike. Writes a markdown report.
#
#   benchmarks/parse-walk.sh [OUT.md]          default OUT: benchmarks/results/parse-walk.md
# Environment:
#   REPS=3            repetitions per scenario
#   JOBS="1 2"        worker counts
#   DIAG=1            also time managed parse + walk with --no-recovery --no-timeout (1 worker), 0 to skip
#   LIST=FILE         use this file list instead of the whole corpus
#   LOAD_MAX=0.8      wait before every timed run until the 1-minute load average is below this
#   LOAD_WAIT_MAX=300 ...but give up waiting after this many seconds (the load is recorded either way)
#   RETRIES=2         redo a run this often when other processes used noticeable CPU during it
#   REPORT_FROM=RAW   measure nothing: rebuild the report from a raw log (artifacts/bench/parse-walk.raw.txt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=${1:-$root/benchmarks/results/parse-walk.md}
REPS=${REPS:-3}
JOBS=${JOBS:-"1 2"}
DIAG=${DIAG:-1}
LOAD_MAX=${LOAD_MAX:-0.8}
LOAD_WAIT_MAX=${LOAD_WAIT_MAX:-300}
RETRIES=${RETRIES:-2}
bench="$root/artifacts/bench"
mkdir -p "$bench" "$(dirname "$out")"
raw="$bench/parse-walk.raw.txt"
if [ -n "${REPORT_FROM:-}" ]; then
  [ "$(realpath "$REPORT_FROM")" = "$(realpath -m "$raw")" ] || cp "$REPORT_FROM" "$raw"
else
  : >"$raw"
fi

log() { echo "parse-walk: $*" >&2; }

# ---- build (sequential, Release) ----
if [ -z "${REPORT_FROM:-}" ]; then
log "building (Release)"
dotnet build -c Release "$root/benchmarks/UnsafeScope.Benchmarks/UnsafeScope.Benchmarks.csproj" -nologo -v q >&2
bash "$root/benchmarks/baseline/build.sh" >&2
fi
cbin="$bench/baseline"
mbin="$root/benchmarks/UnsafeScope.Benchmarks/bin/Release/net10.0/UnsafeScope.Benchmarks"
[ -n "${REPORT_FROM:-}" ] || [ -x "$mbin" ] || { log "error: $mbin was not built"; exit 1; }

# ---- corpus list ----
roots=(/usr/share/cargo/registry /usr/src/rustc-1.63.0/library)
if [ -n "${LIST:-}" ]; then
  list=$LIST
  corpus_desc="file list $LIST"
else
  for r in "${roots[@]}"; do
    [ -d "$r" ] || { log "error: $r is missing: install the corpus with corpus/install-debian-corpus.sh (root, apt)"; exit 1; }
  done
  list="$bench/corpus-files.txt"
  find "${roots[@]}" -name '*.rs' -type f | LC_ALL=C sort >"$list"
  corpus_desc="every *.rs file under ${roots[*]}"
fi
nfiles=$(grep -c . "$list")
[ "$nfiles" -gt 0 ] || { log "error: no files in $list"; exit 1; }
log "$nfiles files ($corpus_desc)"

# ---- load gate ----
load1() { cut -d' ' -f1 /proc/loadavg; }
wait_for_load() {
  local waited=0 l
  l=$(load1)
  while awk -v l="$l" -v m="$LOAD_MAX" 'BEGIN{exit !(l >= m)}'; do
    if [ "$waited" -ge "$LOAD_WAIT_MAX" ]; then
      log "load $l still >= $LOAD_MAX after ${waited}s; running anyway"
      echo "$l gave-up"
      return
    fi
    sleep 10
    waited=$((waited + 10))
    l=$(load1)
  done
  echo "$l"
}

have_time=0
[ -x /usr/bin/time ] && have_time=1

# Busy CPU seconds of the whole machine so far (all cores), from /proc/stat.
hz=$(getconf CLK_TCK)
busy_s() { awk -v hz="$hz" '/^cpu /{printf "%.2f", ($2+$3+$4+$7+$8+$9)/hz; exit}' /proc/stat; }

# run NAME JOBS CMD...: one timed run; appends
#   "name=... load=... rss_kb=... other_cpu_s=... <the program's key=value line>"
# to $raw. other_cpu_s is the CPU time the rest of the machine used while the command ran
# (machine busy time minus the command's own user+system time; the command's untimed file
# reading is inside that window too): the check that the shared machine stayed quiet.
run() {
  local name=$1 jobs=$2; shift 2
  local load line rss tmp b0 b1 own other attempt=0
  while :; do
    load=$(wait_for_load)
    tmp=$(mktemp)
    b0=$(busy_s)
    if [ "$have_time" = 1 ]; then
      line=$(/usr/bin/time -v -o "$tmp" "$@")
      b1=$(busy_s)
      rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tmp")
      own=$(awk -F': ' '/User time|System time/{s+=$2} END{print s}' "$tmp")
      other=$(awk -v a="$b0" -v b="$b1" -v o="$own" 'BEGIN{printf "%.2f", b-a-o}')
    else
      line=$("$@")
      rss=$(sed -n 's/.*peak_rss_kb=\([0-9-]*\).*/\1/p' <<<"$line")
      other=-
    fi
    rm -f "$tmp"
    # Disturbed: the rest of the machine used more than 1 s + 5% of the timed seconds of CPU.
    # Such a run is kept in the raw log as "disturbed:NAME" (left out of the medians) and redone,
    # at most RETRIES times; the last attempt counts whatever happened.
    if [ "$other" != - ] && [ "$attempt" -lt "$RETRIES" ] &&
       awk -v o="$other" -v s="$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<<"$line")" 'BEGIN{exit !(o > 1 + 0.05*s)}'; then
      echo "name=disturbed:$name load=${load// /_} rss_kb=$rss other_cpu_s=$other $line" | tee -a "$raw" >&2
      attempt=$((attempt + 1))
      continue
    fi
    echo "name=$name load=${load// /_} rss_kb=$rss other_cpu_s=$other $line" | tee -a "$raw" >&2
    return
  done
}

# ---- measure ----
[ -n "${REPORT_FROM:-}" ] || for rep in $(seq 1 "$REPS"); do
  for j in $JOBS; do
    log "rep $rep/$REPS, $j worker(s)"
    run c-parse "$j" "$cbin" parse "$j" "$list"
    run c-walk "$j" "$cbin" walk "$j" "$list"
    run managed-walk "$j" "$mbin" corpus-walk --jobs "$j" --list "$list"
  done
  if [ "$DIAG" = 1 ]; then
    run managed-walk-norecovery-notimeout 1 "$mbin" corpus-walk --jobs 1 --list "$list" --no-recovery --no-timeout
  fi
done

# ---- report ----
# field LINE KEY -> value
field() { sed -n "s/.*\b$2=\([^ ]*\).*/\1/p" <<<"$1"; }
# stat NAME JOBS KEY -> "median min max" over the runs
stats() {
  grep "^name=$1 " "$raw" | grep " jobs=$2 " | sed -n "s/.*\b$3=\([^ ]*\).*/\1/p" | sort -g |
    awk '{a[NR]=$1} END{ if (NR==0) {print "- - -"; exit}
      m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; print m, a[1], a[NR] }'
}
median() { stats "$1" "$2" "$3" | cut -d' ' -f1; }
maxload() { grep "^name=$1 " "$raw" | grep " jobs=$2 " | sed -n 's/^name=[^ ]* load=\([^ ]*\).*/\1/p' | sort -g | tail -1; }
maxother() { grep "^name=$1 " "$raw" | grep " jobs=$2 " | sed -n 's/.* other_cpu_s=\([^ ]*\).*/\1/p' | sort -g | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "n/a"; else printf "%.2f", a/b }'; }

bytes=$(field "$(head -1 "$raw")" bytes)
scenarios=(c-parse c-walk managed-walk)
label() {
  case $1 in
    c-parse) echo "C parse only (us_parse_only)" ;;
    c-walk) echo "C parse + flatten walk (us_parse)" ;;
    managed-walk) echo "managed RustSyntaxTree.Parse + full walk" ;;
    managed-walk-norecovery-notimeout) echo "managed, --no-recovery --no-timeout (diagnostic)" ;;
  esac
}

{
  echo "# Parse and walk throughput: C baseline vs managed"
  echo
  echo "Generated by \`benchmarks/parse-walk.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "## Machine"
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), \`nproc\` = $(nproc)"
  echo "- Memory: $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "- .NET SDK $(dotnet --version), $(gcc --version | head -1)"
  echo "- Shared machine: before every timed run the script waited until the 1-minute load average was below $LOAD_MAX (polling every 10 s, at most ${LOAD_WAIT_MAX} s); the highest load seen at the start of a run is in the table (\`gave-up\` = ran anyway), and so is the most CPU time the rest of the machine used during one run (\`other CPU s\`: machine busy time from /proc/stat minus the run's own user+system time; well under 1 s means the run had the machine to itself)."
  echo "- Runs during which the rest of the machine used more than 1 s + 5% of the timed seconds of CPU were redone (at most $RETRIES times each; the last attempt counts): $(grep -c '^name=disturbed:' "$raw" || true) such runs, listed as \`disturbed:\` under Raw runs."
  echo
  echo "## Corpus"
  echo
  echo "$nfiles files, $bytes bytes ($(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB), $corpus_desc. All files are read into memory before the clock starts (the managed driver also builds each \`SourceText\`, i.e. line map and UTF-8 check, untimed); files are handed out largest first from a shared atomic counter; one parser per worker."
  echo
  echo "## Results (median of $REPS runs; MB = 10^6 bytes)"
  echo
  echo "| scenario | workers | median s | min s | max s | MB/s (median) | peak RSS MiB (median) | max load at start | max other CPU s |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  names=("${scenarios[@]}")
  [ "$DIAG" = 1 ] && names+=(managed-walk-norecovery-notimeout)
  for s in "${names[@]}"; do
    for j in $JOBS; do
      read -r med mn mx < <(stats "$s" "$j" seconds)
      [ "$med" = "-" ] && continue
      rss=$(median "$s" "$j" rss_kb)
      printf '| %s | %s | %.3f | %.3f | %.3f | %.2f | %.0f | %s | %s |\n' "$(label "$s")" "$j" "$med" "$mn" "$mx" \
        "$(awk -v b="$bytes" -v s="$med" 'BEGIN{print b/1e6/s}')" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" "$(maxload "$s" "$j")" "$(maxother "$s" "$j")"
    done
  done
  echo
  echo "Managed GC figures (median over the runs, timed region only):"
  echo
  echo "| scenario | workers | allocated MB | gen0 / gen1 / gen2 GCs | GC pause s |"
  echo "| --- | ---: | ---: | --- | ---: |"
  for s in managed-walk managed-walk-norecovery-notimeout; do
    for j in $JOBS; do
      [ "$(median "$s" "$j" seconds)" = "-" ] && continue
      echo "| $(label "$s") | $j | $(median "$s" "$j" alloc_mb) | $(median "$s" "$j" gc0) / $(median "$s" "$j" gc1) / $(median "$s" "$j" gc2) | $(median "$s" "$j" gc_pause_s) |"
    done
  done
  echo
  first=${JOBS%% *}; last=${JOBS##* }
  mw1=$(median managed-walk "$first" seconds); cw1=$(median c-walk "$first" seconds); cp1=$(median c-parse "$first" seconds)
  mw2=$(median managed-walk "$last" seconds); cw2=$(median c-walk "$last" seconds); cp2=$(median c-parse "$last" seconds)
  r1=$(ratio "$mw1" "$cw1"); r2=$(ratio "$mw1" "$mw2")
  verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN{ ok = (op=="le") ? (v<=t) : (v>=t); print ok ? "met" : "NOT met" }'; }
  echo "## Ratios (of median seconds)"
  echo
  echo "| ratio | value | target |"
  echo "| --- | ---: | --- |"
  echo "| managed parse+walk / C walk, $first worker | $r1 | ≤ 1.2: $(verdict "$r1" 1.2 le) |"
  [ "$first" != "$last" ] && echo "| managed speed-up, $last workers over $first | $r2 | ≥ 1.7: $(verdict "$r2" 1.7 ge) |"
  echo "| C walk / C parse-only, $first worker | $(ratio "$cw1" "$cp1") | (cost of the flatten walk) |"
  if [ "$first" != "$last" ]; then
    echo "| C walk / C parse-only, $last workers | $(ratio "$cw2" "$cp2") | |"
    echo "| managed parse+walk / C walk, $last workers | $(ratio "$mw2" "$cw2") | |"
    echo "| C walk speed-up, $last workers over $first | $(ratio "$cw1" "$cw2") | (what the hardware gives) |"
    echo "| C parse speed-up, $last workers over $first | $(ratio "$cp1" "$cp2") | |"
  fi
  if [ "$DIAG" = 1 ]; then
    echo "| managed --no-recovery --no-timeout / C walk, 1 worker | $(ratio "$(median managed-walk-norecovery-notimeout 1 seconds)" "$(median c-walk 1 seconds)") | (diagnostic) |"
  fi
  echo
  echo "## Commands"
  echo
  echo '```sh'
  echo "benchmarks/parse-walk.sh   # REPS=$REPS JOBS=\"$JOBS\" DIAG=$DIAG LOAD_MAX=$LOAD_MAX LOAD_WAIT_MAX=$LOAD_WAIT_MAX RETRIES=$RETRIES"
  echo "# which builds and runs, per repetition and worker count N:"
  echo "dotnet build -c Release benchmarks/UnsafeScope.Benchmarks/UnsafeScope.Benchmarks.csproj"
  echo "benchmarks/baseline/build.sh"
  echo "find ${roots[*]} -name '*.rs' -type f | LC_ALL=C sort > artifacts/bench/corpus-files.txt"
  echo "/usr/bin/time -v artifacts/bench/baseline parse N artifacts/bench/corpus-files.txt"
  echo "/usr/bin/time -v artifacts/bench/baseline walk N artifacts/bench/corpus-files.txt"
  echo "/usr/bin/time -v benchmarks/UnsafeScope.Benchmarks/bin/Release/net10.0/UnsafeScope.Benchmarks corpus-walk --jobs N --list artifacts/bench/corpus-files.txt"
  [ "$DIAG" = 1 ] && echo "/usr/bin/time -v benchmarks/UnsafeScope.Benchmarks/bin/Release/net10.0/UnsafeScope.Benchmarks corpus-walk --jobs 1 --list artifacts/bench/corpus-files.txt --no-recovery --no-timeout"
  echo '```'
  echo
  echo "(The managed driver is the same as \`dotnet run -c Release --project benchmarks/UnsafeScope.Benchmarks -- corpus-walk --jobs N --list FILE\`; the script runs the built apphost so no build happens between timed runs.)"
  echo
  echo "## Raw runs"
  echo
  echo '```'
  sed "s#$root/##g" "$raw"
  echo '```'
} >"$out"
log "wrote $out"
cat "$out"
