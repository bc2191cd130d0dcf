#!/usr/bin/env bash
# Stage 4 on a GPU: the wall-clock benchmark of every configuration with the trained GPU toy pair.
# Run from the repository root on the GPU box after stages 1-2 at the gpu preset, i.e. after
#   xsd_toy --preset gpu                                     (-> data/toypair/gpu: the default pair, 32 layers deep)
#   stage 1 + stage 2 on that pair                           (-> a runs folder with <level>/best.safetensors, L6/drafter/)
# Usage: tools/gpu_bench.sh RUNS_FOLDER [OUT_FOLDER] [extra xsd_bench flags...]
# Without trained adapters, a random pair times the engine (acceptance meaningless):
#   python tools/random_pair.py --preset gpu --out /tmp/rp
#   xsd_bench --configs all --pair /tmp/rp/pair --adapters /tmp/rp/runs --data /tmp/rp/data/test --preset gpu --n 20
set -euo pipefail
RUNS=${1:?usage: tools/gpu_bench.sh RUNS_FOLDER [OUT_FOLDER] [xsd_bench flags...]}
OUT=${2:-reports/bench/gpu}
shift $(( $# >= 2 ? 2 : 1 ))
BENCH=(xsd_bench); command -v xsd_bench >/dev/null || BENCH=(python -m xmodal_sd.bench)
# 1. every configuration (baselines, L1-L6 with and without prefill hiding, B1, L5F, two-phase), gamma 4
"${BENCH[@]}" --configs all --pair data/toypair/gpu --adapters "$RUNS" --preset gpu --out "$OUT/all" "$@"
# 2. a gamma sweep of the two-phase and L4 configurations, and the adaptive rules
"${BENCH[@]}" --configs vl_baseline,hf_generate,two_phase:L4+B1,two_phase:L6+B1,L4+VL+hide --gammas 1,2,4,6,8 \
    --pair data/toypair/gpu --adapters "$RUNS" --preset gpu --n 100 --out "$OUT/gamma" "$@"
"${BENCH[@]}" --configs vl_baseline,hf_generate,two_phase:L4+B1+ada,two_phase:L4+B1+model,two_phase:L4+B1 \
    --pair data/toypair/gpu --adapters "$RUNS" --preset gpu --n 100 --out "$OUT/adaptive" "$@"
