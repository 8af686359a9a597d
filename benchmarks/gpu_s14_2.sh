#!/usr/bin/env bash
# Session 14, call 2: fp8_mqa_logits trial variants around call 1's best (tma_u2_s2) (benchmarks/indexer_rs_trial.py): the key
# tile as the wgmma's register operand (rs), q through a TMA descriptor (tma), two rows per
# iteration (u2), register caps; against the production default, bit for bit and timed.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 560 python3 benchmarks/indexer_rs_trial.py --second full causal 2>&1 | grep -v -i warn | tee "$OUT/rs_trial.txt"
