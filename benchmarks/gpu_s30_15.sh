#!/usr/bin/env bash
# Session 30, call 15: v45's one launch with the interpolating selects (fused_hi -1 / -2 / -3)
# and register caps of 72 / 80 (graph us, 3 alternations, values checked first).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 400 python3 benchmarks/topk_twokernel_trial.py 3 v45 v45_fh1 v45_fh2 v45_fh3 v45_r72 v45_r80 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 2>&1 | grep -v -i warn | grep -v ": ok"
