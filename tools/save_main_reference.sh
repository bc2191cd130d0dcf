#!/usr/bin/env bash
# Keep the result files of a `make main` run as the committed reference (reports/reference/cpu_main), in the run
# folder's own layout so `run_summary` reads them: the run record, stage 2 summaries, stage 3 and 4 summaries, the
# reports' list and headline, stage 3's digests (eval/<n>f/qtypes.json, phase1.json, tree.json, live.json), and run.json
# (commit, machine, wall time from the log of `time make main`).
# Usage (repository root): tools/save_main_reference.sh CLONE LOG [RUN=default]
set -euo pipefail
CLONE=${1:?usage: tools/save_main_reference.sh CLONE LOG [RUN]}; LOG=${2:?log of time make main}; RUN=${3:-default}
OUT=reports/reference/cpu_main; SRC=$CLONE/data/runs/$RUN; REP=$CLONE/reports/$RUN
[ -f "$SRC/pipeline.json" ] || { echo "error: $SRC/pipeline.json not found: not a finished run" >&2; exit 1; }
KEEP=$(cat "$OUT/README.md" 2>/dev/null || true)     # the folder's README stays
rm -rf "$OUT"; mkdir -p "$OUT"; [ -n "$KEEP" ] && printf '%s\n' "$KEEP" > "$OUT/README.md"
cp "$SRC/pipeline.json" "$REP/reports.json" "$REP/headline.csv" "$OUT/"
cp "$CLONE/reports/toypair_$(python3 -c "import json; print(json.load(open('$SRC/pipeline.json'))['config']['toypair'])").json" "$OUT/toypair.json"
( cd "$SRC" && find adapters -name train.json; find eval bench -maxdepth 2 \( -name 'summary.json' -o -name 'summary.csv' -o -name 'costs.json' \
    -o -name 'samples.jsonl' -o -name 'qtypes.json' -o -name 'phase1.json' -o -name 'tree.json' -o -name 'live.json' \) ) \
  | while read -r f; do mkdir -p "$OUT/$(dirname "$f")"; cp "$SRC/$f" "$OUT/$f"; done
WALL=$(awk '/^real/ {split($2, a, /[ms]/); print a[1] * 60 + a[2]}' "$LOG" | tail -1)
python3 - "$OUT/run.json" "$(git -C "$CLONE" rev-parse --short HEAD)" "$WALL" <<'PY'
import json, os, platform, sys
out, commit, wall = sys.argv[1], sys.argv[2], float(sys.argv[3])
json.dump(dict(commit=commit, command='make main', wall_s=wall, machine=f"{platform.machine()}, {os.cpu_count()} CPU cores"),
          open(out, 'w'), indent=1)
PY
echo "kept $(find "$OUT" -type f | wc -l) files in $OUT"
