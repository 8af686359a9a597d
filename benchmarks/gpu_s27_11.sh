#!/usr/bin/env bash
# Session 27, call 11 (the knob was removed after it lost): slice_norm_prefetch: each CTA's norm token's loads issued a
# chunk before its reduction (off the weighted sums' path), at fin lags 1 / 2 / 0.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 280 python3 benchmarks/mhc_norm_trial.py 3 8192 7168 slice "slice@norm_prefetch=1" "slice@norm_prefetch=1,norm_fin_lag=2" "slice@norm_prefetch=1,norm_fin_lag=0" 2>&1 | grep -v -i warn
