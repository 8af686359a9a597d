#!/usr/bin/env bash
# Session 30, call 14: the top-k cuda tier with v45 the default (v45's every-config tests passed
# in call 13), then the cases under v45.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -2
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v44,v45 2>&1 | grep -v -i warn | tail -9
