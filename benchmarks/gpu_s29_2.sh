#!/usr/bin/env bash
# Session 29, call 2: v38 (v36 with one warp a row and the streamed emit for rows of <= 1024
# lanes; _2k: <= 2048) against v36 on register-mode shapes of <= 2048 columns (graph us, 3
# alternations, values checked first); the every-config GPU tests of v38 / v38_2k.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 benchmarks/topk_config_ab.py 3 v36 v38 v38_2k -- 4096x1024x256 4096x1024x512 4096x1024x128 4096x1024x64 1024x1024x512 4096x512x128 4096x512x64 4096x2048x1024 4096x2048x512 4096x2048x256 512x2048x1024 64x1024x256 8x1024x256 4096x256x64 2>&1 | grep -v -i warn
timeout 200 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v38" -p no:cacheprovider 2>&1 | tail -3
