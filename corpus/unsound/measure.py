#!/usr/bin/env python3
"""AUC of the encapsulation score for "region belongs to an unsound function" on devset.tsv (see README.md).
   measure.py OUTDIR   where OUTDIR/<crate>.json are `unsafescope analyze <crate> --json` outputs (run.sh makes them)."""
import csv, json, os, sys
from collections import defaultdict

def auc(pos, neg):
    # Mann-Whitney: probability a positive ranks above a negative, ties count half.
    if not pos or not neg: return float('nan')
    wins = 0.0
    for p in pos:
        for n in neg:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return wins / (len(pos) * len(neg))

out = sys.argv[1]
labels = defaultdict(list)
for row in csv.DictReader(open(os.path.join(os.path.dirname(__file__), 'devset.tsv')), delimiter='\t'):
    labels[row['crate']].append((row['file'], int(row['start']), int(row['end']), row['function']))
rows, covered, located = [], set(), 0
for crate, funcs in sorted(labels.items()):
    located += len(funcs)
    data = json.load(open(os.path.join(out, crate + '.json')))
    for f in data['files']:
        for r in f.get('regions', []):
            if 'score' not in r: continue
            hit = [fn for (file, s, e, fn) in funcs if file == f['path'] and s <= r['startLine'] <= e]
            for fn in hit: covered.add((crate, fn))
            rows.append(dict(crate=crate, pos=bool(hit), score=r['score'], ops=len(r.get('operations', [])),
                             length=r['endLine'] - r['startLine'] + 1, factors={x['name'] for x in r.get('scoreFactors', [])}))
pos = [r for r in rows if r['pos']]; neg = [r for r in rows if not r['pos']]
print(f"regions: {len(rows)} ({len(pos)} positive); unsound functions located: {located}, covered by a region: {len(covered)}")
for name, key in [('score (lower = worse)', lambda r: -r['score']), ('operation count', lambda r: r['ops']), ('region length', lambda r: r['length'])]:
    print(f"AUC {name}: {auc([key(r) for r in pos], [key(r) for r in neg]):.3f}")
for crate in sorted(labels):
    p = [-r['score'] for r in pos if r['crate'] == crate]; n = [-r['score'] for r in neg if r['crate'] == crate]
    print(f"  {crate}: positives {len(p)}, negatives {len(n)}, score AUC {auc(p, n):.3f}")
print("factor: positives with it / negatives with it, AUC of having it")
for fac in sorted({x for r in rows for x in r['factors']}):
    p = [1 if fac in r['factors'] else 0 for r in pos]; n = [1 if fac in r['factors'] else 0 for r in neg]
    print(f"  {fac}: {sum(p)}/{len(p)} vs {sum(n)}/{len(n)}, AUC {auc(p, n):.3f}")
