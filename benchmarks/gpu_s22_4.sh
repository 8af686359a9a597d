#!/usr/bin/env bash
# Session 22, call 4: where register mode's time goes with the lean search (phase kernels).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 250 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 load,search_interp,search_lean,search_lean_v25,emit,full_interp,full_lean,full_lean_v25,full_lean_ldbranch_keys 2>&1 | grep -v -i warn
timeout 150 python3 benchmarks/topk_reg_phases.py 4096 4096 1024 load,search_lean,search_lean_v25,emit,full_lean,full_lean_v25 2>&1 | grep -v -i warn
