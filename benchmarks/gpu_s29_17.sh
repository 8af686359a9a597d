#!/usr/bin/env bash
# Session 29, call 17: is v42 worth its race? v42 with tiles of 512 / 128 columns a warp (no
# bad row in call 16) against v41 (graph us, 3 alternations, values checked first).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v41 v42_t512 v42_t128 -- 4096x4096x2048 4096x4096x1024 2048x4096x2048 512x4096x2048 2>&1 | grep -v -i warn
