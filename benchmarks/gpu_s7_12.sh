#!/usr/bin/env bash
# Session 7: the two-level select in the v3 finish (finish_small 64; 16 / 18 / 20 bits first)
# on the cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m opdispatch.benchmarks.topk_tune --configs v9 --extra --cases 0,1,2,5 \
  --only-extra v9_f2l16,v9_f2l18,v9_f2l20 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
