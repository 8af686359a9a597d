#!/usr/bin/env bash
# Session 13, call 7: the own-tile mHC schedule with fewer resident programs (deeper pipelines
# take more shared memory), so that the weighted sums' re-read of an item finds it in L2;
# ncu's DRAM bytes for the fastest two.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=own-s128-fp8-ef-st3,own-s128-fp8-ef-st4,own-s256-fp8-ef-st3,own-s256-fp8-ef-st4,own-s256-fp8-ef-w8-st4,own-s256-fp8-ef,dflt8192-ef \
  timeout 300 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
NCU=$(which ncu 2>/dev/null || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in own-s128-fp8-ef-st4 own-s256-fp8-ef-st4; do
  echo "== $c"
  timeout 100 "$NCU" --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 --section Occupancy \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,gpu__time_duration.sum \
    python3 benchmarks/mhc_ncu.py 0 $c > "$OUT/ncu_$c.txt" 2>&1
  grep -vE "^==PROF==|warn" "$OUT/ncu_$c.txt" | grep -E "dram__|lts__|gpu__time|Block Limit|Achieved Occupancy" | head -12
done
