#!/usr/bin/env bash
# tools/gpu_realscale.py on the GPU box in one command: the 7B pair's shape-dependent numbers (memory, costs, prefill
# window, stage 1 throughput) with random weights. bitsandbytes comes as a carried wheel in .whl/ (no internet there).
# Usage (repository root): tools/gpu_realscale.sh OUT [TIME_LIMIT_S=540] [extra gpu_realscale.py flags...]
# Prints the tool's exit status; a run stopped at TIME_LIMIT_S says TIMEOUT (what finished is in OUT already).
OUT=${1:?usage: tools/gpu_realscale.sh OUT [TIME_LIMIT_S] [flags...]}; LIMIT=${2:-540}; shift $(( $# >= 2 ? 2 : 1 ))
PY=${PYTHON:-python3}; T0=$(date +%s)
cd "$(dirname "$0")/.." || exit 1
if compgen -G '.whl/*.whl' >/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH=/tmp/site${PYTHONPATH:+:$PYTHONPATH}
  echo "[$(( $(date +%s) - T0 ))s] wheels installed: $(ls .whl)"
fi
LEFT=$(( LIMIT - ($(date +%s) - T0) ))
mkdir -p "$OUT"
# the tool plans for LEFT - 30 s (a load or a batch cannot be cut short); timeout stops it at LEFT: SIGTERM, SIGKILL 10 s later
timeout -k 10 "$LEFT" "$PY" tools/gpu_realscale.py "$OUT" --time-limit $(( LEFT - 30 )) "$@"
RC=$?
case $RC in
  124|137) echo "gpu_realscale: TIMEOUT after ${LIMIT}s (exit $RC); the finished sections are in $OUT" ;;
  *) echo "gpu_realscale: exit $RC" ;;
esac
exit $RC
