#!/usr/bin/env bash
# Session 6, third call: per-kernel GPU time of the calls whose targets are missed
# (gpu_next_breakdown.sh), then the fused post+pre under the two-launch configs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
OUT=$OUT timeout 420 bash benchmarks/gpu_next_breakdown.sh > /dev/null 2>&1
tail -c 9000 "$OUT/breakdown.txt"
MHC_DEC_COMPILED=0 MHC_DEC_VARIANTS=fused MHC_DEC_TRIALS=default,2L-s64-bh32-ft1-fs128,2L-s128-bh32-fs16,2L-s256-bh32-fs8,2L-bt64-s512-bh64-ft16 \
  timeout 140 python3 benchmarks/mhc_decode_diag.py 1 2 16 64 256 1024 2>&1 | grep -v -i warn > "$OUT/dec_fused.txt"
tail -c 2500 "$OUT/dec_fused.txt"
