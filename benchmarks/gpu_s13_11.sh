#!/usr/bin/env bash
# Session 13, call 11: the T >= 4096 mHC default after unrolling its weighted-sum steps again
# (the publisher's hand-over items keep a loop): diag timings and the public ops at T=8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3,dflt8192,own-s256-fp8-ef-st3-sp1 \
  timeout 200 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag8192.txt"
MHC_TIMES_COMPILED=0 timeout 100 python3 benchmarks/mhc_graph_times.py 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
