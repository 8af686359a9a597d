"""Trial (GPU): v12's one launch (4096x32768-like prefill shapes) with the row prefetched into
L2 (``fused_prefetch``) and other register caps, against the default, alternated:

    python benchmarks/topk_prefetch_trial.py REPS -- ROWSxCOLSxK ...

Registers the trial configs in ``topk.CONFIGS`` (names below), then runs
``benchmarks/topk_config_ab.py`` on them (values checked against torch.topk first).
"""

import dataclasses
import sys

from opdispatch.backends.triton import topk as tk

sys.path.insert(0, "benchmarks")
import topk_config_ab  # noqa: E402

BASE = tk.CONFIGS[tk.DEFAULT_CONFIG]
TRIALS = {
    # call 1: the prefetch and register caps
    "p1": dict(fused_prefetch=1),
    "p2": dict(fused_prefetch=2),
    "p3": dict(fused_prefetch=3),
    "p1_nh": dict(fused_prefetch=1, sample_l2=0),
    "p3_r80": dict(fused_prefetch=3, fused_maxnreg=80),
    "r80": dict(fused_maxnreg=80),
    "r96": dict(fused_maxnreg=96),
    "r96_p3": dict(fused_prefetch=3, fused_maxnreg=96),
    # call 2: S programs per row (v34, topk_sample_rows_split_kernel)
    "v34_2": dict(rows_split=2),
    "v34_4": dict(rows_split=4),
    "v34_8": dict(rows_split=8),
    "v34_4_nh": dict(rows_split=4, sample_l2=0),
    # call 3: the warp compaction (v35, _compact_slice_warp)
    "v35": dict(fused_warp_compact=True),
    "v35_b4k": dict(fused_warp_compact=True, sample_block=4096),
    "v35_b1k": dict(fused_warp_compact=True, sample_block=1024),
    "v35_nh": dict(fused_warp_compact=True, sample_l2=0),
    "v35_r80": dict(fused_warp_compact=True, fused_maxnreg=80),
    "v35_r72": dict(fused_warp_compact=True, fused_maxnreg=72),
}


def main() -> None:
    for name, kw in TRIALS.items():
        tk.CONFIGS[name] = dataclasses.replace(BASE, **kw)
    args = sys.argv[1:]
    cut = args.index("--")
    names = args[1:cut] or [tk.DEFAULT_CONFIG, *TRIALS]
    sys.argv = [sys.argv[0], args[0], *names, "--", *args[cut + 1:]]
    topk_config_ab.main()


if __name__ == "__main__":
    main()
