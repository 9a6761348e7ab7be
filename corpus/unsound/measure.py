#!/usr/bin/env python3
"""How well the encapsulation score ranks the regions of known-unsound code (devset.tsv, see README.md).

    measure.py OUTDIR [--fit]

OUTDIR/<crate>.json are `unsafescope analyze <crate> --json` outputs (run.sh makes them); crates without one are
reported as skipped. A region is positive when it starts inside a labelled span (a function, or the line of an
`unsafe impl`). Reports the ROC AUC of the score (lower = worse) against the two naive baselines of the issue
(operation count, region length), pooled over all regions of the labelled crates, and per bug class; coverage (labelled
spans holding a scored region, or overlapping a safe function that unsafe code trusts); and per factor how often positives and negatives carry it.

--fit fits non-negative weights for the factors (logistic regression on which factors a region has, L2-regularised,
projected gradient; a factor can only lower a score) and reports their AUC cross-validated over ten folds of whole
crates: every crate is scored by weights fitted on the other folds, so the figure is not measured on the data the
weights came from. The printed
points are the weights scaled so that the largest is 40.
"""
import csv, json, math, os, sys
from collections import defaultdict

def auc(pos, neg):
    """Mann-Whitney U / (|pos| |neg|): the probability that a positive ranks above a negative, ties half."""
    if not pos or not neg: return float('nan')
    allv = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i, n = 0.0, 0, len(allv)
    while i < n:
        j = i
        while j < n and allv[j][0] == allv[i][0]: j += 1
        mid = (i + j + 1) / 2.0  # average 1-based rank of the tie group
        rank_sum += mid * sum(1 for k in range(i, j) if allv[k][1])
        i = j
    return (rank_sum - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg))

def load(out):
    labels = defaultdict(list)
    here = os.path.dirname(os.path.abspath(__file__))
    for row in csv.DictReader(open(os.path.join(here, 'devset.tsv')), delimiter='\t'):
        if row['verified'] not in ('yes', 'shifted'): continue
        labels[row['crate']].append((row['file'], int(row['start']), int(row['end']), row['class'], row['item']))
    rows, covered, located, skipped = [], set(), [], []
    for crate, spans in sorted(labels.items()):
        path = os.path.join(out, crate + '.json')
        if not os.path.exists(path):
            skipped.append(crate); continue
        located += [(crate,) + s for s in spans]
        data = json.load(open(path))
        for f in data['files']:
            for r in f.get('regions', []):
                if 'score' not in r: continue
                hit = [s for s in spans if s[0] == f['path'] and s[1] <= r['startLine'] <= s[2]]
                for s in hit: covered.add((crate,) + s)
                rows.append(dict(crate=crate, pos=bool(hit), cls=hit[0][3] if hit else '', score=r['score'],
                                 ops=len(r.get('operations', [])), length=r['endLine'] - r['startLine'] + 1,
                                 factors={x['name']: -x['points'] for x in r.get('scoreFactors', [])}))
        # A flagged safe function that unsafe code trusts (crates[].trustedSafeFunctions) covers the spans it overlaps.
        for c in data.get('crates', []):
            for t in c.get('trustedSafeFunctions', []):
                for s in spans:
                    if s[0] == t['path'] and t['startLine'] <= s[2] and s[1] <= t['endLine']: covered.add((crate,) + s)
    return rows, located, covered, skipped

def fit(train, names, l2=0.01, steps=4000, lr=1.0):
    """Non-negative logistic regression (projected gradient descent) on factor indicators, classes balanced.
    Regions with the same set of factors are one weighted pattern, so a step costs the number of patterns."""
    npos = sum(1 for r in train if r['pos']); nneg = len(train) - npos
    cw = {True: len(train) / (2.0 * max(npos, 1)), False: len(train) / (2.0 * max(nneg, 1))}
    patterns = defaultdict(float)
    for r in train:
        patterns[(tuple(k for k, n in enumerate(names) if n in r['factors']), r['pos'])] += cw[r['pos']]
    xs = list(patterns.items()); m = float(len(train))
    w = [0.0] * len(names); b = 0.0
    for _ in range(steps):
        gw = [0.0] * len(names); gb = 0.0
        for (idx, y), c in xs:
            z = b + sum(w[k] for k in idx)
            p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
            g = (p - (1.0 if y else 0.0)) * c
            gb += g
            for k in idx: gw[k] += g
        b -= lr * gb / m
        w = [max(0.0, w[k] - lr * (gw[k] / m + l2 * w[k])) for k in range(len(names))]
    return w

def main():
    out = sys.argv[1]
    rows, located, covered, skipped = load(out)
    crates = sorted({r['crate'] for r in rows})
    pos = [r for r in rows if r['pos']]; neg = [r for r in rows if not r['pos']]
    print(f"crates: {len(crates)} analyzed" + (f", {len(skipped)} without output (sources missing): {' '.join(skipped)}" if skipped else ""))
    print(f"regions: {len(rows)} ({len(pos)} positive); labelled spans: {len(located)}, covered (a scored region, or a trusted safe function): "
          f"{len(covered)} ({100.0 * len(covered) / max(len(located), 1):.1f}%)")
    for name, key in [('score (lower = worse)', lambda r: -r['score']), ('operation count', lambda r: r['ops']),
                      ('region length', lambda r: r['length'])]:
        print(f"AUC {name}: {auc([key(r) for r in pos], [key(r) for r in neg]):.3f}")
    print("per bug class (positives of the class against every negative): score / operation count / length; coverage")
    for cls in sorted({s[4] for s in located}):
        p = [r for r in pos if r['cls'] == cls]
        spans = [s for s in located if s[4] == cls]
        cov = sum(1 for s in spans if s in covered)
        print(f"  {cls}: {len(p)} regions, score {auc([-r['score'] for r in p], [-r['score'] for r in neg]):.3f}, "
              f"ops {auc([r['ops'] for r in p], [r['ops'] for r in neg]):.3f}, length {auc([r['length'] for r in p], [r['length'] for r in neg]):.3f}; "
              f"covered {cov}/{len(spans)}")
    print("factor: positives with it / negatives with it, AUC of having it")
    names = sorted({x for r in rows for x in r['factors']})
    for fac in names:
        p = [1 if fac in r['factors'] else 0 for r in pos]; n = [1 if fac in r['factors'] else 0 for r in neg]
        print(f"  {fac}: {sum(p)}/{len(p)} vs {sum(n)}/{len(n)}, AUC {auc(p, n):.3f}")
    if '--fit' not in sys.argv: return
    # Ten folds of whole crates (every tenth crate of the sorted list): each crate's regions are scored by weights
    # fitted without it, so the figure is not measured on the data its weights came from.
    cv = []
    for fold in range(10):
        held = set(crates[fold::10])
        w = fit([r for r in rows if r['crate'] not in held], names)
        for r in rows:
            if r['crate'] in held: cv.append((sum(w[k] for k, n in enumerate(names) if n in r['factors']), r['pos']))
    print(f"10-fold (by crate) cross-validated AUC of fitted weights: {auc([s for s, y in cv if y], [s for s, y in cv if not y]):.3f}")
    w = fit(rows, names)
    top = max(w) or 1.0
    print("weights fitted on all crates (points, largest = 40):")
    for k in sorted(range(len(names)), key=lambda k: (-w[k], names[k])):
        print(f"  {names[k]}: {round(40 * w[k] / top)}  (now up to {max((r['factors'][names[k]] for r in rows if names[k] in r['factors']), default=0)})")
    fitted = lambda r: sum(40 * w[k] / top for k, n in enumerate(names) if n in r['factors'])
    print(f"AUC of those weights on all crates (in-sample): {auc([fitted(r) for r in pos], [fitted(r) for r in neg]):.3f}")

main()
