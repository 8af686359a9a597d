#!/usr/bin/env bash
# Session 8, call 14: the default v14 (v12's one launch for one-slice rows, single-column
# sample, margin up to 8 sigma): the top-k cuda tier (compile test alone), then the issue's
# cases (v10 / v14) and the sweep of v14 on random rows. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_cuda.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cuda.txt" | tail -15
timeout 100 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q \
  tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_compile.txt" 2>&1
tail -1 "$OUT/t_compile.txt"
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v10,v14 --shapes 512x131072x512,512x131072x1024 \
  2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
