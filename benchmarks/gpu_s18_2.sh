#!/usr/bin/env bash
# Session 18, call 2: cache-policy variants of the mHC pre kernel at T=8192 (default config),
# alternated 3 times, each checked bit for bit against the library kernel.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 500 python3 benchmarks/mhc_src_trial.py 3 8192 base out_ef out_cs fn_el out_ef_fn_el gemm_normal 2>&1 \
  | grep -v -i warn | tee "$OUT/src_trial.txt"
