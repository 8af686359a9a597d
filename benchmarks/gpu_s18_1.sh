#!/usr/bin/env bash
# Session 18, call 1 (trial, reverted): mHC at T=8192 with an L2 prefetch of the item `prefetch`
# tickets ahead (a PreConfig.prefetch knob that existed only for this call: prefetch.global.L2 of
# every 128-byte line of that item's stream slice), against the default (own-s256-fp8-ef-st3), at 2
# and 1 programs per SM. It lost at every distance (docs/benchmarks.md, session 18); the configs
# named here are gone.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv
C=own-s256-fp8-ef-st3
for d in 28 56 132 264; do C=$C,own-s256-fp8-ef-st3-pf$d; done
C=$C,own-s256-fp8-ef-st4,own-s256-fp8-ef-st4-pf132,own-s256-fp8-ef-st4-pf264,own-s256-fp8-ef-st4-pf56
MHC_DIAG_CONFIGS=$C timeout 500 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag8192.txt"
echo "== the default again (drift)"
MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3 timeout 90 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee -a "$OUT/diag8192.txt"
