#!/usr/bin/env bash
# Session 21, call 7: v26 (v24_a's interpolating search in register mode and the split finish,
# v12's one launch adaptive) against v23, both with register mode's full-row load branch; the
# top-k GPU tests with v26 as the default; register mode's phases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 7 v23 v26 -- 4096x4096x2048 4096x4096x512 4096x4096x1024 2048x4096x1024 512x4096x2048 64x4096x2048 4096x32768x2048 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
timeout 90 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn
TOPK_TEST_CONFIG=v26 timeout 270 python3 -m pytest -p benchmarks.pytest_topk_sample -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or (every_tuning_config and v26)" 2>&1 | tail -3
