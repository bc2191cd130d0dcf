"""Train the toy pair's two roles at once on one GPU, one process per role, through `train_role` (the function
`make_toypair` calls), and write the pair folder `make_toypair` reuses: both roles, the tokenizer, `toypair.json`.
`make_toypair` trains the roles one after the other; on a GPU the tiny models leave it mostly idle, so two processes
take about the time of one. Afterwards `xsd_toy --preset PRESET` (same XSD_DATA) finds both roles and evaluates them.

    python tools/gpu_toypair.py --preset gpu [--out FOLDER] [--workers 14] [--set '{"vlm_steps": 100}']

`--set` overrides config fields (a probe of the step times, say); the pair folder records the config it was made with.
"""
import argparse, json, os, time
from multiprocessing import get_context
from pathlib import Path
import sys
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
import torch

def role_job(cfg_json:str, role_name:str, troot:str, tokdir:str, out:str, threads:int):
    if threads: torch.set_num_threads(threads)
    # the same pair on every run of the same machine and versions, as far as torch can: cuBLAS's fixed workspace
    # (set before the first matmul) and deterministic kernels where torch has them (warnings where it has none)
    os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
    torch.use_deterministic_algorithms(True, warn_only=True)
    from transformers import PreTrainedTokenizerFast
    from xmodal_sd.core import write_json
    from xmodal_sd.data import SampleSet
    from xmodal_sd.toypair import ToyPairConfig, train_role, load_memory, save_role, frame_counts
    cfg = ToyPairConfig.from_dict(json.loads(cfg_json))
    t0 = time.time()
    train = load_memory(SampleSet(troot, 'train'), 8, frame_counts(cfg.train_frames), progress=False)
    role, curves, timings = train_role(role_name, PreTrainedTokenizerFast.from_pretrained(tokdir), train, cfg)
    timings['load_s'] = time.time() - t0 - sum(timings.values())
    role.model.to('cpu'); save_role(role, Path(out)/role_name)
    write_json(Path(out)/f'{role_name}.part.json', dict(curves=curves, timings=timings))
    print(f'{role_name}: {timings}', flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--preset', default='default'); ap.add_argument('--out', default='')
    ap.add_argument('--workers', type=int, default=None, help='processes generating the world')
    ap.add_argument('--threads', type=int, default=2, help='torch CPU threads per role process (0: torch default)')
    ap.add_argument('--set', default='{}', help='config fields to override, as JSON')
    a = ap.parse_args()
    from xmodal_sd.core import data_dir, read_json, write_json
    from xmodal_sd.data import SampleSet
    from xmodal_sd.toypair import ToyPairConfig, build_tokenizer, train_world, tokenizer_texts
    from xmodal_sd.toyworld import generate_toyworld
    cfg, t0 = ToyPairConfig.from_name(a.preset, **json.loads(a.set)), time.time()
    if cfg.expand_from: raise SystemExit(f"the '{a.preset}' pair is not trained but expanded from '{cfg.expand_from}': xsd_toy --preset {a.preset}")
    out = Path(a.out) if a.out else data_dir('toypair', a.preset)
    if (out/'toypair.json').exists(): raise SystemExit(f'{out} already holds a pair; remove it or pass another --out')
    tcfg, troot = train_world(cfg)
    generate_toyworld(troot, tcfg, progress=False, workers=a.workers)
    print(f'world {troot}: {time.time() - t0:.0f}s', flush=True)
    build_tokenizer(tokenizer_texts(SampleSet(troot, 'train')), out/'tokenizer')
    ctx = get_context('spawn')                       # CUDA in the children
    ps = [ctx.Process(target=role_job, args=(json.dumps(cfg.to_dict()), r, str(troot), str(out/'tokenizer'), str(out), a.threads))
          for r in ('verifier', 'drafter')]
    for p in ps: p.start()
    for p in ps: p.join()
    if any(p.exitcode for p in ps): raise SystemExit(f'a role process failed (exit codes {[p.exitcode for p in ps]})')
    meta = dict(config=cfg.to_dict(), config_hash=cfg.hash(), timings={}, curves={})
    for r in ('verifier', 'drafter'):
        part = out/f'{r}.part.json'
        d = read_json(part); meta['timings'][r], meta['curves'][r] = d['timings'], d['curves']; part.unlink()
    write_json(out/'toypair.json', meta)
    print(f'pair {out}: {time.time() - t0:.0f}s', flush=True)

if __name__ == '__main__': main()
