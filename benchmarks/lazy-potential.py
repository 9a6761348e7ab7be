#!/usr/bin/env python3
"""How many bytes lazy parsing could skip: the interiors of outermost fn bodies (at file, mod, impl and trait level)
whose tokens hold nothing the analysis reads without a tree: no unsafe/extern/asm/static/union/transmute, no item
keyword, no attribute, no doc or SAFETY/unsafescope comment, and (unless --macros) no macro call.
A measurement for issue #14, not part of the product: a rough lexer (comments, strings, raw strings, chars).

    python3 benchmarks/lazy-potential.py [--macros] DIR...
"""
import os
import re
import sys
TRIG = {'unsafe','extern','asm','global_asm','naked_asm','static','union','transmute','fn','struct','enum','impl','trait','mod','use','macro_rules','type','const','macro'}
def lex(b):
    i=0; n=len(b); out=[]
    while i<n:
        c=b[i]
        if c in b' \t\r\n': i+=1; continue
        if b.startswith(b'//',i):
            j=b.find(b'\n',i); j=n if j<0 else j
            out.append(('c',i,j)); i=j; continue
        if b.startswith(b'/*',i):
            d=0; j=i
            while j<n:
                if b.startswith(b'/*',j): d+=1; j+=2
                elif b.startswith(b'*/',j):
                    d-=1; j+=2
                    if d==0: break
                else: j+=1
            out.append(('c',i,j)); i=j; continue
        m=re.compile(rb'(br|r|cr)(#*)"').match(b,i)
        if m:
            h=m.group(2); end=b.find(b'"'+h,m.end()); j=n if end<0 else end+1+len(h)
            out.append(('l',i,j)); i=j; continue
        if c in b'"' or (c in b'bc' and i+1<n and b[i+1:i+2]==b'"'):
            j=i+ (2 if c!=34 else 1)
            while j<n and b[j]!=34:
                j+= 2 if b[j]==92 else 1
            out.append(('l',i,j+1)); i=j+1; continue
        if c==39 or (c==98 and b[i+1:i+2]==b"'"):
            s=i+(1 if c==39 else 2)
            # char literal vs lifetime
            if s<n and b[s]==92:
                j=b.find(b"'",s+2); out.append(('l',i,j+1)); i=j+1; continue
            # one (utf8) char then quote
            k=s+1
            while k<n and (b[k]&0xC0)==0x80: k+=1
            if k<n and b[k]==39: out.append(('l',i,k+1)); i=k+1; continue
            m=re.compile(rb"[A-Za-z_][A-Za-z0-9_]*").match(b,s)
            j=m.end() if m else s
            out.append(('t',i,j)); i=j; continue
        m=re.compile(rb"(r#)?[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*").match(b,i)
        if m: out.append(('i',i,m.end())); i=m.end(); continue
        m=re.compile(rb"[0-9][0-9A-Za-z_]*(\.[0-9][0-9A-Za-z_]*)?").match(b,i)
        if m: out.append(('l',i,m.end())); i=m.end(); continue
        out.append(('p',i,i+1)); i+=1
    return out
def plan(b, allow_macros):
    t=lex(b); ranges=[]; stack=[]  # stack of kinds: 'item' (mod/impl/trait), 'other', 'macro'
    i=0; n=len(t)
    pend=None # kind of the next '{'
    while i<n:
        k,s,e=t[i]; tx=b[s:e]
        if k=='i' and tx=='fn'.encode() and all(x=='item' for x in stack):
            # find body '{' at depth 0 of () []
            j=i+1; d=0
            while j<n:
                k2,s2,e2=t[j]; x=b[s2:e2]
                if k2=='p' and x in (b'(',b'['): d+=1
                elif k2=='p' and x in (b')',b']'): d-=1
                elif k2=='p' and d==0 and x in (b'{',b';'): break
                j+=1
            if j<n and b[t[j][1]:t[j][2]]==b'{':
                # matching brace
                dd=0; m=j; ok=True
                while m<n:
                    k3,s3,e3=t[m]; x=b[s3:e3]
                    if k3=='p' and x in (b'{',b'(',b'['): dd+=1
                    elif k3=='p' and x in (b'}',b')',b']'):
                        dd-=1
                        if dd==0: break
                    if m>j:
                        if k3=='i' and (x.decode('utf8','replace') in TRIG or b'unsafe' in x.lower()): ok=False
                        if k3=='p' and x==b'#': ok=False
                        if k3=='p' and x==b'!' and t[m-1][0]=='i' and not (m+1<n and b[t[m+1][1]:t[m+1][2]]==b'='): 
                            if not allow_macros: ok=False
                        if k3=='c' and (re.search(rb'(?i)safety|unsafescope',x) or x.startswith((b'///',b'//!',b'/**',b'/*!'))): ok=False
                    m+=1
                if m>=n: return ranges
                if ok: ranges.append((t[j][2], t[m][1]))
                i=m+1; continue
        if k=='p' and tx==b'{':
            prev=[b[t[q][1]:t[q][2]] for q in range(max(0,i-40),i)]
            # decide item kind: look back for mod/impl/trait keyword since last ; or } or {
            kind='other'
            for q in range(i-1,max(-1,i-200),-1):
                x=b[t[q][1]:t[q][2]]
                if t[q][0]=='p' and x in (b';',b'}',b'{'): break
                if t[q][0]=='p' and x==b'!': kind='macro'; break
                if t[q][0]=='i' and x in (b'mod',b'impl',b'trait'): kind='item'; break
            stack.append(kind)
        elif k=='p' and tx==b'}':
            if stack: stack.pop()
        i+=1
    return ranges

if __name__ == '__main__':
    args = sys.argv[1:]
    allow = '--macros' in args
    roots = [a for a in args if a != '--macros']
    tot = el = 0
    for src in roots:
        for root, ds, fs in os.walk(src):
            for f in sorted(fs):
                p = os.path.join(root, f)
                if not f.endswith('.rs') or os.path.islink(p): continue
                b = open(p, 'rb').read(); tot += len(b)
                try: r = plan(b, allow)
                except Exception: r = []
                el += sum(e - s for s, e in r)
    print('macro calls allowed' if allow else 'no macro calls', 'total', tot, 'skippable', el, '%.1f%%' % (100 * el / max(1, tot)))
