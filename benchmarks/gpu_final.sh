#!/usr/bin/env bash
# One device call: the cuda test tier (bounded), then the headline benchmark cases of every family.
# Every bench row is printed as it finishes (a timeout loses nothing); logs go to $OUT.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
TEST_S=${TEST_S:-240}
timeout "$TEST_S" python3 -m pytest tests/quant tests/indexer tests/mhc tests/fused tests/compile_graph -m cuda -q \
    -p no:cacheprovider 2>&1 > "$OUT/cuda_tests.txt"
grep -E "^(FAILED|ERROR)|passed|failed" "$OUT/cuda_tests.txt" | head -40
b() { python3 -m opdispatch bench "$@" 2>&1 | grep -v "^wrote\|^env" ; }
b per_token_group_quant_fp8 silu_mul_per_token_group_quant_fp8 scaled_fp8_quant --label 16384 --out "$OUT/b1"
b per_token_group_quant_fp8 silu_mul_per_token_group_quant_fp8 --label "16x" --out "$OUT/b2"
b mhc_pre mhc_post hc_head mhc_fused_post_pre --label "T=8192" --out "$OUT/b3"
b mhc_pre mhc_post hc_head --label "T=64 " --out "$OUT/b4"
b fp8_mqa_logits fp8_paged_mqa_logits --out "$OUT/b5"
b fused_inv_rope_fp8_quant fused_mtp_input_rmsnorm --label "T=8192" --out "$OUT/b6"
