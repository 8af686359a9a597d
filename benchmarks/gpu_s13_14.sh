#!/usr/bin/env bash
# Session 13, call 14: the rest of the top-k cuda tier on v22, then the compile / CUDA-graph
# suite for the top-k and mHC ops.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "not (test_decode or offsets_beyond or cuda_graph_capture or torch_compile_fullgraph or pdl_config)" > "$OUT/t_topk1.txt" 2>&1
tail -c 800 "$OUT/t_topk1.txt"
timeout 240 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "top_k or mhc or hc_head" > "$OUT/t_cg.txt" 2>&1
tail -c 800 "$OUT/t_cg.txt"
