#!/usr/bin/env bash
# Session 8, call 12: v13 (sample margin up to 8 sigma within the same segment) against v12 on
# the cases, then the sweep of v13 against torch.topk to docs/data. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v12,v13 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 380 python3 -m opdispatch.benchmarks.topk_tune --configs v13 --sweep --cases 0 --out "$OUT/sweep" 2>&1 \
  | grep -v -i warn | tee "$OUT/sweep.txt"
