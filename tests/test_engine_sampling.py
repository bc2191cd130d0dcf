#!/usr/bin/env python
"""Sampling speculative decoding follows the verifier's distribution: for several drafting kinds on a tiny pair, the
first two tokens of 400 seeded generations against the verifier's exact joint (chi-square at a false-alarm rate of
1e-3 per configuration, fixed seeds, so deterministic), at temperature 0.05 / top-p 0.9 and, where the second token is
far from determined, at temperature 1 and 2 with top-p 1.0 on the prompt of highest entropy after token 0 (there the
second token's marginal: a flat joint has more cells than draws). And the test has teeth: the same check fails for an engine
whose acceptance rule is broken (every draft accepted, i.e. it emits the drafter's distribution), and for token trees
verified without the residual (each sibling tested against the verifier's p itself)."""
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
           'E1 with its phase 1, k=2': ('E1/p1', base.replace(gamma=2, prefill_drafts=2)),
           'B1, token tree of 6 nodes': ('B1/tree', base.replace(gamma=3)),
           'E1, token tree of 6 nodes': ('E1/tree', base.replace(gamma=3)),
           'two-phase L1+L5F': ('L1+L5F', base.replace(gamma=2, prefill_hiding=True, prefill_drafts=1)),
           'L2, adaptive': ('L2', base.replace(gamma=1, adaptive='heuristic'))}
for name, (kind, cfg) in configs.items():
    t = time.time()
    p, acc, per_step = h.pair_pvalue(h.make_decoder(kind, v, d, 0, 0.01, cfg), s, joint, N)
    print(f"{name}: p-value {p:.3f}, acceptance {acc:.2f}, {per_step:.2f} accepted per drafting step ({time.time() - t:.0f}s)")
    assert p > h.ALPHA_FA, name
    assert per_step > 0.05, f"{name}: drafts were almost never accepted; the test would not exercise acceptance"

# Where sampling is not nearly deterministic: temperature 1 and 2 with top-p 1.0, on the prompt (of 4 questions x 4
# seeds) whose second token, given the first, has the highest entropy under the verifier's exact joint.
def cond_entropy(joint):
    "H(token 1 | token 0) in nats, from the exact joint."
    p0 = joint.sum(1, keepdim=True); c = joint / p0.clamp_min(1e-30)
    return float(-(joint * torch.where(c > 0, c.log(), torch.zeros_like(c))).sum())
def second_token_pvalue(dec, s, joint, n):
    """Chi-square p-value of the second token (the first drafted one) of `n` seeded generations against its exact marginal
    (the joint has too many cells for `n` draws when the distribution is this flat); also the acceptance (per draft, per drafting step)."""
    pv, pd = dec.encode(s)
    counts, acc, drafted, steps = torch.zeros(joint.shape[1]), 0, 0, 0
    for i in range(n):
        g = dec.generate(pv, pd, seed=i); counts[g.tokens[1]] += 1; acc += sum(g.accepted); drafted += sum(g.drafts); steps += sum(k > 0 for k in g.drafts)
    e = joint.sum(0) * n
    assert counts[e == 0].sum() == 0, "emitted a token the verifier cannot"
    big = e >= 5
    ob, eb = counts[big], e[big]
    if e[~big].sum() > 0: ob, eb = torch.cat([ob, counts[~big].sum()[None]]), torch.cat([eb, e[~big].sum()[None]])   # the rare ones, pooled
    assert big.sum() >= 10, "too few cells for a chi-square test"
    return stats.chisquare(ob.numpy(), (eb * ob.sum() / eb.sum()).numpy()).pvalue, acc / drafted, acc / steps

eos = v.eos_token_id
v.eos_token_id = -1    # (near-uniform sampling emits EOS too; the exact joint continues past it, so no token ends the answer here)
for T in (1.0, 2.0):
    cands = [h.FakeSample(h.QS[q], seed) for q in range(4) for seed in range(4)]
    ents = [cond_entropy(h.exact_pairs(v, c, T, 1.0)) for c in cands]
    s_hi = cands[int(np.argmax(ents))]; joint_hi = h.exact_pairs(v, s_hi, T, 1.0)
    base_hi = h.SpecConfig(temperature=T, top_p=1.0, max_new_tokens=3, gamma=2)
    print(f"T={T}: prompt {s_hi.question!r} seed {s_hi.seed}, H(token 1 | token 0) = {max(ents):.2f} nats (of at most {math.log(v.vocab):.2f})")
    for kind in ('L4', 'B1', 'E1', 'L4+B1', 'E1/p1', 'B1/tree', 'E1/tree'):
        t = time.time()
        cfg_k = (base_hi.replace(prefill_drafts=2) if kind == 'E1/p1' else   # (its phase 1 drafts tokens 0 and 1 in the window)
                 base_hi.replace(gamma=3) if kind.endswith('/tree') else base_hi)
        p, acc, per_step = second_token_pvalue(h.make_decoder(kind, v, d, 0, 0.01, cfg_k), s_hi, joint_hi, N)
        print(f"T={T}, top-p 1.0, {kind}: p-value {p:.3f}, acceptance {acc:.2f}, {per_step:.2f} accepted per drafting step ({time.time() - t:.0f}s)")
        assert p > h.ALPHA_FA, (T, kind)
        assert per_step > 0.05, f"T={T}, {kind}: drafts were almost never accepted"
v.eos_token_id = eos

def accept_all(draft, q, p, gen):                  # the bug: drafts are never rejected (output follows the drafter)
    g = len(draft); return g, int(torch.multinomial(p[g], 1, generator=gen))
good = sp.verify_sample
sp.verify_sample = accept_all
try:
    p, acc, _ = h.pair_pvalue(h.make_decoder('L4', v, d, 0, 0.3, base.replace(gamma=2)), s, joint, N)
except AssertionError as e: p = 0.0; print(f"accept-all bug: {e}")
finally: sp.verify_sample = good
print(f"accept-all bug: p-value {p:.2e}")
assert p < h.ALPHA_FA, "the chi-square test failed to catch an engine that accepts every draft"
v.eos_token_id = -1
peaked = lambda: h.make_decoder('L4', v, d, 0, 1.0, base_hi.replace(temperature=1.0))
p_ok, acc_ok, _ = second_token_pvalue(peaked(), s_hi, h.exact_pairs(v, s_hi, 1.0, 1.0), N)
print(f"T=1, a drafter far from the verifier (L4 at scale 1.0): p-value {p_ok:.3f}, acceptance {acc_ok:.2f}")
assert p_ok > h.ALPHA_FA and acc_ok < 0.9, (p_ok, acc_ok)
sp.verify_sample = accept_all                       # and at temperature 1, where the verifier is nearly flat: a drafter that is not, where the verifier is nearly flat: a drafter that is not
try:                                                # (an adapter with larger weights) shows through the second token's marginal
    p1, *_ = second_token_pvalue(peaked(), s_hi, h.exact_pairs(v, s_hi, 1.0, 1.0), N)
finally: sp.verify_sample, v.eos_token_id = good, eos
print(f"accept-all bug at T=1: p-value {p1:.2e}")
assert p1 < h.ALPHA_FA, "at temperature 1 the test failed to catch an engine that accepts every draft"

def tree_siblings_against_p(ids, par, p, gen):     # the tree bug: siblings tested against p, no residual, then p sampled
    path = [0]
    while True:
        c = next((c for c, q in enumerate(par) if q == path[-1] and float(torch.rand(1, generator=gen, device=p.device)) < float(p[path[-1], ids[c]])), None)
        if c is None: return path, int(torch.multinomial(p[path[-1]], 1, generator=gen))
        path.append(c)
good_tree = sp.verify_tree_sample
sp.verify_tree_sample = tree_siblings_against_p
try: p_t, *_ = h.pair_pvalue(h.make_decoder('B1/tree', v, d, 0, 0.01, base.replace(gamma=3)), s, joint, N)   # (T 0.05: p is peaked,
except AssertionError as e: p_t = 0.0; print(f"tree rule without the residual: {e}")                       #  where the residual matters)
finally: sp.verify_tree_sample = good_tree
print(f"tree rule without the residual: p-value {p_t:.2e}")
assert p_t < h.ALPHA_FA, "the chi-square test failed to catch a tree verifier that tests siblings against p without the residual"
print("sampling lossless: ok")
