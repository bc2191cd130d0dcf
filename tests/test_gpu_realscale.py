"""tools/gpu_realscale.py (the 7B pair's shape-dependent costs, run on a GPU) runs every section at toy size on the CPU:
the released layouts are written and loaded, and every output file holds sane values; 4-bit is recorded as skipped."""
import csv, json, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from xmodal_sd.adapters import LEVELS

def rows(out, name): return list(csv.DictReader(open(out/f'{name}.csv')))

def test_realscale_tiny_cpu():
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)/'out'
        # a time limit the tiny run never reaches: the sections' shares of it must not skip work on a loaded CI machine
        r = subprocess.run([sys.executable, ROOT/'tools'/'gpu_realscale.py', out, '--tiny', '--device', 'cpu', '--workdir', d,
                            '--time-limit', '3600'], cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        s = json.loads((out/'summary.json').read_text())
        st = {n: v['status'] for n, v in s['sections'].items()}
        assert st == dict(setup='done', costs_16bit='done', e2e_16bit='done', extract_16bit='done', costs_4bit='skipped',
                          e2e_4bit='skipped', extract_4bit='skipped'), st
        assert 'CUDA' in s['sections']['costs_4bit']['reason']
        assert all(c['bytes'] > 0 and c['shards'] == 3 for c in s['checkpoints'].values()), s['checkpoints']
        assert not list(Path(d).glob('gpu_realscale_*')), "the checkpoints were not removed"

        costs = {x['what']: x for x in rows(out, 'costs')}
        want = ['verifier_prefill', 'drafter_prefill_1ev', 'drafter_prefill_5ev', 'verifier_decode_step', 'drafter_decode_step_1ev',
                'drafter_decode_step_5ev', 'verifier_lm_head'] + [f'verifier_forward_k{k}' for k in (1, 2, 4, 8, 16, 32, 64)]
        assert set(want) <= set(costs), set(want) - set(costs)
        assert all(float(x['ms']) > 0 and float(x['ms_min']) <= float(x['ms']) <= float(x['ms_max']) for x in costs.values()), costs
        assert int(costs['drafter_prefill_5ev']['tokens']) > int(costs['drafter_prefill_1ev']['tokens'])   # 5 temporal tokens, not 1

        levels = {x['level']: x for x in rows(out, 'levels')}
        assert set(LEVELS) | {'L6', 'B1_static'} <= set(levels), set(levels)
        for lvl, x in levels.items():
            assert float(x['c']) > 0 and float(x['draft_ms']) > 0, x
            if lvl != 'L6': assert float(x['step_ms']) > 0 and int(x['params']) > 0, x
        for lvl in ('L1', 'L4', 'L5F'):   # drafter-side levels run the drafter each draft: their c includes its step
            assert float(levels[lvl]['c']) > float(levels[lvl]['c_head']) and float(levels[lvl]['drafter_step_ms']) > 0

        win = rows(out, 'window')
        assert {x['event_frames'] for x in win} == {'1', '5'}, win
        assert all(0 <= int(x['drafts_in_window']) <= int(x['cap']) and float(x['verifier_prefill_hidden_ms']) > 0 for x in win), win

        ex = [x for x in rows(out, 'extract') if x['status'] == 'ok']
        assert [int(x['batch']) for x in ex] == [1, 2, 4], ex
        assert all(float(x['samples_per_s']) > 0 and float(x['hours_52k_1gpu']) > 0 for x in ex), ex
        assert all(abs(8 * float(x['hours_52k_8gpu']) - float(x['hours_52k_1gpu'])) < 0.01 for x in ex), ex   # stage 1 shards by 8
        assert all(0 < float(x['answer_tokens_mean']) <= int(x['max_new_tokens']) for x in ex), ex

        e2e = rows(out, 'e2e')                     # replayed acceptance: every configuration at every α, lossless and consistent
        assert {x['trace'] for x in e2e} >= {'alpha=0.237', 'alpha=0.5', 'alpha=0.7', 'alpha=0.9'}, {x['trace'] for x in e2e}
        assert {x['configuration'].split('+g')[0] for x in e2e} == {'vl_baseline', 'hf_generate', 'L4+VL', 'L4+VL+hide', 'L6+VL+hide',
                                                                    'B1+VL', 'L5F+VL', 'two_phase:L4+B1'}, e2e
        assert all(x['lossless'] == x['n'] and x['consistent'] == x['n'] and float(x['total_ms']) > 0 for x in e2e), e2e
        b1 = {x['trace']: float(x['acceptance']) for x in e2e if x['configuration'].startswith('B1+VL')}
        assert b1['alpha=0.237'] < b1['alpha=0.9'], b1                 # the replayed α is the acceptance the engine sees

        mem = {x['model']: x for x in rows(out, 'memory')}
        assert float(mem['verifier']['footprint_gib']) > 0 and float(mem['drafter']['footprint_gib']) > 0, mem
        assert mem['both']['fits_80GB'] == 'True', mem

if __name__ == '__main__':
    test_realscale_tiny_cpu(); print('ok test_gpu_realscale')
