#!/usr/bin/env bash
# Session 31: the vector compaction's warp segments twice as long, moved together before the
# select (v46_vg: no warp overflows where the row's candidates fit the lanes) against v46 and
# v46_vc (graph us, 3 alternations, values checked first); the every-config tests of v46_vg
# and the one-launch rows test with v46_vg as the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 3 v46 v46_vc v46_vg -- 4096x32768x2048 4096x32768x1024 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 2048x16384x512 2>&1 | grep -v -i warn
timeout 60 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v46_vg" -p no:cacheprovider 2>&1 | tail -1
sed -i 's/^DEFAULT_CONFIG = "v46"/DEFAULT_CONFIG = "v46_vg"/' opdispatch/backends/triton/topk.py
timeout 120 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "one_launch_rows" -p no:cacheprovider 2>&1 | tail -1
