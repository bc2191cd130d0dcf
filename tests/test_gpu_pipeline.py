"""tools/gpu_pipeline.sh (the whole toy pipeline in one GPU session) runs end to end and packs every stage's results:
the same script at the tiny preset on the CPU, its ceiling step (every draft right) included."""
import csv, io, json, math, os, subprocess, sys, tarfile, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def test_gpu_pipeline_packs_every_stage():
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, XSD_DATA=str(tmp/'data'), XSD_REPORTS=str(tmp/'reports'), CUDA_VISIBLE_DEVICES='',
               PYTHON=sys.executable, OMP_NUM_THREADS='1')
    r = subprocess.run(['bash', ROOT/'tools'/'gpu_pipeline.sh', tmp/'out', 'tiny'], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert 'stages_1_4: exit 0' in r.stdout and 'pair: exit 0' in r.stdout, r.stdout[-2000:]   # each step's true status
    with tarfile.open(tmp/'out'/'gpu_pipeline.tgz') as tf:
        names = set(tf.getnames())
        read = lambda n: tf.extractfile(n).read().decode()
        assert read('status.txt').split() == ['pair=0', 'stages_1_4=0', 'ceiling=0'], read('status.txt')
        for n in ['./toypair_tiny.json', 'toypair/tiny/evaluation.json', 'runs/tiny/pipeline.json',
                  'runs/tiny/eval/1f/summary.json', 'runs/tiny/bench/1f/summary.csv', 'runs/tiny/bench/1f/samples.jsonl']:
            assert n in names, (n, sorted(names))
        assert not any(n.endswith('.safetensors') for n in names), 'weights packed'
        timings = json.loads(read('runs/tiny/pipeline.json'))['timings']
        assert {'stage 1: extract', 'stage 2: train', 'stage 3: evaluate', 'stage 4: benchmark'} <= set(timings), timings
        rows = list(csv.DictReader(io.StringIO(read('runs/tiny/bench/1f/summary.csv'))))
        assert {'vl_baseline', 'hf_generate'} <= {row['config'] for row in rows} and len(rows) > 2, rows
        assert all(row['lossless'] == row['n'] for row in rows), [(row['config'], row['lossless'], row['n']) for row in rows]
        # the ceiling: both baselines and B1 at γ 4, 8, 16, every answer plain decoding's, and every draft right, so a
        # generation takes the prefill's step and then one verify step per γ + 1 tokens of what is left of the answer
        ceil = [json.loads(l) for l in read('./bench_ceiling_cpu/samples.jsonl').splitlines()]
        assert {r['config'] for r in ceil} == {'vl_baseline', 'hf_generate', 'B1+VL+g4', 'B1+VL+g8', 'B1+VL+g16'}, {r['config'] for r in ceil}
        assert all(r['lossless'] for r in ceil)
        for r in (r for r in ceil if r['config'].startswith('B1')):
            left = r['new_tokens'] + int(r['eos']) - 1
            assert r['steps'] == 1 + math.ceil(left / (r['gamma'] + 1)), (r['config'], r['new_tokens'], r['drafts'], r['accepted'])

if __name__ == '__main__':
    test_gpu_pipeline_packs_every_stage(); print('ok test_gpu_pipeline')
