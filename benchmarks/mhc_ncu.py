"""One mhc_pre call at T=8192 (the default config) for ``ncu`` (diagnostics; not a benchmark):

    ncu --kernel-name regex:_mhc_pre --launch-skip 1 --launch-count 1 --section SpeedOfLight \\
        python3 benchmarks/mhc_ncu.py [diag]

diag 1 skips the weighted sums (the GEMM phase alone), 2 skips the GEMM steps (wrong results).
A second argument names a config of benchmarks/mhc_diag.py (default: the shape's default).
"""

import sys

import torch

from opdispatch.backends.triton import mhc as tmhc


def main() -> None:
    diag = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    config = None
    if len(sys.argv) > 2:
        sys.path.insert(0, "benchmarks")
        from mhc_diag import CONFIGS
        config = CONFIGS[sys.argv[2]]
    t, n, h = 8192, 4, 7168
    g = torch.Generator(device="cuda").manual_seed(0)
    r = torch.randn(t, n, h, device="cuda", generator=g).to(torch.bfloat16)
    fn = torch.randn((2 + n) * n, n * h, device="cuda", generator=g) * 1e-3
    scale = torch.rand(3, device="cuda", generator=g) + 0.5
    base = torch.randn((2 + n) * n, device="cuda", generator=g) * 0.1
    y = torch.empty(t, h, dtype=torch.bfloat16, device="cuda")
    post = torch.empty(t, n, 1, device="cuda")
    comb = torch.empty(t, n, n, device="cuda")
    for _ in range(2):
        tmhc._launch_pre(r, fn, scale, base, None, y, post, comb, head=False, post_in=None,
                         rms_eps=1e-6, hc_pre_eps=1e-6, sinkhorn_eps=1e-6, post_mult=2.0,
                         sinkhorn_iters=20, norm_eps=1e-6, config=config, diag=diag)
    torch.cuda.synchronize()


if __name__ == "__main__":
    main()
