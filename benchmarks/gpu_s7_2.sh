#!/usr/bin/env bash
# Session 7, second tuning call: packed (key, column) stores in the v3 compaction, the register
# cap, and the two-level select with atomic bucket slots, on the cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 540 python3 -m opdispatch.benchmarks.topk_tune --configs v7 --extra --cases 6,2,0,1,5,3,4 \
  --only-extra v7_n80,v7_pk,v7_pk_n80,v7_pk_2la,v7_pk_2la16,v7_pk_2la_n80 \
  2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
