#!/usr/bin/env bash
# Session 29, call 18: the new GPU test of the default's one-warp streamed rows and 4-warp rows
# (ragged rows of every kind, unit and strided columns).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "register_stream_and_fat_rows" -p no:cacheprovider 2>&1 | tail -4
