#!/usr/bin/env bash
# Session 13, call 2: top-k v22 (programmatic dependent launch between the v3 kernels):
# the GPU tests of the PDL path (back to back, CUDA graph, every-config), then v21_a against
# v22 on the seven cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 240 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "pdl_config or (every_tuning_config and v22)" > "$OUT/t_pdl.txt" 2>&1
tail -c 1500 "$OUT/t_pdl.txt"
timeout 300 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a,v22 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
