#!/usr/bin/env bash
# Session 11, call 3: v20 as top-k's default: the whole top-k cuda tier, then the top-k
# compile / CUDA-graph suite. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 420 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk > "$OUT/t_topk.txt" 2>&1
tail -c 600 "$OUT/t_topk.txt"
timeout 110 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "top_k or topk" > "$OUT/t_cg.txt" 2>&1
tail -c 400 "$OUT/t_cg.txt"
