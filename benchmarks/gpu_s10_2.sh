#!/usr/bin/env bash
# Session 10, call 2: the indexer's unrolled row loops (*_u2 / *_u4: rows per iteration, each
# its own dot, stored as one tile) against the default, graph time and bit equality, ncu of
# the best candidates, and the every-config GPU test. Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
C="n128_w4_s3 n256_w8_s3 n128_w4_s2_u2 n128_w4_s3_u2 n128_w4_s2_u4 n64_w4_s2_u4 n256_w8_s2_u2 n128_w8_s2_u2"
timeout 200 python3 benchmarks/indexer_overlap_trial.py $C 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
M=gpu__time_duration.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,sm__warps_active.avg.pct_of_peak_sustained_active,smsp__inst_executed.sum,launch__registers_per_thread,launch__occupancy_limit_registers,launch__occupancy_limit_shared_mem,smsp__average_warps_issue_stalled_barrier_per_issue_active.ratio,smsp__average_warps_issue_stalled_wait_per_issue_active.ratio,smsp__average_warps_issue_stalled_short_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_mio_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_math_pipe_throttle_per_issue_active.ratio,smsp__average_warps_issue_stalled_long_scoreboard_per_issue_active.ratio,smsp__average_warps_issue_stalled_dispatch_stall_per_issue_active.ratio
for c in n128_w4_s2_u2 n128_w4_s2_u4; do
  timeout 100 ncu --kernel-name regex:mqa_logits --launch-skip 1 --launch-count 1 --metrics $M \
    python3 benchmarks/indexer_overlap_trial.py --ncu $c > "$OUT/ncu_$c.txt" 2>&1
  echo "== $c"; grep -v "^==PROF==" "$OUT/ncu_$c.txt" | grep -E "^\s+(gpu|smsp|sm_|launch)" | awk '{print $1, $NF}'
done
timeout 150 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer/test_cuda.py -k "every_config" > "$OUT/t_cuda.txt" 2>&1
tail -c 400 "$OUT/t_cuda.txt"
