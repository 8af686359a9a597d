#!/usr/bin/env bash
# Ran in session 6 (as gpu_s6_2.sh / gpu_s6_3.sh; results in docs/benchmarks.md): (1) mhc_pre at T=8192 with smaller work items, so that the
# weighted sums re-read the streams from L2 instead of HBM (docs/ops/mhc.md, "What 70% of the
# floor needs"), whole kernel and GEMM phase, against the default; (2) the fused post+pre under
# the two-launch configs. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_PHASES=0,1 MHC_DIAG_CONFIGS=dflt8192,l2-bt64-s256,l2-bt32-s512,l2-bt32-s256,l2-bt32-s256-lag14,l2-bt32-s256-lag20,l2-bt64-s128 \
  timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag_l2.txt"
# the fused post+pre under the two-launch configs (launch 1 writes the new residual and feeds the
# GEMM, launch 2 reads it once), against the default post then pre (not run yet)
MHC_DEC_COMPILED=0 MHC_DEC_VARIANTS=fused MHC_DEC_TRIALS=default,2L-s64-bh32-ft1-fs128,2L-s128-bh32-fs16,2L-s256-bh32-fs8,2L-bt64-s512-bh64-ft16 \
  timeout 200 python3 benchmarks/mhc_decode_diag.py 1 2 16 64 256 1024 2>&1 | grep -v -i warn | tee "$OUT/dec_fused.txt"
