#!/usr/bin/env bash
# Session 19, call 10 (review): after the Gluon import / capability module was shared, the
# slice kernel's GPU tests and the indexer's Gluon-kernel tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice" 2>&1 | tail -2
timeout 200 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "mqa_logits_ws" 2>&1 | tail -2
