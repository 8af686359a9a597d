#!/usr/bin/env bash
# Session 29, call 9: v12's one launch at 4 warps a row, 96 / 128 registers (v40_f4_*) against
# v40 on its prefill shapes (graph us, 3 alternations).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_config_ab.py 3 v40 v40_f4_r96 v40_f4_r128 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 2048x16384x512 4096x16384x2048 2>&1 | grep -v -i warn
