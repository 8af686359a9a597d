#!/usr/bin/env bash
# Session 13, call 13: the mHC fused tests (bit for bit against post then pre, every config),
# then the top-k cuda tier's decode / > 2^31 / graph / compile tests on the v22 default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 400 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc/test_mhc_cuda.py -k "fused_post_pre_equals" > "$OUT/t_mhc2.txt" 2>&1
tail -c 1200 "$OUT/t_mhc2.txt"
timeout 170 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "test_decode or offsets_beyond or cuda_graph_capture or torch_compile_fullgraph or pdl_config" > "$OUT/t_topk2.txt" 2>&1
tail -c 800 "$OUT/t_topk2.txt"
