#!/usr/bin/env bash
# Session 22, call 2: eight probes in the split path's finish only (v27_f) against v26; v27 on
# 2-D tiles (4096x4096 k=512, which failed to compile in call 1).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 120 python3 benchmarks/topk_config_ab.py 5 v26 v27 -- 4096x4096x512 2>&1 | grep -v -i warn
timeout 300 python3 benchmarks/topk_config_ab.py 7 v26 v27_f -- 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 512x131072x2048 64x131072x1024d 2>&1 | grep -v -i warn
timeout 100 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "every_tuning_config and v27" 2>&1 | tail -2
