#!/usr/bin/env python
"""The main job's real-data command (`xsd_main --verifier --drafter --dataset`) on tiny random checkpoints saved in the
released Video-LLaVA-7B-hf and EventGPT layouts and a tiny DSEC-layout dataset: stages 1-3 and their reports run from
local paths only (stage 4 on real checkpoints is `xsd_bench` on a GPU box, so no E2E report is scheduled)."""
import json, os, subprocess, sys, tempfile
from pathlib import Path
from xmodal_sd.data import write_example_dataset
from xmodal_sd.models import save_replica_videollava, save_replica_eventgpt

root = Path(tempfile.mkdtemp(prefix='xsd_real_'))
write_example_dataset(root/'dsec'/'train', n=6, frames=10, size=24)
write_example_dataset(root/'dsec'/'test', n=3, frames=10, size=24)
vl, eg = save_replica_videollava(root/'vl'), save_replica_eventgpt(root/'eg')
env = dict(os.environ, XSD_DATA=str(root/'data'), XSD_REPORTS=str(root/'reports'), OMP_NUM_THREADS='1', MPLBACKEND='Agg')
r = subprocess.run([str(Path(sys.executable).parent/'xsd_main'), '--preset', 'tiny', '--verifier', str(vl), '--drafter', str(eg),
                    '--dataset', str(root/'dsec'), '--threads', '1'], env=env, capture_output=True, text=True)
print(r.stdout[-3000:]); print(r.stderr[-3000:], file=sys.stderr)
assert r.returncode == 0, f"xsd_main on real-layout checkpoints: exit code {r.returncode}"
rec = json.loads((root/'data'/'runs'/'dsec'/'pipeline.json').read_text())
assert rec['paths']['verifier'] == str(vl) and 'stage 3: evaluate' in rec['timings']
made = json.loads((root/'reports'/'dsec'/'reports.json').read_text())
assert made and all(m['status'] == 'done' for m in made) and not any('e2e' in m['report'] for m in made)
print(f"real-layout main job ok: {len(made)} reports")
