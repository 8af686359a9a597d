#!/usr/bin/env bash
# Session 30, call 8: v44 (the one launch's sample from runs of 8 columns, with the independence
# check) against v43: graph us on random rows (3 alternations, values checked first) and on rows
# smoothed over 16 columns (topk_tune --data smooth); the one-launch GPU tests and v44's
# every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_config_ab.py 3 v43 v44 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 2048x32768x2048 1024x32768x2048 4096x16384x2048 2048x16384x512 1024x65536x2048 4096x8192x2048 2>&1 | grep -v -i warn
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v43,v44 --data smooth --cases 2 --shapes 1024x32768x2048,4096x16384x2048,1024x65536x1024 2>&1 | grep -v -i warn | tail -6
timeout 200 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "one_launch_rows or (every_tuning_config and v44) or (sweep_full_rows and 32768)" -p no:cacheprovider 2>&1 | tail -3
