#!/usr/bin/env bash
# Session 28, call 6 (review): the one-launch kernel with the v34 kernel and the prefetch knob
# really removed and its row pointers hoisted: v36 against v33 (3 alternations), the top-k
# every-config tests of v36 / v33 / v12.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 benchmarks/topk_config_ab.py 3 v33 v36 -- 4096x32768x512 2048x16384x512 4096x32768x2048 2>&1 | grep -v -i warn
timeout 200 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and (v36 or v33 or v12)" -p no:cacheprovider 2>&1 | tail -2
