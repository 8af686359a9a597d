#!/usr/bin/env bash
# Session 15, call 1: the warp-specialized Gluon fp8_mqa_logits (ws_* configs): bit-for-bit checks
# against the default tl.dot kernel, then timing alternated with the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 500 python3 benchmarks/indexer_ws_trial.py 3 2>&1 | grep -v -i warn | tee "$OUT/ws.txt"
