"""tools/gpu_graph_check.py (run first in a GPU session) runs on the CPU too: B1's and E1's static rollout steps, the ones
a CUDA graph records, draft what the eager rollout drafts on the gpu preset's width (E1 with new event tokens each sample)."""
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_graph_check_cpu():
    r = subprocess.run([sys.executable, ROOT/'tools'/'gpu_graph_check.py', '--device', 'cpu'], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    for lv in ('B1', 'E1'):
        assert f'{lv} drafts equal, static vs eager: 1.000' in r.stdout, r.stdout
        assert f'{lv} eager: one propose of 6 drafts' in r.stdout and f'{lv} static: one propose' in r.stdout, r.stdout

if __name__ == '__main__':
    test_graph_check_cpu(); print('ok test_gpu_graph_check')
