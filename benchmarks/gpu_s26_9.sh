#!/usr/bin/env bash
# Session 26, call 9 (review): the fused op's default now launches the slice kernel directly
# (no second slice_ok); the public default's test, the > 2^31-element test, the fused-slice test
# at T = 4100, and the trial at T = 8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice_fused_is_the_public or 2_31 or (slice_fused_post_pre and 4100-7168)" 2>&1 | tail -2
timeout 120 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default 2>&1 | grep -v -i warn
