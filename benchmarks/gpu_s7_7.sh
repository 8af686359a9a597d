#!/usr/bin/env bash
# (Its v8_pf* / v8_st* configs were removed at the end of session 7: it now times v8 and v8_f4 only.)
# Session 7, seventh call (eighth: --only-extra v8_f4,v8_f4_pf4k,v8_pf4k, the finish at 4 warps): the v3 compaction's loads one tile ahead (register prefetch) or
# pipelined by Triton (tl.range stages), on the cases that run it.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 500 python3 -m opdispatch.benchmarks.topk_tune --configs v8 --extra --cases 2,0,1,5 \
  --only-extra v8_f4,v8_f4_pf4k,v8_pf4k 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
