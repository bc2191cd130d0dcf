#!/usr/bin/env python
"""A live greedy run's accepted lengths equal the teacher-forced offline counts of the drafting contract (stage 3's
rule, recomputed from `teacher_forced` states of both roles): 150 hypothesis examples of nbs/08_speculative.ipynb's
check (which runs 15), over every drafting kind, γ, budgets, prefill hiding and EOS positions."""
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
h.given(*h.count_strategy)(h.settings(h.live, max_examples=150)(h.check_counts))()
print(f"accepted lengths = offline counts: 150 examples in {time.time() - t:.0f}s")
