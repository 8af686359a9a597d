#!/usr/bin/env bash
# Session 29, call 4: the one-warp rows' reductions folded into 16 in-thread chains (_fold):
# v37 (one warp at 4096 lanes) and v39_256 against v36 (graph us, 3 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_config_ab.py 3 v36 v37 v39_256 -- 4096x4096x2048 4096x4096x1024 2048x4096x1024 4096x2048x1024 4096x1024x256 4096x2048x128 1024x1024x512 2>&1 | grep -v -i warn
