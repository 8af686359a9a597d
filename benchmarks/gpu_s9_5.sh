#!/usr/bin/env bash
# Session 9, call 5: the top-k cuda tier on the new default v19 (the compile test deselected:
# it runs alone in call 6, in a fresh process), then the compile test alone. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -x \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_cuda.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cuda.txt" | tail -5; tail -c 300 "$OUT/t_cuda.txt"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q \
  tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_compile.txt" 2>&1
tail -c 300 "$OUT/t_compile.txt"
