#!/usr/bin/env bash
# Session 29, call 21: the cases under v43, the final default (topk_tune, graph / eager).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 150 python3 -m opdispatch.benchmarks.topk_tune --configs v43 2>&1 | grep -v -i warn | tail -12
