#!/usr/bin/env bash
# Session 17, call 1: the ws kernel's inner-tile path (ws_inner: tiles inside every row's window
# run the row loop without the window loads and mask) and two variants, each checked bit for bit
# against the default (odd shapes, ragged windows, the benchmark shapes) and alternated 7 times
# with the default ws_n256_q4_ar.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 7 ws_n256_q4_ar_in ws_n256_q3_ar_in ws_n256_q4_ar_in_t1k 2>&1 | grep -v -i warn | tee "$OUT/ws_in.txt"
