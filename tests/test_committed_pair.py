"""The committed toy pair (data/pretrained/toypair-default) reproduces the answers recorded with it.

`evaluation.json` holds every greedy answer the pair gave on the default world's test split when it was made.
Test clips depend only on (seed, split, index), so a world with the first 30 test clips (and no training clips)
holds the same clips; the pair, loaded through the real loaders, must give the same answers on them (a few may
differ on another CPU's float kernels: at most 3%), and the same accuracy within 3 points.

The committed `gpu` card (data/pretrained/toypair-gpu: no weights) is built from the default pair by block expansion:
the build must give the weights its card records (`expand_pair` raises otherwise), be the config the card says (32
layers), and answer the first 12 of those test questions exactly as its card records them."""
import json, os, shutil, sys, tempfile
from pathlib import Path
os.environ['XSD_DATA'] = tempfile.mkdtemp()
import torch; torch.set_num_threads(1)
from xmodal_sd.toyworld import ToyWorldConfig, generate_toyworld
from xmodal_sd.toypair import PRETRAINED, ToyPairConfig, load_toypair, load_memory, evaluate, regrade, expand_pair
from xmodal_sd.core import data_dir
from xmodal_sd.models import DrafterRole
from xmodal_sd.data import SampleSet

pair = PRETRAINED/'toypair-default'
rec = json.loads((pair/'evaluation.json').read_text())
cfg = ToyPairConfig.from_name('default')
assert rec['key']['config_hash'] == cfg.hash(), "evaluation.json was made with another recipe than the default"
wc = ToyWorldConfig.from_name(cfg.world).replace(n_train=0, n_test=30)
root = generate_toyworld(Path(os.environ['XSD_DATA'])/'world', wc, progress=False, workers=1)
test = load_memory(SampleSet(root, 'test'), 8, (1, 5), progress=False)
v, d, _ = load_toypair(pair)
roles = dict(verifier=v, drafter=d, drafter_5f=DrafterRole(d.model, d.tokenizer, event_frames=5))
ok = True
for name, role in roles.items():
    now = evaluate(role, test, cfg.max_answer_tokens, progress=False)
    then = regrade(test, rec['predictions'][name])
    same = (now['pred'].values == then['pred'].values).mean()
    acc_now, acc_then = now['correct'].mean() * 100, then['correct'].mean() * 100
    good = same >= 0.97 and abs(acc_now - acc_then) <= 3
    ok &= good
    print(f"{'ok ' if good else 'BAD'} {name}: {same:.1%} of {len(test)} answers identical; accuracy {acc_now:.1f}% now, {acc_then:.1f}% recorded")

gcfg, gp = ToyPairConfig.from_name('gpu'), data_dir('toypair', 'gpu')
shutil.copytree(PRETRAINED/'toypair-gpu', gp)
card = json.loads((gp/'toypair.json').read_text())
assert card['config'] == gcfg.to_dict(), "the gpu card was made with another config than the gpu preset"
expand_pair(gcfg, gp, card, log=print)                 # raises where the built weights differ from the card's
gv, gd, _ = load_toypair(gp)
assert gv.model.config.text_config.num_hidden_layers == gd.model.config.num_hidden_layers == 32
grec = json.loads((gp/'evaluation.json').read_text())['predictions']
for name, role in dict(verifier=gv, drafter=gd).items():
    now = evaluate(role, test[:12], cfg.max_answer_tokens, progress=False)
    same = (now['pred'].values == [grec[name][i] for i in now['id']]).mean()
    good = same == 1
    ok &= good
    print(f"{'ok ' if good else 'BAD'} gpu {name}: {same:.0%} of 12 answers as its card records")
sys.exit(0 if ok else 1)
