#!/usr/bin/env bash
# The whole toy pipeline at the `gpu` preset in one GPU session. Nothing persists between sessions on a lent GPU and the
# gpu-preset pair (2 x 58M parameters) is too large to carry in or out, so everything runs here in order:
#   0. on CUDA, tools/gpu_graph_check.py: B1's rollout replayed from CUDA graphs drafts what the eager one drafts;
#   1. the world and the pair: tools/gpu_toypair.py (both roles at once, one process each);
#   2. stages 1-4: run_pipeline with the PipelineConfig preset (`gpu`: 1 event image, L4 and B1, benchmark on CUDA);
#   3. the results (pair evaluation, stage 2-4 tables, the benchmark's per-sample JSONL and summaries) are packed into
#      OUT/gpu_pipeline.tgz, also when step 2 hits the time limit (the finished stages are in it).
# Usage (repository root): tools/gpu_pipeline.sh OUT [PIPELINE_PRESET=gpu] [TIME_LIMIT_S=540]
# A CPU smoke test of the same path: XSD_DATA=/tmp/d XSD_REPORTS=/tmp/r tools/gpu_pipeline.sh /tmp/out tiny
set -uo pipefail
OUT=${1:?usage: tools/gpu_pipeline.sh OUT [PIPELINE_PRESET] [TIME_LIMIT_S]}; PRESET=${2:-gpu}; LIMIT=${3:-540}
PY=${PYTHON:-python3}; T0=$(date +%s); mkdir -p "$OUT"
{ read -r TOY; read -r DATA; read -r REPORTS; } < <($PY -c "from xmodal_sd.pipeline import PipelineConfig; from xmodal_sd.core import data_dir, reports_dir
print(PipelineConfig.from_name('$PRESET').toypair, data_dir(), reports_dir(), sep='\n')")
[ -n "$REPORTS" ] || exit 1
pack() {
  echo "[$(( $(date +%s) - T0 ))s] packing results"
  mkdir -p "$REPORTS"                                # (none yet when the pair step failed: its files still come back)
  ( cd "$DATA" && find "toypair/$TOY" "runs/$TOY" -maxdepth 4 \( -name '*.json' -o -name '*.csv' -o -name '*.jsonl' \) 2>/dev/null \
      | grep -v '/features/' | tar czf "$OUT/gpu_pipeline.tgz" -T - -C "$REPORTS" . )
}
trap pack EXIT
if [ "$($PY -c 'import torch; print(torch.cuda.is_available())')" = True ]; then   # B1's graphed rollout first (~20 s)
  $PY tools/gpu_graph_check.py --device cuda || exit 1
fi
if [ ! -f "$DATA/toypair/$TOY/toypair.json" ]; then
  timeout $(( LIMIT - 200 )) $PY tools/gpu_toypair.py --preset "$TOY" || exit 1
fi
echo "[$(( $(date +%s) - T0 ))s] pair ready; stages 1-4"
timeout $(( LIMIT - ($(date +%s) - T0) )) $PY -c "
from xmodal_sd.pipeline import run_pipeline
run_pipeline('$PRESET', progress=False)"
echo "[$(( $(date +%s) - T0 ))s] pipeline exit $?"
