#!/usr/bin/env bash
# Session 8, call 15: the sweep of the default v14 against torch.topk (docs/data), and the
# issue's cases on smoothed rows. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
# (call 14's cuda tier stopped at its 330 s limit after 219 tests, all passed: the rest here)
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py \
  -k "graph or beyond_int32 or decode" 2>&1 | tail -2 | tee "$OUT/t_rest.txt"
timeout 330 python3 -m opdispatch.benchmarks.topk_tune --configs v14 --sweep --cases 0 --out "$OUT/sweep" 2>&1 \
  | grep -v -i warn | tee "$OUT/sweep.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v14 --data smooth 2>&1 | grep -v -i warn | tee "$OUT/tune_smooth.txt"
