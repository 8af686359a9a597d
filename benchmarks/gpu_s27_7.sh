#!/usr/bin/env bash
# Session 27, call 7: NORM with each token's factor reduced by one CTA (token t of chunk e on
# CTA (e TC + t) % NS, fin_lag chunks after the sums), the tiles in registers (now carried:
# call 6's three equal starting tiles were not), no atomics. Trial at T = 8192, then the tests.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 triton plain slice "slice@norm_lag=3,norm_fin_lag=2" "slice@norm_lag=2,norm_fin_lag=1" "slice@norm_lag=3,norm_fin_lag=0" "slice@diag=3" fused-pp fused 2>&1 | grep -v -i warn
timeout 250 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -x -k "norm and slice" 2>&1 | grep -v -i warn | tail -5
