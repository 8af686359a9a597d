#!/usr/bin/env bash
# Session 22, call 1: v27 (eight probes per interpolating step) against v26.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.sm,clocks.mem --format=csv,noheader
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "every_tuning_config and v27" 2>&1 | tail -2
timeout 330 python3 benchmarks/topk_config_ab.py 5 v26 v27 v27_r -- 4096x4096x2048 4096x4096x1024 4096x4096x512 2048x4096x1024 64x4096x2048 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn
