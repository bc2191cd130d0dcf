#!/usr/bin/env python
"""The toy pair's recorded acceptance, as a replay trace for `tools/gpu_realscale.py` (and `xsd_bench --replay-trace`):
for each drafting level, the per-step accepted lengths of every sample of a stage 4 run (`samples.jsonl`), steps that
drafted only, from the configuration with the longest fixed γ (no hiding, no adaptive rule); plus each level's α and γ.

  python tools/toy_trace.py data/runs/default/bench/1f > tools/toy_trace.json"""
import json, re, sys
from pathlib import Path

bench = Path(sys.argv[1])
rows = [json.loads(l) for l in (bench/'samples.jsonl').read_text().splitlines()]
summary = {r['config']: r for r in json.loads((bench/'summary.json').read_text())['summary']}
pat = re.compile(r'^(?:two_phase:(?P<d>\w+)\+(?P<h>\w+)|(?P<l>\w+)\+VL)\+g(?P<g>\d+)$')
best = {}                                                  # level -> (γ, configuration)
for name in summary:
    m = pat.match(name)
    if not m: continue
    level, g = (f"{m['d']}+{m['h']}" if m['d'] else m['l']), int(m['g'])
    if g > best.get(level, (0, ''))[0]: best[level] = (g, name)
out = dict(source=str(bench), configs={lv: n for lv, (g, n) in best.items()}, gamma={lv: g for lv, (g, n) in best.items()},
           alpha={lv: round(summary[n]['alpha'], 4) for lv, (g, n) in best.items()})
for lv, (g, name) in sorted(best.items()):
    out[lv] = [[a for a, d in zip(r['accepted'], r['drafts']) if d] for r in rows if r['config'] == name]   # as `Replay` counts steps
print(json.dumps(out))
