#!/usr/bin/env bash
# Session 21, call 1: v24 (the interpolating register select, _kth_key_interp) on the GPU:
# the top-k GPU tests with v24_a as the default and every v24 config's tuning-config test,
# then v23 / v24 / v24_r / v24_a alternated on the cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
TOPK_TEST_CONFIG=v24_a timeout 200 python3 -m pytest -p benchmarks.pytest_topk_sample -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or (every_tuning_config and v24)" 2>&1 | tail -4
timeout 330 python3 benchmarks/topk_config_ab.py 5 v23 v24 v24_r v24_a -- 4096x4096x2048 4096x4096x512 4096x4096x1024 512x4096x2048 64x4096x2048 4096x32768x2048 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn | tee "$OUT/ab.txt"
