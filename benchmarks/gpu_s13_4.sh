#!/usr/bin/env bash
# Session 13, call 4: (1) mHC at T=8192 with the finishers publishing pre before post and the
# Sinkhorn (early_flag), in the default schedule and the own-tile one; (2) top-k PDL on one
# launch boundary at a time (v22_4: the finish only, v22_5: the compaction only) against v21_a
# and v22_1, on the decode cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=dflt8192,dflt8192-ef,own-s256-fp4-ef,own-s512-fp4-ef,own-s256-fp8-ef,own-s128-fp8-ef,own-s1024-ef,own-s256-fp4-ef-w8 \
  timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
timeout 250 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v22_1,v22_4,v22_5 --cases 0,1,3,4 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
