#!/usr/bin/env bash
# Session 8, call 19: v15 (the sample path up to 64 slices: 1-8 long rows) against v14 on the
# sweep's few-row long shapes, then the top-k cuda tier on v15. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=1x32768x512,1x32768x2048,1x131072x512,1x131072x1024,1x262144x512,1x262144x1024,1x262144x2048,8x32768x512,8x32768x1024,8x32768x2048,8x131072x512,8x131072x1024,8x262144x512,8x262144x1024,8x262144x2048,64x262144x512,64x262144x2048
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v14,v15 --cases 3,4 --shapes $S 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 340 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -x \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_cuda.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cuda.txt" | tail -5; tail -c 300 "$OUT/t_cuda.txt"
