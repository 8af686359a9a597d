#!/usr/bin/env bash
# Session 29, call 14: v42 (v41 with the streamed emit in its 4-warp rows: each warp reads its
# lanes again) at 96 / 80 / 64 / no register cap against v41 (graph us, 3 alternations); the
# every-config GPU tests of the v42 configs.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v41 v42 v42_r80 v42_r64 v42_r0 -- 4096x4096x2048 4096x4096x1024 2048x4096x2048 512x4096x2048 2>&1 | grep -v -i warn
timeout 120 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v42" -p no:cacheprovider 2>&1 | tail -2
