#!/usr/bin/env bash
# Session 23, call 2: the host cost of a Triton launch (benchmarks/launch_probe.py), then the
# rows x cols x k sweep under v29 (the default since session 22) against torch.topk.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 120 python3 benchmarks/launch_probe.py 2>&1 | grep -v -i warn | tee "$OUT/launch_probe.txt" | tail -80
timeout 420 python3 -m opdispatch.benchmarks.topk_tune --configs v29 --sweep --out "$OUT/sweep" 2>&1 | grep -v -i warn | tee "$OUT/sweep.txt" | tail -5
ls "$OUT"
