#!/usr/bin/env bash
# Session 14, call 4: the compile/graph suite's indexer ops on the new fp8_mqa_logits default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mqa or indexer" > "$OUT/t_cg.txt" 2>&1
tail -c 600 "$OUT/t_cg.txt"
