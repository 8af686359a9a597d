#!/usr/bin/env bash
# (Ran on commit 4a08997; the fast launch path was then reverted: it measured slower than
# Triton's own path, see docs/benchmarks.md, session 23.)
# Session 23, call 3: the fast launch path (opdispatch/backends/triton/launch.py): host time per
# call with it off and on (launch_probe.py), then GPU tests with OPDISPATCH_FAST_LAUNCH=check
# (every fast launch compared with Triton's own selection): the top-k cases of call 1 and the
# compile / CUDA-graph suite.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 benchmarks/launch_probe.py 2>&1 | grep -v -i warn | grep -v "^ \|^$\|def \|return\|^\s" | head -60
export OPDISPATCH_TEST_KEEP_ENV=1 OPDISPATCH_FAST_LAUNCH=check
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk -k "kinds_ragged or decode or graph or pdl" 2>&1 | tail -4
timeout 220 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/compile_graph 2>&1 | tail -4
