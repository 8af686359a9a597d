#!/usr/bin/env bash
# Session 16, call 1: four consumer warpgroups of 64 keys (ws_c4_*) against the default
# (ws_n256_s8_ar, two of 128): bit-identity checks and graph-replay timings, alternated 3 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 ws_c4_s8_ar ws_c4_s12_ar ws_c4_s8 ws_c4_s8_ar_t1k ws_c4_s12_ar_t256 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
