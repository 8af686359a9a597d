#!/usr/bin/env bash
# Session 20, call 6: the shares kernel with the masked band split per chunk (rows before and
# after the band of partial rows without the mask): tests, the window probe, the trial
# (checks, full / offset causal / triangle 16384).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 -m pytest tests/indexer/test_cuda.py -m cuda -q -x -k "shares and p1" 2>&1 | tail -2
timeout 200 python3 benchmarks/indexer_window_probe.py 5 ws_n256_q4_ar_in_ek ws_n256_q4_ar_in_p1 ws_n256_q3_ar_in_p1
timeout 200 python3 benchmarks/indexer_ws_trial.py 3 ws_n256_q4_ar_in_p1 2>&1 | grep -v "^check.*equal=True"
