#!/usr/bin/env bash
# Session 20, call 9: the indexer's fp8_mqa_logits GPU tests on the final code (the grid
# kernel's helpers changed: _ws_bounds_to, the quad schedule's ring offset).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -k "mqa_logits and not paged" 2>&1 | tail -3
timeout 150 python3 -m pytest tests/compile_graph -m cuda -q -k "mqa_logits and not paged" 2>&1 | tail -2
