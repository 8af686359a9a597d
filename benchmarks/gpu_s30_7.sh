#!/usr/bin/env bash
# Session 30, call 7: the one launch with run samples (sample_group 8 / 4) against v43 (graph us,
# 3 alternations, values checked first; random normal rows from torch's CUDA randn).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_twokernel_trial.py 3 v43 g8 g4 tk_g8_l2 -- 4096x32768x2048 4096x32768x512 1024x32768x2048 4096x16384x2048 4096x8192x2048 2>&1 | grep -v -i warn
