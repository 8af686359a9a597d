#!/usr/bin/env bash
# Session 12, call 6: the rest of the top-k cuda tier on v21_a (decode, > 2^31 offsets,
# CUDA-graph capture, torch.compile), then the rows x cols x k sweep under v21_a.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "test_decode or offsets_beyond or cuda_graph_capture or torch_compile_fullgraph" > "$OUT/t_rest.txt" 2>&1
tail -c 400 "$OUT/t_rest.txt"
timeout 320 python3 -m opdispatch.benchmarks.topk_tune --configs v21_a --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn | tee "$OUT/sweep.txt"
