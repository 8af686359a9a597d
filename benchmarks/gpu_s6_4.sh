#!/usr/bin/env bash
# Session 6, fourth call: top-k v5 against the register-select trials (2 or 4 key bits per
# reduction step, more warps per row in register mode and in the v3 finish) on the issue's
# seven cases, then the per-kernel breakdown of the two most changed ones under the best.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m opdispatch.benchmarks.topk_tune --configs v5 --extra \
  --only-extra v5_sel2,v5_sel4,v5_r16,v5_r8,v5_f8,v5_f16,v5_sel2_r16_f8,v5_sel4_r16_f8 2>&1 \
  | grep -v -i warn | tee "$OUT/tune.txt"
