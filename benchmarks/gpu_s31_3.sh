#!/usr/bin/env bash
# Session 31: why v47's band is slower (gpu_s31_2.sh): ncu of the one launch under v46 and
# v47_s2 at 4096x16384 k=2048, v46 and v47 at 4096x32768 k=2048 (instructions, issue, DRAM,
# L2). ncu locks the clocks: durations exceed the graph times.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
M=gpu__time_duration.sum,smsp__inst_executed.sum,sm__instruction_throughput.avg.pct_of_peak_sustained_active,smsp__issue_active.avg.pct_of_peak_sustained_active,dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,smsp__warps_active.avg.pct_of_peak_sustained_active,sm__warps_active.avg.per_cycle_active,launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,smsp__inst_executed_op_global_st.sum,smsp__inst_executed_op_global_ld.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,smsp__average_warp_latency_issue_stalled_barrier.ratio
for spec in "v46 16384" "v47_s2 16384" "v46 32768" "v47 32768"; do
  set -- $spec
  timeout 120 $NCU --metrics $M --kernel-name regex:topk --launch-skip 2 --launch-count 1 \
    python3 -c "
import torch
from opdispatch.backends.triton import topk as tk
x = torch.randn(4096, $2, device='cuda'); s = torch.zeros(4096, dtype=torch.int32, device='cuda')
e = torch.full((4096,), $2, dtype=torch.int32, device='cuda'); o = torch.empty(4096, 2048, dtype=torch.int32, device='cuda')
for _ in range(4): tk.top_k_per_row_prefill(x, s, e, o, 2048, config='$1')
torch.cuda.synchronize()" > /tmp/ncu.txt 2>&1
  echo "== $1 $2"; grep -E "^\s+(gpu__|smsp__|sm__|dram__|lts__|launch__|l1tex__)" /tmp/ncu.txt | awk '{print $1, $(NF-1), $NF}'
done
