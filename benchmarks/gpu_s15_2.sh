#!/usr/bin/env bash
# Session 15, call 2: the ws kernel with 128 keys per consumer: ring depth and row-chunk size,
# alternated with the default (checks bit for bit first).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 ws_n256_s8 ws_n256_s12 ws_n256_s8_t1k ws_n256_s8_t256 2>&1 | grep -v -i warn | grep -v "equal=True" | tee "$OUT/ws.txt"
