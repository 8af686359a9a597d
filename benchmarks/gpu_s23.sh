#!/usr/bin/env bash
# Session 5, seventh call: the mhc cuda tests the sixth call's time limit cut (lines 95-101 of
# the tier's collection: compile, graph, opcheck, the T=8192 default, fn_pre bit identity).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 240 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q $(cat benchmarks/mhc_s23_ids.txt) > "$OUT/t_mhc_rest2.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc_rest2.txt" | tail -12
