#!/usr/bin/env bash
# Session 21, call 9: v26's bucket size (16 / 32 / 64 keys) for its interpolating selects.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 5 v26 v26_s16 v26_s64 -- 4096x4096x2048 4096x4096x512 4096x4096x1024 512x4096x2048 64x4096x2048 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "every_tuning_config and v26_s" 2>&1 | tail -2
