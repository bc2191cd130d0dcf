#!/usr/bin/env python
"""A random (untrained) toy pair for timing the stage 4 engine where no trained pair exists yet, e.g. on a fresh GPU box:
`verifier/` and `drafter/` at a `ToyModelConfig` preset (the drafter copies the verifier's language model, so it agrees
with the verifier part of the time, as a trained drafter would), a small dataset in the real on-disk layout (random
pixels), and random adapters in stage 2's layout (`runs/<level>/best.safetensors`, `runs/L6/drafter/`).
Usage: python tools/random_pair.py --preset gpu --out /tmp/rp   then   xsd_bench --pair /tmp/rp/pair --adapters /tmp/rp/runs --data /tmp/rp/data/test ...
Acceptance on such a pair says nothing about cross-modal drafting; step times, c and the engine's overheads are real."""
import argparse
from pathlib import Path
import torch
from xmodal_sd.models import toy_verifier, toy_drafter, VerifierRole, DrafterRole
from xmodal_sd.data import write_example_dataset
from xmodal_sd.toypair import build_tokenizer, save_role
from xmodal_sd.bench import random_adapters

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--preset', default='gpu', help="ToyModelConfig preset (tiny, cpu, gpu)")
p.add_argument('--out', required=True)
p.add_argument('--n', type=int, default=20, help="samples in the dataset")
p.add_argument('--scale', type=float, default=0.0, help="noise on the adapters' zero-initialised layers (0: identity at init)")
p.add_argument('--seed', type=int, default=0)
a = p.parse_args()
out = Path(a.out)
tok = build_tokenizer([VerifierRole.template, DrafterRole.template, 'what is in the scene ? a red blue car truck moving left right .'])
v, d = toy_verifier(tok, a.preset, a.seed), toy_drafter(tok, a.preset, a.seed + 1)
d.model.model.load_state_dict(v.model.model.language_model.state_dict(), strict=False)
d.model.lm_head.load_state_dict(v.model.lm_head.state_dict())
save_role(v, out/'pair'/'verifier'); save_role(d, out/'pair'/'drafter')
write_example_dataset(out/'data'/'test', n=a.n, size=64, seed=a.seed)
random_adapters(out/'runs', v.hidden_size, drafter=out/'pair'/'drafter', scale=a.scale, seed=a.seed)
print(f"random {a.preset} pair: {v} / {d} -> {out}")
