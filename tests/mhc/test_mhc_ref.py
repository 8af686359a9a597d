"""The torch_ref semantics (native tier): against an independent float64 computation, and the
properties the issue asks for (comb columns sum to 1, T = 0, post-then-pre == fused)."""

from __future__ import annotations

import math

import pytest
import torch

from opdispatch.backends.torch_ref import mhc as ref
from tests.mhc.helpers import (
    ROUNDING_RTOL,
    assert_close,
    assert_columns_stochastic,
    make_post_inputs,
    make_pre_inputs,
)

pytestmark = pytest.mark.native


def _pre_float64(residual, fn, scale, base, eps, post_mult, iters, norm_weight=None, norm_eps=1e-6):
    """mhc_pre written out token by token in float64, loops instead of broadcasting."""
    t, n, h = residual.shape
    x = residual.double().reshape(t, n * h)
    mixes = (x @ fn.double().T) / torch.sqrt((x * x).mean(-1, keepdim=True) + eps)
    sig = lambda v: 1.0 / (1.0 + torch.exp(-v))  # noqa: E731
    s, b = scale.double(), base.double()
    pre = sig(mixes[:, :n] * s[0] + b[:n]) + eps
    post = sig(mixes[:, n:2 * n] * s[1] + b[n:2 * n]) * post_mult
    comb = torch.empty(t, n, n, dtype=torch.float64)
    for k in range(t):
        c = mixes[k, 2 * n:].reshape(n, n) * s[2] + b[2 * n:].reshape(n, n)
        c = torch.exp(c - c.max(dim=1, keepdim=True).values)
        c = c / c.sum(dim=1, keepdim=True) + eps
        c = c / (c.sum(dim=0, keepdim=True) + eps)
        for _ in range(iters - 1):
            c = c / (c.sum(dim=1, keepdim=True) + eps)
            c = c / (c.sum(dim=0, keepdim=True) + eps)
        comb[k] = c
    y = sum(pre[:, i:i + 1] * residual[:, i].double() for i in range(n))
    y = y.to(residual.dtype)
    if norm_weight is not None:
        yd = y.double()
        y = (yd / torch.sqrt((yd * yd).mean(-1, keepdim=True) + norm_eps) * norm_weight.double()).to(residual.dtype)
    return y, post.unsqueeze(-1), comb


@pytest.mark.parametrize("t,n,h", [(1, 4, 128), (7, 4, 1000), (33, 2, 64), (5, 8, 16), (3, 1, 40)])
@pytest.mark.parametrize("with_norm", [False, True])
def test_pre_matches_float64(t, n, h, with_norm):
    residual, fn, scale, base = make_pre_inputs(t, n, h, seed=t + h)
    nw = torch.randn(h, generator=torch.Generator().manual_seed(5)) if with_norm else None
    y, post, comb = ref.mhc_pre(residual, fn, scale, base, norm_weight=nw, sinkhorn_iters=20)
    y64, post64, comb64 = _pre_float64(residual, fn, scale, base, 1e-6, 2.0, 20, nw)
    # float32 GEMM over n*H <= 4000 terms of size ~1/sqrt(K): absolute error ~1e-6 on mixes of
    # order 1, times sigmoid' <= 1/4 and post_mult 2; Sinkhorn steps are contractions.
    assert_close("post_mix", post, post64.float(), atol=1e-5, rtol=1e-5)
    assert_close("comb_mix", comb, comb64.float(), atol=1e-5, rtol=1e-5)
    assert_close("layer_input", y.float(), y64.float(), atol=1e-6, rtol=ROUNDING_RTOL[torch.bfloat16])
    assert_columns_stochastic(comb)


def test_sinkhorn_columns_sum_to_one_even_for_peaked_logits():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(64, 4, 4, generator=g) * 30  # softmax rows close to one-hot
    c = ref.sinkhorn(logits, 1e-6, 20)
    assert torch.isfinite(c).all()
    assert_columns_stochastic(c)
    # rows are close to 1 too after 20 iterations (the matrix is nearly doubly stochastic)
    assert float((c.sum(-1) - 1).abs().max()) < 0.1


def test_post_formula_transposed_comb():
    x, residual, post, comb = make_post_inputs(6, 4, 33)
    out = ref.mhc_post(x, residual, post, comb)
    want = torch.empty(6, 4, 33, dtype=torch.float64)
    for j in range(4):  # comb[:, i, j]: i is the source stream, j the destination
        want[:, j] = post[:, j].double() * x.double() + sum(
            comb[:, i, j, None].double() * residual[:, i].double() for i in range(4))
    assert_close("mhc_post", out.float(), want.to(torch.bfloat16).float(), atol=1e-6,
                 rtol=ROUNDING_RTOL[torch.bfloat16])


def test_head_formula():
    x, fn, scale, base = make_pre_inputs(9, 4, 50, head=True)
    out = ref.hc_head(x, fn, scale, base)
    xd = x.double().reshape(9, -1)
    mixes = xd @ fn.double().T / torch.sqrt((xd * xd).mean(-1, keepdim=True) + 1e-6)
    pre = torch.sigmoid(mixes * 0.8 + base.double()) + 1e-6
    want = (pre.unsqueeze(-1) * x.double()).sum(1)
    assert_close("hc_head", out.float(), want.to(torch.bfloat16).float(), atol=1e-6,
                 rtol=ROUNDING_RTOL[torch.bfloat16])


def test_fused_equals_post_then_pre():
    x, residual, post, comb = make_post_inputs(5, 4, 64)
    _, fn, scale, base = make_pre_inputs(5, 4, 64)
    outs = [torch.empty(5, 4, 64, dtype=torch.bfloat16), torch.empty(5, 64, dtype=torch.bfloat16),
            torch.empty(5, 4, 1), torch.empty(5, 4, 4)]
    ref.mhc_fused_post_pre_into(x, residual, post, comb, fn, scale, base, None, *outs, 1e-6, 1e-6,
                                1e-6, 2.0, 20, 1e-6)
    new = ref.mhc_post(x, residual, post, comb)
    y, p, c = ref.mhc_pre(new, fn, scale, base)
    for name, a, b in zip(("new_residual", "layer_input", "post_mix", "comb_mix"), outs, (new, y, p, c), strict=True):
        assert torch.equal(a, b), name


def test_empty_tokens():
    residual, fn, scale, base = make_pre_inputs(0, 4, 128)
    y, post, comb = ref.mhc_pre(residual, fn, scale, base)
    assert y.shape == (0, 128) and post.shape == (0, 4, 1) and comb.shape == (0, 4, 4)
    x, r, p, c = make_post_inputs(0, 4, 16)
    assert ref.mhc_post(x, r, p, c).shape == (0, 4, 16)
    assert not math.isnan(float(ref.sinkhorn(torch.zeros(1, 4, 4), 1e-6, 1).sum()))
