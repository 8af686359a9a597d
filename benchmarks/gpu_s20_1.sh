#!/usr/bin/env bash
# Session 20, call 1: fp8_mqa_logits through even shares of the work (ws_pieces,
# indexer_gluon.mqa_logits_wsp_kernel): the shares kernel against the grid kernel bit for bit
# (GPU tests), then the trial (checks + alternated graph timing, full / offset causal / triangle).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 240 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "shares or (every_config and _p)" 2>&1 | tail -4
timeout 330 python3 benchmarks/indexer_ws_trial.py 5 ws_n256_q4_ar_in_p1 ws_n256_q4_ar_in_p2 ws_n256_q4_ar_in_p4 ws_n256_q3_ar_in_p1 2>&1 | grep -v "^check.*equal=True"
