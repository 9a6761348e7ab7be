#!/usr/bin/env python3
"""Times commands run interleaved (a, b, a, b, ...), so that a machine whose speed drifts over minutes slows every
command alike: on a shared 2-core VM, runs minutes apart differed by a third, more than most changes.

usage: python3 benchmarks/interleave.py RUNS NAME=COMMAND [NAME=COMMAND ...]
prints each command's median, quartiles and minimum wall time in ms (after 3 warm-up runs of each).
example: python3 benchmarks/interleave.py 100 "old=/tmp/old/UnsafeScope.Cli analyze DIR --sarif a.sarif --quiet" \\
                                              "new=/tmp/new/UnsafeScope.Cli analyze DIR --sarif b.sarif --quiet"
"""
import statistics
import subprocess
import sys
import time

if len(sys.argv) < 3:
    sys.exit(__doc__)
runs = int(sys.argv[1])
commands = {name: command.split() for name, command in (a.split('=', 1) for a in sys.argv[2:])}
times = {name: [] for name in commands}
for command in commands.values():
    for _ in range(3):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
for _ in range(runs):
    for name, command in commands.items():
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times[name].append((time.perf_counter() - start) * 1000)
for name, t in times.items():
    t.sort()
    print(f"{name}: median {statistics.median(t):.1f} ms  p25 {t[len(t) // 4]:.1f}  p75 {t[3 * len(t) // 4]:.1f}  min {t[0]:.1f}")
