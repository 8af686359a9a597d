#!/usr/bin/env bash
# Session 21, call 6: v25 (the interpolating search to the end, no bucket) and the production
# kernel's load branch: the top-k GPU tests with v25 as the default, register mode's phases,
# then v23 / v24_a / v25 alternated on the cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
TOPK_TEST_CONFIG=v25 timeout 200 python3 -m pytest -p benchmarks.pytest_topk_sample -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or (every_tuning_config and (v25 or v24 or v23))" 2>&1 | tail -3
timeout 120 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn
timeout 250 python3 benchmarks/topk_config_ab.py 5 v23 v24_a v25 -- 4096x4096x2048 4096x4096x512 4096x4096x1024 512x4096x2048 64x4096x2048 4096x32768x2048 512x131072x2048 64x131072x2048d 64x131072x512d 1x131072x2048d 8x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
