#!/usr/bin/env bash
# Session 13, call 6: mHC at T=8192 with the stream tiles held in registers for each item's
# own weighted sum (hold: the streams read once), against the default and own-s256-fp8-ef;
# each checked bit for bit against its twin without the waits (the lag schedule).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=hold-s128-w8-fp8,hold-s64-w4-fp8,hold-s128-w8-fp16,hold-s128-w4-fp8,hold-bt32-s256-w8-fp4,dflt8192,own-s256-fp8-ef \
  timeout 400 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
