"""Trial (GPU): variants of v12's one launch (4096x32768-like prefill shapes) against the
default, alternated:

    python benchmarks/topk_fused_trial.py REPS -- ROWSxCOLSxK ...

Registers the trial configs in ``topk.CONFIGS`` (names below), then runs
``benchmarks/topk_config_ab.py`` on them (values checked against torch.topk first).
"""

import dataclasses
import sys

from opdispatch.backends.triton import topk as tk

sys.path.insert(0, "benchmarks")
import topk_config_ab  # noqa: E402

BASE = tk.CONFIGS["v33"]
TRIALS = {
    # calls 1-4 of session 28 ran the prefetch (fused_prefetch), register caps, S programs per
    # row (v34) and the first warp compaction (v35) trials, removed since (git history)
    "v36_b1k": dict(fused_warp_compact=2048, sample_block=1024),
    "v36_r80": dict(fused_warp_compact=2048, fused_maxnreg=80),
}


def main() -> None:
    topk_config_ab.main_with_trials(
        {name: dataclasses.replace(BASE, **kw) for name, kw in TRIALS.items()})


if __name__ == "__main__":
    main()
