#!/usr/bin/env bash
# Session 22, call 5: v29 (register mode's bracket emit, no bucket) against v28_rm and v26.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 5 v26 v28_rm v29 -- 4096x4096x2048 4096x4096x1024 2048x4096x1024 512x4096x2048 64x4096x2048 4096x2048x1024 1024x4096x2048d 2>&1 | grep -v -i warn
TOPK_TEST_CONFIG=v29 timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -p benchmarks.pytest_topk_sample -rfE --tb=short -q tests/topk -x 2>&1 | tail -3
