#!/usr/bin/env bash
# Session 27, call 10: DIAG 3 of the norm path with the rescale's work and the weighted-sum
# partition's whole loop timed (where the 258 us over the slice kernel without the norm go).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/mhc_norm_trial.py 1 8192 7168 slice "slice@diag=3" "slice@diag=3,norm_fin_lag=2" 2>&1 | grep -v -i warn
