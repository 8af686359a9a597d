#!/usr/bin/env bash
# One device call: environment, opdispatch check on the GPU, the cuda test tier. Logs to $OUT.
# Usage (device tool): bash benchmarks/gpu_check.sh [pytest args...]
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv | tee "$OUT/env.txt"
python3 -c "import torch, triton; print('torch', torch.__version__, 'triton', triton.__version__, 'cuda', torch.version.cuda)" | tee -a "$OUT/env.txt"
python3 -m opdispatch explain > "$OUT/explain.txt" 2>&1; tail -3 "$OUT/explain.txt"
python3 -m opdispatch check 2>&1 | tee "$OUT/check.txt" | grep -E "FAIL|passed" 
python3 -m pytest -m cuda -q -x -p no:cacheprovider "$@" 2>&1 | tee "$OUT/pytest_cuda.txt" | tail -40
