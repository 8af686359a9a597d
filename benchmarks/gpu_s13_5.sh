#!/usr/bin/env bash
# Session 13, call 5: ncu on mhc_pre at T=8192: the default against own-s256-fp8-ef (each
# item's own tile, eight parallel finishers, pre published before the Sinkhorn). Does the
# weighted sums' re-read hit L2 (DRAM bytes, L2 hit rate), and what limits the kernel?
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
NCU=$(which ncu 2>/dev/null || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for c in dflt8192 own-s256-fp8-ef; do
  echo "== $c"
  timeout 200 "$NCU" --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 \
    --section SpeedOfLight --section Occupancy --section SchedulerStats --section WarpStateStats \
    --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_read_lookup_hit.sum \
    python3 benchmarks/mhc_ncu.py 0 $c > "$OUT/ncu_$c.txt" 2>&1
  grep -vE "^==PROF==|warn" "$OUT/ncu_$c.txt" | grep -E "dram__|lts__|Duration|Throughput|Occupancy|Registers|Eligible|Issued|Active Warps|No Eligible|Block Limit|Stall" | head -40
done
