#!/usr/bin/env bash
# Session 7: the sample path without the v2 fallback launches (row_fallback) and with the
# sample threshold 2 bits per step (threshold_bits=2), on the cases, then the topk
# interp-style correctness of those configs on the GPU (every tuning config, ragged kinds).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m opdispatch.benchmarks.topk_tune --configs v8 --extra \
  --only-extra v8_fb,v8_tb2,v8_fb_tb2 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
