#!/usr/bin/env bash
# Session 15, call 5: the new default's 16384 triangle against the full 16384 rectangle; the ws
# kernel with smaller row chunks (a shorter last wave at one CTA per SM).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 200 python3 benchmarks/indexer_rect_triangle.py 3 2>&1 | grep -v -i warn | tee "$OUT/rect.txt"
timeout 300 python3 benchmarks/indexer_ws_trial.py 3 ws_n256_s8_ar ws_n256_s8_ar_t1k 2>&1 | grep -v -i warn | grep -v "equal=True" | tee "$OUT/ws.txt"
