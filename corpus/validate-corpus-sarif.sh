#!/usr/bin/env bash
# Analyzes the Debian crate corpus, writes SARIF, and validates it with the official SARIF Multitool
# (schema + SARIF best practice + GitHub ingestion rules). Prints the error/warning counts per rule.
#   corpus/validate-corpus-sarif.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/corpus-sarif}
mkdir -p "$out"
tool=artifacts/tools/sarif-multitool-5.7.0/package/Sarif.Multitool
if [ ! -x "$tool" ]; then
  mkdir -p artifacts/tools/sarif-multitool-5.7.0
  (cd artifacts/tools/sarif-multitool-5.7.0 && npm pack --silent @microsoft/sarif-multitool-linux@5.7.0 >/dev/null && tar xzf microsoft-sarif-multitool-linux-5.7.0.tgz && chmod +x package/Sarif.Multitool)
fi
dotnet build -c Release src/UnsafeScope.Cli >/dev/null
/usr/bin/time -f "analysis: %e s, %M KB peak" dotnet src/UnsafeScope.Cli/bin/Release/net10.0/UnsafeScope.Cli.dll \
  analyze /usr/share/cargo/registry /usr/src/rustc-1.63.0/library --root /usr --sarif "$out/corpus.sarif" --quiet --show 0 | tail -2
ls -la "$out/corpus.sarif"
echo "gzip size: $(gzip -c "$out/corpus.sarif" | wc -c) bytes (GitHub limit 10 MB)"
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 /usr/bin/time -f "multitool: %e s" "$tool" validate "$out/corpus.sarif" --rule-kind "Sarif;Gh" --max-file-size-in-kb 1000000 --output "$out/validation.sarif" --log ForceOverwrite > "$out/multitool.log" 2>&1 || true
grep -E "ERR9|WRN9" "$out/multitool.log" || true
python3 - "$out/validation.sarif" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
c = collections.Counter()
for run in d["runs"]:
    for r in run.get("results", []):
        c[(r.get("level", "warning"), r.get("ruleId"))] += 1
errors = sum(n for (lvl, _), n in c.items() if lvl == "error")
print(f"multitool: {errors} errors, {sum(c.values()) - errors} other results")
for (lvl, rule), n in sorted(c.items()):
    print(f"  {lvl} {rule}: {n}")
PY
