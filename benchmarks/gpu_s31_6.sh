#!/usr/bin/env bash
# Session 31: the vector compaction into one segment (v46_vb: a cross-warp scan a tile, where
# v46 does not compact by warps; v46_vbw: and v46_vc_w's warp segments where it does) against
# v46 and v46_vc (graph us, 3 alternations, values checked first); the every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 330 python3 benchmarks/topk_config_ab.py 3 v46 v46_vc v46_vb v46_vbw -- 4096x32768x2048 4096x32768x1024 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 2048x16384x512 512x32768x2048 2>&1 | grep -v -i warn
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v46_vb" -p no:cacheprovider 2>&1 | tail -2
