#!/usr/bin/env bash
# The toy pipeline at the `gpu` preset in one GPU session, on the committed `gpu` pair (the trained default pair, 32
# layers deep: built from the committed default pair in seconds, the same bytes on every host; nothing is trained here
# but the adapters). In order, each step under its own time limit:
#   0. on CUDA, tools/gpu_graph_check.py: B1's rollout replayed from CUDA graphs drafts what the eager one drafts;
#   1. the pair: `xsd_toy --preset gpu --redecode` builds it and decodes the test split on this device (its accuracy here);
#   2. stages 1-4: run_pipeline with the PipelineConfig preset (`gpu`: 1 event image, L4, B1 and E1, 100 benchmark samples);
#   3. the ceiling: xsd_bench with every draft right (`--replay-alpha 1`: B1 drafts as live, its drafts replaced by the
#      verifier's own answer) at γ 4, 8 and 16, beside both baselines: the most draft-then-verify decoding can reach on
#      this pair's answers, whatever the drafter (`bench_ceiling`);
#   4. the pair in bfloat16 on this GPU: xsd_bench --dtype bfloat16 on step 2's adapters (verifier-consistency and
#      agreement with plain decoding, as `reports/reference/toy_bf16_cpu` has them on a CPU).
# Every step prints its true exit status (a step stopped by its time limit says TIMEOUT) and the results (the pair's
# evaluation, stage 2-4 tables, the benchmark's per-sample JSONL and summaries, this log's status lines) are packed into
# OUT/gpu_pipeline.tgz on any exit, a failed or timed-out step included.
# Usage (repository root): tools/gpu_pipeline.sh OUT [PIPELINE_PRESET=gpu] [TIME_LIMIT_S=540]
# A shorter session: SKIP=graph_check,pair,bf16_bench leaves those steps out, and OVERRIDES (JSON) changes fields of the
# preset, e.g. OVERRIDES='{"levels": "B1", "bench_configs": "vl_baseline,hf_generate,B1+VL,B1+VL+tree"}' (B1 and the ceiling).
# A CPU smoke test of the same path: XSD_DATA=/tmp/d XSD_REPORTS=/tmp/r tools/gpu_pipeline.sh /tmp/out tiny
set -uo pipefail
OUT=${1:?usage: tools/gpu_pipeline.sh OUT [PIPELINE_PRESET] [TIME_LIMIT_S]}; PRESET=${2:-gpu}; LIMIT=${3:-540}
PY=${PYTHON:-python3}; T0=$(date +%s); mkdir -p "$OUT"
cd "$(dirname "$0")/.." || exit 1
el() { echo $(( $(date +%s) - T0 )); }
{ read -r TOY; read -r RUNS; read -r WORLD; read -r DATA; read -r REPORTS; read -r NBENCH; } < <($PY -c "
from xmodal_sd.pipeline import PipelineConfig; from xmodal_sd.toypair import ToyPairConfig; from xmodal_sd.core import data_dir, reports_dir
import json, os
c = PipelineConfig.from_name('$PRESET', **json.loads(os.environ.get('OVERRIDES') or '{}'))
print(c.toypair, data_dir('runs', c.toypair), data_dir('toyworld', ToyPairConfig.from_name(c.toypair).world), data_dir(), reports_dir(), c.bench_samples, sep='\n')")
[ -n "$REPORTS" ] || { echo "gpu_pipeline: could not read the presets (exit 1)"; exit 1; }
STATUS=()
pack() {
  echo "[$(el)s] packing results; steps: ${STATUS[*]:-none}"
  printf '%s\n' "${STATUS[@]}" > "$OUT/status.txt"
  mkdir -p "$REPORTS"                                # (none yet when an early step failed: the other files still come back)
  ( cd "$DATA" && find "toypair/$TOY" "runs/$TOY" -maxdepth 5 \( -name '*.json' -o -name '*.csv' -o -name '*.jsonl' \) 2>/dev/null \
      | grep -v '/features/' | tar czf "$OUT/gpu_pipeline.tgz" -T - -C "$REPORTS" . -C "$OUT" status.txt )
}
trap pack EXIT
step() {                                             # step NAME SECONDS COMMAND...: run it, print and record its exit status
  local name=$1 secs=$2 rc; shift 2
  case ",${SKIP:-}," in *",$name,"*) echo "[$(el)s] $name: SKIPPED (SKIP)"; STATUS+=("$name=skipped"); return 0 ;; esac
  [ "$secs" -gt 5 ] || { echo "[$(el)s] $name: SKIPPED (no time left)"; STATUS+=("$name=skipped"); return 1; }
  echo "[$(el)s] == $name (at most ${secs}s)"
  timeout -k 10 "$secs" "$@"; rc=$?
  case $rc in 124|137) echo "[$(el)s] $name: TIMEOUT after ${secs}s (exit $rc)"; STATUS+=("$name=timeout") ;;
              *) echo "[$(el)s] $name: exit $rc"; STATUS+=("$name=$rc") ;; esac
  return $rc
}
left() { echo $(( LIMIT - $(el) - ${1:-0} )); }      # seconds left, keeping $1 for what comes after
CUDA=$($PY -c 'import torch; print(torch.cuda.is_available())')
[ "$CUDA" = True ] && step graph_check 90 $PY tools/gpu_graph_check.py --device cuda
step pair 120 $PY -m xmodal_sd.toypair --preset "$TOY" --redecode || exit 1
step stages_1_4 "$(left 100)" $PY -c "
import json, os
from xmodal_sd.pipeline import PipelineConfig, run_pipeline
run_pipeline(PipelineConfig.from_name('$PRESET', **json.loads(os.environ.get('OVERRIDES') or '{}')), progress=False)"
DEV=$([ "$CUDA" = True ] && echo cuda || echo cpu)
step ceiling "$(left 90)" $PY -m xmodal_sd.bench --pair "$DATA/toypair/$TOY" --adapters "$RUNS/adapters/1f" --data "$WORLD/test" \
    --configs vl_baseline,hf_generate,B1+VL --gammas 4,8,16 --replay-alpha 1 --n "$NBENCH" --device "$DEV" \
    --out "$REPORTS/bench_ceiling_$DEV" --quiet
if [ "$CUDA" = True ]; then
  step bf16_bench "$(left 15)" $PY -m xmodal_sd.bench --pair "$DATA/toypair/$TOY" --adapters "$RUNS/adapters/1f" \
      --data "$WORLD/test" --configs vl_baseline,hf_generate,L4+VL+g2,B1+VL+g2,E1+VL+hide+g2,two_phase:L4+B1+g2 --n 40 --dtype bfloat16 \
      --device cuda --out "$REPORTS/bench_bf16_cuda" --quiet
fi
echo "[$(el)s] gpu_pipeline: done"
