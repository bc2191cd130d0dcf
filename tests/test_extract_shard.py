#!/usr/bin/env python
"""Stage 1 sharded across real processes: `accelerate launch --num_processes 2` on the CPU (gloo) must give exactly the
output of a single process: the same chunks, the same sample ids at every position, the same tensors (bit for bit:
each chunk is computed by the same code on the same batches), one merged manifest, and both processes did work.
Runs `xsd_extract` with the committed toy pair on a freshly generated tiny toy world (~30-60 s on 2 cores)."""
import os, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from xmodal_sd.core import read_json, sha256_file, load_tensors
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld

root = Path(tempfile.mkdtemp(prefix='xsd_shard_'))
world = generate_toyworld(root/'world', ToyWorldConfig.from_name('tiny'), progress=False)
bin_ = Path(sys.executable).parent
env = dict(os.environ, OMP_NUM_THREADS='1', XSD_DATA=str(root/'data'), TOKENIZERS_PARALLELISM='false')
args = ['--split', 'train', '--root', str(world), '--max-new-tokens', '24', '--batch-size', '2', '--chunk-size', '3', '--quiet']

def run(cmd, out):
    t = time.time()
    r = subprocess.run(cmd + args + ['--out', str(out)], env=env, capture_output=True, text=True)
    if r.returncode: print(r.stdout[-3000:]); print(r.stderr[-6000:], file=sys.stderr)
    assert r.returncode == 0, f"{cmd[0]} failed with exit code {r.returncode}"
    return time.time() - t

t1 = run([str(bin_/'xsd_extract')], root/'one')
t2 = run([str(bin_/'accelerate'), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
          '--mixed_precision', 'no', '--dynamo_backend', 'no', str(bin_/'xsd_extract')], root/'two')

m1, m2 = read_json(root/'one'/'manifest.json'), read_json(root/'two'/'manifest.json')
assert m1['complete'] and m2['complete'], "both runs finish"
assert len(m1['chunks']) == 6, f"18 samples in chunks of 3: {len(m1['chunks'])} chunks"
assert sorted({c['rank'] for c in m2['chunks']}) == [0, 1], "both processes wrote chunks"
assert [c['rank'] for c in m2['chunks']] == [k % 2 for k in range(6)], "chunk k is done by process k % 2"
assert not (root/'two'/'manifest.parts').exists(), "the parts are merged and removed"
key = lambda m: [(c['index'], c['file'], c['sample_ids'], c['n_positions'], c['sha256'], c['skipped']) for c in m['chunks']]
assert key(m1) == key(m2), "the same chunks, sample ids and checksums"
assert (m1['skipped'], m1['n_positions'], m1['config_hash']) == (m2['skipped'], m2['n_positions'], m2['config_hash'])
for c in m1['chunks']:
    a, b = load_tensors(root/'one'/c['file'])[0], load_tensors(root/'two'/c['file'])[0]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), c['file']
assert sha256_file(root/'one'/'lm_head.safetensors') == sha256_file(root/'two'/'lm_head.safetensors')
shutil.rmtree(root)
print(f"shard ok: 1 process {t1:.0f}s, 2 processes {t2:.0f}s (including start-up), identical output")
