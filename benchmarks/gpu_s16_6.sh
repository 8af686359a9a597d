#!/usr/bin/env bash
# Session 16, call 6: consumer rows in unrolled groups of 4 / 8 with two wgmmas in flight
# (ws_group) against the default and ws_n256_s12_ar_pair: checks and graph-replay timings,
# alternated 5 times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 5 ws_n256_s12_ar_pair ws_n256_s12_ar_g4 ws_n256_s12_ar_g8 ws_n256_s8_ar_g4 ws_n256_s16_ar_g8 2>&1 | grep -v -i warn | grep -v "equal=True" | tee "$OUT/trial.txt"
