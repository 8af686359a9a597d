#!/usr/bin/env bash
# Session 10, call 8: the indexer's cuda tier and the compile/graph suite's indexer ops on the new
# fp8_mqa_logits default (n128_w4_s3_u2), then the indexer cases through the harness.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer > "$OUT/t_indexer.txt" 2>&1
tail -c 300 "$OUT/t_indexer.txt"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 300 "$OUT/t_cg.txt"
