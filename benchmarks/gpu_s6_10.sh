#!/usr/bin/env bash
# Session 6, tenth call: torch.compile(fullgraph) as the first op call of a fresh process (the
# ninth call's failure: flags parsed while Dynamo traced), for top-k, mHC and the indexer.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
for t in tests/topk/test_topk_cuda.py::test_torch_compile_fullgraph_dynamic \
         tests/mhc/test_mhc_cuda.py::test_torch_compile_fullgraph_dynamic; do
  timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q "$t" > "$OUT/t_fresh.txt" 2>&1
  grep -E "^(FAILED|ERROR)|passed|failed|error|^E " "$OUT/t_fresh.txt" | head -8
done
