#!/usr/bin/env bash
# Session 8, call 18: the sample path for 1-8 long rows (decode 1x / 8x 131072, v2 today),
# with 64 slices or fewer (split_waves 1 / 0.5), through the decode op. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v14 --extra --only-extra v14_rm,v14_rm_w1,v14_rm_w05 \
  --cases 3,4,0 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 100 python3 -m opdispatch.benchmarks.topk_tune --configs v14 --extra --only-extra v14_rm,v14_rm_w1,v14_rm_w05 \
  --cases 3,4 --data smooth 2>&1 | grep -v -i warn | tee "$OUT/tune_smooth.txt"
