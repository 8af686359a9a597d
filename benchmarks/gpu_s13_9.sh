#!/usr/bin/env bash
# Session 13, call 9: the own-tile mHC schedule with bounded waits (a wait on later items of the
# same tile gives up after `spin` polls and hands its work to the tile's last arrival or
# publisher): T=8192 timings, the hand-over paths forced (spin=1) and checked bit for bit
# against the twin, and T=4096 / 16384.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3,own-s256-fp16-ef-st3,own-s256-fp8-ef-st3-sp1,own-s256-fp16-ef-st3-sp1,dflt8192,dflt8192-ef \
  timeout 250 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag8192.txt"
for t in 4096 16384; do
  echo "== T=$t"
  MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3,own-s256-fp16-ef-st3,dflt8192 \
    timeout 150 python3 benchmarks/mhc_diag.py $t 2>&1 | grep -v -i warn | grep -v bit-identical | tee "$OUT/diag$t.txt"
done
