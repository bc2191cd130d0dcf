#!/usr/bin/env python
"""Everything about the real 7B pair that depends on shape, not on trained weights, measured on one GPU with RANDOM
weights through the project's own loaders and roles:

  0. setup: real-sized Video-LLaVA-7B-hf (fp16, 3 shards) and EventGPT-7b (bf16, CLIP-L/14-336, projector + feature
     adaptor) checkpoints in the released layouts (config fields, key names, tokenizer as `save_replica_*` write them,
     re-sized to 7B, weights made on the GPU), written to a temp folder; a few real-layout samples;
  1. 16-bit: memory of each model and of both together (fits 24 GB / 80 GB?); costs (prefills, decode steps, the
     verifier's forward over k tokens, every adapter level's one-token step -> c); the prefill window (drafts the
     drafter finishes while the verifier prefills, through the engine's `prefill_hiding`);
  2. 16-bit stage 1 throughput (`xmodal_sd.extract.extract`) at batch 1 and batched -> hours for 52,000 samples;
  3. / 4. the same in 4-bit nf4 when bitsandbytes imports (else recorded as skipped).

Each section has a share of `--time-limit`; what does not fit is recorded as skipped. Results go to OUT as they come
(every CSV is rewritten after each row, so a kill keeps what finished); `config` is 16bit or 4bit in each:
  summary.json  environment, checkpoints, each section's status (done / skipped + reason / error / killed), headline numbers
  memory.csv    per model: load_s, footprint_gib, allocated_gib (after load), peak_gib (during load); `both`: need_gib =
                peak reserved since the pair loaded + CUDA context, fits_24GB / fits_80GB (cards of 24 / 80 GiB)
  costs.csv     what (verifier_prefill, drafter_prefill_{1,5}ev, *_decode_step, verifier_forward_k{k}, verifier_lm_head),
                tokens (cache length after it), ms median / min / max over `repeats`
  levels.csv    per level: step_ms (the module's one-token step), draft_ms (+ the verifier's LM head, + a drafter step for
                levels that read the drafter), c_head = step_ms / verifier step, c = draft_ms / verifier step; L6 = no
                module; B1_graph = the engine's B1 rollout (CUDA graphs), per draft
  window.csv    per repeat: drafts the engine's prefill hiding made while the verifier prefilled (drafts_in_window; and
                those that ended before the verifier's prefill did), the hidden and alone prefill times, and the
                sequential estimate (verifier prefill - drafter prefill) / drafter step
  extract.csv   per batch size: samples_per_s, answer_tokens_mean (random weights rarely say EOS: ~ the budget), peak_gib,
                hours_52k_1gpu, hours_52k_8gpu (stage 1 shards by 8 under accelerate), or status skipped / oom

On the GPU box (bitsandbytes carried as a wheel in .whl/):   tools/gpu_realscale.sh OUT 540
On the CPU, the same sections at toy size (<30 s):         python tools/gpu_realscale.py OUT --tiny --device cpu
"""
import argparse, csv, gc, inspect, json, os, platform, shutil, signal, statistics, sys, tempfile, time, traceback
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing
import torch, transformers
from transformers import AutoTokenizer, VideoLlavaConfig, VideoLlavaForConditionalGeneration
from xmodal_sd.core import sync, seed_everything, write_json, atomic_path
from xmodal_sd.data import SampleSet, write_example_dataset
from xmodal_sd.models import (CLIP_L14_336, DrafterRole, EventChatConfig, EventChatModel, load_drafter, load_verifier,
                              save_replica_eventgpt, save_replica_videollava, videollava_original_keys,
                              eventchat_original_keys, _write_replica, _CFG_META)
from xmodal_sd.adapters import LEVELS, AdapterConfig, make_adapter, causal_view
from xmodal_sd.speculative import SpecConfig, SpecDecoder, HeadDrafts, _Picker
from xmodal_sd.extract import ExtractConfig, extract, SingleProcess, LM_HEAD
from xmodal_sd.speculative import best_gamma
from xmodal_sd.bench import BenchConfig, expand_configs, run_bench, summarize

LLAMA_7B = dict(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32)
REAL = {   # what the released 7B configs change in the toy-size templates `save_replica_*` write
    'videollava': dict(torch_dtype='float16', text_config=dict(LLAMA_7B, torch_dtype='float16'),
                       vision_config=dict(hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
                                          patch_size=14, image_size=224, projection_dim=768)),
    'eventgpt': dict(LLAMA_7B, torch_dtype='bfloat16', vision_config=CLIP_L14_336)}
DTYPE = {'videollava': torch.float16, 'eventgpt': torch.bfloat16}   # the releases' dtypes
N_ORIGINAL = 52_000                                                # samples stage 1 ran over in the original pipeline
T0 = time.time()

def log(msg): print(f"[{time.time() - T0:7.1f}s] {msg}", flush=True)
def gib(b): return None if b is None else round(b / 2**30, 3)

class Table:
    "One output CSV, rewritten whole (atomically) after each row: a kill keeps every finished row."
    def __init__(self, path): self.path, self.rows = Path(path), []
    def add(self, **row):
        self.rows.append(row)
        cols = list(dict.fromkeys(k for r in self.rows for k in r))
        with atomic_path(self.path) as tmp, open(tmp, 'w', newline='') as f:
            w = csv.DictWriter(f, cols); w.writeheader(); w.writerows(self.rows)
        return row

class Budget:
    "The time limit split over the sections left, by weight; `over()` says the current section ran out."
    def __init__(self, limit, weights): self.limit, self.weights, self.deadline = limit, dict(weights), None
    def left(self): return self.limit - (time.time() - T0)
    def start(self, name) -> float:
        "Open section `name`: its deadline (now + its share of the time left); returns the share in seconds."
        if name not in self.weights: self.deadline = T0 + self.limit; return self.left()
        rest = list(self.weights)[list(self.weights).index(name):]
        share = self.weights[name] / sum(self.weights[n] for n in rest)
        self.deadline = time.time() + self.left() * share
        return self.left() * share
    def over(self, need=0.): return time.time() + need > min(self.deadline, T0 + self.limit)

def timed(fn, dev, repeats, warmup=1) -> dict:
    "Median (min, max) milliseconds of `fn()` over `repeats` calls after `warmup`; the device is synchronised before every clock read."
    for _ in range(warmup): fn()
    ms = []
    for _ in range(repeats):
        sync(dev); t = time.perf_counter(); fn(); sync(dev); ms.append((time.perf_counter() - t) * 1e3)
    return dict(ms=round(statistics.median(ms), 4), ms_min=round(min(ms), 4), ms_max=round(max(ms), 4), repeats=repeats)

def supported(fn, **kw) -> dict:
    "The keyword arguments `fn` takes: the package's signatures are still moving, pass what this checkout knows."
    ps = inspect.signature(fn).parameters
    return {k: v for k, v in kw.items() if k in ps}

def merged(d:dict, o:dict) -> dict:
    return {**d, **{k: merged(d[k], v) if isinstance(v, dict) and isinstance(d.get(k), dict) else v for k, v in o.items()}}

# -- 0. checkpoints in the released layouts
def write_checkpoint(kind:str, path:Path, template_dir:Path, real:bool, device) -> dict:
    "`kind` in its released layout: the template from `save_replica_*` (fields, key names, tokenizer), re-sized when `real`, made on `device`."
    t = (save_replica_videollava if kind == 'videollava' else save_replica_eventgpt)(template_dir/kind)
    cfg = json.loads((t/'config.json').read_text())
    cfg = merged(cfg, REAL[kind]) if real else merged(cfg, dict(torch_dtype=str(DTYPE[kind])[6:]))
    kw = {k: v for k, v in cfg.items() if k not in _CFG_META}
    cls, conf = ((VideoLlavaForConditionalGeneration, VideoLlavaConfig(**kw)) if kind == 'videollava' else
                 (EventChatModel, EventChatConfig(**kw)))
    with torch.device('meta'): n = sum(p.numel() for p in cls._from_config(conf, dtype=DTYPE[kind]).parameters())
    need, free = n * 2, shutil.disk_usage(path.parent).free
    log(f"{kind}: {n / 1e9:.2f}B parameters, {need / 1e9:.1f} GB to write, {free / 1e9:.1f} GB free in {path.parent}")
    if need * 1.05 > free: raise RuntimeError(f"not enough disk for {kind}: {need / 1e9:.1f} GB needed, {free / 1e9:.1f} GB free")
    seed_everything(0); t0 = time.time()
    with torch.device(device): model = cls._from_config(conf, dtype=DTYPE[kind])   # transformers' own init, on the GPU: seconds
    with torch.no_grad(): model.lm_head.weight[32000:].zero_()
    # ^ ids past Llama's 32000 (<image>, <video>, <pad>, padding) are never generated by the real model; a random head would
    #   pick one now and then, and stage 1 skips such a sample (the drafter cannot read it), which would flatter throughput
    sync(device); t_init = time.time() - t0
    keys = videollava_original_keys if kind == 'videollava' else eventchat_original_keys
    extra = {f.name: json.loads(f.read_text()) for f in t.glob('preprocessor_config.json')}
    _write_replica(path, cfg, keys(model.state_dict()), AutoTokenizer.from_pretrained(t), n_shards=3, extra=extra)
    del model; gc.collect(); torch.cuda.empty_cache() if torch.cuda.is_available() else None
    size = sum(f.stat().st_size for f in path.glob('*.safetensors'))
    return dict(kind=kind, path=str(path), params=n, dtype=str(DTYPE[kind]), bytes=size, init_s=round(t_init, 2),
                write_s=round(time.time() - t0 - t_init, 2), shards=len(list(path.glob('*.safetensors'))))

# -- 1. memory and costs
def cuda_mem(dev) -> dict:
    "Allocator numbers now (GiB) and the device's use beyond the allocator (CUDA context, cuBLAS workspaces)."
    if dev.type != 'cuda': return {}
    free, total = torch.cuda.mem_get_info(dev)
    return dict(allocated=torch.cuda.memory_allocated(dev), peak=torch.cuda.max_memory_allocated(dev),
                peak_reserved=torch.cuda.max_memory_reserved(dev), total=total,
                context=max(0, total - free - torch.cuda.memory_reserved(dev)))

def load_pair_measured(ck:dict, quant:str, dev, mem:Table, config:str):
    "Load the verifier, then the drafter, recording each one's load time and memory."
    roles = {}
    for kind, loader in (('verifier', load_verifier), ('drafter', load_drafter)):
        path = ck['videollava' if kind == 'verifier' else 'eventgpt']['path']
        dtype = DTYPE['videollava' if kind == 'verifier' else 'eventgpt']
        if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
        m0 = cuda_mem(dev).get('allocated', 0); t = time.time()
        dq = quant == '4bit'                                          # double quantisation, as the original pipeline
        roles[kind] = r = loader(path, dtype=dtype, device=dev, quant=quant, **supported(loader, double_quant=dq))
        sync(dev); m = cuda_mem(dev)
        mem.add(config=config, model=kind, dtype=str(dtype), quant=quant, double_quant=dq, load_s=round(time.time() - t, 2),
                footprint_gib=gib(r.model.get_memory_footprint()), allocated_gib=gib(m['allocated'] - m0) if m else None,
                peak_gib=gib(m['peak'] - m0) if m else None)
        log(f"{config}: {kind} loaded in {time.time() - t:.1f}s, {mem.rows[-1]['footprint_gib']} GiB")
    return roles['verifier'], roles['drafter']

def fits(mem:Table, config:str, dev, what:str):
    "Both models' row: the peak since the pair loaded (weights + activations + the device's own use) against 24 and 80 GiB cards."
    rows = [r for r in mem.rows if r['config'] == config and r['model'] in ('verifier', 'drafter')]
    weights = sum(r['allocated_gib'] if r['allocated_gib'] is not None else r['footprint_gib'] for r in rows)
    m = cuda_mem(dev)
    need = gib(m['peak_reserved'] + m['context']) if m else weights   # on the CPU: the weights alone
    return mem.add(config=config, model='both', quant=rows[0]['quant'], allocated_gib=round(weights, 3), peak_gib=gib(m.get('peak')),
                   need_gib=need, context_gib=gib(m.get('context')), measured_over=what,
                   fits_24GB=need <= 24, fits_80GB=need <= 80)

def costs(V, D1, D5, sample, dev, a, config:str, costs_t:Table, levels_t:Table, window_t:Table, budget:Budget) -> dict:
    "Prefills, decode steps, the verifier's forward over k tokens, the adapter levels' steps, the prefill window."
    R, W = a.repeats, a.warmup
    pv, pd1, pd5 = V.encode(sample), D1.encode(sample), D5.encode(sample)
    out, skipped = {}, []
    def add(what, fn, **kw):
        if budget.over(): skipped.append(what); return None
        r = costs_t.add(config=config, what=what, **kw, **timed(fn, dev, R, W)); out[what] = r['ms']
        log(f"{config}: {what} {' '.join(f'{k}={v}' for k, v in kw.items())}: {r['ms']:.2f} ms"); return r['ms']
    add('verifier_prefill', lambda: V.prefill(pv), tokens=pv.length, frames=V.n_frames)
    add('drafter_prefill_1ev', lambda: D1.prefill(pd1), tokens=pd1.length, frames=1)
    add('drafter_prefill_5ev', lambda: D5.prefill(pd5), tokens=pd5.length, frames=5)
    ids = lambda k: torch.randint(3, 32000, (1, k), device=dev)      # plain word ids both roles know
    step = lambda role, cache, P, x: (role.forward(x, cache), role.rollback(cache, P))   # each repeat sees the same cache
    _, hv, cv = V.prefill(pv); Pv = cv.get_seq_length()
    ms_v = add('verifier_decode_step', lambda x=ids(1): step(V, cv, Pv, x), tokens=Pv + 1, k=1)
    for k in a.ks: add(f'verifier_forward_k{k}', lambda x=ids(k): step(V, cv, Pv, x), tokens=Pv + k, k=k)
    for fr, role, p in ((1, D1, pd1), (5, D5, pd5)):
        _, _, cd = role.prefill(p); Pd = cd.get_seq_length()
        add(f'drafter_decode_step_{fr}ev', lambda x=ids(1): step(role, cd, Pd, x), tokens=Pd + 1, k=1, frames=fr)
    ms_d = out.get('drafter_decode_step_1ev')
    ms_lm = add('verifier_lm_head', lambda: V.lm_head(hv))
    del cv, cd

    # every level's one-token step at the verifier's width, bf16, after `a.cache_positions` answer positions
    if ms_v and not budget.over():
        Dm, T = V.hidden_size, a.cache_positions
        def row(level, reads, params, step_ms, drafter:bool, lm_ms=ms_lm):
            "One draft = the module's step + the verifier's LM head (+ a 7B drafter step when the level reads the drafter)."
            d_ms = ms_d if drafter else 0.; draft = step_ms + lm_ms + d_ms
            levels_t.add(config=config, level=level, reads=reads, params=params, step_ms=round(step_ms, 4), lm_head_ms=lm_ms,
                         drafter_step_ms=d_ms, draft_ms=round(draft, 4), verifier_step_ms=ms_v,
                         c_head=round(step_ms / ms_v, 5), c=round(draft / ms_v, 5))
        row('L6', 'drafter', 0, 0., True)                            # L6: the drafter's state straight into the verifier's head
        for lvl in LEVELS:
            if budget.over(): skipped.append(f'level {lvl}'); continue
            with torch.device(dev): head = make_adapter(AdapterConfig(lvl, Dm, dropout=0.0)).to(torch.bfloat16).eval()
            h = lambda n: torch.randn(1, n, Dm, device=dev, dtype=torch.bfloat16)
            ev = torch.randn(1, 64, Dm, device=dev, dtype=torch.bfloat16) if head.needs_events else None   # E1: 64 pooled event tokens
            args = lambda x: dict(h_d=x if head.needs_drafter else None, h_v=x if head.needs_verifier else None, events=ev)
            cache = head.new_cache()
            with causal_view(head): head(**args(h(T)), cache=cache)     # the positions already seen
            def one(x=h(1)):
                with causal_view(head): head(**args(x), cache=cache)
                cache.crop(T)
            r = timed(one, dev, R, W)
            row(lvl, LEVELS[lvl].get('input'), head.n_params(), r['ms'], head.needs_drafter)
            log(f"{config}: level {lvl} step {r['ms']:.3f} ms, c = {levels_t.rows[-1]['c']:.4f}")
            if lvl == 'B1':   # the engine's B1 rollout on CUDA: static steps replayed as CUDA graphs (lm_head included)
                g, mode = 8, 'graph' if dev.type == 'cuda' else 'static'
                seq = torch.zeros(T + W + R + g + 2, dtype=torch.long, device=dev)   # the positions the repeats reach
                hd = HeadDrafts(head, V.lm_head, _Picker(SpecConfig(), V.vocab, V.vocab), seq, None, mode)
                hd.reset(); hd.Hv.normal_(); hd.propose(T, g); t = [T]
                def propose():                                        # one verified state fed, then g drafts
                    hd.observe(t[0], 0, hd.Hv[t[0]:t[0] + 1]); t[0] += 1; hd.propose(t[0], g)
                r = timed(propose, dev, R, W)
                row(f'B1_{mode}', 'verifier', head.n_params(), r['ms'] / g, False, lm_ms=0.)   # (its LM head is inside)
                del hd, seq
            del head, cache
    else: skipped.append('levels')

    # the prefill window through the engine (L6, greedy): the drafter prefills and drafts on a second thread and CUDA stream
    for fr, role, p in ((1, D1, pd1), (5, D5, pd5)):
        if budget.over(): skipped.append(f'window {fr}ev'); continue
        cap = a.window_cap
        dec = SpecDecoder(V, role, cfg=SpecConfig(prefill_hiding=True, gamma=0, max_new_tokens=cap + 1, max_prefill_drafts=cap))
        pvd, pdd = pv.to(dev, V.pixel_dtype), p.to(dev, role.pixel_dtype)
        dec.generate(pvd, pdd)                                        # warm-up (threads, streams)
        alone_v, alone_d, ms_dfr = out.get('verifier_prefill'), out.get(f'drafter_prefill_{fr}ev'), out.get(f'drafter_decode_step_{fr}ev')
        # one after the other, the window would hold (verifier prefill - drafter prefill) / drafter step drafts
        pred = max(0., (alone_v - alone_d) / ms_dfr) if None not in (alone_v, alone_d, ms_dfr) else None
        for i in range(a.window_repeats):
            g = dec.generate(pvd, pdd)
            late = g.drafter_prefill_ms > g.verifier_prefill_ms            # the last draft ended after the verifier's prefill
            window_t.add(config=config, event_frames=fr, repeat=i, drafts_in_window=g.prefill_drafts,
                         drafts_before_prefill_end=max(0, g.prefill_drafts - late), cap=cap,
                         capped=g.prefill_drafts >= cap, verifier_prefill_hidden_ms=round(g.verifier_prefill_ms, 3),
                         drafter_prefill_and_drafts_ms=round(g.drafter_prefill_ms, 3), verifier_prefill_alone_ms=alone_v,
                         drafter_prefill_alone_ms=alone_d, drafter_step_ms=ms_dfr,
                         predicted_window=None if pred is None else round(pred, 2))
        mine = [r for r in window_t.rows if r['config'] == config and r['event_frames'] == fr]
        ws = [r['drafts_in_window'] for r in mine]
        out[f'window_{fr}ev'] = dict(drafts=statistics.median(ws), predicted=pred,
                                     before_prefill_end=statistics.median(r['drafts_before_prefill_end'] for r in mine))
        log(f"{config}: prefill window, {fr} event image(s): {ws} drafts (sequential estimate {pred if pred is None else round(pred, 1)})")
        del dec
    out['skipped'] = skipped
    return out

# -- 2. stage 1 throughput
def extraction(V, D1, samples, work:Path, dev, a, config:str, quant:str, table:Table, budget:Budget) -> dict:
    "samples/s of `extract` at each batch size on the same samples; projected hours for the original's 52,000."
    dts = dict(verifier_dtype=str(V.model.dtype)[6:], drafter_dtype=str(D1.model.dtype)[6:], model_dtype=str(V.model.dtype)[6:])
    cfg = lambda b, n, mnt: ExtractConfig(split='train', frames=1, max_new_tokens=mnt, batch_size=b, chunk_size=n, quant=quant,
                                          **supported(ExtractConfig, double_quant=quant == '4bit', **dts))   # (recorded only)
    run = lambda out, b, n, mnt: extract(V, D1, samples[:n], out, cfg(b, n, mnt), progress=False, state=SingleProcess(dev))
    warm = work/f'warm_{config}'; run(warm, 2, 2, 4)                  # kernels, allocator; its LM-head file is reused below
    out, sps = {}, None
    for b in a.batch_sizes:
        n = min(len(samples), max(4, 2 * b))                          # two batches: the loader's prefetch overlaps the second
        est = 1.3 * n / sps if sps else 0.                            # from the last (smaller) batch: an upper bound
        if budget.over(est):
            table.add(config=config, batch=b, status='skipped: time', n_samples=n, est_s=round(est, 1)); continue
        o = work/f'{config}_b{b}'; o.mkdir(parents=True)
        os.link(warm/LM_HEAD, o/LM_HEAD)                              # written once per run, not per sample: keep it out of the clock
        if dev.type == 'cuda': torch.cuda.reset_peak_memory_stats(dev)
        try:
            sync(dev); t = time.time(); m = run(o, b, n, a.max_new_tokens); sync(dev); dt = time.time() - t
        except torch.cuda.OutOfMemoryError as e:
            table.add(config=config, batch=b, status='oom', n_samples=n, error=str(e).splitlines()[0][:200])
            log(f"{config}: extract batch {b}: out of memory"); gc.collect(); torch.cuda.empty_cache(); break
        finally: shutil.rmtree(o, ignore_errors=True)
        n_ok = sum(len(c['sample_ids']) for c in m['chunks']); sps = n / dt
        pos = m['n_positions'] / max(n_ok, 1)                         # answer + EOS positions per sample
        h1 = N_ORIGINAL / sps / 3600
        r = table.add(config=config, batch=b, status='ok', n_samples=n, n_ok=n_ok, n_skipped=len(m['skipped']), seconds=round(dt, 2),
                      samples_per_s=round(sps, 4), positions_per_sample=round(pos, 2), answer_tokens_mean=round(pos - 1, 2),
                      max_new_tokens=a.max_new_tokens, peak_gib=gib(cuda_mem(dev).get('peak')),
                      hours_52k_1gpu=round(h1, 3), hours_52k_8gpu=round(h1 / 8, 3))
        log(f"{config}: extract batch {b}: {n} samples in {dt:.1f}s = {sps:.3f}/s, {pos - 1:.1f} answer tokens, "
            f"52k samples: {h1:.2f} h on 1 GPU, {h1 / 8:.2f} h on 8")
        out[f'batch_{b}'] = dict(samples_per_s=r['samples_per_s'], hours_52k_1gpu=r['hours_52k_1gpu'], hours_52k_8gpu=r['hours_52k_8gpu'])
    shutil.rmtree(warm, ignore_errors=True)
    return out

# -- 3. end to end, with acceptance replayed (`Replay`): every forward pass as live, acceptance set from outside
E2E_CONFIGS = ('vl_baseline', 'hf_generate', 'L4+VL', 'L4+VL+hide', 'L6+VL+hide', 'B1+VL', 'L5F+VL', 'two_phase:L4+B1')
ORIGINAL_ALPHA = 0.237   # the original pipeline's measured token acceptance for L4 (1401 -> 1378 ms, 1.03x)
ORIGINAL_GAMMA = 5       # its benchmark's default draft length (benchmark_e2e_wallclock.py --gamma)

def gamma_for(name:str, alpha, c:dict) -> int:
    "The configuration's best γ at `alpha` (a float, or {level: α}) with its measured c (`best_gamma`; at least 1: γ = 0 is the baseline)."
    lv = name.split(':')[-1].split('+')
    level = lv[1] if name.startswith('two_phase:') else lv[0]       # two-phase's loop is its head's
    if isinstance(alpha, dict): alpha = alpha.get('+'.join(lv[:2]) if name.startswith('two_phase:') else level, alpha.get(level, 0.5))
    cl = c.get('B1_graph', c.get('B1')) if level == 'B1' else c.get(level)   # on CUDA the engine rolls B1 out in CUDA graphs
    return max(1, best_gamma(alpha, cl if cl is not None else 1.0, 16))

def e2e(V, D, samples, dev, a, config:str, levels_t:Table, table:Table, budget:Budget, work:Path) -> dict:
    "Measured speedup of each configuration at each replayed α (and the toy pair's recorded trace) against both baselines."
    Dm, c = V.hidden_size, {r['level']: r['c'] for r in levels_t.rows if r['config'] == config}
    with torch.device(dev):
        ads = {lv: make_adapter(AdapterConfig(lv, Dm, dropout=0.0)).to(torch.bfloat16).eval() for lv in ('L4', 'B1', 'L5F')}
    ads['L6'] = D                                  # L6 = the drafter with its LoRA merged in: the same forward, the same cost
    names = [n for n in E2E_CONFIGS if config == '16bit' or n in a.configs_4bit]
    traces = [(f'alpha={x}', x) for x in (a.alphas if config == '16bit' else [ORIGINAL_ALPHA])]
    if config == '16bit' and a.toy_alpha is not None: traces.append(('toy trace', a.toy_trace))
    out, skipped = {}, []
    for label, tr in traces:
        if budget.over(a.e2e_est): skipped.append(label); continue
        alpha = tr if isinstance(tr, float) else a.toy_alpha
        g_of = lambda n: ORIGINAL_GAMMA if config != '16bit' else gamma_for(n, alpha, c)   # 4-bit: the original's own setting
        specs = expand_configs(','.join(n if n in ('vl_baseline', 'hf_generate') else f'{n}+g{g_of(n)}' for n in names))
        cfg = BenchConfig(n=a.e2e_samples, max_new_tokens=a.e2e_tokens, warmup=1, device=str(dev), dtype=str(V.model.dtype)[6:],
                          replay_alpha=tr if isinstance(tr, float) else -1.0, replay_trace='' if isinstance(tr, float) else tr)
        t = time.time()
        rows = run_bench(specs, V, D, ads, samples[:a.e2e_samples], cfg, progress=False)
        sm = summarize(rows)
        for name, r in sm.iterrows():
            g = next(s.gamma for s in specs if s.name == name)
            table.add(config=config, trace=label, alpha=alpha if isinstance(alpha, float) else None, configuration=name, gamma=g, n=int(r.n), lossless=int(r.lossless),
                      consistent=int(r.consistent), new_tokens=round(r.new_tokens, 1), prefill_ms=round(r.prefill_ms, 2),
                      decode_ms=round(r.decode_ms, 2), total_ms=round(r.total_ms, 2), speedup_vl=round(r.speedup_vl, 4),
                      speedup_hf=round(r.speedup_hf, 4), acceptance=r.acceptance, tokens_per_step=r.tokens_per_step, c=r.c, v=r.v,
                      window_drafts=r.window_drafts, window_accepted=r.window_accepted, phase1=r.phase1,
                      predicted_decode=r.predicted_decode, model_decode=r.model_decode, min_top2_gap=r.min_top2_gap)
        best = sm.drop(index=[n for n in ('vl_baseline', 'hf_generate') if n in sm.index]).speedup_vl
        out[label] = dict(best=best.idxmax(), speedup_vl=round(float(best.max()), 3), seconds=round(time.time() - t, 1))
        a.e2e_est = 1.2 * (time.time() - t)
        log(f"{config}: e2e {label}: best {best.idxmax()} {best.max():.3f}x the plain loop ({time.time() - t:.0f}s); "
            + ', '.join(f'{n} {x:.2f}' for n, x in sm.speedup_vl.items()))
    out['skipped'] = skipped
    return out

def pick_workdir(want:str|None, need:float) -> str:
    "`want`, else /tmp, else /dev/shm (RAM; the host has plenty) when /tmp lacks `need` bytes; prints what each has free."
    cands = [want] if want else [tempfile.gettempdir(), '/dev/shm']
    frees = {c: shutil.disk_usage(c).free for c in cands if os.path.isdir(c)}
    log('free space: ' + ', '.join(f'{c} {f / 1e9:.1f} GB' for c, f in frees.items()) + f'; {need / 1e9:.1f} GB needed')
    return next((c for c, f in frees.items() if f >= need), cands[0])   # none: write_checkpoint says why it cannot

def reset_memory(dev, note:str):
    "Return cached blocks and restart the peak counters: what follows is measured on its own."
    gc.collect()
    if dev.type == 'cuda':
        torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(dev)
        log(f"{note}: {gib(torch.cuda.memory_allocated(dev))} GiB allocated")

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('out', help='output folder')
    ap.add_argument('--time-limit', type=float, default=520, help='seconds for the whole run; sections share it')
    ap.add_argument('--tiny', action='store_true', help='toy sizes (the same layouts): a CPU smoke test')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--workdir', default=None, help='where the checkpoints and samples go, deleted at the end (default /tmp, '
                    'or /dev/shm when /tmp has too little space)')
    ap.add_argument('--batch-sizes', default=None, help='stage 1 batch sizes (default 1,4,8,16,32; tiny 1,2,4)')
    ap.add_argument('--max-new-tokens', type=int, default=None, help="stage 1's answer budget (default 50, the original's; tiny 8)")
    ap.add_argument('--quants', default='none,4bit', help="configurations after 16-bit ('none' = 16-bit)")
    ap.add_argument('--alphas', default='0.237,0.5,0.7,0.9', help="replayed per-token acceptance rates (16-bit end to end; '' for none)")
    ap.add_argument('--skip', default='', help='sections to skip, e.g. extract_16bit (recorded as skipped)')
    ap.add_argument('--toy-trace', default=str(Path(__file__).resolve().parent.parent/'tools'/'toy_trace.json'),
                    help="the toy pair's recorded per-step accepted lengths per level (JSON), replayed as well")
    ap.add_argument('--e2e-samples', type=int, default=None, help='timed samples per configuration and trace (default 3; tiny 2)')
    ap.add_argument('--e2e-tokens', type=int, default=None, help='answer budget end to end (default 48; tiny 8)')
    a = ap.parse_args(argv)
    dev, out = torch.device(a.device), Path(a.out)
    a.batch_sizes = [int(b) for b in (a.batch_sizes or ('1,2,4' if a.tiny else '1,4,8,16,32')).split(',')]
    a.max_new_tokens = a.max_new_tokens or (8 if a.tiny else 50)
    a.repeats, a.warmup = (3, 1) if a.tiny else (5, 2)
    a.ks, a.cache_positions, a.window_cap, a.window_repeats = [1, 2, 4, 8, 16, 32, 64], 32, (8 if a.tiny else 32), 3
    a.alphas = [float(x) for x in a.alphas.split(',') if x.strip()]
    a.skip = sorted({x.strip() for x in a.skip.split(',') if x.strip()})
    a.e2e_samples, a.e2e_tokens = a.e2e_samples or (2 if a.tiny else 3), a.e2e_tokens or (8 if a.tiny else 48)
    a.configs_4bit, a.e2e_est = ('vl_baseline', 'hf_generate', 'L4+VL', 'L4+VL+hide'), 0.   # the original's own setting: L4, 4-bit
    a.toy_alpha = None                                                # {level: α} of the toy run: picks the γ each is replayed at
    if a.toy_trace and Path(a.toy_trace).exists(): a.toy_alpha = json.loads(Path(a.toy_trace).read_text()).get('alpha')
    out.mkdir(parents=True, exist_ok=True)
    transformers.utils.logging.disable_progress_bar()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))   # `timeout`: record the section it stopped, remove the checkpoints
    work = Path(tempfile.mkdtemp(prefix='gpu_realscale_', dir=pick_workdir(a.workdir, 1e8 if a.tiny else 31e9)))
    configs = [('16bit' if q == 'none' else q, q) for q in a.quants.split(',')]
    weights = {}                                               # setup has no share: the rest cannot run without it
    for c, _ in configs: weights |= {f'costs_{c}': 1.0, f'e2e_{c}': 2.0 if c == '16bit' else 0.8, f'extract_{c}': 1.0}
    budget = Budget(a.time_limit, {k: w for k, w in weights.items() if k not in a.skip})   # a skipped section reserves nothing
    try: import bitsandbytes; bnb = bitsandbytes.__version__
    except Exception as e: bnb = None; bnb_error = f"{type(e).__name__}: {e}"
    summary = dict(args={k: v for k, v in vars(a).items()}, env=dict(
        device=torch.cuda.get_device_name(dev) if dev.type == 'cuda' else platform.processor() or 'cpu',
        gpu_gib=gib(torch.cuda.get_device_properties(dev).total_memory) if dev.type == 'cuda' else None,
        torch=torch.__version__, transformers=transformers.__version__, bitsandbytes=bnb, python=platform.python_version(),
        workdir=str(work), disk_free_gb=round(shutil.disk_usage(work).free / 1e9, 1)), sections={}, results={})
    save = lambda: write_json(out/'summary.json', summary)
    tabs = {n: Table(out/f'{n}.csv') for n in ('memory', 'costs', 'levels', 'window', 'e2e', 'extract')}
    log(f"{summary['env']['device']}, torch {torch.__version__}, bitsandbytes {bnb}, {'tiny' if a.tiny else '7B'} sizes, "
        f"limit {a.time_limit:.0f}s, {summary['env']['disk_free_gb']} GB free in {work}")
    save()
    failed = False

    def section(name, fn, *args):
        nonlocal failed
        if name in a.skip:
            summary['sections'][name] = dict(status='skipped', reason='--skip'); save(); log(f"== {name}: skipped (--skip)"); return False
        t, share = time.time(), budget.start(name)
        log(f"== {name} (budget {share:.0f}s)")
        try:
            r = fn(*args); summary['results'][name] = r
            summary['sections'][name] = dict(status='done', seconds=round(time.time() - t, 1),
                                             **({'skipped_items': r['skipped']} if isinstance(r, dict) and r.get('skipped') else {}))
        except (KeyboardInterrupt, SystemExit):
            summary['sections'][name] = dict(status='killed', seconds=round(time.time() - t, 1)); save(); raise
        except Exception as e:
            failed = True; traceback.print_exc()
            summary['sections'][name] = dict(status='error', seconds=round(time.time() - t, 1), error=f"{type(e).__name__}: {e}",
                                             traceback=traceback.format_exc()[-3000:])
        save()
        return summary['sections'][name]['status'] == 'done'

    def setup():
        ck = {k: write_checkpoint(k, work/('Video-LLaVA-7B-hf' if k == 'videollava' else 'EventGPT-7b'), work/'templates',
                                  not a.tiny, dev) for k in ('videollava', 'eventgpt')}
        for c in ck.values(): log(f"{c['kind']}: {c['bytes'] / 1e9:.2f} GB in {c['shards']} shards, init {c['init_s']}s, write {c['write_s']}s")
        summary['checkpoints'] = ck
        t = time.time()
        root = write_example_dataset(work/'data'/'train', n=max(4, 2 * max(a.batch_sizes)), frames=8, size=32 if a.tiny else 224)
        log(f"{len(SampleSet(root))} samples written in {time.time() - t:.1f}s")
        return dict(checkpoints=ck, samples=str(root))
    try:
        if not section('setup', setup): return 1
        ck, samples = summary['checkpoints'], SampleSet(summary['results']['setup']['samples'])
        load_s = None
        for config, q in configs:
            skip = (None if q == 'none' else "needs CUDA" if dev.type != 'cuda' else
                    f"bitsandbytes does not import ({bnb_error})" if bnb is None else None)
            budget.start(f'costs_{config}')
            if skip is None and load_s and budget.over(load_s + 30): skip = f"time: loading took {load_s:.0f}s in 16-bit"
            if skip:
                for n in (f'costs_{config}', f'e2e_{config}', f'extract_{config}'): summary['sections'][n] = dict(status='skipped', reason=skip)
                log(f"== {config}: skipped ({skip})"); save(); continue
            pair = {}
            def costs_section():
                V, D1 = pair['V'], pair['D1'] = load_pair_measured(ck, q, dev, tabs['memory'], config)
                D5 = DrafterRole(D1.model, D1.tokenizer, event_frames=5)          # the same model, 5 event images
                reset_memory(dev, f'{config} pair loaded')   # the loader's own transient peak (e.g. its allocator warm-up) is not the run's
                with torch.inference_mode():
                    r = costs(V, D1, D5, samples[0], dev, a, config, tabs['costs'], tabs['levels'], tabs['window'], budget)
                r['memory'] = fits(tabs['memory'], config, dev, 'load + costs + window')
                r['levels'] = {x['level']: dict(c=x['c'], c_head=x['c_head']) for x in tabs['levels'].rows if x['config'] == config}
                return r
            ok = section(f'costs_{config}', costs_section)
            if q == 'none': load_s = sum(x['load_s'] for x in tabs['memory'].rows if x.get('load_s'))
            if ok:
                with torch.inference_mode():
                    section(f'e2e_{config}', e2e, pair['V'], pair['D1'], samples, dev, a, config, tabs['levels'], tabs['e2e'], budget, work)
                    section(f'extract_{config}', extraction, pair['V'], pair['D1'], samples, work, dev, a, config, q, tabs['extract'], budget)
            else:
                for n in (f'e2e_{config}', f'extract_{config}'): summary['sections'][n] = dict(status='skipped', reason=f'costs_{config} failed')
                save()
            pair.clear(); reset_memory(dev, f'{config} models freed')            # before the next configuration loads
    finally: shutil.rmtree(work, ignore_errors=True)
    log(f"done: {', '.join(n + ' ' + s['status'] for n, s in summary['sections'].items())}; results in {out}")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
