#!/usr/bin/env python
"""Greedy speculative decoding is lossless (stage 4): 300 hypothesis examples of the check in nbs/08_speculative.ipynb
(which runs 25): random tiny pairs, questions, every drafting kind (L1–L6, B1, L5F, two-phase), γ, budgets, adaptive
rules, prefill hiding, adapter noise and EOS positions; the output must equal the verifier's own greedy output."""
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
t = time.time()
h.given(*h.greedy_strategy)(h.settings(h.live, max_examples=300)(h.check_greedy))()
print(f"greedy lossless: 300 examples in {time.time() - t:.0f}s")
