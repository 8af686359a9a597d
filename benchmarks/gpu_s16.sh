#!/usr/bin/env bash
# Session 4, fifth call: ncu on mhc_pre's default kernel at T=8192, whole and GEMM phase alone
# (why does the GEMM phase stream at ~1.8 TB/s?). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
which ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null
NCU=$(which ncu 2>/dev/null || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
for d in 1 0; do
  timeout 200 $NCU --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 \
    --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy \
    --section WarpStateStats --section SchedulerStats --section LaunchStats \
    python3 benchmarks/mhc_ncu.py $d > "$OUT/ncu_diag$d.txt" 2>&1
  grep -vE "^==PROF==|warn" "$OUT/ncu_diag$d.txt" | grep -E "Throughput|Duration|Hit Rate|Occupancy|Registers|Stall|Eligible|Issued|Active Warps|No Eligible|Bandwidth|Busy|Shared Memory Config|Block Limit|L2|DRAM" | head -60
done
