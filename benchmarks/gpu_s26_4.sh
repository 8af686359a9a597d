#!/usr/bin/env bash
# Session 26, call 4: the fused default (13 stages, 2 x slots): the mHC cuda tier's slice, fused,
# default-config and > 2^31-element tests, and the compile / CUDA-graph suite's mHC cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 380 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice or fused or 2_31 or default_config" 2>&1 | tail -4
timeout 180 python3 -m pytest tests/compile_graph -q -k "mhc or hc_head" 2>&1 | tail -3
