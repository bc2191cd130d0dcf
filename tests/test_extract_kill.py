#!/usr/bin/env python
"""Stage 1 survives `kill -9` at any moment: a run killed several times (the instant its first chunk file appears, then
at random moments in the middle of later chunks) and restarted until it finishes gives exactly the content of an
uninterrupted run: no lost, duplicated or half-written chunk, identical tensors. After every kill, every file under a
final name is complete (atomic writes) and every chunk listed in a manifest part matches its checksum.
Runs `xsd_extract` with the committed toy pair on a freshly generated tiny toy world, 36 samples (~1 min on 2 cores).
Set XSD_KILL_SEED to replay a run's kill moments."""
import json, os, random, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from xmodal_sd.core import read_json, sha256_file, load_tensors
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld

seed = int(os.environ.get('XSD_KILL_SEED', time.time_ns() % 10**6))
rng = random.Random(seed)
print(f"XSD_KILL_SEED={seed}")
root = Path(tempfile.mkdtemp(prefix='xsd_kill_'))
world = generate_toyworld(root/'world', ToyWorldConfig.from_name('tiny', n_train=12), progress=False)
exe = Path(sys.executable).parent/'xsd_extract'
env = dict(os.environ, OMP_NUM_THREADS='1', XSD_DATA=str(root/'data'), TOKENIZERS_PARALLELISM='false')
args = ['--split', 'train', '--root', str(world), '--max-new-tokens', '24', '--batch-size', '1', '--chunk-size', '2', '--quiet']
cmd = lambda out: [str(exe)] + args + ['--out', str(out)]
N_CHUNKS = 18                                              # 36 samples in chunks of 2

def run(out):
    r = subprocess.run(cmd(out), env=env, capture_output=True, text=True)
    if r.returncode: print(r.stdout[-3000:]); print(r.stderr[-6000:], file=sys.stderr)
    assert r.returncode == 0, f"xsd_extract failed with exit code {r.returncode}"

def chunk_files(out): return sorted(out.glob('chunk_*.safetensors'))

def check_consistent(out):
    "What a killed run leaves: complete files under final names, and parts that list only complete, matching chunks."
    for f in chunk_files(out): load_tensors(f)            # a half-written file under a final name would not parse
    for p in sorted((out/'manifest.parts').glob('*.json')):
        for c in json.loads(p.read_text())['chunks']:      # a part is valid JSON (atomic), and listed means complete
            assert sha256_file(out/c['file']) == c['sha256'], f"{c['file']} listed in {p.name} but not the file written"

def kill_run(out, wait_new:int, extra:float) -> bool:
    "Start a run, wait until `wait_new` new chunk files exist (plus `extra` seconds), SIGKILL it; True if it was still running."
    before = len(chunk_files(out)) if out.exists() else 0
    p = subprocess.Popen(cmd(out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while p.poll() is None and len(chunk_files(out) if out.exists() else []) < before + wait_new and time.time() - t0 < 120:
        time.sleep(0.002)
    if extra: time.sleep(extra)
    alive = p.poll() is None
    if alive: p.send_signal(signal.SIGKILL)
    p.wait()
    n = len(chunk_files(out)) if out.exists() else 0
    print(f"  kill after {wait_new} new chunk(s) + {extra:.2f}s: {'killed' if alive else 'had finished'} with {n} chunk files")
    return alive

t = time.time(); run(root/'ref'); t_ref = time.time() - t
ref = read_json(root/'ref'/'manifest.json')
assert ref['complete'] and len(ref['chunks']) == N_CHUNKS

mtimes = sorted((root/'ref'/c['file']).stat().st_mtime for c in ref['chunks'])
t_chunk = sorted(b - a for a, b in zip(mtimes, mtimes[1:]))[len(mtimes) // 2]   # median time to make one chunk
print(f"reference run {t_ref:.1f}s, {t_chunk:.2f}s per chunk")
out = root/'killed'
# the instant the first chunk file appears (before or after it is listed), then at random moments inside later chunks
plan = [(1, 0.0)] + [(rng.randint(1, 2), rng.uniform(0.05, 0.95) * t_chunk) for _ in range(3)]
kills = 0
for wait_new, extra in plan:
    kills += kill_run(out, wait_new, extra)
    check_consistent(out)
    assert not (out/'manifest.json').exists() or read_json(out/'manifest.json')['complete'] or kills == 0
assert kills >= 2, f"only {kills} kill(s) landed before the run finished: the test did not test much"
run(out)                                                    # the restart that finishes the job

m = read_json(out/'manifest.json')
key = lambda m: [(c['index'], c['file'], c['sample_ids'], c['n_positions'], c['sha256'], c['skipped']) for c in m['chunks']]
assert m['complete'] and [c['index'] for c in m['chunks']] == list(range(N_CHUNKS)), "every chunk once, none lost"
assert key(m) == key(ref), "the same chunks, sample ids and checksums as the uninterrupted run"
assert (m['skipped'], m['n_positions']) == (ref['skipped'], ref['n_positions'])
assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in (root/'ref').iterdir()), "no leftovers (tmp files, parts)"
for c in ref['chunks']:
    a, b = load_tensors(root/'ref'/c['file'])[0], load_tensors(out/c['file'])[0]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), c['file']
shutil.rmtree(root)
print(f"kill ok: {kills} kills, identical to the uninterrupted run ({t_ref:.0f}s)")
