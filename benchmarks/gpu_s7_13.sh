#!/usr/bin/env bash
# Session 7, fourteenth call: the top-k cuda tier on the new default (v10), all but the
# torch.compile test (run alone in a fresh process by gpu_s7_14.sh).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 560 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk \
  --deselect tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic > "$OUT/t_topk.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_topk.txt" | tail -15
