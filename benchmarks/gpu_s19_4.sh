#!/usr/bin/env bash
# Session 19, call 4: where the slice kernel's time goes: diag 1 (data movement alone, no
# cross-CTA waits), diag 2 (poll counts of each wait), against the Triton default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/mhc_slice_trial.py 3 8192 7168 base slice@fin_t=2 slice@fin_t=2,diag=1 slice@fin_t=2,diag=2 slice@tc=128,stages=3,fin_t=2,diag=1 slice@tc=128,stages=3,fin_t=2,diag=2 2>&1 | grep -v -i warn | grep -v "bf16 steps"
