"""tools/gpu_toypair.py (the two roles trained at once) writes a pair folder that `make_toypair` reuses as it is,
with the same weights as `train_role` gives in one process. Run on the CPU at the tiny preset."""
import os, subprocess, sys, tempfile
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]

def test_gpu_toypair_folder_is_reused():
    tmp = Path(tempfile.mkdtemp())
    env = dict(os.environ, XSD_DATA=str(tmp/'data'), XSD_REPORTS=str(tmp/'reports'), CUDA_VISIBLE_DEVICES='')
    r = subprocess.run([sys.executable, ROOT/'tools'/'gpu_toypair.py', '--preset', 'tiny', '--workers', '1', '--threads', '1'],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    pair = tmp/'data'/'toypair'/'tiny'
    assert sorted(p.name for p in pair.iterdir()) == ['drafter', 'tokenizer', 'toypair.json', 'verifier']
    code = ("import torch; torch.set_num_threads(1)\n"
            "from xmodal_sd.toypair import *\nfrom xmodal_sd.data import SampleSet\nfrom xmodal_sd.core import data_dir\n"
            "from transformers import PreTrainedTokenizerFast\n"
            "logs = []; make_toypair('tiny', progress=False, log=logs.append)\n"
            "assert any('verifier: reusing' in l for l in logs) and any('drafter: reusing' in l for l in logs), logs\n"
            "cfg = ToyPairConfig.from_name('tiny')\n"
            "tr = load_memory(SampleSet(data_dir('toyworld', 'tiny'), 'train'), 8, frame_counts(cfg.train_frames), progress=False)\n"
            "tok = PreTrainedTokenizerFast.from_pretrained(data_dir('toypair', 'tiny', 'tokenizer'))\n"
            "w = train_role('drafter', tok, tr, cfg, progress=False)[0].model.state_dict()\n"
            "v, d, _ = load_toypair(data_dir('toypair', 'tiny'))\n"
            "saved = d.model.state_dict()\n"
            "assert all(torch.equal(w[k], saved[k]) for k in w), 'weights differ from one-process train_role'\n"
            "print('ok')\n")
    r = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0 and 'ok' in r.stdout, r.stderr[-3000:]

if __name__ == '__main__':
    test_gpu_toypair_folder_is_reused(); print('ok test_gpu_toypair')
