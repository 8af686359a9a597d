#!/usr/bin/env bash
# Session 22, call 9: v29's bracket size in register mode (32 / 64 / 128 keys).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 5 v29 v29_s64 v29_s128 -- 4096x4096x2048 4096x4096x1024 512x4096x2048 64x4096x2048 2>&1 | grep -v -i warn
