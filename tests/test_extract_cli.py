#!/usr/bin/env python
"""`xsd_extract` on real-layout inputs: tiny random checkpoints in the released Video-LLaVA-7B-hf and EventGPT layouts
(`save_replica_videollava`, `save_replica_eventgpt`: Llama's 32000-id vocabulary, Video-LLaVA's `<pad>` at 32002 which
EventGPT's embedding lacks, 2056 video positions) on a tiny DSEC-layout dataset (`write_example_dataset`), with 1 and
5 event frames. Checks the stage's contract on the output and that a 4-bit request without CUDA fails naming the
field before any work (~30-60 s on 2 cores)."""
import os, shutil, subprocess, sys, tempfile
from pathlib import Path
import torch
from xmodal_sd.core import read_json
from xmodal_sd.data import write_example_dataset
from xmodal_sd.models import save_replica_videollava, save_replica_eventgpt
from xmodal_sd.extract import FeatureReader

root = Path(tempfile.mkdtemp(prefix='xsd_cli_'))
write_example_dataset(root/'dsec'/'test', n=3, frames=10, size=24)
vl, eg = save_replica_videollava(root/'Video-LLaVA-7B-hf'), save_replica_eventgpt(root/'EventGPT-7b')
exe = Path(sys.executable).parent/'xsd_extract'
env = dict(os.environ, OMP_NUM_THREADS='1', XSD_DATA=str(root/'data'), TOKENIZERS_PARALLELISM='false')
base = ['--split', 'test', '--root', str(root/'dsec'), '--verifier', str(vl), '--drafter', str(eg),
        '--max-new-tokens', '4', '--batch-size', '2', '--chunk-size', '2']

def run(*extra, ok=True):
    r = subprocess.run([str(exe), *base, *extra], env=env, capture_output=True, text=True)
    if (r.returncode == 0) != ok: print(r.stdout[-3000:]); print(r.stderr[-6000:], file=sys.stderr)
    assert (r.returncode == 0) == ok, f"xsd_extract {' '.join(extra)}: exit code {r.returncode}"
    return r

for frames in (1, 5):
    out = root/f'f{frames}'
    r = run('--frames', str(frames), '--out', str(out))
    assert 'complete' in r.stdout and str(out) in r.stdout, "a summary line names the folder"
    m = read_json(out/'manifest.json')
    assert m['complete'] and m['skipped'] == [] and m['config']['frames'] == frames
    assert [i for c in m['chunks'] for i in c['sample_ids']] == [f'zurich_city_00_a_{i:06d}' for i in range(3)]
    assert m['config']['verifier'] == str(vl) and m['models']['verifier']['cls'] == 'VideoLlavaForConditionalGeneration'
    assert m['models']['verifier']['n_visual'] == 8 * 257, "Video-LLaVA's 2056 video positions"
    rd = FeatureReader(out)
    W = rd.lm_head()                                            # W: [32064, 32]
    assert W.shape == (32064, 32)
    for c in rd:
        assert c['h_verifier'].shape[1] == 32 and c['h_drafter'].shape[1] == 32 and (c['frames'] == frames).all()
        pred = (c['h_verifier'] @ W.T).argmax(-1)
        for j in range(len(c['frames'])):
            a, b = int(c['offsets'][j]), int(c['offsets'][j + 1])
            k = b - a if bool(c['eos'][j]) else b - a - 1
            assert torch.equal(pred[a:a + k], c['tokens'][a:a + k]), "the verifier's head gives back its greedy tokens"
            assert int(c['tokens'][b - 1]) == 2, "answers end with Llama's EOS"
        assert int(c['tokens'].max()) < 32000, "answers stay in the shared vocabulary"

r = run('--quant', '4bit', '--out', str(root/'q4'), ok=False)
assert r.returncode == 2, 'an InputError exits with status 2 (cli_errors)'
if not torch.cuda.is_available():
    assert 'field=quant' in r.stderr and 'CUDA' in r.stderr, r.stderr[-2000:]
    assert not (root/'q4').exists(), "refused before any work"
shutil.rmtree(root)
print("cli ok: real-layout checkpoints, 1 and 5 event frames, quant refused without CUDA")
