#!/usr/bin/env python
"""The main job's real-data command on the original pipeline's own files: tiny random checkpoints saved in the released
Video-LLaVA-7B-hf and EventGPT layouts, and train/test splits exactly as the original's `generate_json.py` leaves them
(empty questions, UUID ids, five event images of unequal size, 20-frame clips, one clip only as an mp4) in the
original's folder names, with a questions file in its `top50_questions.json` format. Stages 1-3 and their reports run
from local paths only (stage 4 on real checkpoints is `xsd_bench` on a GPU box, so no E2E report is scheduled); every
expanded sample (clip x question) must get features in every event-image mode, none skipped."""
import json, os, subprocess, sys, tempfile
from pathlib import Path
from xmodal_sd.data import write_original_layout, write_questions_file, SampleSet
from xmodal_sd.models import save_replica_videollava, save_replica_eventgpt

root = Path(tempfile.mkdtemp(prefix='xsd_real_'))
tr = write_original_layout(root/'my_egpt_dsec_train'/'my_egpt_dsec_train_1s', n=5, mp4_only=(2,), seed=1)
te = write_original_layout(root/'my_egpt_dsec_test'/'my_egpt_dsec_seq_1s', n=3, mp4_only=(0,), seed=2)
qf = write_questions_file(root/'top50_questions.json', ['What are the key elements in this scene?', 'What is this scene about?',
                                                         'Describe the following scene.'])
vl, eg = save_replica_videollava(root/'vl'), save_replica_eventgpt(root/'eg')
# the EventGPT folder without its CLIP tower's weights (the release may not carry them): the tower comes from --clip
from safetensors.torch import load_file, save_file
from xmodal_sd.models import load_drafter
clip = root/'clip-vit-large-patch14-336'; load_drafter(eg).vision_tower.save_pretrained(clip)
w = load_file(eg/'model.safetensors')
save_file({k: v for k, v in w.items() if 'visual_tower' not in k}, eg/'model.safetensors', metadata={'format': 'pt'})
env = dict(os.environ, XSD_DATA=str(root/'data'), XSD_REPORTS=str(root/'reports'), OMP_NUM_THREADS='1', MPLBACKEND='Agg')
cmd = [str(Path(sys.executable).parent/'xsd_main'), '--preset', 'tiny', '--verifier', str(vl), '--drafter', str(eg),
       '--train', str(tr), '--test', str(te), '--questions', str(qf), '--max-questions', '2', '--frames', '1,5,5first',
       '--threads', '1', '--clip', str(clip)]
r = subprocess.run(cmd, env=env, capture_output=True, text=True)
print(r.stdout[-3000:]); print(r.stderr[-3000:], file=sys.stderr)
assert r.returncode == 0, f"xsd_main on the original's layout: exit code {r.returncode}"
run = root/'data'/'runs'/'my_egpt_dsec_train'
rec = json.loads((run/'pipeline.json').read_text())
assert rec['paths']['verifier'] == str(vl) and 'stage 3: evaluate' in rec['timings']
assert rec['paths']['load'] == dict(quant='none', double_quant=True, verifier_dtype='float32', drafter_dtype='float32', clip=str(clip))
ids = {k: set(SampleSet(p, questions=qf, max_questions=2).ids) for k, p in (('train', tr), ('test', te))}
assert len(ids['train']) == 10 and len(ids['test']) == 6 and all('#q' in i for i in ids['test'])
for mode in ('1f', '5f', '5first'):
    got = {}
    for split in ('train', 'val', 'test'):
        m = json.loads((run/'features'/f'{split}_{mode}'/'manifest.json').read_text())
        assert m['complete'] and not m['skipped'], (split, mode, m['skipped'][:3])
        assert m['n_positions'] > 0 and all(c['n_positions'] > 0 for c in m['chunks']), (split, mode)
        got[split] = {i for c in m['chunks'] for i in c['sample_ids']}
    assert got['train'] | got['val'] == ids['train'] and not got['train'] & got['val'], mode
    assert got['test'] == ids['test'], mode
made = json.loads((root/'reports'/'my_egpt_dsec_train'/'reports.json').read_text())
assert made and all(m['status'] == 'done' for m in made) and not any('e2e' in m['report'] for m in made), made
# without the questions file: one clear error at the start, not a run of skipped samples
r2 = subprocess.run(cmd[:cmd.index('--questions')] + cmd[cmd.index('--max-questions'):], env=env, capture_output=True, text=True)
assert r2.returncode == 2 and 'empty question' in r2.stderr and 'questions=' in r2.stderr, r2.stderr[-2000:]
# without --clip: the tower-less drafter is one clear error naming the fix
r3 = subprocess.run(cmd[:-2] + ['--name', 'noclip'], env=env, capture_output=True, text=True)
assert r3.returncode == 2 and 'pass --clip PATH' in r3.stderr, r3.stderr[-2000:]
# 4-bit on a CPU: refused before anything loads
r4 = subprocess.run(cmd + ['--name', 'q4', '--quant', '4bit'], env=env, capture_output=True, text=True)
assert r4.returncode == 2 and 'needs CUDA' in r4.stderr and 'field=quant' in r4.stderr, r4.stderr[-2000:]
print(f"real-layout main job ok: {len(ids['train'])} train / {len(ids['test'])} test samples x 3 event-image modes, {len(made)} reports")
