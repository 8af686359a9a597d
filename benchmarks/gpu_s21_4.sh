#!/usr/bin/env bash
# Session 21, call 4: register mode's phases with the production kernel's masked loads and
# short-row branch (where v23's 113 us against the phase kernel's 98 comes from).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn
