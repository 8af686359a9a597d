#!/usr/bin/env bash
# Session 14, call 7: the indexer cuda tier and the compile/graph suite's indexer ops on the new
# fp8_paged_mqa_logits default (n128_t16_w4_s3_hq_p512) and the TMA-q fp8_mqa_logits default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 400 "$OUT/t_indexer.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 300 "$OUT/t_cg.txt"
