#!/usr/bin/env bash
# Session-2 third GPU call: timings alone on the GPU first (mHC configs, mHC decode, quant with
# CUDA-graph columns), then the cuda test tiers of quant, indexer, mhc and the compile/graph suite
# in parallel bounded processes. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
F="warn|softmax|split the|important use|^$"
timeout 100 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -viE "$F" | tee "$OUT/timings.txt"
timeout 60 python3 benchmarks/mhc_graph_times.py 1 64 2>&1 | grep -viE "$F" | tee -a "$OUT/timings.txt"
timeout 170 python3 -m opdispatch bench per_token_group_quant_fp8 silu_mul_per_token_group_quant_fp8 scaled_fp8_quant \
    --out /tmp/bq 2>&1 | grep -v "^wrote\|^env" | grep -viE "$F" | tee -a "$OUT/timings.txt"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout 230 $PT tests/quant > "$OUT/t_quant.txt" 2>&1 ) &
( timeout 230 $PT tests/indexer > "$OUT/t_indexer.txt" 2>&1 ) &
( timeout 230 $PT tests/mhc > "$OUT/t_mhc.txt" 2>&1 ) &
( timeout 230 $PT tests/compile_graph > "$OUT/t_cg.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed" "$f" | tail -8; done
