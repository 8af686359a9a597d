#!/usr/bin/env bash
# Session 32: v48 as the default: the top-k cuda tier (all but the every-config tests).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 540 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -2
