#!/usr/bin/env bash
# Session 12, call 2: fp8_mqa_logits with the logits stored in the dot's layout by inline PTX
# (asm_store, the *_as configs): every-config GPU test of the new configs, then graph times
# against the default, every output compared bit for bit with the default's.
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/smi.txt"
timeout 200 python3 -m pytest -m cuda -p no:cacheprovider -rfE --tb=short -q tests/indexer/test_cuda.py -k "every_config and _as" > "$OUT/t_cfg.txt" 2>&1
tail -c 800 "$OUT/t_cfg.txt"
timeout 300 python3 benchmarks/indexer_overlap_trial.py n128_w4_s3_u2 n128_w4_s3_as n128_w4_s3_as_r96 n128_w4_s4_as n128_w4_s4_as_r96 n128_w4_s3_u2_as n128_w4_s2_u2_as n256_w8_s3_as n128_w8_s3_as n128_w4_s3_u2 2>&1 | grep -v -i warn | tee "$OUT/trial.txt"
