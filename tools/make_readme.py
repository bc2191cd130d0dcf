#!/usr/bin/env python
"""README.md from nbs/index.ipynb without Quarto (which needs the internet to install).
Markdown cells are copied; code cells are shown as code with their text outputs, except cells with a hiding or
exporting `#|` directive (`hide`, `export`, `exporti`, `default_exp`, `echo: false`), as nbdev does.
`--check` exits 1 when README.md differs from what the notebook gives."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HIDE = re.compile(r'^#\|\s*(hide|export|exporti|default_exp|echo:\s*false|include:\s*false)\b')

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb = json.loads(Path(nb_path).read_text())
    out = ['<!-- Generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file. -->\n']
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': out.append(src.strip() + '\n'); continue
        lines = src.split('\n')
        if any(HIDE.match(l) for l in lines): continue
        code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        if code: out.append(f'```python\n{code}\n```\n')
        for o in c.get('outputs', []):
            txt = ''.join(o.get('text', '') or o.get('data', {}).get('text/plain', ''))
            if txt.strip(): out.append(f'```\n{txt.rstrip()}\n```\n')
    return '\n'.join(out)

if __name__ == '__main__':
    txt = render()
    if '--check' in sys.argv:
        ok = (ROOT/'README.md').exists() and (ROOT/'README.md').read_text() == txt
        print('README.md is in sync with nbs/index.ipynb' if ok else 'README.md is stale: run `python tools/make_readme.py`')
        sys.exit(0 if ok else 1)
    (ROOT/'README.md').write_text(txt); print('wrote README.md')
