#!/usr/bin/env bash
# Session 16, call 4: pairs (ws_pair) with the key tile in registers (_ar) or read by each wgmma from
# shared memory (as DeepGEMM does), against the default: checks and graph-replay timings,
# alternated 5 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 5 ws_n256_s8_ar_pair ws_n256_s8_pair ws_c4_s8_pair ws_n256_s12_ar_pair 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
