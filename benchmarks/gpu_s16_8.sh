#!/usr/bin/env bash
# Session 16, call 8: slots of 4 query rows (ws_rows_per_slot=4: fewer ring waits and releases,
# each a warpgroup barrier) against the default and the 4-row groups: checks and graph-replay
# timings, alternated 5 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 5 ws_n256_q3_ar ws_n256_q4_ar ws_n256_s12_ar_g4 2>&1 | grep -v -i warn | grep -v "equal=True" | tee "$OUT/trial.txt"
