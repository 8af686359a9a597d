#!/usr/bin/env bash
# Session 29, call 19: v43 (v41 with register mode's lean start summing the loaded values)
# against v41 (graph us, 3 alternations, values checked first); every-config tests of v43.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v41 v43 -- 4096x4096x2048 4096x4096x1024 2048x4096x2048 512x4096x2048 64x4096x2048 4096x1024x256 1024x1024x512 4096x2048x1024 2>&1 | grep -v -i warn
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v43" -p no:cacheprovider 2>&1 | tail -2
