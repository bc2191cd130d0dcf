#!/usr/bin/env bash
# Stage 2 on a GPU: L6 with a 4-bit (QLoRA) and a full-precision base, same features, same epochs (06_train).
# Needs CUDA, bitsandbytes and peft. Usage, from the repository root: OUT=/some/folder bash tools/gpu_qlora.sh
OUT=${OUT:?set OUT to a folder for qlora.tgz}
set -x
export XSD_DATA=/tmp/qd
W=/tmp/qd/toyworld/default
python3 -c "from xmodal_sd.toyworld import *; generate_toyworld('$W', ToyWorldConfig.from_name('default'), progress=False, workers=2)"
python3 -c "import bitsandbytes, peft; print('bitsandbytes', bitsandbytes.__version__, 'peft', peft.__version__)"
python3 -m xmodal_sd.extract --split train --limit 900 --max-new-tokens 24 --batch-size 64 --out /tmp/qf/train --root $W --device cuda --quiet
python3 -m xmodal_sd.extract --split test --limit 150 --max-new-tokens 24 --batch-size 64 --out /tmp/qf/val --root $W --device cuda --quiet
for q in 4bit none; do
  python3 -m xmodal_sd.train --level L6 --train /tmp/qf/train --val /tmp/qf/val --out /tmp/qr/$q --quant $q --device cuda --quiet
  python3 - $q <<'PY'
import sys, json; from pathlib import Path
d = Path('/tmp/qr')/sys.argv[1]; t = json.loads((d/'train.json').read_text()) if (d/'train.json').exists() else {}
print(sys.argv[1], {k: v for k, v in t.items() if k not in ('config', 'history', 'curves')})
PY
done
cd /tmp/qr && tar czf $OUT/qlora.tgz --exclude='*.safetensors' --exclude='last_state.pt' . ; ls -R /tmp/qr | head -30
