#!/usr/bin/env bash
# Session 6, ninth call: the top-k cuda test the eighth call's limit cut (torch.compile), then
# v7's compaction tile (4096 columns at 8 / 16 warps, 1024 at 4) on the issue's cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q \
  tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_topk_rest.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk_rest.txt" | tail -12
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v7 --extra \
  --only-extra v7_4k8,v7_4k16,v7_1k4 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
