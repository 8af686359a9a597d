#!/usr/bin/env bash
# Session 22, call 6: the top-k cuda tier with v29 as the default (after the k = 1 fix).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
TOPK_TEST_CONFIG=v29 timeout 500 python3 -m pytest -m cuda -p no:cacheprovider -p benchmarks.pytest_topk_sample -rfE --tb=short -q tests/topk 2>&1 | tail -6
