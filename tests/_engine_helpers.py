"""Shared by the tests/test_engine_*.py scripts: the engine test helpers of nbs/08_speculative.ipynb, loaded once."""
import json, math, time, types
from pathlib import Path
import numpy as np, torch
from fastcore.test import test_eq, test_close, test_fail
from hypothesis import given, settings, strategies as st, HealthCheck
from scipy import stats
import xmodal_sd.speculative as sp

def load_helpers() -> types.SimpleNamespace:
    "The engine test helpers of nbs/08_speculative.ipynb (its code cells starting `# test helpers`): one source for both."
    g = {k: getattr(sp, k) for k in dir(sp) if not k.startswith('__')}       # the module's public and private names
    g.update(math=math, time=time, np=np, torch=torch, stats=stats, given=given, settings=settings, st=st,
             test_eq=test_eq, test_close=test_close, test_fail=test_fail, ALPHA_FA=1e-3,
             prop=settings(max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)))
    nb = json.loads((Path(__file__).resolve().parent.parent/'nbs'/'08_speculative.ipynb').read_text())
    cells = [''.join(c['source']) for c in nb['cells'] if c['cell_type'] == 'code' and ''.join(c['source']).startswith('# test helpers')]
    assert len(cells) >= 4, f"expected the '# test helpers' cells in nbs/08_speculative.ipynb, found {len(cells)}"
    for src in cells: exec(src, g)
    return types.SimpleNamespace(**g)
