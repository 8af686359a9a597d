#!/usr/bin/env bash
# Session 20, call 8: the public hc_head at T=4096 / 8192 with its default and with the slice
# kernel forced at every T (is session 19's 450.8 us eager figure at T=4096 still there?).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/mhc_host_probe.py public 4096 8192
