#!/usr/bin/env bash
# Session 7, first call: top-k register caps (maxnreg) and two-level register selects on the
# issue's register-mode / v3-finish cases, then the 4096-column sweep shapes.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 540 python3 -m opdispatch.benchmarks.topk_tune --configs v7 --extra --cases 6,2,0,5 \
  --only-extra v7_n96,v7_n80,v7_sel2_n80,v7_fn80,v7_fn64,v7_2l,v7_2l_n96,v7_2l_sel2,v7_2l_h20,v7_2l_h12,v7_2l128,v7_2l_fn80 \
  2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
