#!/usr/bin/env bash
# Session 25, call 9: host time of the slice path now that fn is split in the kernel (one launch
# fewer): host per call, back-to-back, do_bench and graph against the Triton kernel at T = 2048,
# 4096, 8192, hc_head and mhc_pre, twice (benchmarks/mhc_host_probe.py).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD MHC_PROBE_PROFILE=0
for rep in 1 2; do
  timeout 120 python3 benchmarks/mhc_host_probe.py 2048 4096 8192 2>&1 | grep -v -i warn
  MHC_PROBE_PRE=1 timeout 120 python3 benchmarks/mhc_host_probe.py 2048 4096 8192 2>&1 | grep -v -i warn
done
