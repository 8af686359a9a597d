#!/usr/bin/env bash
# Session 18, call 4: the weighted-sum step size of the mHC pre kernel (ws_t, out_block_h,
# warps) with streaming layer-input stores, at T=8192 and 4096; 3 alternations, each checked bit
# for bit against the library kernel.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 benchmarks/mhc_src_trial.py 3 8192 base out_cs@ws_t=16 out_cs@ws_t=32 out_cs@ws_t=64 \
  out_cs@ws_t=32,out_block_h=128 out_cs@ws_t=64,out_block_h=128 out_cs@ws_t=16,num_warps=8 \
  out_cs@ws_t=32,num_warps=8 2>&1 | grep -v -i warn | tee "$OUT/src_trial8192.txt"
timeout 200 python3 benchmarks/mhc_src_trial.py 3 4096 base out_cs@ws_t=16 out_cs@ws_t=32 2>&1 \
  | grep -v -i warn | tee "$OUT/src_trial4096.txt"
