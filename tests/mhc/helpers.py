"""Inputs and comparisons shared by the mHC tests."""

from __future__ import annotations

import torch

# One bf16 ulp relative to the value (2^-8 mantissa step, so 2^-7 bounds one step anywhere in a
# binade): torch rounds float32 -> bf16 to nearest, the Triton interpreter truncates, and a fp32
# value a hair from a rounding boundary may land on either side. Same reasoning for fp16 (2^-10).
ROUNDING_RTOL = {torch.bfloat16: 2.0**-7, torch.float16: 2.0**-10, torch.float32: 1e-5}


def make_pre_inputs(t: int, n: int, h: int, *, dtype=torch.bfloat16, device="cpu", seed: int = 0,
                    head: bool = False, comb_scale: float = 2.0):
    """residual [T, n, H], fn, scale, base with mixing logits of order 1 (so every sigmoid and the
    Sinkhorn steps see non-trivial values; never all zeros)."""
    g = torch.Generator().manual_seed(seed)
    residual = torch.randn(t, n, h, generator=g).to(dtype)
    n_mix = n if head else (2 + n) * n
    # fn ~ 1/sqrt(n*H) keeps x @ fn.T * rsqrt(mean x^2) ~ N(0, 1) for any H
    fn = torch.randn(n_mix, n * h, generator=g) / (n * h) ** 0.5
    scale = torch.tensor([0.8] if head else [0.8, 1.1, comb_scale])
    base = torch.randn(n_mix, generator=g) * 0.5
    return tuple(x.to(device) for x in (residual, fn, scale, base))


def make_post_inputs(t: int, n: int, h: int, *, dtype=torch.bfloat16, device="cpu", seed: int = 1):
    """x [T, H], residual [T, n, H], post_mix [T, n, 1] in (0, 2), comb_mix [T, n, n] in (0, 1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(t, h, generator=g).to(dtype)
    residual = torch.randn(t, n, h, generator=g).to(dtype)
    post = torch.rand(t, n, 1, generator=g) * 2
    comb = torch.rand(t, n, n, generator=g)
    return tuple(v.to(device) for v in (x, residual, post, comb))


def nan_like(t: torch.Tensor) -> torch.Tensor:
    return torch.full_like(t, float("nan"))


def assert_close(name: str, out: torch.Tensor, ref: torch.Tensor, *, atol: float, rtol: float) -> None:
    """|out - ref| <= atol + rtol * |ref| everywhere (NaN fails), with a message that says where."""
    assert out.shape == ref.shape, f"{name}: shape {tuple(out.shape)} != {tuple(ref.shape)}"
    assert out.dtype == ref.dtype, f"{name}: dtype {out.dtype} != {ref.dtype}"
    o, r = out.detach().double().cpu(), ref.detach().double().cpu()
    err = (o - r).abs()
    bad = ~(err <= atol + rtol * r.abs())
    if bool(bad.any()):
        first = tuple(int(i) for i in bad.nonzero()[0])
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {bad.numel()} elements off (atol={atol:g}, rtol={rtol:g}); "
            f"first at {first}: got {float(o[first])}, want {float(r[first])}; "
            f"max err {float(err[~torch.isnan(err)].max()) if (~torch.isnan(err)).any() else 'nan'}")


def assert_columns_stochastic(comb: torch.Tensor, tol: float = 1e-3) -> None:
    """Sinkhorn ends on a column normalisation: every column of comb_mix sums to 1."""
    col = comb.double().sum(dim=-2)
    err = (col - 1).abs()
    assert bool((err <= tol).all()), f"comb_mix column sums off by up to {float(err.max())} (tol {tol})"
    assert bool((comb >= 0).all()), "comb_mix has negative entries"
