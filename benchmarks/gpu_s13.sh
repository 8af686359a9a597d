#!/usr/bin/env bash
# Session 4, second call: mhc_pre GEMM loop order (stream-major) and L2 reuse distance (split_h,
# lag), T=8192, phases apart (0 whole, 1 GEMM only, 2 weighted sum only); then the mhc cuda tier.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
# (the sm-* configs, stream_major, were removed after this run)
MHC_DIAG_CONFIGS=flat-sq-cat-s256-w8-st3-lag1 \
  MHC_DIAG_PHASES=0,1,2 timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/mhc_diag.txt"
timeout 250 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/mhc -x > "$OUT/t_mhc.txt" 2>&1
grep -E "^(FAILED|ERROR)|passed|failed|error" "$OUT/t_mhc.txt" | tail -12
