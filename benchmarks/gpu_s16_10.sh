#!/usr/bin/env bash
# Session 16, call 10 (after the review refactors: the ws row schedule as one value, the A/B
# scripts on bench.alternated_graph_us): a one-round smoke run of every A/B script touched, with
# the ws trial's bit-identity checks of a quad config against the default.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader
timeout 150 python3 benchmarks/indexer_ws_trial.py 1 ws_n256_q3_ar ws_n256_s12_ar_g4 2>&1 | grep -v -i warn | grep -v "equal=True"
timeout 60 python3 benchmarks/indexer_ws_diag.py 1 2>&1 | grep -v -i warn
timeout 60 python3 benchmarks/indexer_overlap_trial.py --ab ws_n256_s8_ar ws_n256_q4_ar 1 2>&1 | grep -v -i warn
timeout 60 python3 benchmarks/indexer_paged_ab.py 1 2>&1 | grep -v -i warn
timeout 60 python3 benchmarks/indexer_rect_triangle.py 1 2>&1 | grep -v -i warn
