#!/usr/bin/env bash
# Session 26, call 6: the slice kernel's own tests (mhc_pre / hc_head, graph replay) after the
# FUSED changes, then the public ops against torch.compile (graph and eager,
# benchmarks/mhc_graph_times.py, now with the compiled post-then-pre reference for the fused op).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 260 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice_kernel or default_config" 2>&1 | tail -3
timeout 300 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn
