#!/usr/bin/env bash
# Session 30, call 3: kernel timelines of the two-kernel path's trial configs at the one-launch
# shapes (where its time goes: the compaction or the finish).
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
timeout 200 python3 - <<'PY' 2>&1 | grep -v -i warn
import sys
sys.path.insert(0, "benchmarks")
import topk_twokernel_trial as t, topk_timeline
from opdispatch.backends.triton import topk as tk
tk.CONFIGS.update(t.trial_configs())
sys.argv = ["x", "v43,tk_np,tk_l2,tk_f8", "4096x32768x2048", "4096x32768x512", "4096x8192x2048"]
topk_timeline.main()
PY
