#!/usr/bin/env python
"""Integration test of stage 3's command line: `xsd_evaluate` (the installed console script) on features that stage 1
extracted with the committed toy pair from a fresh tiny toy world, with adapter files as stage 2 saves them.
Checks the files a user gets (one JSON per level, two_phase.json, summary.json, PNGs), the result schema, the
question types from the dataset index, and that bad input is a one-line error naming the file and field (exit 2)."""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
import torch
torch.set_num_threads(1)
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld
from xmodal_sd.data import SampleSet
from xmodal_sd.toypair import load_toypair, PRETRAINED
from xmodal_sd.extract import extract, ExtractConfig
from xmodal_sd.adapters import AdapterConfig, make_adapter, save_adapter

t0 = time.time()
root = Path(tempfile.mkdtemp(prefix='xsd_eval_it_'))
world = generate_toyworld(root/'world', ToyWorldConfig.from_name('tiny'), progress=False, workers=1)
ver, dra, _ = load_toypair(PRETRAINED/'toypair-default')
extract(ver, dra, SampleSet(world, 'test'), root/'feat', ExtractConfig(split='test', max_new_tokens=16, batch_size=6, chunk_size=5), progress=False)
D = ver.hidden_size
for lv in ('L1', 'L4', 'B1'): save_adapter(root/f'{lv}.safetensors', make_adapter(AdapterConfig(lv, hidden_size=D)))
(root/'runB').mkdir(); save_adapter(root/'runB'/'best.safetensors', make_adapter(AdapterConfig('L5F', hidden_size=D)))
save_adapter(root/'wide.safetensors', make_adapter(AdapterConfig('L1', hidden_size=2 * D)))

exe = Path(sys.executable).parent/'xsd_evaluate'
env = dict(os.environ, OMP_NUM_THREADS='1', MPLBACKEND='Agg', XSD_REPORTS=str(root/'reports'))
def run(*args):
    r = subprocess.run([str(exe), *map(str, args)], env=env, capture_output=True, text=True)
    return r

out = root/'eval'
r = run('--features', root/'feat', '--adapters', root/'L1.safetensors', f"L4a={root/'L4.safetensors'}", root/'B1.safetensors', root/'runB',
        '--out', out, '--dataset', world, '--window', 4, '--max-gamma', 8, '--threads', 1)
print(r.stdout[-3000:]); print(r.stderr[-3000:], file=sys.stderr)
assert r.returncode == 0, f"xsd_evaluate failed with exit code {r.returncode}"
names = ['L1', 'L4a', 'B1', 'L5F']
files = sorted(p.name for p in out.iterdir())
assert files == sorted([f'{n}.json' for n in names] + ['.xsd.lock', 'summary.json', 'two_phase.json', 'acceptance.png', 'histograms.png',
                                                       'qtypes.png', 'two_phase.png', 'qtypes.json', 'phase1.json', 'tree.json', 'live.json']), files
digest = json.loads((out/'tree.json').read_text())                  # the heads' token trees, as their results hold them
assert set(digest) == {'B1', 'L5F'} and digest['B1'] == json.loads((out/'B1.json').read_text())['tree'] and 'grid' in digest['B1']
qtypes = {s.id: s.qtype for s in SampleSet(world, 'test')}
for n in names:
    res = json.loads((out/f'{n}.json').read_text())
    for k in ('cos_mean', 'accept_at_090', 'accept_curve', 'token_agreement', 'mean_accepted', 'accepted_hist', 'live', 'model', 'qtypes', 'samples'):
        assert k in res, (n, k)
    assert res['gamma'] == list(range(1, 9)) and len(res['live']['speedup']) == 8
    assert ('window' in res) == (n in ('L1', 'L4a')) and res['kind'] == ('head' if n in ('B1', 'L5F') else 'drafter')
    assert set(res['qtypes']) == {qtypes[s['id']] for s in res['samples']}, res['qtypes'].keys()
    assert all(s['qtype'] == qtypes[s['id']] for s in res['samples'])
assert 'leaky' in json.loads((out/'L4a.json').read_text())          # L4 is non-causal: both views
two = json.loads((out/'two_phase.json').read_text())
assert [t['name'] for t in two] == ['L1+B1', 'L1+L5F', 'L4a+B1', 'L4a+L5F'], [t['name'] for t in two]
assert 'L4a' in r.stdout and 'two-phase' in r.stdout, "the summary table is printed"

# bad input: one line on stderr naming the file and the field, exit code 2
r = run('--features', root/'feat', '--adapters', root/'wide.safetensors', '--out', root/'bad')
assert r.returncode == 2 and f"file={root/'wide.safetensors'}, field=hidden_size" in r.stderr, (r.returncode, r.stderr[-2000:])
r = run('--features', root/'world', '--adapters', root/'L1.safetensors', '--out', root/'bad')
assert r.returncode == 2 and 'field=manifest' in r.stderr, (r.returncode, r.stderr[-2000:])
print(f"xsd_evaluate integration ok in {time.time() - t0:.0f}s")
