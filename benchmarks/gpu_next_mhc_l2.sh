#!/usr/bin/env bash
# For the next session (not run yet): mhc_pre at T=8192 with smaller work items, so that the
# weighted sums re-read the streams from L2 instead of HBM (docs/ops/mhc.md, "What 70% of the
# floor needs"), whole kernel and GEMM phase, against the default. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_PHASES=0,1 MHC_DIAG_CONFIGS=dflt8192,l2-bt64-s256,l2-bt32-s512,l2-bt32-s256,l2-bt32-s256-lag14,l2-bt32-s256-lag20,l2-bt64-s128 \
  timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag_l2.txt"
