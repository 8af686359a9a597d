#!/usr/bin/env bash
# Session 7, fifteenth call: top-k's torch.compile test alone, the rows x cols x k sweep under v10
# (csv + png to $OUT/sweep), and the table for v8, v9 and v10.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q \
  tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_compile.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_compile.txt" | tail -5
timeout 100 python3 -m opdispatch.benchmarks.topk_tune --configs v8,v9,v10 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 300 python3 -m opdispatch.benchmarks.topk_tune --sweep --cases 0 --configs v10 --out "$OUT/sweep" 2>&1 \
  | grep -v -i warn > "$OUT/sweep.txt"
tail -n 64 "$OUT/sweep.txt"
