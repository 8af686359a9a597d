#!/usr/bin/env bash
# Session 20, call 7: hc_head's host and eager time, Triton kernel and slice kernel (the T=4096
# eager anomaly of session 19).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 300 python3 benchmarks/mhc_host_probe.py 4096 8192 2>&1 | grep -v "^ *$" | head -80
