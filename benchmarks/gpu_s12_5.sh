#!/usr/bin/env bash
# Session 12, call 5: the top-k cuda tier on the new default (v21_a) without the decode,
# > 2^31-offset, CUDA-graph and torch.compile tests (call 6 runs those), then the top-k
# compile / CUDA-graph suite.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 440 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "not (test_decode or offsets_beyond or cuda_graph_capture or torch_compile_fullgraph)" > "$OUT/t_topk.txt" 2>&1
tail -c 600 "$OUT/t_topk.txt"
timeout 110 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "top_k or topk" > "$OUT/t_cg.txt" 2>&1
tail -c 400 "$OUT/t_cg.txt"
