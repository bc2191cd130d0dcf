#!/usr/bin/env bash
# Keep the result files of a `make main` run as the committed reference (reports/reference/cpu_main), in the run
# folder's own layout so `run_summary` reads them: the run record, stage 2 summaries, stage 3 and 4 summaries, the
# reports' list and headline, each level's agreement per question type (eval/<n>f/qtypes.json), E1's phase 1 and the heads'
# token trees (phase1.json, tree.json), and run.json (commit,
# machine, wall time from the log of `time make main`).
# Usage (repository root): tools/save_main_reference.sh CLONE LOG [RUN=default]
set -euo pipefail
CLONE=${1:?usage: tools/save_main_reference.sh CLONE LOG [RUN]}; LOG=${2:?log of time make main}; RUN=${3:-default}
OUT=reports/reference/cpu_main; SRC=$CLONE/data/runs/$RUN; REP=$CLONE/reports/$RUN
[ -f "$SRC/pipeline.json" ] || { echo "error: $SRC/pipeline.json not found: not a finished run" >&2; exit 1; }
KEEP=$(cat "$OUT/README.md" 2>/dev/null || true)     # the folder's README stays
rm -rf "$OUT"; mkdir -p "$OUT"; [ -n "$KEEP" ] && printf '%s\n' "$KEEP" > "$OUT/README.md"
cp "$SRC/pipeline.json" "$REP/reports.json" "$REP/headline.csv" "$OUT/"
cp "$CLONE/reports/toypair_$(python3 -c "import json; print(json.load(open('$SRC/pipeline.json'))['config']['toypair'])").json" "$OUT/toypair.json"
( cd "$SRC" && find adapters -name train.json; find eval bench -maxdepth 2 \( -name 'summary.json' -o -name 'summary.csv' -o -name 'costs.json' -o -name 'samples.jsonl' \) ) \
  | while read -r f; do mkdir -p "$OUT/$(dirname "$f")"; cp "$SRC/$f" "$OUT/$f"; done
for d in "$SRC"/eval/*/; do   # each level's token agreement per question type (B1 against E1, in 12_main)
  python3 - "$d" "$OUT/eval/$(basename "$d")/qtypes.json" <<'PY'
import json, sys
from pathlib import Path
src, out = Path(sys.argv[1]), Path(sys.argv[2])
q = {}
for f in sorted(src.glob('*.json')):
    r = json.loads(f.read_text())
    if isinstance(r, dict) and 'qtypes' in r and 'level' in r:
        q[r['name']] = {k: dict(token_agreement=v['token_agreement'], n_positions=v['n_positions']) for k, v in r['qtypes'].items()}
out.parent.mkdir(parents=True, exist_ok=True); out.write_text(json.dumps(q, indent=1) + '\n')
p1 = {r['name']: {k: v for k, v in r['phase1'].items() if k != 'hist'} for f in sorted(src.glob('*.json'))   # E1's phase 1
      for r in [json.loads(f.read_text())] if isinstance(r, dict) and 'phase1' in r}
(out.parent/'phase1.json').write_text(json.dumps(p1, indent=1) + '\n')
tr = {r['name']: r['tree'] for f in sorted(src.glob('*.json')) for r in [json.loads(f.read_text())] if isinstance(r, dict) and 'tree' in r}
(out.parent/'tree.json').write_text(json.dumps(tr, indent=1) + '\n')   # the heads' simulated token trees
PY
done
WALL=$(awk '/^real/ {split($2, a, /[ms]/); print a[1] * 60 + a[2]}' "$LOG" | tail -1)
python3 - "$OUT/run.json" "$(git -C "$CLONE" rev-parse --short HEAD)" "$WALL" <<'PY'
import json, os, platform, sys
out, commit, wall = sys.argv[1], sys.argv[2], float(sys.argv[3])
json.dump(dict(commit=commit, command='make main', wall_s=wall, machine=f"{platform.machine()}, {os.cpu_count()} CPU cores"),
          open(out, 'w'), indent=1)
PY
echo "kept $(find "$OUT" -type f | wc -l) files in $OUT"
