#!/usr/bin/env bash
# Session 29, call 1: v37 (register mode at one warp a row, the streamed bracket emit) against
# v36 on register-mode shapes (graph us, 3 alternations, values checked first); the top-k
# every-config GPU tests of v37.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 3 v36 v37 v37_s512 v37_r192 -- 4096x4096x2048 4096x4096x1024 4096x4096x512 2048x4096x1024 512x4096x2048 64x4096x2048 4096x2048x1024 1024x2048x512 4096x1024x256 2>&1 | grep -v -i warn
timeout 200 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v37" -p no:cacheprovider 2>&1 | tail -3
