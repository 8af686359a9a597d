#!/usr/bin/env bash
# Session 18, call 3: mHC pre kernel variants at T=8192 (default config): streaming layer-input
# stores combined with other cache hints, the weighted-sum item as a software-pipelined loop, and
# 16-token weighted-sum steps; 3 alternations, each checked bit for bit against the library kernel.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 550 python3 benchmarks/mhc_src_trial.py 3 8192 base out_cs out_cs_gemm_normal out_cs_fn_el \
  ws_pipe2 ws_pipe3 ws_pipe4 base@ws_t=16 out_cs@ws_t=16 2>&1 | grep -v -i warn | tee "$OUT/src_trial.txt"
