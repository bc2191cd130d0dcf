#!/usr/bin/env python
"""Bad input to every CLI, table-driven: each case must end with exit code 2 and one `error:` line that names the
field or file, never a traceback. Cases are picked to fail before any heavy work (a few seconds each, CPU)."""
import json, os, subprocess, sys, tempfile
from pathlib import Path
from xmodal_sd.data import write_example_dataset, write_original_layout, INDEX_FILE

tmp = Path(tempfile.mkdtemp(prefix='xsd_bad_'))
ex = write_example_dataset(tmp/'ds'/'test', n=2, size=32)
empty = tmp/'empty'/'test'; empty.mkdir(parents=True); (empty/INDEX_FILE).write_text('[]')
orig = write_original_layout(tmp/'orig'/'test', n=1, mp4_only=())
env = dict(os.environ, XSD_DATA=str(tmp/'data'), XSD_REPORTS=str(tmp/'reports'), OMP_NUM_THREADS='1')
BIN = Path(sys.executable).parent

CASES = [   # (command, arguments, what the error line must say)
    ('xsd_extract', ['--frames', '5f'], "event frames must be 1, 5 or '5first'"),
    ('xsd_extract', ['--limit', '-5'], 'limit must be >= 0'),
    ('xsd_extract', ['--quant', '4bit', '--device', 'cpu'], 'needs CUDA'),
    ('xsd_extract', ['--root', str(empty.parent), '--split', 'test'], "the split's index is empty"),
    ('xsd_extract', ['--root', str(orig.parent), '--split', 'test'], 'have an empty question'),
    ('xsd_extract', ['--root', str(orig.parent), '--split', 'test', '--questions', str(tmp/'none.json')], 'questions file not found'),
    ('xsd_bench', ['--data', str(ex), '--gammas', '2,a'], 'field=gammas'),
    ('xsd_bench', ['--data', str(ex), '--n', '0'], 'field=n'),
    ('xsd_bench', ['--data', str(empty)], 'has no samples'),
    ('xsd_bench', ['--data', str(ex), '--configs', 'vl_baseline,L4+VL+g0'], 'drafts nothing'),
    ('xsd_bench', ['--verifier', str(tmp/'v')], 'needs verifier=, drafter= and data='),
    ('xsd_train', ['--train', 'a', '--val', 'b', '--out', str(tmp/'o'), '--extra', '{dropout: high}'], '--extra is not JSON'),
    ('xsd_toy', ['--threads', '-3'], 'threads must be >= 0'),
    ('xsd_main', ['--frames', 'abc'], "event frames must be 1, 5 or '5first'"),
    ('xsd_main', ['--verifier', str(tmp/'v')], 'a real run needs verifier=, drafter= and the data'),
    ('xsd_main', ['--verifier', 'v', '--drafter', 'd', '--dataset', str(tmp/'ds'), '--quant', '4bit', '--device', 'cpu'], 'needs CUDA'),
    ('xsd_report', ['--run', str(tmp/'nowhere')], 'no pipeline run here'),
    ('xsd_report', ['--run', str(tmp), '--levels', 'L9'], "unknown level(s) ['L9']"),
]

failed = []
for cmd, args, want in CASES:
    r = subprocess.run([str(BIN/cmd), *args], env=env, capture_output=True, text=True, timeout=300)
    ok = r.returncode == 2 and f'{cmd}: error:' in r.stderr and want in r.stderr and 'Traceback' not in r.stderr
    print(f"{'ok  ' if ok else 'FAIL'} {cmd} {' '.join(args)[:70]}" + ('' if ok else f"\n     exit {r.returncode}: {r.stderr.strip()[-400:]}"))
    if not ok: failed.append(cmd)
assert not failed, f"{len(failed)} of {len(CASES)} bad-input cases did not end in one clear error line"
print(f"bad inputs: {len(CASES)} cases, each one clear error line")
