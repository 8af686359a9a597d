#!/usr/bin/env bash
# Session 22, call 3: the lean interpolating search (v28: no min / max; v28_m: with them;
# _r: register mode only) against v26.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 100 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "every_tuning_config and v28" 2>&1 | tail -2
timeout 200 python3 benchmarks/topk_config_ab.py 5 v26 v28_r v28_mr -- 4096x4096x2048 4096x4096x1024 4096x4096x512 2048x4096x1024 512x4096x2048 64x4096x2048 2>&1 | grep -v -i warn
timeout 200 python3 benchmarks/topk_config_ab.py 5 v26 v28 v28_m -- 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 512x131072x2048 2>&1 | grep -v -i warn
