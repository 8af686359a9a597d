#!/usr/bin/env bash
# Session 26, call 8: the final fused default (13 stages, 2 x slots, .cs stores of the new
# residual): its GPU tests and the > 2^31-element test, then post then pre against it at T = 8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice_fused or 2_31" 2>&1 | tail -2
timeout 120 python3 benchmarks/mhc_fused_trial.py 3 8192 7168 seq default 2>&1 | grep -v -i warn
