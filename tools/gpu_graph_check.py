"""B1's and E1's rollout three ways on a random head of the toy pair's width (D = 128, V = 107): eager (`rollout='eager'`),
static steps (`'static'`) and CUDA graphs (`'graph'`, CUDA only). Prints the median time of one `propose` of 6
drafts and the share of drafts that agree; on CUDA it exits 1 unless the graph drafts exactly what the static
steps draft and those agree with the eager rollout (>= 95%). E1 gets other event tokens at each repeat (a new
sample: the graph captured on the first must read the next one's). `tools/gpu_pipeline.sh` runs on the graphed
rollouts, so a GPU session runs this first:

    python tools/gpu_graph_check.py [--device cuda|cpu]
"""
import argparse, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
import torch
from xmodal_sd.adapters import make_adapter, AdapterConfig
from xmodal_sd.speculative import HeadDrafts, _Picker, SpecConfig

def check(device:str, level:str='B1', D:int=128, V:int=107, gamma:int=6, steps:int=8, repeats:int=4) -> dict:
    "`{mode: (drafts per step, median propose ms)}` for each rollout mode the device has."
    torch.manual_seed(0)
    head = make_adapter(AdapterConfig(level, D, dropout=0.0)).to(device).eval()
    with torch.no_grad():
        for p in head.parameters(): p.add_(torch.randn_like(p) * 0.05)   # no zero-initialised layer left
    lm = torch.nn.Linear(D, V, bias=False).to(device)
    pick, hv = _Picker(SpecConfig(), V, V), torch.randn(80, D, device=device)
    evs = torch.randn(repeats, 1, 16, D, device=device)                       # E1: each repeat a sample with its own events
    sync = torch.cuda.synchronize if device.startswith('cuda') else (lambda: None)
    res = {}
    for mode in ('eager', 'static', 'graph') if device.startswith('cuda') else ('eager', 'static'):
        seq = torch.zeros(80, dtype=torch.long, device=device)
        hd = HeadDrafts(head, lm, pick, seq, None, mode)
        with torch.inference_mode():
            for r in range(repeats):
                hd.reset(); t, log, ms = 1, [], []
                if head.needs_events: hd.set_events(evs[r])
                hd.Hv[0] = hv[0]
                for step in range(steps):
                    sync(); t0 = time.perf_counter(); hd.propose(t, gamma); sync(); ms.append((time.perf_counter() - t0) * 1e3)
                    log.append(seq[t:t + gamma].tolist()); n = step % 4          # accept 0..3 drafts, in turn
                    hd.observe(t, n, hv[t:t + n + 1]); t += n + 1
        res[mode] = (log, sorted(ms)[len(ms) // 2])
    return res

def agree(a, b) -> float:
    fa, fb = sum(a[0], []), sum(b[0], [])
    return sum(x == y for x, y in zip(fa, fb)) / len(fa)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    dev = ap.parse_args().device
    ok = True
    for level in ('B1', 'E1'):
        res = check(dev, level)
        for mode, (_, ms) in res.items(): print(f"{level} {mode}: one propose of 6 drafts, median {ms:.3f} ms", flush=True)
        se = agree(res['static'], res['eager']); print(f"{level} drafts equal, static vs eager: {se:.3f}")
        ok &= se > 0.95
        if 'graph' in res:
            gs = agree(res['graph'], res['static']); print(f"{level} drafts equal, graph vs static: {gs:.3f}")
            ok &= gs == 1.0
    if dev.startswith('cuda'): print("GRAPH_CHECK", "OK" if ok else "FAIL")
    return 0 if ok else 1

if __name__ == '__main__': sys.exit(main())
