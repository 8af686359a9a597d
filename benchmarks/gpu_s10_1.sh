#!/usr/bin/env bash
# Session 10, call 1: the indexer's overlapped row loop (*_ov configs) against the production
# configs (graph time, bit equality), ncu of the default and the overlapped kernel, and the
# every-config GPU test of fp8_mqa_logits. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 200 python3 benchmarks/indexer_overlap_trial.py 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
M=sm__throughput.avg.pct_of_peak_sustained_elapsed,sm__pipe_tensor_op_gmma_cycles_active.avg.pct_of_peak_sustained_active,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,l1tex__data_pipe_lsu_wavefronts_mem_shared.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,gpu__time_duration.sum,launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_lg_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_not_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_selected_per_issue_active.ratio,smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio,smsp__average_warps_issue_stalled_sleeping_per_issue_active.ratio,smsp__average_warps_issue_stalled_membar_per_issue_active.ratio
timeout 200 ncu --kernel-name regex:mqa_logits --launch-skip 1 --launch-count 1 --metrics $M \
  python3 benchmarks/indexer_overlap_trial.py --ncu n128_w4_s3 > "$OUT/ncu_default.txt" 2>&1
grep -v "^==PROF==" "$OUT/ncu_default.txt" | tail -n 30
timeout 200 ncu --kernel-name regex:mqa_logits --launch-skip 1 --launch-count 1 --metrics $M \
  python3 benchmarks/indexer_overlap_trial.py --ncu n128_w4_s3_ov > "$OUT/ncu_ov.txt" 2>&1
grep -v "^==PROF==" "$OUT/ncu_ov.txt" | tail -n 30
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer/test_cuda.py -k "every_config" > "$OUT/t_cuda.txt" 2>&1
tail -c 400 "$OUT/t_cuda.txt"
