#!/usr/bin/env bash
# Session 5, fourth call: the mhc cuda tier and the mhc compile/graph tests with the two-launch
# defaults below T=2048, then the public ops' graph/eager times (compiled references: the diag
# runs of calls 1 and 3). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 330 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc > "$OUT/t_mhc.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc.txt" | tail -12
timeout 120 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph -k "mhc or hc_head" > "$OUT/t_cg.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_cg.txt" | tail -12
MHC_TIMES_COMPILED=0 timeout 120 python3 benchmarks/mhc_graph_times.py 1 2 4 16 64 256 1024 2048 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
