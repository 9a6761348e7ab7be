#!/usr/bin/env bash
# Side by side over the same files (the Debian crate corpus from corpus/debian-crates.txt):
#   - the C parse-only baseline (benchmarks/baseline, linked against the project's native library:
#     tree-sitter parse of every file, nothing else; files are read before its clock, not before ours),
#   - ast-grep 0.51.1 (npm, integrity-checked) searching `unsafe { $$$ }`,
#   - `unsafescope analyze` with all default rules writing SARIF and JSON: the NativeAOT command, and the same
#     build framework-dependent (`dotnet UnsafeScope.Cli.dll`, the dotnet tool), whose outputs must be identical,
# each with 1 and 2 workers, REPS repetitions alternating the tools, medians of wall time and peak RSS.
# Then the result cache on a copy of the corpus: a cold run filling the cache, a warm run with nothing edited,
# one with 1% of the files edited in sorted order (a change confined to a few crates, as a pull request's), and the
# headline one with a further 1% edited spread over the corpus (every 100th file); its outputs must equal a plain
# run's on the edited copy.
#   benchmarks/compare.sh [REPS]        (default 3; writes benchmarks/results/compare.md)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
roots=(/usr/share/cargo/registry /usr/src/rustc-1.63.0/library)
for r in "${roots[@]}"; do [ -d "$r" ] || { echo "corpus missing: run corpus/install-debian-corpus.sh" >&2; exit 1; }; done
astgrep=$(bash benchmarks/ast-grep.sh)
dotnet build -c Release src/UnsafeScope.Cli >/dev/null
bash benchmarks/baseline/build.sh >/dev/null
cbin=artifacts/bench/baseline
# The command as shipped for speed (NativeAOT, README) and as the `dotnet tool` package runs it (framework-dependent, JIT).
dotnet publish src/UnsafeScope.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/aot/linux-x64 >/dev/null
cli=(artifacts/aot/linux-x64/UnsafeScope.Cli)
fd=(dotnet src/UnsafeScope.Cli/bin/Release/net10.0/UnsafeScope.Cli.dll)
out=$(mktemp -d)
bytes=$(find "${roots[@]}" -name '*.rs' -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "${roots[@]}" -name '*.rs' -type f | wc -l)
find "${roots[@]}" -name '*.rs' -type f | LC_ALL=C sort > "$out/list"

measure() { # label, command... -> "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o "$out/time" "${@:2}" > "$out/stdout-$1" 2> "$out/err" || { echo "$1 failed:"; cat "$out/err"; exit 1; }
  cat "$out/time"
}
declare -A wall rss
same_builds=yes
for rep in $(seq 1 "$reps"); do
  for jobs in 1 2; do
    read -r s m < <(measure c-parse "$cbin" parse "$jobs" "$out/list")
    wall[c-parse,$jobs]+="$s "; rss[c-parse,$jobs]+="$m "
    read -r s m < <(measure ast-grep "$astgrep" run -p 'unsafe { $$$ }' -l rust -j "$jobs" --json=stream "${roots[@]}")
    wall[ast-grep,$jobs]+="$s "; rss[ast-grep,$jobs]+="$m "
    read -r s m < <(measure unsafescope "${cli[@]}" analyze "${roots[@]}" --root /usr --jobs "$jobs" --sarif "$out/u.sarif" --json "$out/u.json" --quiet --show 0 --no-config)
    wall[unsafescope,$jobs]+="$s "; rss[unsafescope,$jobs]+="$m "
    read -r s m < <(measure unsafescope-fd "${fd[@]}" analyze "${roots[@]}" --root /usr --jobs "$jobs" --sarif "$out/f.sarif" --json "$out/f.json" --quiet --show 0 --no-config)
    wall[unsafescope-fd,$jobs]+="$s "; rss[unsafescope-fd,$jobs]+="$m "
    cmp -s "$out/u.sarif" "$out/f.sarif" && cmp -s "$out/u.json" "$out/f.json" || same_builds=no
  done
done
# The cache: a copy of the corpus (sources and manifests), cold run with --cache, edit every 100th file, warm run.
copy="$out/corpus"
mkdir -p "$copy"
cp -r /usr/share/cargo/registry "$copy/registry"
cp -r /usr/src/rustc-1.63.0/library "$copy/library"
# The cache's digest memo keeps a file's digest only when the file was unchanged for 2 s before it was read (time
# stamps of that resolution could hide a later write): a working tree analyzed again, not a copy made this second.
sleep 3
run_copy=("${cli[@]}" analyze "$copy/registry" "$copy/library" --root "$copy" --jobs 2 --quiet --show 0 --no-config)
read -r cold_s cold_m < <(measure cache-cold "${run_copy[@]}" --cache "$out/cache" --sarif "$out/cold.sarif" --json "$out/cold.json")
read -r same_s same_m < <(measure cache-unedited "${run_copy[@]}" --cache "$out/cache" --sarif "$out/same.sarif" --json "$out/same.json")
few=$(( $(find "$copy" -name '*.rs' -type f | wc -l) / 100 ))
find "$copy" -name '*.rs' -type f | LC_ALL=C sort | awk -v n="$few" 'NR <= n' > "$out/few" # awk reads all: head would end the pipe early (SIGPIPE under pipefail)
while read -r f; do printf '\n// edited for the cache benchmark (few crates)\n' >> "$f"; done < "$out/few"
few_crates=$(while read -r f; do d=$(dirname "$f"); while [ "$d" != "$copy" ] && [ ! -f "$d/Cargo.toml" ]; do d=$(dirname "$d"); done; echo "$d"; done < "$out/few" | sort -u | wc -l)
read -r few_s few_m < <(measure cache-few "${run_copy[@]}" --cache "$out/cache" --sarif "$out/few.sarif" --json "$out/few.json")
edited=0
while read -r f; do printf '\n// edited for the cache benchmark\n' >> "$f"; edited=$((edited + 1)); done < <(find "$copy" -name '*.rs' -type f | LC_ALL=C sort | awk 'NR % 100 == 0')
read -r warm_s warm_m < <(measure cache-warm "${run_copy[@]}" --cache "$out/cache" --sarif "$out/warm.sarif" --json "$out/warm.json")
warm_summary=$(grep -o 'cache: [^)]*' "$out/stdout-cache-warm" || true)
read -r plain_s plain_m < <(measure plain "${run_copy[@]}" --sarif "$out/plain.sarif" --json "$out/plain.json")
identical=no
cmp -s "$out/warm.sarif" "$out/plain.sarif" && cmp -s "$out/warm.json" "$out/plain.json" && identical=yes

# What limits unsafescope against a parse-only tool: one thread, each phase of the per-file stage timed alone.
dotnet build -c Release benchmarks/UnsafeScope.Benchmarks >/dev/null
phases=$(dotnet benchmarks/UnsafeScope.Benchmarks/bin/Release/net10.0/UnsafeScope.Benchmarks.dll corpus-phases)

median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
{
  echo "# UnsafeScope vs ast-grep on the Debian crate corpus"
  echo
  echo "Generated by \`benchmarks/compare.sh $reps\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB."
  echo "Corpus: $files files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1048576}') MiB. Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work was running: ratios are fairer than absolute times, since the tools alternate)."
  echo
  echo "| tool | workers | wall s (median of $reps) | peak RSS MB (median) | all runs (s) |"
  echo "|---|---:|---:|---:|---|"
  for tool in c-parse ast-grep unsafescope unsafescope-fd; do
    for jobs in 1 2; do
      w=$(echo "${wall[$tool,$jobs]}" | median); m=$(echo "${rss[$tool,$jobs]}" | median)
      echo "| $tool | $jobs | $w | $(awk -v k="$m" 'BEGIN {printf "%.0f", k/1024}') | ${wall[$tool,$jobs]}|"
    done
  done
  echo
  a1=$(echo "${wall[ast-grep,1]}" | median); a2=$(echo "${wall[ast-grep,2]}" | median)
  u1=$(echo "${wall[unsafescope,1]}" | median); u2=$(echo "${wall[unsafescope,2]}" | median)
  c1=$(echo "${wall[c-parse,1]}" | median); c2=$(echo "${wall[c-parse,2]}" | median)
  f1=$(echo "${wall[unsafescope-fd,1]}" | median); f2=$(echo "${wall[unsafescope-fd,2]}" | median)
  echo "Ratios: unsafescope / C parse-only = $(awk -v u="$u1" -v a="$c1" 'BEGIN {printf "%.2f", u/a}') (1 worker), $(awk -v u="$u2" -v a="$c2" 'BEGIN {printf "%.2f", u/a}') (2 workers)."
  echo "Ratios: unsafescope / ast-grep = $(awk -v u="$u1" -v a="$a1" 'BEGIN {printf "%.2f", u/a}') (1 worker), $(awk -v u="$u2" -v a="$a2" 'BEGIN {printf "%.2f", u/a}') (2 workers); unsafescope speed-up 1→2 workers = $(awk -v a="$u1" -v b="$u2" 'BEGIN {printf "%.2f", a/b}')×; ast-grep speed-up = $(awk -v a="$a1" -v b="$a2" 'BEGIN {printf "%.2f", a/b}')×."
  echo "Framework-dependent command (unsafescope-fd, what the dotnet tool package runs): $(awk -v u="$f1" -v a="$a1" 'BEGIN {printf "%.2f", u/a}') (1 worker), $(awk -v u="$f2" -v a="$a2" 'BEGIN {printf "%.2f", u/a}') (2 workers) of ast-grep; speed-up $(awk -v a="$f1" -v b="$f2" 'BEGIN {printf "%.2f", a/b}')×. SARIF and JSON of the two builds byte-identical in every run: $same_builds."
  echo
  echo "Result cache (2 workers, a copy of the corpus, left unchanged for 3 s before the cold run: the digest memo keeps only files unchanged for 2 s before their read): cold run filling the cache $cold_s s (peak $(awk -v k="$cold_m" 'BEGIN {printf "%.0f", k/1024}') MB); $edited files (1%) edited, every 100th; warm run $warm_s s (peak $(awk -v k="$warm_m" 'BEGIN {printf "%.0f", k/1024}') MB) = $(awk -v w="$warm_s" -v c="$cold_s" 'BEGIN {printf "%.1f", 100*w/c}')% of the cold run ($warm_summary); a plain run on the edited copy $plain_s s. Warm outputs byte-identical to the plain run's: $identical."
  echo "Before it, nothing edited: $same_s s = $(awk -v w="$same_s" -v c="$cold_s" 'BEGIN {printf "%.1f", 100*w/c}')% (peak $(awk -v k="$same_m" 'BEGIN {printf "%.0f", k/1024}') MB); the first $few files in sorted order edited ($few_crates crates): $few_s s = $(awk -v w="$few_s" -v c="$cold_s" 'BEGIN {printf "%.1f", 100*w/c}')% (peak $(awk -v k="$few_m" 'BEGIN {printf "%.0f", k/1024}') MB)."
  echo
  echo "Where the time goes (\`UnsafeScope.Benchmarks corpus-phases\`: one thread, every corpus file, each phase timed alone; parse + queries is what a run does, the other parse rows are for comparison):"
  echo
  echo '```'
  echo "$phases"
  echo '```'
  echo
  # Two floors from the same phases, against this run's one-worker medians (benchmarks/README.md, "Where #14 stops").
  phase() { echo "$phases" | awk -v p="$1" 'index($0, p) == 1 { print $(NF-1) }' | head -1; }
  parse_s=$(phase "parse + queries  "); link_s=$(phase "link  "); edited_link_s=$(phase "link, edited crates only")
  echo "Floors (one thread, from the phases above): the parse of every file plus the link take $parse_s + $link_s s = $(awk -v p="$parse_s" -v l="$link_s" -v a="$a1" 'BEGIN {printf "%.2f", (p+l)/a}')× ast-grep's one-worker run, before extraction, rules and outputs; linking again only the crates that hold the spread edits takes $edited_link_s s = $(awk -v l="$edited_link_s" -v u="$u1" 'BEGIN {printf "%.1f", 100*l/u}')% of unsafescope's one-worker cold run, the least a cache of whole crates can cost for that edit."
  echo
  echo "What limits the gap: benchmarks/README.md, section *What limits the gap*."
  echo
  echo "unsafescope is the NativeAOT command (\`dotnet publish src/UnsafeScope.Cli -c Release -r linux-x64 -p:PublishAot=true\`), unsafescope-fd the same build run by \`dotnet UnsafeScope.Cli.dll\`."
  echo "ast-grep runs one pattern and prints matches; unsafescope parses, extracts the inventory, runs all default rules and query packs, links crates, scores, and writes SARIF (capped at 25,000 results) and JSON."
} > benchmarks/results/compare.md
cat benchmarks/results/compare.md
rm -rf "$out"
