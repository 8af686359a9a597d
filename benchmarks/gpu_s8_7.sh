#!/usr/bin/env bash
# Session 8, call 9: the cases under v10 / v11 / v12 (decode cases through the decode
# op), then the sweep of the default (v12) against torch.topk, to docs/data. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v10,v11,v12 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 380 python3 -m opdispatch.benchmarks.topk_tune --configs v12 --sweep --cases 0 --out "$OUT/sweep" 2>&1 \
  | grep -v -i warn | tee "$OUT/sweep.txt"
