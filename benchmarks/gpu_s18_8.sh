#!/usr/bin/env bash
# Session 18, call 8: config neighbours of the new mHC default at T=8192 (one finisher, 512-wide
# splits, 2 stages, 64-wide GEMM steps), mainly for hc_head, whose finisher has no Sinkhorn;
# 3 alternations, bit for bit against the library kernel where the add order is the same.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/mhc_src_trial.py 3 8192 base base@fin_par=1,fin_t=64,fin_s=4 base@split_h=512 \
  base@num_stages=2 base@block_h=64 base@split_h=512,fin_par=4,fin_t=16,fin_s=16 2>&1 | grep -v -i warn | tee "$OUT/src_trial.txt"
