#!/usr/bin/env bash
# Session 29, call 11: v41 (v40 with the sample path from cols >= 4 k) as the default, against
# the sample path from cols >= 2 k (v41_r2) and v40 (graph us, 3 alternations); the GPU tests
# of the default on ragged rows and decode, every-config tests of v41 / v41_r2.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v40 v41 v41_r2 -- 4096x6144x2048 4096x5120x2048 2048x8192x2048 4096x12288x2048 4096x8192x2048 256x6144x2048 2>&1 | grep -v -i warn
timeout 300 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "kinds_ragged or decode or (every_tuning_config and (v41 or v40_r))" -p no:cacheprovider 2>&1 | tail -2
