#!/usr/bin/env bash
# Session 10, call 4: per-kernel times of the top-k cases on the v19 default (profiler kernel
# records), to see which launch holds the decode time. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
{
  for c in "top_k_per_row_decode|64x131072" "top_k_per_row_decode|1x131072" "top_k_per_row_decode|8x131072" \
           "top_k_per_row_decode|512x131072" "top_k_per_row_prefill|4096x32768" "top_k_per_row_prefill|4096x4096"; do
    IFS='|' read -r op label <<< "$c"
    timeout 120 python3 benchmarks/kernel_breakdown.py "$op" "$label" --iters 30 --top 8 2>&1 | grep -v -E "USDT|warn"
  done
} | tee "$OUT/breakdown.txt"
