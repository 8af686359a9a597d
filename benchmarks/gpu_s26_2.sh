#!/usr/bin/env bash
# Session 26, call 2: the fused slice kernel with the partials ring of mhc_pre's default (13 slots
# for 12 stages: bit for bit post then pre), its GPU tests, then at T = 8192 the default against
# the new residual's stores after the hand-on (post_late), each with DIAG 3 phase times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "slice_fused" 2>&1 | tail -3
timeout 200 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default "fused@post_late=1" "fused@diag=3" "fused@post_late=1,diag=3" "fused@stages=13,xs=2,diag=3" 2>&1 | grep -v -i warn
