#!/usr/bin/env bash
# Session 7, sixth call: fp8_mqa_logits with q through a TMA descriptor (trial), and the host
# time of a top-k call (eager callers).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 benchmarks/indexer_tma_trial.py 2>&1 | grep -v -i warn
timeout 120 python3 benchmarks/topk_host_profile.py 64 32768 512 2>&1 | grep -v -i warn | head -60
