#!/usr/bin/env bash
# Session 28, call 4: v35 with unmasked full tiles in the warp compaction, register caps 64 /
# 72 / 80, against v33 (graph us, 5 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 300 python3 benchmarks/topk_fused_trial.py 5 v33 v35 v35_r72 v35_r80 -- 4096x32768x2048 4096x32768x512 1024x32768x2048 2048x16384x512 4096x8192x256 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
