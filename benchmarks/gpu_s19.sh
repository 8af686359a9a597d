#!/usr/bin/env bash
# Session 5, third call: two-launch configs with the tree finisher (one token per chunk at
# T <= 2; middle sizes with 64-token tiles), T = 1 to 4096. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DEC_COMPILED_TS=2,256,1024 timeout 480 python3 benchmarks/mhc_decode_diag.py 1 2 16 64 256 1024 2048 4096 2>&1 | grep -v -i warn | tee "$OUT/dec_diag3.txt"
