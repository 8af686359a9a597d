#!/usr/bin/env bash
# Session 24, call 7: the cuda tier's top-k tests of the sample split path with v32 as the
# default (ragged kinds, decode, graph capture, PDL with v22 and v32, v32 and v29_np in the
# every-config test, the sweep of full rows), then the compile / CUDA-graph suite's top-k cases.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "kinds_ragged or decode or capture or pdl or v32 or v29_np or sweep" -p no:cacheprovider 2>&1 | tail -5
timeout 150 python3 -m pytest -q -m cuda tests/compile_graph -k "topk or top_k" -p no:cacheprovider 2>&1 | tail -3
