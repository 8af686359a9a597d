#!/usr/bin/env bash
# Session 31 (v47 removed afterwards; its code is in commit efc5227): v47 (the one launch's band: definite keys straight to the output, only the band
# between two sample thresholds selected) against v46 on the one-launch shapes (graph us, 3
# alternations, values checked first); rows smoothed over 16 columns; then the every-config
# tests of the v47 trials and the one-launch rows test with v47 as the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/topk_config_ab.py 3 v46 v47 v47_b4 v47_s2 -- 4096x32768x2048 4096x32768x1024 4096x32768x512 1024x32768x2048 2048x65536x1024 4096x16384x2048 4096x8192x2048 512x32768x2048 2>&1 | grep -v -i warn
timeout 120 python3 -m opdispatch.benchmarks.topk_tune --configs v46,v47 --data smooth --cases 2 --shapes 1024x32768x2048,4096x8192x2048 2>&1 | grep -v -i warn | tail -12
timeout 100 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and v47" -p no:cacheprovider 2>&1 | tail -2
sed -i 's/^DEFAULT_CONFIG = "v46"/DEFAULT_CONFIG = "v47"/' opdispatch/backends/triton/topk.py
timeout 150 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "one_launch_rows" -p no:cacheprovider 2>&1 | tail -2
