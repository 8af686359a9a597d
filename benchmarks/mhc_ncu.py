"""One mhc_pre call at T=8192 (the default config) for ``ncu`` (diagnostics; not a benchmark):

    ncu --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 --section SpeedOfLight \\
        python3 benchmarks/mhc_ncu.py [diag]

diag 1 skips the weighted sums (the GEMM phase alone), 2 skips the GEMM steps (wrong results).
A second argument names a config of benchmarks/mhc_diag.py (default: the shape's default).
"""

import sys

import torch
from mhc_slice_trial import PreCase  # this script's folder is on sys.path


def main() -> None:
    diag = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    config = None
    if len(sys.argv) > 2:
        sys.path.insert(0, "benchmarks")
        from mhc_diag import CONFIGS
        config = CONFIGS[sys.argv[2]]
    case = PreCase(8192, 7168)
    for _ in range(2):
        case.launch(False, config, diag)
    torch.cuda.synchronize()


if __name__ == "__main__":
    main()
