"""Input builders, an independent float64 oracle and fp8 comparisons for the quant tests."""

from __future__ import annotations

import torch

FP8_MAX = {torch.float8_e4m3fn: 448.0, torch.float8_e4m3fnuz: 224.0}


def make_x(shape, dtype=torch.bfloat16, *, seed=0, scale=3.0, device="cpu", zero_group=None):
    """Random normal input (fixed seed) with a few outliers, so group maxima vary; optionally
    one all-zero group (``zero_group=(row, group_size)``: the row's first group)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape, generator=gen) * scale
    if x.numel():
        flat = x.view(-1)
        idx = torch.randint(0, flat.numel(), (max(1, flat.numel() // 97),), generator=gen)
        flat[idx] *= 40.0  # outliers: some groups get a much larger scale
    if zero_group is not None and x.numel():
        row, group_size = zero_group
        x.view(-1, shape[-1])[row, :group_size] = 0.0
    return x.to(dtype).to(device)


def fp8_ordinal(q: torch.Tensor) -> torch.Tensor:
    """Monotone integer of each fp8 code: neighbouring values differ by 1 (sign-magnitude)."""
    b = q.view(torch.uint8).to(torch.int64)
    return torch.where(b >= 128, -(b & 0x7F), b & 0x7F)


def assert_no_nan_codes(q: torch.Tensor, what: str) -> None:
    """No NaN code (e4m3fn: 0x7f/0xff, e4m3fnuz: 0x80): also catches unwritten poison."""
    n = int(torch.isnan(q.float()).sum())
    assert n == 0, f"{what}: {n} of {q.numel()} codes are NaN (unwritten or overflowed)"


def assert_codes_close(q: torch.Tensor, q_ref: torch.Tensor, what: str, *, max_frac: float) -> None:
    """Codes equal but for at most ``max_frac`` of them, and those one fp8 step apart (a float32
    rounding difference before the cast can move a value across a rounding boundary)."""
    assert q.shape == q_ref.shape and q.dtype == q_ref.dtype, (q.shape, q.dtype, q_ref.shape, q_ref.dtype)
    assert_no_nan_codes(q, what)
    d = (fp8_ordinal(q) - fp8_ordinal(q_ref.to(q.device))).abs()  # on q's device: GPU-sized
    n_diff, worst = int((d > 0).sum()), int(d.max()) if d.numel() else 0
    assert worst <= 1, (f"{what}: codes differ by {worst} steps at "
                        f"{tuple(int(i) for i in (d == worst).nonzero()[0])} ({n_diff} differ)")
    assert n_diff <= max_frac * q.numel(), f"{what}: {n_diff} of {q.numel()} codes differ by one step"


def assert_equal(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    a, b = a.cpu(), b.cpu()
    assert a.shape == b.shape and a.dtype == b.dtype, f"{what}: {a.shape} {a.dtype} vs {b.shape} {b.dtype}"
    if a.dtype.is_floating_point:
        assert not torch.isnan(a).any(), f"{what}: {int(torch.isnan(a).sum())} NaN (unwritten?)"
    diff = a != b
    assert not diff.any(), (f"{what}: {int(diff.sum())} of {a.numel()} differ, first at "
                            f"{tuple(int(i) for i in diff.nonzero()[0])}: {a[diff][:3]} vs {b[diff][:3]}")


def group_oracle(y: torch.Tensor, group_size: int, eps: float, fp8_max: float, use_ue8m0: bool):
    """Independent float64 oracle: (exact x / s values before rounding to fp8, float32 scales).

    amax is an input value (exact); s = amax / fp8_max rounded once to float32 (a float64
    quotient of a 24-bit value by 7 * 2**k never sits on a float32 tie, so rounding it again
    gives the correctly rounded float32); ue8m0 by comparing against powers of two."""
    y64 = y.double().cpu()
    g = y64.unflatten(-1, (y64.shape[-1] // group_size, group_size))
    amax = g.abs().amax(-1).clamp_min(eps)
    s = (amax / fp8_max).float().double()
    if use_ue8m0:
        e = torch.ceil(torch.log2(s))
        e = torch.where(torch.exp2(e - 1) >= s, e - 1, e)  # guard log2 rounding up
        e = torch.where(torch.exp2(e) < s, e + 1, e)        # and down
        s = torch.exp2(e)
    # x / s correctly rounded to float32, as every provider divides: the fp8 cast then rounds
    # that float32 (rounding the exact quotient directly could differ at a float32 tie).
    v = (g / s.unsqueeze(-1)).float().double().clamp(-fp8_max, fp8_max).flatten(-2)
    return v, s.float()


def assert_nearest_fp8(q: torch.Tensor, v: torch.Tensor, what: str) -> None:
    """Each code is a nearest fp8 value to the exact ``v`` (float64): checked against the table
    of every finite value of q's dtype (ties may go either way here)."""
    table = torch.arange(256, dtype=torch.int64).to(torch.uint8).view(q.dtype).double()
    table = table[torch.isfinite(table)].unique()
    qv, v = q.double().cpu().flatten(), v.flatten()
    assert not torch.isnan(qv).any(), f"{what}: NaN codes"
    best = torch.empty_like(v)
    for chunk in range(0, v.numel(), 4096):
        vv = v[chunk:chunk + 4096, None]
        best[chunk:chunk + 4096] = (table[None, :] - vv).abs().min(dim=1).values
    err = (qv - v).abs()
    bad = err > best + 1e-12 * v.abs()
    assert not bad.any(), f"{what}: {int(bad.sum())} codes are not a nearest fp8 value"


def silu_mul_oracle(x: torch.Tensor) -> torch.Tensor:
    """y = round_x_dtype(round_x_dtype(silu(gate)) * up), silu in float64 (its float32 and
    float64 values round to the same bf16/fp16 but for ties, which random data avoids)."""
    n = x.shape[-1] // 2
    g, u = x[..., :n].double().cpu(), x[..., n:].double().cpu()
    act = (g / (1.0 + torch.exp(-g))).to(x.dtype).double()
    return (act * u).to(x.dtype)
