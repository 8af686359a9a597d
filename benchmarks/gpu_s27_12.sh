#!/usr/bin/env bash
# Session 27, call 12 (review): the round-flag helper (_flagged; SASS identical offline), the
# sync buffer split by torch.split, the trials' shared helpers: the norm tests, the slice tests
# at T = 4100, and the norm and fused trials at T = 8192.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "(norm and slice) or (slice and 4100-7168)" 2>&1 | grep -v -i warn | tail -3
timeout 120 python3 benchmarks/mhc_norm_trial.py 2 8192 7168 triton slice "slice@diag=3" fused-pp 2>&1 | grep -v -i warn
timeout 100 python3 benchmarks/mhc_fused_trial.py 2 8192 7168 seq default 2>&1 | grep -v -i warn | tail -3
