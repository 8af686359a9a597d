#!/usr/bin/env bash
# Session 30, call 13: v45 (v44 with the run sample in the split path too) against v44 (graph
# us, 3 alternations, values checked first); smooth rows; v45's every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 260 python3 benchmarks/topk_config_ab.py 3 v44 v45 -- 512x131072x2048 512x131072x2048d 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 1024x65536x2048 512x262144x2048 256x131072x1024 2>&1 | grep -v -i warn | grep -v check
timeout 100 python3 -m opdispatch.benchmarks.topk_tune --configs v44,v45 --data smooth --cases 0,5 --shapes 1024x65536x2048 2>&1 | grep -v -i warn | tail -4
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v45" -p no:cacheprovider 2>&1 | tail -2
