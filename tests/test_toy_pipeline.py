#!/usr/bin/env python
"""Integration test: the main job (`xsd_toy`) end to end at the `tiny` preset, in a fresh data and reports folder.
It covers the notebook cells flagged `#| slow` (the real-size runs) at a size CI can afford, and checks
what a user gets: the world on disk, a reloadable pair, the accuracy table, and a resumed run that does no work twice."""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path

root = Path(tempfile.mkdtemp(prefix='xsd_it_'))
env = dict(os.environ, XSD_DATA=str(root/'data'), XSD_REPORTS=str(root/'reports'), MPLBACKEND='Agg')
exe = Path(sys.executable).parent/'xsd_toy'

def run():
    t = time.time()
    r = subprocess.run([exe, '--preset', 'tiny'], env=env, capture_output=True, text=True)
    print(r.stdout[-3000:]); print(r.stderr[-3000:], file=sys.stderr)
    assert r.returncode == 0, f"xsd_toy failed with exit code {r.returncode}"
    return r, time.time() - t

r, t1 = run()
world = root/'data'/'toyworld'/'tiny'
for split in ('train', 'test'):
    idx = json.loads((world/split/'EventGPT_Instruction_Subset.json').read_text())
    assert len(idx) > 0 and all('qtype' in rec for rec in idx), split
pair = root/'data'/'toypair'/'tiny'
for part in ('tokenizer', 'verifier', 'drafter'): assert (pair/part).is_dir(), part
res = json.loads((root/'reports'/'toypair_tiny.json').read_text())
assert {'verifier', 'drafter', 'chance'} <= set(res['accuracy']), res.keys()
assert 'qtype' in r.stdout and 'verifier' in r.stdout, "the headline table is printed"
# reloading the pair through the real loaders gives the same answers as the run reported
from xmodal_sd.toypair import load_toypair, evaluate
from xmodal_sd.data import SampleSet
v, d, tok = load_toypair(pair)
test = SampleSet(world/'test')
df = evaluate(v, list(test)[:4], max_new_tokens=res['config']['max_answer_tokens'], progress=False)
assert list(df['pred']) == [res['predictions']['verifier'][s.id] for s in list(test)[:4]]
# a second run reuses everything
r2, t2 = run()
assert 'reusing' in r2.stdout.lower(), "a re-run must reuse the trained pair"
print(f"integration ok: first run {t1:.0f}s, re-run {t2:.0f}s")
