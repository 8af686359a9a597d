#!/usr/bin/env bash
# Session 9, call 3: v18 (register mode: adaptive select with 32-key buckets, 2-D tiles where
# k <= lanes / 8) against v15 on the cases and the sweep's 4096-column shapes; the
# cuda tier's every-config test on v18; ncu DRAM / L2 traffic of v15's one-launch kernel at
# 4096x32768 (how much more than the logits' 512 MB it moves). Logs to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
S=4096x4096x512,4096x4096x1024,512x4096x2048,512x4096x512,64x4096x2048,8x4096x1024,1x4096x2048,4096x32768x512,4096x8192x256
timeout 200 python3 -m opdispatch.benchmarks.topk_tune --configs v15,v18 --shapes $S 2>&1 | grep -v -i warn | tee "$OUT/tune.txt"
timeout 120 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/topk/test_topk_cuda.py -k "v18" > "$OUT/t_cuda.txt" 2>&1
tail -c 300 "$OUT/t_cuda.txt"
NCU=$(command -v ncu || ls /usr/local/cuda*/bin/ncu 2>/dev/null | head -1)
timeout 150 $NCU --section MemoryWorkloadAnalysis --metrics dram__bytes_read.sum,dram__bytes_write.sum,lts__t_sector_hit_rate.pct,lts__t_sectors_srcunit_tex_op_read.sum,lts__t_sectors_srcunit_tex_op_write.sum,gpu__time_duration.sum \
  --kernel-name regex:topk --launch-skip 3 --launch-count 1 \
  python3 -m opdispatch.benchmarks.topk_ncu 4096 32768 2048 prefill v15 > "$OUT/ncu_mem.txt" 2>&1
grep -E "topk_.*\(|dram__|lts__|gpu__time|Hit Rate|Throughput" "$OUT/ncu_mem.txt" | cut -c1-150
