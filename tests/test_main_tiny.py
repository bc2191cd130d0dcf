#!/usr/bin/env python
"""Integration test of the main job (`xsd_main`) at the `tiny` preset, from nothing to reports, in fresh folders.
It covers every stage's `#| slow` cells at a size CI can afford: toy world and pair, stage 1 at 1 and 5 event frames,
stage 2 for all nine levels (E1 included), stage 3, stage 4, and every report executed by papermill; then a re-run that redoes
nothing."""
import json, os, subprocess, sys, tempfile, time
from pathlib import Path

root = Path(tempfile.mkdtemp(prefix='xsd_main_'))
env = dict(os.environ, XSD_DATA=str(root/'data'), XSD_REPORTS=str(root/'reports'), MPLBACKEND='Agg')
exe = Path(sys.executable).parent/'xsd_main'

def run():
    t = time.time()
    r = subprocess.run([exe, '--preset', 'tiny', '--threads', '1'], env=env, capture_output=True, text=True)
    print(r.stdout[-4000:]); print(r.stderr[-3000:], file=sys.stderr)
    assert r.returncode == 0, f"xsd_main failed with exit code {r.returncode}"
    return r, time.time() - t

r, t1 = run()
run_dir, rep = root/'data'/'runs'/'tiny', root/'reports'/'tiny'
rec = json.loads((run_dir/'pipeline.json').read_text())
assert {'stage 1: extract', 'stage 2: train', 'stage 3: evaluate', 'stage 4: benchmark'} <= set(rec['timings']), rec['timings']
levels = 'L1 L2 L3 L4 L5 B1 L5F E1 L6'.split()
for lv in levels:
    assert (run_dir/'adapters'/'1f'/lv/'train.json').exists(), lv
    assert (run_dir/'eval'/'1f'/f'{lv}.json').exists(), lv
    assert (rep/f'adapter_{lv}_1f.html').exists(), lv
for n in (1, 5):
    s = json.loads((run_dir/'bench'/f'{n}f'/'summary.json').read_text())['summary']
    assert all(row['lossless'] == row['n'] for row in s), f"{n}f: an SD output differs from the verifier's"
    if n == 1: assert {'E1+VL+hide+g2', 'two_phase:L4+E1+g2'} <= {row['config'] for row in s} and any('+t' in row['config'] for row in s), \
        "1f: E1 with its phase 1, after L4, and the heads' token trees are benchmarked"   # (the tiny preset's 5f runs L4 only)
    assert (rep/f'e2e_{n}f.html').exists()
for name in ('frames_5f_vs_1f', 'summary'): assert (rep/f'{name}.html').exists(), name
made = json.loads((rep/'reports.json').read_text())
assert all(m['status'] == 'done' for m in made), [m for m in made if m['status'] != 'done']
html = (rep/'summary.html').read_text()
assert '<img' in html and 'Traceback' not in html, "the summary report shows its figure and no error"
assert 'Headline' in r.stdout and 'L4' in r.stdout and str(rep) in r.stdout, "the headline table and the reports' place are printed"
lines = r.stderr.replace('\r', '\n').splitlines()                 # the progress lines (tqdm writes to stderr)
for st in rec['timings']:                                        # each stage is one line, which ends on its time
    assert any(l.startswith(f"{st}: 100%") and l.rstrip().endswith(' s') for l in lines), (st, [l for l in lines if l.startswith(st)][-3:])
assert not any(l.startswith(('extract:', 'train L', 'bench:')) for l in lines), "no per-piece bars beside the stage lines"
log = (run_dir/'pipeline.log').read_text()
assert all(f"== {st}" in log for st in rec['timings']) and 'test 1f: ' in log, "each stage's details are in pipeline.log"
r2, t2 = run()
made = json.loads((rep/'reports.json').read_text())
assert all(m['status'] == 'skipped' for m in made), "a re-run re-makes no report"
assert 'reusing' in r2.stdout.lower()
assert (run_dir/'pipeline.log').read_text()[len(log):].count('reusing') >= 4, "stages 3 and 4 keep both frame counts' results"
# a stage 3 result that changed (here: by hand) makes its reports stale: one report, re-made, and skipped again after
from xmodal_sd.reports import run_report, inputs_id, report_jobs
name, out, params = next(j for j in report_jobs(run_dir, rep, ['L4'], [1]) if j[0] == 'adapter')
res = run_dir/'eval'/'1f'/'L4.json'; res.write_text(res.read_text() + '\n')
assert run_report(name, out, params, inputs=inputs_id(run_dir))['status'] == 'done', "a report whose input changed is re-made"
assert run_report(name, out, params, inputs=inputs_id(run_dir))['status'] == 'skipped'
man = json.loads((run_dir/'features'/'test_1f'/'manifest.json').read_text())
assert man['meta']['dataset'] == str(root/'data'/'toyworld'/'tiny'/'test'), man['meta']   # (outside the checkout: absolute)
print(f"main job ok: first run {t1:.0f}s, re-run {t2:.0f}s")
