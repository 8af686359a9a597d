#!/usr/bin/env bash
# Session 13, call 8: around own-s256-fp8-ef-st3 (the best of call 7): warps, parallel
# finishers, split, 32-token tiles, 64-wide steps with deeper pipelines; DRAM bytes of the
# best by ncu.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
MHC_DIAG_CONFIGS=own-s256-fp8-ef-st3,own-s256-fp8-ef-w8-st3,own-s256-fp4-ef-st3,own-s256-fp16-ef-st3,own-s512-fp8-ef-st3,own-bt32-s256-fp4-ef-st3,own-s256-fp8-ef-bh64-st3,own-s256-fp8-ef-bh64-st5,dflt8192 \
  timeout 330 python3 benchmarks/mhc_diag.py 8192 2>&1 | grep -v -i warn | tee "$OUT/diag.txt"
NCU=$(which ncu 2>/dev/null || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in own-s256-fp8-ef-st3; do
  echo "== $c"
  timeout 100 "$NCU" --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 --section Occupancy \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,gpu__time_duration.sum \
    python3 benchmarks/mhc_ncu.py 0 $c > "$OUT/ncu_$c.txt" 2>&1
  grep -vE "^==PROF==|warn" "$OUT/ncu_$c.txt" | grep -E "dram__|lts__|gpu__time|Block Limit|Achieved Occupancy" | head -12
done
