#!/usr/bin/env bash
# Prepared at the end of session 7 (not run yet). First the topk and indexer cuda tiers: session
# 7's review commit (helpers _select_row, _hit_rows, _fill_neg_rows; the sample threshold via
# _search_bits) ran in the interpreter only, the device budget being spent. Then where top-k's
# time goes under v10, per kernel
# (the issue's cases; the v9/v10 sample path launches threshold, compaction and finish only),
# and register mode's phases at k=512 and 2048, so session 8 starts from measurements (next
# steps: docs/ops/topk.md, "Left"). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 420 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk tests/indexer \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_cuda.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cuda.txt" | tail -15
{
  for c in "top_k_per_row_decode|64x131072" "top_k_per_row_decode|1x131072" "top_k_per_row_decode|8x131072" \
           "top_k_per_row_decode|512x131072" "top_k_per_row_prefill|4096x32768" "top_k_per_row_prefill|4096x4096"; do
    IFS='|' read -r op label <<< "$c"
    timeout 120 python3 benchmarks/kernel_breakdown.py "$op" "$label" --iters 30 --top 8 2>&1 | grep -v -E "USDT|warn"
  done
  timeout 120 python3 benchmarks/topk_reg_diag.py 4096 4096 2048 2>&1 | grep -v -i warn
} | tee "$OUT/breakdown.txt"
