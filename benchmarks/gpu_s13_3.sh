#!/usr/bin/env bash
# Session 13, call 3: top-k PDL variants: v22_1 (threshold lets the compaction launch at once,
# no prefetch), v22_2 (once its sample has arrived), v22 (= 2 + the compaction's slice fetched
# into L2 while it waits), against v21_a; GPU tests of the PDL path first.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "pdl_config or (every_tuning_config and v22)" > "$OUT/t_pdl.txt" 2>&1
tail -c 600 "$OUT/t_pdl.txt"
timeout 330 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v22_1,v22_2,v22 --cases 0,1,3,4,5 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
