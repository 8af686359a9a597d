"""Trial (GPU, session 30): the shapes v12's one launch runs (rows of one slice, >= 528 rows of
4096 < cols <= 65536), through the two-kernel v3 path instead (the compaction kernel sampling
its own threshold, then the finish kernel), against the default, alternated:

    python benchmarks/topk_twokernel_trial.py REPS [CONFIG ...] -- ROWSxCOLSxK ...

Registers the trial configs in ``topk.CONFIGS`` (names below), then runs
``benchmarks/topk_config_ab.py`` on them (values checked against torch.topk first). Session 8
measured the two paths at v11 / v12 (517 / 491 us at 4096x32768 k=2048); the two-kernel path's
compaction (v32's lean loop) and finish (v24-v29's selects, v22's PDL) changed since.
"""

import dataclasses
import sys

from opdispatch.backends.triton import topk as tk

sys.path.insert(0, "benchmarks")
import topk_config_ab  # noqa: E402

BASE = tk.CONFIGS["v43"]
V45 = tk.CONFIGS["v45"]
TRIALS = {
    # the two-kernel path: compaction (own sample, lean loop, prefetch) then the finish
    "tk": dict(sample_fused=False),
    # ... the sample kept in L2 for the compaction's pass (evict_last / evict_first)
    "tk_l2": dict(sample_fused=False, sample_l2=2),
    # ... compaction at 4 warps (more, smaller programs)
    "tk_w4": dict(sample_fused=False, sample_num_warps=4),
    # ... without PDL (each kernel's time adds)
    "tk_np": dict(sample_fused=False, pdl=0),
    # ... the finish at 16 warps (8 keys a thread) where it has 4096 lanes
    "tk_f8": dict(sample_fused=False, finish_per_thread=8),
    # ... the threshold from its own kernel (one program per row, PDL into the compaction)
    "tk_thr": dict(sample_fused=False, sample_max_split=0, sample_row_min_ratio=2),
    # call 7: the one launch with samples of runs of 8 / 4 adjacent columns (one sector a
    # run: 1/8 of the row's sectors, where single columns touch every 64-byte piece)
    "g8": dict(sample_group=8),
    "g4": dict(sample_group=4),
    "tk_g8_l2": dict(sample_fused=False, sample_l2=2, sample_group=8),
    # call 9: v44's run sample (with its independence check) only in rows of >= 32768 columns
    # (call 10: v44's default; v44_r8 from 16384 columns)
    "v44_r8": dict(sample_runs=8, sample_runs_min_ratio=8),
}
# call 15: on v45, the one launch's select with the interpolating searches (fused_hi -1 / -2 /
# -3, as register mode and the finish have), and higher register caps now that the sample
# no longer reads the whole row
TRIALS_V45 = {
    "v45_fh1": dict(fused_hi=-1),
    "v45_fh2": dict(fused_hi=-2),
    "v45_fh3": dict(fused_hi=-3),
    "v45_r72": dict(fused_maxnreg=72),
    "v45_r80": dict(fused_maxnreg=80),
}


def trial_configs() -> dict:
    """The trial configs by name (TRIALS on v43, TRIALS_V45 on v45)."""
    return {**{name: dataclasses.replace(BASE, **kw) for name, kw in TRIALS.items()},
            **{name: dataclasses.replace(V45, **kw) for name, kw in TRIALS_V45.items()}}


def main() -> None:
    topk_config_ab.main_with_trials(trial_configs())


if __name__ == "__main__":
    main()
