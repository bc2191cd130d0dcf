#!/usr/bin/env python
"""Stage 2 under `accelerate launch` with 2 CPU processes (DDP, gloo), through the `xsd_train` command line.

Data parallelism must not change the maths: with 2 processes each taking every other micro-batch of the shared
plan, one optimizer step averages the gradients of micro-batches (2k, 2k+1), which is what one process does with
`grad_accum=2`. So the 2-process run (L4, and L6 = LoRA through the drafter) must end with the weights of the
1-process run with `grad_accum=2` (dropout off, so no randomness differs between the two). The test also checks
that both processes took part (`world_size`, `replicas_in_sync`), and that the command line reports a bad input as
a one-line error with exit code 2."""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path
import torch

t_start = time.time()
torch.set_num_threads(1)
from xmodal_sd.core import load_tensors
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld
from xmodal_sd.data import SampleSet
from xmodal_sd.models import toy_verifier, toy_drafter, VerifierRole, DrafterRole
from xmodal_sd.toypair import build_tokenizer, save_role
from xmodal_sd.extract import extract, ExtractConfig
from xmodal_sd.train import TrainConfig, train_levels, _level_config

tmp = Path(tempfile.mkdtemp(prefix='xsd_train_ddp_'))
world = generate_toyworld(tmp/'world', ToyWorldConfig.from_name('tiny'), progress=False)
tr, va = SampleSet(world, 'train'), SampleSet(world, 'test')
tok = build_tokenizer([s.question + ' ' + s.answer for s in tr] + [VerifierRole.template, DrafterRole.template])
ver, dra = toy_verifier(tok, 'tiny'), toy_drafter(tok, 'tiny')
ver.model.eval(); dra.model.eval()
save_role(dra, tmp/'drafter')
ecfg = ExtractConfig.from_name('tiny', max_new_tokens=6)                     # chunks of 4 samples
extract(ver, dra, tr[:16], tmp/'ftr', ecfg.replace(split='train'), progress=False)   # 4 chunks = 4 micro-batches of 4
extract(ver, dra, va[:6], tmp/'fva', ecfg.replace(split='test'), progress=False)

levels = ['L4', 'L6']
extra = dict(dropout=0.0, lora_dropout=0.0, n_heads=4, epochs=2)
l6 = dict(drafter=str(tmp/'drafter'), train_samples=str(tr.root), val_samples=str(va.root))
exe = Path(sys.executable).parent
env = dict(os.environ, OMP_NUM_THREADS='1', MPLBACKEND='Agg')
cmd = [exe/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
       '--dynamo_backend', 'no', '--num_cpu_threads_per_process', '1',
       exe/'xsd_train', '--level', ','.join(levels), '--train', tmp/'ftr', '--val', tmp/'fva', '--out', tmp/'ddp',
       '--preset', 'tiny', '--threads', '1', '--quiet', '--extra', json.dumps(extra),
       '--drafter', l6['drafter'], '--train-samples', l6['train_samples'], '--val-samples', l6['val_samples']]
t0 = time.time()
r = subprocess.run([str(c) for c in cmd], env=env, capture_output=True, text=True)
print(r.stdout[-3000:]); print(r.stderr[-3000:], file=sys.stderr)
assert r.returncode == 0, f"accelerate launch failed with exit code {r.returncode}"
t_ddp = time.time() - t0
assert 'L4' in r.stdout and 'L6' in r.stdout, "the table is printed once"
assert r.stdout.count('cos_sim') == 1, "only the main process prints"

# the same training in one process, accumulating the two micro-batches DDP spreads over two processes
cfg = TrainConfig.from_name('tiny', **extra, **l6, grad_accum=2, threads=1)
train_levels(tmp/'ftr', tmp/'fva', tmp/'one', cfg, levels, progress=False)

for lv in levels:
    s2, s1 = (json.loads((tmp/d/lv/'train.json').read_text()) for d in ('ddp', 'one'))
    assert (s2['world_size'], s2['replicas_in_sync'], s1['world_size']) == (2, True, 1), (lv, s2['world_size'], s2['replicas_in_sync'])
    assert s2['config']['grad_accum'] == 1 and s2['epochs_run'] == s1['epochs_run'] == 2
    w2, w1 = load_tensors(tmp/'ddp'/lv/'last.safetensors')[0], load_tensors(tmp/'one'/lv/'last.safetensors')[0]
    assert w2.keys() == w1.keys()
    diff = max((w2[k] - w1[k]).abs().max().item() for k in w1)
    scale = max(w1[k].abs().max().item() for k in w1)
    print(f"{lv}: max |w_ddp - w_one| = {diff:.2e} (weights up to {scale:.2f}); val loss {s2['val_loss']:.6f} vs {s1['val_loss']:.6f}")
    assert diff < 1e-4 * max(scale, 1.), f"{lv}: DDP weights differ from the accumulated single-process run by {diff}"
    assert abs(s2['val_loss'] - s1['val_loss']) < 1e-4 * max(1., abs(s1['val_loss'])), lv
    assert abs(s2['cos_sim'] - s1['cos_sim']) < 1e-4, lv
    if lv == 'L6': assert (tmp/'ddp'/'L6'/'drafter'/'config.json').exists(), "the merged drafter is written once"

# a bad input is one line on stderr and exit code 2, not a traceback
bad = subprocess.run([str(exe/'xsd_train'), '--level', 'L4', '--train', str(tmp/'ftr'), '--val', str(tmp/'nowhere'),
                      '--out', str(tmp/'x'), '--preset', 'tiny'], env=env, capture_output=True, text=True)
assert bad.returncode == 2 and 'xsd_train: error: extraction manifest not found' in bad.stderr and 'Traceback' not in bad.stderr, bad.stderr
print(f"ddp ok: accelerate launch (2 processes) {t_ddp:.0f}s, whole test {time.time() - t_start:.0f}s")
