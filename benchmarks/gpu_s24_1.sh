#!/usr/bin/env bash
# Session 24, call 1: where the split path's decode time goes under v29. The kernel timeline
# under graph replay (with and without PDL), graph A/B of v29 against v29_np (no PDL), and ncu
# of the three kernels without PDL (each kernel's own duration, DRAM rate, occupancy).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
timeout 120 python3 benchmarks/topk_timeline.py v29,v29_np 64x131072x2048d 64x131072x512d 8x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn
timeout 120 python3 benchmarks/topk_config_ab.py 3 v29 v29_np -- 64x131072x2048d 1x131072x2048d 2>&1 | grep -v -i warn | grep -v "^check.*ok"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
M="--metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,dram__bytes_read.sum,sm__warps_active.avg.pct_of_peak_sustained_active,sm__inst_executed.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,launch__registers_per_thread,launch__grid_size,launch__occupancy_limit_registers,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_no_instruction_per_issue_active.ratio"
for shape in "64 131072 2048" "1 131072 2048"; do
  echo "=== ncu decode $shape v29_np"
  timeout 120 $NCU $M --kernel-name regex:topk --launch-skip 9 --launch-count 3 python3 -m opdispatch.benchmarks.topk_ncu $shape decode v29_np 2>&1 | grep -v -E "USDT|==PROF==|^plan" | grep -E "topk_|duration|throughput|bytes|warps_active|inst_exec|issue_active|registers|grid_size|occupancy|stalled" | cut -c1-160
done
