#!/usr/bin/env bash
# Session 32: the tail fit (finish_hi / fused_hi = -4, v48) and 64-key buckets: the finish's
# phases, then v46 / v48 / v48_s64 / v46_s64 end to end (graph us, 3 alternations, values
# checked first), then the every-config GPU tests of the new configs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 benchmarks/topk_finish_phases.py 2>&1 | grep -v -i warn
timeout 330 python3 benchmarks/topk_config_ab.py 3 v46 v48 v48_s64 v46_s64 -- 1x131072x2048d 1x131072x512d 8x131072x2048d 64x131072x2048d 64x131072x512d 512x131072x2048d 4096x32768x2048 4096x8192x2048 1024x32768x2048 2048x65536x1024 2>&1 | grep -v -i warn
timeout 90 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and (v48 or v46_s64)" -p no:cacheprovider 2>&1 | tail -1
