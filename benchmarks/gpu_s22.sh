#!/usr/bin/env bash
# Session 5, sixth call: the public mHC ops' graph/eager times with the session's defaults
# (two launches below 2048 tokens, fn_pre from 4096), then the whole mhc cuda tier on them.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_TIMES_COMPILED=0 timeout 100 python3 benchmarks/mhc_graph_times.py 1 2 16 64 256 1024 2048 4096 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
timeout 470 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc > "$OUT/t_mhc.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc.txt" | tail -12; tail -c 300 "$OUT/t_mhc.txt"
