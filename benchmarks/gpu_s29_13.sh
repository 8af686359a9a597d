#!/usr/bin/env bash
# Session 29, call 13: v41 as the default: the top-k GPU tests but the every-config ones
# (ragged kinds, PDL, the full-row sweep, decode, graphs, torch.compile, int64 offsets).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 560 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -3
