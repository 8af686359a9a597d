#!/usr/bin/env bash
# Session 29, call 6: register mode at 4 warps a row (32 keys a thread) on the warp emit's
# tiles with register caps 80-112 (v39_w4_r*) against v39 (graph us, 3 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/topk_config_ab.py 3 v39 v39_w4_r80 v39_w4_r96 v39_w4_r104 v39_w4_r112 -- 4096x4096x2048 4096x4096x1024 4096x2048x1024 4096x2048x512 512x4096x2048 64x4096x2048 2048x4096x2048 2>&1 | grep -v -i warn
