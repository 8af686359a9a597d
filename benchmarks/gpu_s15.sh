#!/usr/bin/env bash
# Session 4, fourth call: the mhc cuda tier with the new large-T default (flat GEMM loop), then
# the graph/eager times of every mHC op against torch.compile at T = 1, 64, 8192, alone.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc > "$OUT/t_mhc.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc.txt" | tail -12
timeout 240 python3 benchmarks/mhc_graph_times.py 1 64 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_times.txt"
