#!/usr/bin/env bash
# Session 7, third call: register mode (rows of <= 4096 columns) with register caps and the
# two-level select (atomic bucket slots; 12 / 14 / 16 bits searched first), on 4096x4096 and
# the sweep's 4096-column shapes.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 540 python3 -m opdispatch.benchmarks.topk_tune --configs v7 --extra --cases 6 --sweep \
  --max-cols 4096 \
  --only-extra v7_n96,v7_n80,v7_n72,v7_2l12_n80,v7_2l14_n80,v7_2l16_n80,v7_2l12_n96,v7_2l12_n72,v7_2l12s32_n80 \
  2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
