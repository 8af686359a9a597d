#!/usr/bin/env bash
# Session 21, call 3: register mode's phases again, with the searches' parts timed alone
# (first reduction; its search steps without the bucket; the mean number of steps).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 benchmarks/topk_reg_phases.py 4096 4096 2048 2>&1 | grep -v -i warn
timeout 150 python3 benchmarks/topk_reg_phases.py 4096 4096 1024 2>&1 | grep -v -i warn | grep -v "emit\|load"
