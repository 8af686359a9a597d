#!/usr/bin/env bash
# Session 31: the one launch's vector compaction (fused_vec_compact: 128-bit loads, ranks from
# one warp scan of each thread's count, warp sub-segments; v46_vc everywhere it applies, v46_vc_w
# only where v46 compacts by warps) against v46 (graph us, 3 alternations, values checked
# first); rows smoothed over 16 columns; the every-config tests of the trials and the
# one-launch rows test with v46_vc as the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 3 v46 v46_vc v46_vc_w -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 2048x16384x512 4096x8192x256 2>&1 | grep -v -i warn
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v46,v46_vc --data smooth --cases 2 --shapes 1024x32768x2048,4096x32768x512 2>&1 | grep -v -i warn | tail -4
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v46_vc" -p no:cacheprovider 2>&1 | tail -2
sed -i 's/^DEFAULT_CONFIG = "v46"/DEFAULT_CONFIG = "v46_vc"/' opdispatch/backends/triton/topk.py
timeout 150 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "one_launch_rows" -p no:cacheprovider 2>&1 | tail -2
