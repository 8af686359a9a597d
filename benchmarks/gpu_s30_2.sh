#!/usr/bin/env bash
# Session 30, call 2: the one-launch shapes (v12's, >= 528 rows of one slice) through the
# two-kernel v3 path (benchmarks/topk_twokernel_trial.py) against v43 (graph us, 3 alternations,
# values checked against torch.topk first).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 560 python3 benchmarks/topk_twokernel_trial.py 3 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 2048x16384x512 4096x16384x2048 4096x8192x2048 4096x8192x256 1024x65536x2048 2>&1 | grep -v -i warn
