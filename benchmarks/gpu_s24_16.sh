#!/usr/bin/env bash
# Session 24, call 16: the final v33 (default) through the top-k cuda tests of the split path
# (ragged kinds, decode, graph capture, PDL with v22 / v32 / v33, v33 and v32 in the
# every-config test, the sweep of full rows, offsets past 2^31) and the compile / CUDA-graph
# suite's top-k cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 430 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "kinds_ragged or decode or capture or pdl or v33 or v32 or sweep or int32" -p no:cacheprovider 2>&1 | tail -3
timeout 120 python3 -m pytest -q -m cuda tests/compile_graph -k "topk or top_k" -p no:cacheprovider 2>&1 | tail -1
