#!/usr/bin/env bash
# Session-3 fourth GPU call: top-k v5 (per-row sample threshold for rows of many slices) and
# register mode with fewer warps: registers, the cases, the full sweep of v5; then, in
# parallel, the top-k tier, the indexer tier and the compile/graph tests of top-k, indexer and
# rope with $TOPK_TEST_CONFIG as the top-k default, and the fused tier. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
export TOPK_TEST_CONFIG=${TOPK_TEST_CONFIG:-v5}
timeout 40 python3 benchmarks/topk_reg_diag.py 64 128 2>&1 | grep -vi warn | grep "cols=  4096" | tee "$OUT/reg_diag.txt"
timeout 90 python3 -m opdispatch.benchmarks.topk_tune --configs default,v4,v5,v4_w2,v4_w1 2>&1 \
    | grep -viE "warn" | tee "$OUT/cases.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --sweep --cases 0 --configs v5 \
    --out "$OUT/sweep" 2>&1 | grep -viE "warn" | tee "$OUT/sweep.txt"
PT="python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q -p benchmarks.pytest_topk_sample"
( timeout 300 $PT tests/topk > "$OUT/t_topk.txt" 2>&1 ) &
( timeout 300 $PT tests/indexer > "$OUT/t_indexer.txt" 2>&1 ) &
( timeout 300 $PT tests/compile_graph -k "top_k or indexer or rope" > "$OUT/t_cg.txt" 2>&1 ) &
( timeout 300 $PT tests/fused > "$OUT/t_fused.txt" 2>&1 ) &
wait
for f in "$OUT"/t_*.txt; do echo "== $f"; grep -E "^(FAILED|ERROR)|passed|failed|error" "$f" | tail -12; tail -c 200 "$f"; echo; done
rm -f "$OUT/sweep/sweep.png"
