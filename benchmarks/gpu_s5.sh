#!/usr/bin/env bash
# Session-3 first GPU call: every cuda tier in parallel bounded processes (verifies the changes
# made after session 2's last run; top-k with the v3 `sample` config as the default), then, alone
# on the GPU, the quant decode bench and the top-k rows x cols x k sweep. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
TEST_S=${TEST_S:-300}
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q"
( timeout $TEST_S $PT tests/quant tests/core > "$OUT/t_quant.txt" 2>&1 ) &
( timeout $TEST_S $PT tests/mhc tests/fused > "$OUT/t_mhc_fused.txt" 2>&1 ) &
( timeout $TEST_S $PT tests/compile_graph > "$OUT/t_cg.txt" 2>&1 ) &
( timeout $TEST_S $PT tests/indexer > "$OUT/t_indexer.txt" 2>&1 ) &
( timeout $TEST_S $PT -p benchmarks.pytest_topk_sample tests/topk > "$OUT/t_topk_sample.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed|error" "$f" | tail -12; done
[ "${SKIP_TIMING:-0}" = 1 ] && exit 0
timeout 60 python3 -m opdispatch bench scaled_fp8_quant --label "x7168" --out "$OUT/bq" 2>&1 \
    | grep -v "^wrote\|^env" | tee "$OUT/quant_decode.txt"
timeout 220 python3 -m opdispatch.benchmarks.topk_tune --sweep --configs default,sample --cases 0 \
    --out "$OUT/sweep" 2>&1 | grep -viE "warn" | tee "$OUT/sweep.txt"
