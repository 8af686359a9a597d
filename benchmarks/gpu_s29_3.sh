#!/usr/bin/env bash
# Session 29, call 3: v39 (v36 with one warp a row and the streamed emit for rows of 1024
# lanes, and for rows on select_2d tiles of 512-2048 lanes; _4k: also 2-D rows of 4096;
# _256: also 2-D rows of 256) against v36 (graph us, 3 alternations, values checked first);
# the every-config GPU tests of the v39 configs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 benchmarks/topk_config_ab.py 3 v36 v39 v39_4k v39_256 -- 4096x4096x512 4096x4096x256 4096x4096x128 1024x4096x256 4096x256x16 4096x256x32 4096x2048x128 4096x1024x256 4096x512x64 4096x4096x2048 64x4096x256 2>&1 | grep -v -i warn
timeout 200 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v39" -p no:cacheprovider 2>&1 | tail -3
