#!/usr/bin/env bash
# Session 11, call 4: the top-k cuda tests that call 3's time limit cut (decode, > 2^31
# offsets, CUDA-graph capture, torch.compile), v20 the default. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "test_decode or offsets_beyond or cuda_graph_capture or torch_compile_fullgraph" > "$OUT/t_rest.txt" 2>&1
tail -c 400 "$OUT/t_rest.txt"
