#!/usr/bin/env bash
# Session 20, call 10 (review): the indexer's Gluon-kernel tests after the shared helpers
# (_ws_neg_rows, _ws_ring_barriers, _logits_per_config), and the persistent top-k / mHC paths
# after the shared SM-count helper (dispatch.platform.device_sm_count).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 240 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -k "ws_default_equals_tl_dot or (shares and p1)" 2>&1 | tail -2
timeout 200 python3 -m pytest tests/topk -m cuda -q -k "graph or split" 2>&1 | tail -2
timeout 150 python3 -m pytest tests/mhc/test_mhc_cuda.py -m cuda -q -k "slice or 8192" 2>&1 | tail -2
