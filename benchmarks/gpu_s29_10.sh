#!/usr/bin/env bash
# Session 29, call 10: the sample path from cols >= 8 k / 4 k (v40_r8, v40_r4) against v40,
# whose rows of 8-16 k columns take v2's three kernels (graph us, 3 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/topk_config_ab.py 3 v40 v40_r8 v40_r4 -- 4096x16384x2048 4096x8192x2048 4096x8192x1024 512x16384x2048 64x16384x2048d 8x16384x2048d 1x16384x2048d 2048x16384x2048 2>&1 | grep -v -i warn
