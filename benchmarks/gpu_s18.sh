#!/usr/bin/env bash
# Session 5, second call: the two-launch decode schedule for mhc_pre / hc_head against the
# one-launch configs, T = 1 to 1024 (compiled references: first call). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DEC_COMPILED=0 timeout 400 python3 benchmarks/mhc_decode_diag.py 1 4 16 64 256 1024 2>&1 | grep -v -i warn | tee "$OUT/dec_diag2.txt"
