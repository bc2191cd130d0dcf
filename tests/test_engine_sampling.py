#!/usr/bin/env python
"""Sampling speculative decoding follows the verifier's distribution: for several drafting kinds on a tiny pair, the
first two tokens of 400 seeded generations against the verifier's exact joint (chi-square at a false-alarm rate of
1e-3 per configuration, fixed seeds, so deterministic). And the test has teeth: the same check fails for an engine
whose acceptance rule is broken (every draft accepted, i.e. it emits the drafter's distribution)."""
import json, math, sys, time, types
from pathlib import Path
import numpy as np, torch
from fastcore.test import test_eq, test_close, test_fail
from hypothesis import given, settings, strategies as st, HealthCheck
from scipy import stats
import xmodal_sd.speculative as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _engine_helpers import load_helpers
h = load_helpers()
T, TOP_P, N = 0.05, 0.9, 400
v, d = h.tiny_pair(1); s = h.FakeSample()
joint = h.exact_pairs(v, s, T, TOP_P)
base = h.SpecConfig(temperature=T, top_p=TOP_P, max_new_tokens=3)
configs = {'L4, γ=2': ('L4', base.replace(gamma=2)),
           'L6, hidden k=2': ('L6', base.replace(gamma=1, prefill_hiding=True, prefill_drafts=2)),
           'B1, γ=2': ('B1', base.replace(gamma=2)),
           'E1, γ=2': ('E1', base.replace(gamma=2)),
           'two-phase L1+L5F': ('L1+L5F', base.replace(gamma=2, prefill_hiding=True, prefill_drafts=1)),
           'L2, adaptive': ('L2', base.replace(gamma=1, adaptive='heuristic'))}
for name, (kind, cfg) in configs.items():
    t = time.time()
    p, acc = h.pair_pvalue(h.make_decoder(kind, v, d, 0, 0.01, cfg), s, joint, N)
    print(f"{name}: p-value {p:.3f}, acceptance {acc:.2f} ({time.time() - t:.0f}s)")
    assert p > h.ALPHA_FA, name
    assert acc > 0.05, f"{name}: drafts were almost never accepted; the test would not exercise acceptance"

def accept_all(draft, q, p, gen):                  # the bug: drafts are never rejected (output follows the drafter)
    g = len(draft); return g, int(torch.multinomial(p[g], 1, generator=gen))
good = sp.verify_sample
sp.verify_sample = accept_all
try:
    p, acc = h.pair_pvalue(h.make_decoder('L4', v, d, 0, 0.3, base.replace(gamma=2)), s, joint, N)
except AssertionError as e: p = 0.0; print(f"accept-all bug: {e}")
finally: sp.verify_sample = good
print(f"accept-all bug: p-value {p:.2e}")
assert p < h.ALPHA_FA, "the chi-square test failed to catch an engine that accepts every draft"
print("sampling lossless: ok")
