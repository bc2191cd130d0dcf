#!/usr/bin/env python
"""Stage 4 from the command line: `xsd_bench` on a tiny random pair (saved and loaded through the real loaders) with
random adapters in stage 2's layout and a tiny dataset in the real on-disk layout: every configuration plus a γ
sweep and the heads' token trees, in a fresh folder. Checks the JSONL and summary files, greedy losslessness of every row, the speedup
columns, and that bad input exits with code 2 naming the missing file."""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
import pandas as pd, torch
from xmodal_sd.models import toy_verifier, toy_drafter, VerifierRole, DrafterRole
from xmodal_sd.data import write_example_dataset
from xmodal_sd.toypair import build_tokenizer, save_role
from xmodal_sd.bench import random_adapters, expand_configs, DRAFTER_LEVELS, HEAD_LEVELS

tmp = Path(tempfile.mkdtemp(prefix='xsd_bench_cli_'))
tok = build_tokenizer([VerifierRole.template, DrafterRole.template, 'what is in the scene ? a car moving left .'])
v, d = toy_verifier(tok, 'tiny', 0), toy_drafter(tok, 'tiny', 1)
d.model.model.load_state_dict(v.model.model.language_model.state_dict(), strict=False)   # a drafter that agrees sometimes
d.model.lm_head.load_state_dict(v.model.lm_head.state_dict())
save_role(v, tmp/'pair'/'verifier'); save_role(d, tmp/'pair'/'drafter')
split = write_example_dataset(tmp/'data'/'test', n=4)
runs = random_adapters(tmp/'runs', v.hidden_size, drafter=tmp/'pair'/'drafter')
exe = Path(sys.executable).parent/'xsd_bench'
env = dict(os.environ, MPLBACKEND='Agg')

def run(*args):
    t = time.time()
    r = subprocess.run([exe, *map(str, args)], capture_output=True, text=True, env=env)
    print(r.stdout[-4000:]); print(r.stderr[-2000:], file=sys.stderr)
    return r, time.time() - t

r, dt = run('--configs', 'all', '--gammas', '1,3', '--tree', 4, '--tree-depth', 2, '--pair', tmp/'pair', '--adapters', runs, '--data', split,
            '--preset', 'tiny', '--n', 4, '--threads', 1, '--out', tmp/'out', '--quiet')
assert r.returncode == 0, f"xsd_bench failed with exit code {r.returncode}"
names = {s.name for s in expand_configs('all', DRAFTER_LEVELS + HEAD_LEVELS, (1, 3), tree=4, tree_depth=2)}
assert {'B1+VL+t4d2', 'E1+VL+t4d2'} <= names, "--tree: B1 and E1 verify token trees"
rows = [json.loads(l) for l in (tmp/'out'/'samples.jsonl').read_text().splitlines()]
assert len(rows) == 4 * len(names) and {r_['config'] for r_ in rows} == names, "one row per configuration and sample"
assert all(r_['lossless'] for r_ in rows), [r_['config'] for r_ in rows if not r_['lossless']]
need = {'prefill_ms', 'decode_ms', 'total_ms', 'new_tokens', 'drafts_per_step', 'accepted_per_step', 'prefill_drafts', 'drafts', 'accepted'}
assert need <= set(rows[0]), need - set(rows[0])
sm = pd.read_csv(tmp/'out'/'summary.csv', index_col='config')
assert set(sm.index) == names and (sm.n == 4).all() and (sm.lossless == 4).all()
med = pd.DataFrame(rows).groupby('config').total_ms.median()                   # speedups are ratios of the rows' median totals
for c in ('hf_generate', 'L4+VL+g1', 'two_phase:L4+B1+g3'):
    assert abs(sm.loc[c, 'speedup_vl'] - med['vl_baseline'] / med[c]) < 1e-6 and abs(sm.loc[c, 'speedup_hf'] - med['hf_generate'] / med[c]) < 1e-6, c
assert sm.loc['two_phase:L4+B1+g3', 'gamma'] <= 3 and sm.loc['L4+VL+g1', 'gamma'] <= 1 and sm.loc['B1+VL+t4d2', 'gamma'] <= 4   # (a tree's drafts: its nodes)
assert 'speedup_vl' in r.stdout and 'two_phase:L4+B1+g3' in r.stdout, "the table is printed"
js = json.loads((tmp/'out'/'summary.json').read_text())
assert js['config']['gammas'] == '1,3' and js['env']['device'] == 'cpu'

r, _ = run('--configs', 'L4+VL', '--pair', tmp/'pair', '--adapters', tmp/'nowhere', '--data', split, '--out', tmp/'o2')
assert r.returncode == 2 and 'no trained L4 adapter' in r.stderr and 'nowhere/L4/best.safetensors' in r.stderr, r.stderr
r, _ = run('--configs', 'L4+VL+fast', '--pair', tmp/'pair', '--data', split, '--out', tmp/'o3')
assert r.returncode == 2 and "unknown modifier 'fast'" in r.stderr, r.stderr
print(f"xsd_bench ok: {len(names)} configurations x 4 samples in {dt:.0f}s")
