#!/usr/bin/env bash
# Session 26, call 5: the public ops under the new fused default against torch.compile (graph
# and eager, benchmarks/mhc_graph_times.py, now with the compiled post-then-pre reference for the
# fused op), then post then pre against the fused default at T = 4096, 8192, 16384
# (benchmarks/mhc_fused_trial.py, with do_bench).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 260 python3 benchmarks/mhc_graph_times.py 4096 8192 2>&1 | grep -v -i warn
for t in 4096 8192 16384; do
  MHC_TRIAL_EAGER=1 timeout 100 python3 benchmarks/mhc_fused_trial.py 3 $t 7168 seq default 2>&1 | grep -v -i warn
done
