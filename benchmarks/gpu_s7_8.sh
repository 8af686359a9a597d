#!/usr/bin/env bash
# Session 7, last call: the compile/graph suite on the final code (top-k default v8).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 480 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph > "$OUT/t_cg.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cg.txt" | tail -15
