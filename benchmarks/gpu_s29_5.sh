#!/usr/bin/env bash
# Session 29, call 5: v39 as the default: the top-k GPU tests (cuda tier, every test); register
# mode at 4096 lanes with 2 / 4 warps a row (v36_w2*, v36_w4*) against v39 (graph us).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v39 v36_w2 v36_w2_r168 v36_w4 v36_w4_r96 -- 4096x4096x2048 4096x4096x1024 2048x4096x1024 2>&1 | grep -v -i warn
timeout 330 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -p no:cacheprovider 2>&1 | tail -3
