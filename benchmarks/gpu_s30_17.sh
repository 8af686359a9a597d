#!/usr/bin/env bash
# Session 30, prepared for the next session (not run: no device time left): v46_be (the one
# launch's bracket emit, fused_bracket_emit) against v46 on the one-launch shapes (graph us,
# 3 alternations, values checked first), and v46_be's every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/topk_config_ab.py 3 v46 v46_be -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 2>&1 | grep -v -i warn
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v46_be" -p no:cacheprovider 2>&1 | tail -2
