#!/usr/bin/env python3
"""Candidates for the #17 development set: RustSec advisories (informational = "unsound", memory-corruption or
memory-exposure) of crates packaged in /usr/share/cargo/registry at an affected version, held-out crates excluded.
Run from the advisory-db git dir (the `fetch github:rustsec/advisory-db` mirror):
    cd /work/.mirror/rustsec+advisory-db/repo && python3 /work/main/corpus/unsound/candidates.py
Writes /tmp/cands.json and prints one line per candidate."""
import subprocess,re,os,json
held=set("anyhow array-macro bytes capnp const-cstr cxx failure gettext-rs git2 grcov lru maxminddb memmap2 openssl owning_ref pyo3 rand sized-chunks spin stackvector time vm-memory whoami xcb".split())
reg={}
for d in os.listdir('/usr/share/cargo/registry'):
    m=re.match(r'(.+)-(\d+\.\d+\.\d+)$',d)
    if m: reg.setdefault(m.group(1),[]).append(m.group(2))
def V(s): return tuple(int(x) for x in re.findall(r'\d+',s)[:3])
def match(req,v):
    # req like ">= 1.2.3, < 2" or "^1.2"
    ok=True
    for part in req.split(','):
        part=part.strip()
        m=re.match(r'(>=|<=|>|<|=|\^|~)?\s*(\S+)',part)
        op,ver=m.group(1) or '^',m.group(2)
        w=V(ver)+(0,0,0); w=w[:3]
        if op=='>=': ok&= v>=w
        elif op=='>': ok&= v>w
        elif op=='<': ok&= v<w
        elif op=='<=': ok&= v<=w
        elif op=='=': ok&= v==w
        elif op=='^':
            n=len(re.findall(r'\d+',ver))
            if w[0]>0: ok&= v>=w and v[0]==w[0]
            elif n>1 and w[1]>0: ok&= v>=w and v[:2]==w[:2]
            else: ok&= v>=w and v[:3]==w[:3] if n>=3 else v>=w and v[:n]==w[:n]
        elif op=='~': ok&= v>=w and v[:2]==w[:2]
    return ok
res=[]
for path in subprocess.run(['git','ls-tree','-r','HEAD','--name-only'],capture_output=True,text=True).stdout.split():
    if not path.startswith('crates/') or not path.endswith('.md'): continue
    crate=path.split('/')[1]
    if crate in held or crate not in reg: continue
    txt=subprocess.run(['git','show','HEAD:'+path],capture_output=True,text=True).stdout
    fm=txt.split('```')[1] if txt.count('```')>=2 else ''
    if not ('informational = "unsound"' in fm or 'memory-corruption' in fm or 'memory-exposure' in fm): continue
    if 'withdrawn' in fm: continue
    pat=re.search(r'patched\s*=\s*\[(.*?)\]',fm,re.S); un=re.search(r'unaffected\s*=\s*\[(.*?)\]',fm,re.S)
    reqs=lambda m: re.findall(r'"([^"]*)"',m.group(1)) if m else []
    funcs=re.search(r'\[affected\.functions\](.*?)(\n\[|\Z)',fm,re.S)
    fl=re.findall(r'"([^"]+)"\s*=\s*\[(.*?)\]',funcs.group(1),re.S) if funcs else []
    for ver in reg[crate]:
        v=V(ver)
        if any(match(r,v) for r in reqs(pat)+reqs(un)): continue
        fs=[f for f,rr in fl if not rr.strip() or any(match(r,v) for r in re.findall(r'"([^"]*)"',rr))]
        title=re.search(r'^# (.*)$',txt,re.M)
        res.append(dict(crate=crate,ver=ver,path=path,id=os.path.basename(path)[:-3],funcs=fs,title=title.group(1) if title else ''))
json.dump(res,open('/tmp/cands.json','w'),indent=1)
for r in res: print(r['crate'],r['ver'],r['id'],r['funcs'],'|',r['title'][:70])
