#!/usr/bin/env bash
# Session 29, call 20: v43 as the default: the GPU tests of register mode's rows (the streamed
# and 4-warp rows, ragged kinds, the full-row sweep, graph capture, torch.compile).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 420 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "register_stream_and_fat_rows or kinds_ragged or sweep_full_rows or graph or compile or decode" -p no:cacheprovider 2>&1 | tail -3
