#!/usr/bin/env python
"""Stage 1 throughput: samples/s of `xmodal_sd.extract.extract` (batched greedy generation, both teacher-forced
passes, chunk writing) at several batch sizes, in one process, on the same samples; prints one table.

  python tools/bench_extract.py --device cpu --preset default --n 32 --batch-sizes 1,4,16,32
  python tools/bench_extract.py --device cuda --preset gpu --n 256 --batch-sizes 1,4,16,32,64,128

Presets: `default` = the committed trained toy pair (data/pretrained/toypair-default) on a small toy world made on
the fly at the default world's image size; `gpu` = fresh random models at the `gpu` ToyModelConfig preset (32 decoder
layers: the timing structure of the 7B pair) on a small world at the `gpu` world preset's image size. With random
weights the verifier rarely says EOS, so every answer runs to the budget; the table reports the answer lengths.
Needs torch, transformers, safetensors, tqdm, accelerate, numpy, pillow and fastcore (imported by xmodal_sd)."""
import argparse, math, os, platform, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
import torch
from xmodal_sd.core import sync, seed_everything
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld
from xmodal_sd.data import SampleSet
from xmodal_sd.models import toy_verifier, toy_drafter, VerifierRole, DrafterRole, load_verifier, load_drafter
from xmodal_sd.toypair import build_tokenizer, PRETRAINED
from xmodal_sd.extract import ExtractConfig, extract, SingleProcess

def make_pair(preset:str, device, dtype, world:Path):
    if preset == 'default':
        d = PRETRAINED/'toypair-default'
        v = load_verifier(d/'verifier', dtype=dtype, device=device); dr = load_drafter(d/'drafter', dtype=dtype, device=device)
        return v, dr
    ss = SampleSet(world, 'train')
    tok = build_tokenizer([s.question + ' ' + s.answer for s in ss] + [VerifierRole.template, DrafterRole.template])
    v, dr = toy_verifier(tok, preset), toy_drafter(tok, preset)
    for r in (v, dr): r.model.to(device=device, dtype=dtype).eval()
    return v, dr

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    ap.add_argument('--preset', default='default', choices=['default', 'gpu', 'cpu', 'tiny'],
                    help="default: the committed trained pair; gpu/cpu/tiny: random models of that ToyModelConfig preset")
    ap.add_argument('--n', type=int, default=32, help='samples per measurement')
    ap.add_argument('--batch-sizes', default='1,4,16,32', help='comma-separated')
    ap.add_argument('--max-new-tokens', type=int, default=24, help="token budget (toy answers are at most 24 tokens with EOS)")
    ap.add_argument('--dtype', default=None, help="model dtype (default: bfloat16 on CUDA, float32 on the CPU)")
    ap.add_argument('--threads', type=int, default=1, help='torch CPU threads (0: torch default)')
    ap.add_argument('--csv', default='', help='also write the table here (with the machine and the command)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    dtype = getattr(torch, a.dtype) if a.dtype else (torch.bfloat16 if device.type == 'cuda' else torch.float32)
    sizes = [int(b) for b in a.batch_sizes.split(',')]
    tmp = Path(tempfile.mkdtemp(prefix='bench_extract_'))
    try:
        seed_everything(0)
        wcfg = ToyWorldConfig(n_train=math.ceil(a.n / 3) + 1, n_test=1, n_internal=16, n_video_frames=16)
        t = time.time(); world = generate_toyworld(tmp/'world', wcfg, progress=False); t_world = time.time() - t
        v, d = make_pair(a.preset, device, dtype, world)
        samples = SampleSet(world, 'train')[:a.n]
        print(f"# bench_extract: {' '.join(sys.argv[1:])}")
        print(f"# device {torch.cuda.get_device_name(device) if device.type == 'cuda' else platform.processor() or 'cpu'}, "
              f"torch {torch.__version__}, threads {torch.get_num_threads()}, dtype {dtype}, preset {a.preset}: {v}, {d}")
        print(f"# {len(samples)} samples, world {wcfg.size}px ({t_world:.0f}s to make), budget {a.max_new_tokens} tokens")
        run = lambda bs, ss, name: extract(v, d, ss, tmp/name, ExtractConfig(split='train', max_new_tokens=a.max_new_tokens,
                                           batch_size=bs, chunk_size=max(len(ss), 1)), progress=False, state=SingleProcess(device))
        run(max(sizes), samples[:max(sizes)], 'warmup')                         # kernels, allocator, file cache
        rows = []
        for bs in sizes:
            sync(device); t = time.time()
            m = run(bs, samples, f'b{bs}')
            sync(device); dt = time.time() - t
            n_ok = sum(len(c['sample_ids']) for c in m['chunks'])
            rows.append(dict(batch=bs, s=dt, sps=n_ok / dt, tok=m['n_positions'] / max(n_ok, 1), pps=m['n_positions'] / dt))
            print(f"#   batch {bs}: {dt:.1f}s", flush=True)
            shutil.rmtree(tmp/f'b{bs}')
        base = rows[0]['sps'] if rows and rows[0]['batch'] == 1 else None
        print('\n| batch | samples/s | × batch 1 | positions/s | answer tokens (mean, with EOS) | seconds |')
        print('|---|---|---|---|---|---|')
        for r in rows:
            x = f"{r['sps'] / base:.1f}×" if base else '–'
            print(f"| {r['batch']} | {r['sps']:.2f} | {x} | {r['pps']:.0f} | {r['tok']:.1f} | {r['s']:.1f} |")
        if device.type == 'cuda': print(f"\n# peak GPU memory {torch.cuda.max_memory_allocated(device) / 2**30:.1f} GiB")
        if a.csv:
            import csv
            name = torch.cuda.get_device_name(device) if device.type == 'cuda' else f"{platform.machine()}, {os.cpu_count()} CPU cores"
            with open(a.csv, 'w', newline='') as f:
                w = csv.writer(f); w.writerow(['batch', 'samples_per_s', 'x_batch1', 'positions_per_s', 'answer_tokens', 'seconds',
                                               'device', 'threads', 'torch', 'command'])
                for r in rows: w.writerow([r['batch'], round(r['sps'], 3), round(r['sps'] / base, 2) if base else '', round(r['pps'], 1),
                                           round(r['tok'], 2), round(r['s'], 2), name, torch.get_num_threads(), torch.__version__,
                                           'python tools/bench_extract.py ' + ' '.join(sys.argv[1:]).replace(' --csv ' + a.csv, '')])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

if __name__ == '__main__': main()
