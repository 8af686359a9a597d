#!/usr/bin/env bash
# Session 15, calls 2-3: the ws kernel with 128 keys per consumer: ring depth, row-chunk size and
# the key tile as a register operand (_ar), alternated with the default (bit-for-bit checks first).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 ${CONFIGS:-ws_n256_s8 ws_n256_s8_ar ws_n256_s12_ar ws_n256_s8_ar_t256} 2>&1 | grep -v -i warn | grep -v "equal=True" | tee "$OUT/ws.txt"
