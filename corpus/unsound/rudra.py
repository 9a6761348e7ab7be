#!/usr/bin/env python3
"""Candidates for devset.tsv from Rudra's bug list: every bug of sslab-gatech/Rudra-PoC with the analyzer's locations
(poc/*.rs `rudra-poc` metadata, and unreported/*.toml marked "independently fixed"), held-out crates excluded.
    python3 corpus/unsound/rudra.py /work/.mirror/sslab-gatech+Rudra-PoC/repo > candidates.jsonl
One JSON object per crate version: crate, version, the bug report's URL, and each bug's class, analyzer and locations
(`path:line:col: line:col`, relative to the package root). Locating them at a commit is the next step (README.md)."""
import json, re, subprocess, sys, tomllib

HELD_OUT = set("anyhow array-macro bytes capnp const-cstr cxx failure gettext-rs git2 grcov lru maxminddb memmap2 openssl "
               "owning_ref pyo3 rand sized-chunks spin stackvector time vm-memory whoami xcb".split())
repo = sys.argv[1]
git = lambda *a: subprocess.run(['git', '-C', repo, *a], capture_output=True, text=True, check=True).stdout
crates = {}
for path in git('ls-tree', '-r', '--name-only', 'HEAD', 'poc', 'unreported').split():
    text = git('show', 'HEAD:' + path)
    if path.startswith('poc/'):
        m = re.search(r'```rudra-poc\n(.*?)```', text, re.S)
        if not m: continue
        meta = tomllib.loads(m.group(1))
    else:
        meta = tomllib.loads(text)
    target, report = meta['target'], meta.get('report', {})
    if target['crate'] in HELD_OUT: continue
    for bug in meta.get('bugs', []):
        if path.startswith('unreported/') and bug.get('reason') != 'independently fixed': continue
        locations = bug.get('rudra_report_locations') or ([bug['location']] if bug.get('location') else [])
        if not locations: continue
        entry = crates.setdefault((target['crate'], target['version']), dict(crate=target['crate'], version=target['version'],
                                                                               issue=report.get('issue_url', ''), bugs=[]))
        entry['bugs'].append(dict(cls=bug.get('bug_class'), analyzer=bug.get('analyzer'), source=path,
                                  rustsec=report.get('rustsec_id', ''), locations=locations))
for key in sorted(crates):
    print(json.dumps(crates[key]))
