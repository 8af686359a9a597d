#!/usr/bin/env bash
# First run in session 6 (gpu_s6_3.sh; docs/benchmarks.md): per-kernel GPU time of the calls whose targets are missed
# (top-k's decode and prefill cases, mHC at T=1 and T=8192, the indexer's prefill logits), so
# the next change goes to the launch that costs. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
{
  for c in "top_k_per_row_decode|64x131072" "top_k_per_row_decode|1x131072" "top_k_per_row_decode|8x131072" \
           "top_k_per_row_decode|512x131072" "top_k_per_row_prefill|4096x32768" "top_k_per_row_prefill|4096x4096" \
           "mhc_pre|T=1 n=4" "hc_head|T=1 n=4" "mhc_pre|T=8192 n=4 H=7168" "fp8_mqa_logits|S=1024 H=64 D=128 N=16384 full"; do
    IFS='|' read -r op label <<< "$c"
    timeout 120 python3 benchmarks/kernel_breakdown.py "$op" "$label" --iters 30 --top 8 2>&1 | grep -v -E "USDT|warn"
  done
} | tee "$OUT/breakdown.txt"
