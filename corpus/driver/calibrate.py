#!/usr/bin/env python3
"""Calibrates and checks the driver factors of the score on the driver fixtures (README.md).

    calibrate.py FIXTURE_JSON [SAMPLES_JSON] [--margin N]

FIXTURE_JSON is `unsafescope analyze corpus/fixtures/driver-calibration --json`. Its regions carry labels in the
source (`//~ pair: NAME bad` / `//~ pair: NAME good`): each pair differs in one driver aspect, and the bad one must
score at least MARGIN points (default 5) below the good one. The script reads the shipped weights from
src/UnsafeScope/Scoring/ScoreWeights.cs (the one place they live), checks every pair at those weights, and finds the
smallest integer driver weights that order every pair with the margin, given the other factors the regions carry
(every driver weight at least 1, and the catalog's tiers ordered: high >= medium >= low). SAMPLES_JSON, when given, is
an analysis of real driver code: the script reports how often each driver factor fires there.
Prints Markdown (run.sh writes it to RESULTS.md).
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DRIVER = ['StaticMut', 'StaticMutAccess', 'MmioOutsideType', 'InFfiCallback', 'FfiHigh', 'FfiMedium', 'FfiLow', 'FfiUnknown']
FACTOR = {'static-mut': 'StaticMut', 'static-mut-access': 'StaticMutAccess', 'mmio-outside-type': 'MmioOutsideType', 'in-ffi-callback': 'InFfiCallback'}
TIER = {'high': 'FfiHigh', 'medium': 'FfiMedium', 'low': 'FfiLow'}

def shipped():
    text = open(os.path.join(ROOT, 'src/UnsafeScope/Scoring/ScoreWeights.cs')).read()
    w = {name: int(v) for name, v in re.findall(r'\b(\w+) = (\d+)', text)}
    return {k: w[k] for k in DRIVER + ['FfiMax']}

def regions(path):
    data = json.load(open(path))
    for f in data['files']:
        for r in f.get('regions', []):
            if 'score' not in r: continue
            yield f, r

def vector(r):
    """(points of the non-driver factors, counts of each driver weight)"""
    other = sum(-x['points'] for x in r.get('scoreFactors', []) if x['name'] not in FACTOR and x['name'] != 'ffi-risk')
    counts = dict.fromkeys(DRIVER, 0)
    for x in r.get('scoreFactors', []):
        if x['name'] in FACTOR: counts[FACTOR[x['name']]] += 1
    if any(x['name'] == 'ffi-risk' for x in r.get('scoreFactors', [])):
        for c in r.get('ffiCalls', []):
            counts[TIER.get(c.get('risk'), 'FfiUnknown')] += 1
    return other, counts

def score(v, w):
    other, counts = v
    ffi = min(w['FfiMax'], sum(counts[k] * w[k] for k in ('FfiHigh', 'FfiMedium', 'FfiLow', 'FfiUnknown')))
    rest = sum(counts[k] * w[k] for k in ('StaticMut', 'StaticMutAccess', 'MmioOutsideType', 'InFfiCallback'))
    return max(0, min(100, 100 - other - ffi - rest))

def pairs(fixture_json, fixture_src):
    src = open(fixture_src).read().splitlines()
    found = {}
    for f, r in regions(fixture_json):
        line = src[r['startLine'] - 1] if f['path'].endswith('lib.rs') else ''
        m = re.search(r'//~ (.*)$', line)
        if not m: continue
        for label in m.group(1).split(';'):
            lm = re.match(r'\s*pair: (\S+) (bad|good)\s*$', label)
            if lm: found.setdefault(lm.group(1), {})[lm.group(2)] = (r['startLine'], r.get('item', ''), vector(r))
    return {k: v for k, v in sorted(found.items()) if 'bad' in v and 'good' in v}

def solve(ps, margin, cap):
    w = dict.fromkeys(DRIVER, 1); w['FfiMax'] = cap
    for _ in range(10000):
        worst, gap = None, 0
        for name, p in ps.items():
            need = margin - (score(p['good'][2], w) - score(p['bad'][2], w))
            if need > gap: worst, gap = name, need
        if worst is None: return w
        bad, good = ps[worst]['bad'][2][1], ps[worst]['good'][2][1]
        k = max(DRIVER, key=lambda k: (bad[k] - good[k], -DRIVER.index(k)))
        if bad[k] - good[k] <= 0: return None
        w[k] += 1
        w['FfiMedium'] = max(w['FfiMedium'], w['FfiLow']); w['FfiHigh'] = max(w['FfiHigh'], w['FfiMedium'])
    return None

def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    margin = int(sys.argv[sys.argv.index('--margin') + 1]) if '--margin' in sys.argv else 5
    if '--margin' in sys.argv: args.remove(str(margin))
    fixture = os.path.join(ROOT, 'corpus/fixtures/driver-calibration/src/lib.rs')
    ps = pairs(args[0], fixture)
    w = shipped()
    print(f"## Pairs at the shipped weights (margin {margin})\n")
    print("| pair | bad (line: item) | score | good (line: item) | score | difference | ordered |")
    print("|---|---|---:|---|---:|---:|---|")
    ok = 0
    for name, p in ps.items():
        b, g = score(p['bad'][2], w), score(p['good'][2], w)
        ok += g - b >= margin
        print(f"| {name} | {p['bad'][0]}: {p['bad'][1]} | {b} | {p['good'][0]}: {p['good'][1]} | {g} | {g - b} | {'yes' if g - b >= margin else 'NO'} |")
    zero = dict(w, **dict.fromkeys(DRIVER, 0))
    ok0 = sum(score(p['good'][2], zero) - score(p['bad'][2], zero) >= margin for p in ps.values())
    print(f"\nOrdered with the margin: **{ok} of {len(ps)}** at the shipped weights; {ok0} of {len(ps)} with every driver weight at 0 "
          "(what the soundness factors alone already separate).\n")
    least = solve(ps, margin, w['FfiMax'])
    print("## The smallest driver weights that order every pair\n")
    print("| weight | shipped | smallest that orders every pair |")
    print("|---|---:|---:|")
    for k in DRIVER:
        print(f"| {k} | {w[k]} | {least[k] if least else 'infeasible'} |")
    below = [k for k in DRIVER if least and w[k] < least[k]]
    print(f"\nShipped weights below that minimum: {', '.join(below) if below else 'none'}.\n")
    if len(args) > 1:
        counts, scores, total = {}, {}, 0
        for f, r in regions(args[1]):
            total += 1
            for x in r.get('scoreFactors', []):
                if x['name'] in FACTOR or x['name'] == 'ffi-risk':
                    counts[x['name']] = counts.get(x['name'], 0) + 1
                    scores.setdefault(x['name'], []).append(r['score'])
        print("## Real driver code\n")
        print(f"{total} scored regions. Driver factors:\n")
        print("| factor | regions | median score of those regions |")
        print("|---|---:|---:|")
        for k in sorted(counts):
            s = sorted(scores[k]); print(f"| {k} | {counts[k]} | {s[len(s) // 2]} |")
        print()
    sys.exit(0 if ok == len(ps) else 1)

if __name__ == '__main__':
    main()
