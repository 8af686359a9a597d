#!/usr/bin/env bash
# Session 8, call 8: the top-k cuda tier on v12 (the default now), the compile test alone in
# a fresh process; logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 420 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_cuda.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cuda.txt" | tail -15
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q \
  tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_compile.txt" 2>&1
tail -2 "$OUT/t_compile.txt"
