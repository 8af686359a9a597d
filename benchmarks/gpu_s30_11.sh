#!/usr/bin/env bash
# Session 30, call 11: the top-k cuda tier with v44 the default (the every-config tests of v44
# passed in call 10).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 540 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -3
