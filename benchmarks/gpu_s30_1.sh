#!/usr/bin/env bash
# Session 30, call 1: the top-k cuda tier on HEAD (d36ef27's refactor of the bracket emits into
# _ballot2_ranks / _store_bracket_ranked had only been checked offline and in the interpreter).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name --format=csv,noheader
python3 -c "import torch, triton; print(torch.__version__, triton.__version__)"
timeout 380 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "not every_tuning_config" -p no:cacheprovider 2>&1 | tail -4
timeout 180 python3 -m pytest -q -m cuda tests/topk/test_topk_cuda.py -k "every_tuning_config and (v43 or v41 or v39 or v40)" -p no:cacheprovider 2>&1 | tail -3
