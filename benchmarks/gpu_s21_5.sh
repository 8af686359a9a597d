#!/usr/bin/env bash
# Session 21, call 5: register mode with the row's loads in a branch on whether it fills the
# tile (full rows unmasked), against the masked loads (v23's 15 us over the phase kernel).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn | grep "full\|production"
