"""Seconds per training step of the toy pair's phase 2 (`train_vlm`, the answer-token loss) at a models preset, measured
after a warm-up that fills the prompt caches: what decides whether a recipe fits a GPU session. Prints one line per
setting and writes them as JSON.

    python tools/bench_toypair_train.py --models gpu --batches 128,256 --roles verifier,drafter [--deterministic] [--out f.json]
    python tools/bench_toypair_train.py --models gpu --parallel      # both roles at once, one process each (as gpu_toypair.py)

Random-weight models on the `default` world's train split (generated under XSD_DATA if missing); the loss is not the
point, the time is.
"""
import argparse, json, os, sys, time
from multiprocessing import get_context
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
import torch

def job(role_name, models, batch, steps, warmup, deterministic, precision, threads, q=None):
    if threads: torch.set_num_threads(threads)
    if deterministic:
        os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8'); torch.use_deterministic_algorithms(True, warn_only=True)
    from xmodal_sd.core import data_dir, get_device, sync
    from xmodal_sd.data import SampleSet
    from xmodal_sd.models import DrafterRole, toy_drafter, toy_verifier
    from xmodal_sd.toypair import build_tokenizer, load_memory, tokenizer_texts, train_vlm
    train = load_memory(SampleSet(data_dir('toyworld', 'default'), 'train'), 8, (1, 5) if role_name == 'drafter' else 1, progress=False)
    tok = build_tokenizer(tokenizer_texts(train))
    role = dict(verifier=toy_verifier, drafter=toy_drafter)[role_name](tok, models)
    dev = get_device(); role.model.to(dev)
    views = [DrafterRole(role.model, tok, event_frames=n) for n in (1, 5)] if role_name == 'drafter' else [role]
    train_vlm(role, train, warmup, batch, 1e-3, 0.3, 0.05, 0, 'warm-up', False, views, precision)   # caches every sample once, mostly
    sync(dev); t = time.perf_counter()
    train_vlm(role, train, steps, batch, 1e-3, 0.3, 0.05, 0, 'timed', False, views, precision)
    sync(dev); s = (time.perf_counter() - t) / steps
    r = dict(role=role_name, models=models, batch=batch, deterministic=deterministic, precision=precision,
             s_per_step=round(s, 4), device=torch.cuda.get_device_name() if dev.type == 'cuda' else 'cpu')
    if q is not None: q.put(r)
    return r

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--models', default='gpu'); ap.add_argument('--batches', default='128')
    ap.add_argument('--roles', default='verifier,drafter'); ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--warmup', type=int, default=60); ap.add_argument('--deterministic', action='store_true')
    ap.add_argument('--precision', default='bf16'); ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--parallel', action='store_true', help='the roles at once, one process each')
    ap.add_argument('--out', default='')
    a = ap.parse_args()
    from xmodal_sd.core import data_dir
    from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld
    generate_toyworld(data_dir('toyworld', 'default'), ToyWorldConfig.from_name('default'), progress=False)
    rows, ctx = [], get_context('spawn')
    for b in (int(x) for x in a.batches.split(',')):
        roles = a.roles.split(',')
        if a.parallel:
            q = ctx.Queue()
            ps = [ctx.Process(target=job, args=(r, a.models, b, a.steps, a.warmup, a.deterministic, a.precision, a.threads, q)) for r in roles]
            for p in ps: p.start()
            got = [q.get() for _ in ps]
            for p in ps: p.join()
            for r in got: r['parallel'] = len(ps)
        else:
            got = [job(r, a.models, b, a.steps, a.warmup, a.deterministic, a.precision, a.threads) for r in roles]
        for r in got: print(json.dumps(r), flush=True)
        rows += got
    if a.out: Path(a.out).write_text(json.dumps(rows, indent=1))

if __name__ == '__main__': main()
