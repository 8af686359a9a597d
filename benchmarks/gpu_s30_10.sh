#!/usr/bin/env bash
# Session 30, call 10: v44 with a 1-D sample (as _sample_threshold's) and the check on its
# [runs, 8] view, in launches of >= 32768 columns without the warp compaction, against v43 and
# g8; smooth rows; the one-launch GPU tests and v44's every-config tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/topk_twokernel_trial.py 3 v43 v44 g8 v44_r8 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 4096x16384x2048 1024x65536x2048 2048x65536x1024 2>&1 | grep -v -i warn | grep -v check
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v43,v44 --data smooth --cases 2 --shapes 1024x32768x2048,1024x65536x1024 2>&1 | grep -v -i warn | tail -4
timeout 150 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "one_launch_rows or (every_tuning_config and v44)" -p no:cacheprovider 2>&1 | tail -2
