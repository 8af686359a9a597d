#!/usr/bin/env bash
# Session 30, call 16: v46 the default (v45 with the one launch's lean interpolating select):
# its every-config tests, the top-k cuda tier, the cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 60 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v46" -p no:cacheprovider 2>&1 | tail -1
timeout 400 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -1
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v45,v46 2>&1 | grep -v -i warn | tail -9
