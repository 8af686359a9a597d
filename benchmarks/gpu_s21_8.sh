#!/usr/bin/env bash
# Session 21, call 8: the v26 default through the compile / CUDA-graph suite's top-k ops, then
# the rows x cols x k sweep under v26 against torch.topk (sweep.csv, sweep.png).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 180 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph tests/topk -k "top_k or topk or offsets_beyond or torch_compile" 2>&1 | tail -2
timeout 380 python3 -m opdispatch.benchmarks.topk_tune --configs v26 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn | tee "$OUT/sweep.txt"
