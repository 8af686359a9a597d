#!/usr/bin/env bash
# Session 12, call 1: the k-th key search by histogram levels (_hist_level) against the
# finish's and register mode's greedy searches, phase by phase (cycles) and per launch.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 400 python3 benchmarks/topk_finish_phases.py 2>&1 | grep -v -i warn | tee "$OUT/phases.txt"
