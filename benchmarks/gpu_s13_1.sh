#!/usr/bin/env bash
# Session 13, call 1: mhc_pre / hc_head at T=8192 with the weighted sum of each item's own tile
# (own) and parallel finishers (fin_par), against the default; each new config is also checked
# bit for bit against its twin without the waits.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
MHC_DIAG_CONFIGS=own-s256-fp4,own-s128-fp4,dflt8192,own-s512-fp4,own-s1024,own-s256,own-s128-fp8,lag-s128-fp4,own-s512,lag-s1024-fp4 \
  timeout 560 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
