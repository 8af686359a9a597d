#!/usr/bin/env bash
# The shortest useful device call: headline bench cases without the torch.compile baseline
# (GUIDE.md section 5 has those, measured on the same H100 and torch), then the GPU tests that
# prove the fixes, each bounded. Rows print as they finish.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
b() { timeout "$1" python3 -m opdispatch bench "${@:2}" --no-compile 2>&1 | grep -v "^wrote\|^env: " ; }
b 40 per_token_group_quant_fp8 silu_mul_per_token_group_quant_fp8 --label "16384x" --out "$OUT/b1"
b 40 mhc_pre mhc_post hc_head mhc_fused_post_pre --label "T=8192" --out "$OUT/b3"
b 40 fp8_mqa_logits fp8_paged_mqa_logits --out "$OUT/b5"
b 20 fused_inv_rope_fp8_quant fused_mtp_input_rmsnorm --label "T=8192" --out "$OUT/b6"
timeout "${TEST_S:-90}" python3 -m pytest tests/quant tests/indexer tests/mhc -m cuda -q -x -p no:cacheprovider \
    -k "compile or fused_post_pre or model_size" 2>&1 | tail -5
