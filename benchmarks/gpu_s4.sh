#!/usr/bin/env bash
# Session-2 last GPU call: a few mHC configs and the rope-quant default through the public call,
# alone on the GPU; then the cuda tiers of mhc + fused and the whole compile/graph suite in
# parallel bounded processes. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
F="warn|softmax|split the|important use|^$"
timeout 100 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -viE "$F" | tee "$OUT/timings.txt"
timeout 60 python3 -m opdispatch bench fused_inv_rope_fp8_quant fused_mtp_input_rmsnorm --label T=8192 --no-compile \
    --out /tmp/bf 2>&1 | grep -v "^wrote\|^env" | grep -viE "$F" | tee -a "$OUT/timings.txt"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout 270 $PT tests/mhc tests/fused > "$OUT/t_mhc_fused.txt" 2>&1 ) &
( timeout 270 $PT tests/compile_graph > "$OUT/t_cg.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed" "$f" | tail -8; done
