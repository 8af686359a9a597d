"""The Triton kernels through their launchers, against torch_ref (interp tier: the interpreter on
CPU tensors, small shapes; the big ones are in test_mhc_cuda.py).

Tolerances. The interpreter runs the GEMM as an IEEE float32 dot: the mixes differ from the
reference only by summation order (~1e-6 relative on values of order 1), and every later step
(sigmoid, 20 Sinkhorn contractions) keeps that scale: atol 2e-5 on post/comb (values <= 2).
Rounded outputs allow one step of their dtype (ROUNDING_RTOL) plus 1e-5 for values near zero.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.backends.triton import mhc as tmhc
from tests.mhc.helpers import (
    ROUNDING_RTOL,
    assert_close,
    assert_columns_stochastic,
    make_post_inputs,
    make_pre_inputs,
)

pytestmark = pytest.mark.interp

COEF_ATOL = 2e-5
SCALARS = (1e-6, 1e-6, 1e-6, 2.0, 20, 1e-6)  # rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, iters, norm_eps

# the default config for the shape; one split per tile with a lag of one tile; and small blocks
# (many splits, an uneven last split, several weighted-sum steps per split, lag 2)
CONFIGS = {
    "default": None,
    "one-split": tmhc.PreConfig(block_h=32, split_h=4096, lag=1, out_block_h=64),
    "small": tmhc.PreConfig(block_h=16, split_h=48, lag=2, out_block_h=32, ws_t=4, fin_t=8),
    # one (H-block, stream) pair per step, squares by dot (fn_cat is GPU-only: bf16 dots)
    "flat-dot": tmhc.PreConfig(block_h=16, split_h=48, lag=2, out_block_h=32, ws_t=4, fin_t=8,
                               flat=True, sq_dot=True, fn_cat=True),
    # the decode schedule: GEMM partials, then finish + weighted sum in a second launch (every
    # program adds its tile's partials itself, 8 in flight; whole tokens in 4-row chunks)
    "two-launch": tmhc.PreConfig(block_h=16, split_h=48, out_block_h=32, fin_t=4, two_launch=True,
                                 fin_s=8),
    # one token per finishing chunk, all of a small H's splits at once, the flat GEMM loop
    "two-launch-row": tmhc.PreConfig(block_h=16, split_h=32, out_block_h=32, fin_t=1, two_launch=True,
                                     fin_s=16, flat=True, sq_dot=True),
}


def _config(name, t, n, h):
    cfg = CONFIGS[name]
    if cfg is None:
        return None
    if n * cfg.block_h < 16:  # tl.dot needs K >= 16
        cfg = replace(cfg, block_h=16 // n, split_h=cfg.split_h // cfg.block_h * (16 // n))
    return cfg


def _pre_outs(t, n, h, dtype):
    nan = float("nan")
    return (torch.full((t, h), nan, dtype=dtype), torch.full((t, n, 1), nan), torch.full((t, n, n), nan))


def _check_pre(got, want, dtype=torch.bfloat16):
    y, post, comb = got
    y_ref, post_ref, comb_ref = want
    assert_close("post_mix", post, post_ref, atol=COEF_ATOL, rtol=0)
    assert_close("comb_mix", comb, comb_ref, atol=COEF_ATOL, rtol=0)
    assert_close("layer_input", y.float(), y_ref.float(), atol=1e-5, rtol=ROUNDING_RTOL[dtype])
    if comb.numel():
        assert_columns_stochastic(comb)


PRE_SHAPES = [(0, 4, 128), (1, 4, 128), (7, 4, 1000), (33, 4, 64), (5, 2, 48), (3, 8, 40), (4, 1, 64)]
PRE_CASES = [(s, c) for s in PRE_SHAPES for c in CONFIGS if not (c in ("small", "flat-dot", "two-launch", "two-launch-row") and s[2] > 128)]  # interpreter time


@pytest.mark.parametrize("t,n,h,config", [(*s, c) for s, c in PRE_CASES])
def test_mhc_pre(t, n, h, config):
    residual, fn, scale, base = make_pre_inputs(t, n, h, seed=7 * t + h)
    outs = _pre_outs(t, n, h, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS, config=_config(config, t, n, h))
    _check_pre(outs, ref.mhc_pre(residual, fn, scale, base))


@pytest.mark.parametrize("config", ["default", "small", "two-launch", "two-launch-row"])
@pytest.mark.parametrize("t,h", [(1, 128), (7, 200), (17, 64)])
def test_mhc_pre_norm_weight(t, h, config):
    residual, fn, scale, base = make_pre_inputs(t, 4, h, seed=h)
    nw = torch.rand(h, generator=torch.Generator().manual_seed(2)) + 0.5
    outs = _pre_outs(t, 4, h, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, nw, *outs, *SCALARS, config=_config(config, t, 4, h))
    want = ref.mhc_pre(residual, fn, scale, base, norm_weight=nw)
    # The normalised output is computed from the rounded layer input (as the reference), whose
    # own rounding may differ by one step: 2 steps of bf16 in all.
    assert_close("layer_input", outs[0].float(), want[0].float(), atol=1e-5, rtol=2 * ROUNDING_RTOL[torch.bfloat16])
    assert_close("comb_mix", outs[2], want[2], atol=COEF_ATOL, rtol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_mhc_pre_other_dtypes(dtype):
    residual, fn, scale, base = make_pre_inputs(9, 4, 96, dtype=dtype, seed=4)
    outs = _pre_outs(9, 4, 96, dtype)
    tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS)
    _check_pre(outs, ref.mhc_pre(residual, fn, scale, base), dtype)


@pytest.mark.parametrize("config", ["default", "small", "two-launch", "two-launch-row"])
def test_mhc_pre_strided_residual(config):
    """Token and stream strides of a slice: every other token of a wider buffer."""
    big, fn, scale, base = make_pre_inputs(14, 4, 80, seed=11)
    residual = big[::2, :, :48]  # strides (640, 80, 1)
    fn = fn.reshape(24, 4, 80)[:, :, :48].reshape(24, 192).contiguous()
    outs = _pre_outs(7, 4, 48, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS, config=_config(config, 7, 4, 48))
    _check_pre(outs, ref.mhc_pre(residual, fn, scale, base))


def test_mhc_pre_strided_layer_input_out():
    residual, fn, scale, base = make_pre_inputs(5, 4, 64, seed=3)
    wide = torch.full((5, 100), float("nan"), dtype=residual.dtype)
    y = wide[:, 10:74]
    _, post, comb = _pre_outs(5, 4, 64, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, None, y, post, comb, *SCALARS)
    _check_pre((y, post, comb), ref.mhc_pre(residual, fn, scale, base))
    assert torch.isnan(wide[:, :10]).all() and torch.isnan(wide[:, 74:]).all(), "wrote outside the view"


def test_mhc_pre_peaked_logits_stay_finite():
    residual, fn, scale, base = make_pre_inputs(6, 4, 64, comb_scale=40.0, seed=9)
    outs = _pre_outs(6, 4, 64, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS)
    _check_pre(outs, ref.mhc_pre(residual, fn, scale, base))


@pytest.mark.parametrize("config", ["default", "small", "two-launch", "two-launch-row"])
@pytest.mark.parametrize("t,n,h", [(0, 4, 64), (1, 4, 128), (7, 4, 1000), (33, 2, 40), (3, 8, 24)])
def test_hc_head(t, n, h, config):
    x, fn, scale, base = make_pre_inputs(t, n, h, head=True, seed=h + t)
    out = torch.full((t, h), float("nan"), dtype=x.dtype)
    tmhc.hc_head(x, fn, scale, base, out, 1e-6, 1e-6, config=_config(config, t, n, h))
    assert_close("hc_head", out.float(), ref.hc_head(x, fn, scale, base).float(), atol=1e-5,
                 rtol=ROUNDING_RTOL[x.dtype])


@pytest.mark.parametrize("t,n,h", [(0, 4, 64), (1, 4, 128), (7, 4, 1000), (33, 4, 130), (5, 2, 7), (3, 8, 40), (2, 1, 9)])
def test_mhc_post(t, n, h):
    x, residual, post, comb = make_post_inputs(t, n, h, seed=t + h)
    out = torch.full((t, n, h), float("nan"), dtype=residual.dtype)
    tmhc.mhc_post(x, residual, post, comb, out)
    assert_close("mhc_post", out.float(), ref.mhc_post(x, residual, post, comb).float(), atol=1e-5,
                 rtol=ROUNDING_RTOL[residual.dtype])


def test_mhc_post_strided_inputs_and_config():
    x, residual, post, comb = make_post_inputs(9, 4, 70, seed=5)
    comb_t = comb.transpose(1, 2).contiguous().transpose(1, 2)  # same values, column-major [n, n]
    post_s = torch.cat([post, post], dim=2)[:, :, :1]  # stream stride 2
    res_s = torch.stack([residual, residual], dim=1)[:, 0]  # token stride 2*n*H
    x_s = torch.cat([x, x], dim=1)[:, :70]
    out = torch.full((9, 4, 70), float("nan"), dtype=residual.dtype)
    tmhc.mhc_post(x_s, res_s, post_s, comb_t, out, config=tmhc.PostConfig(block_t=4, block_h=32, num_warps=2))
    assert_close("mhc_post", out.float(), ref.mhc_post(x, residual, post, comb).float(), atol=1e-5,
                 rtol=ROUNDING_RTOL[residual.dtype])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_mhc_post_other_dtypes(dtype):
    x, residual, post, comb = make_post_inputs(5, 4, 33)
    x, residual = x.to(dtype), residual.to(dtype)
    out = torch.full((5, 4, 33), float("nan"), dtype=dtype)
    tmhc.mhc_post(x, residual, post, comb, out)
    assert_close("mhc_post", out.float(), ref.mhc_post(x, residual, post, comb).float(), atol=1e-5,
                 rtol=ROUNDING_RTOL[dtype])


@pytest.mark.parametrize("config", list(CONFIGS))
@pytest.mark.parametrize("with_norm", [False, True])
@pytest.mark.parametrize("t,n,h", [(1, 4, 128), (7, 4, 100), (33, 2, 40)])
def test_fused_post_pre_equals_post_then_pre(t, n, h, with_norm, config):
    """Both through Triton: the new residual bit-identical to mhc_post's, the rest identical to
    mhc_pre run on it (same kernels, same reduction orders); and close to the reference."""
    x, residual, post_in, comb_in = make_post_inputs(t, n, h, seed=h)
    _, fn, scale, base = make_pre_inputs(t, n, h, seed=t)
    nw = torch.rand(h, generator=torch.Generator().manual_seed(1)) + 0.5 if with_norm else None
    cfg = _config(config, t, n, h)
    new = torch.full((t, n, h), float("nan"), dtype=residual.dtype)
    outs = _pre_outs(t, n, h, residual.dtype)
    tmhc.mhc_fused_post_pre(x, residual, post_in, comb_in, fn, scale, base, nw, new, *outs, *SCALARS, config=cfg)

    new2 = torch.full((t, n, h), float("nan"), dtype=residual.dtype)
    tmhc.mhc_post(x, residual, post_in, comb_in, new2)
    outs2 = _pre_outs(t, n, h, residual.dtype)
    tmhc.mhc_pre(new2, fn, scale, base, nw, *outs2, *SCALARS, config=cfg)
    assert torch.equal(new, new2), "new residual differs from mhc_post's"
    for name, a, b in zip(("layer_input", "post_mix", "comb_mix"), outs, outs2, strict=True):
        assert torch.equal(a, b), f"{name} differs from post-then-pre"

    want_new = ref.mhc_post(x, residual, post_in, comb_in)
    assert_close("new_residual", new.float(), want_new.float(), atol=1e-5, rtol=ROUNDING_RTOL[residual.dtype])
    y_ref, p_ref, c_ref = ref.mhc_pre(new, fn, scale, base, norm_weight=nw)
    assert_close("post_mix", outs[1], p_ref, atol=COEF_ATOL, rtol=0)
    assert_close("comb_mix", outs[2], c_ref, atol=COEF_ATOL, rtol=0)
    assert_close("layer_input", outs[0].float(), y_ref.float(), atol=1e-5,
                 rtol=(2 if with_norm else 1) * ROUNDING_RTOL[residual.dtype])


OWN_VARIANTS = {
    "own": dict(own=True),
    "own-par-early": dict(own=True, fin_par=4, fin_t=4, early_flag=True),
    # the T >= 4096 default's weighted-sum options: 2x longer steps, streaming stores (a cache
    # hint, a no-op here: this runs the code paths, incl. the norm's second store)
    "own-ws-cs": dict(own=True, ws_t=8, out_cs=True, out_block_h=64),  # 64 >= split_h: one-block steps
    "par": dict(fin_par=4, fin_t=4),
    "early": dict(early_flag=True, fin_t=4),
}


@pytest.mark.parametrize("variant", list(OWN_VARIANTS))
@pytest.mark.parametrize("mode", ["pre", "norm", "head", "fused"])
def test_own_tile_and_parallel_finishers_match_the_lag_schedule(mode, variant):
    """own (each item's own tile's weighted sum), fin_par (parallel finishers) and early_flag
    give the lag schedule's bits. The interpreter runs programs one after another, so here
    every wait on a later item gives up after `spin` polls and hands its chunk or item to the
    tile's last arrival / publisher: this runs the hand-over paths (the GPU tier runs both)."""
    t, n, h = 40, 4, 300     # 3 tiles of 16 tokens, 7 splits of 48
    base_cfg = tmhc.PreConfig(block_h=16, split_h=48, out_block_h=32, ws_t=4, fin_t=16, lag=1)
    cfg = replace(base_cfg, **OWN_VARIANTS[variant])
    head = mode == "head"
    residual, fn, scale, base = make_pre_inputs(t, n, h, head=head, seed=3)
    nw = torch.rand(h, generator=torch.Generator().manual_seed(4)) + 0.5 if mode == "norm" else None
    if head:
        got, want = (torch.empty(t, h, dtype=residual.dtype) for _ in range(2))
        tmhc.hc_head(residual, fn, scale, base, got, 1e-6, 1e-6, config=cfg)
        tmhc.hc_head(residual, fn, scale, base, want, 1e-6, 1e-6, config=base_cfg)
        assert torch.equal(got, want)
        return
    outs, outs2 = _pre_outs(t, n, h, residual.dtype), _pre_outs(t, n, h, residual.dtype)
    if mode == "fused":
        x, old, post_in, comb_in = make_post_inputs(t, n, h, seed=5)
        new, new2 = torch.empty_like(old), torch.empty_like(old)
        tmhc.mhc_fused_post_pre(x, old, post_in, comb_in, fn, scale, base, None, new, *outs, *SCALARS,
                                config=cfg)
        tmhc.mhc_fused_post_pre(x, old, post_in, comb_in, fn, scale, base, None, new2, *outs2,
                                *SCALARS, config=base_cfg)
        assert torch.equal(new, new2)
    else:
        tmhc.mhc_pre(residual, fn, scale, base, nw, *outs, *SCALARS, config=cfg)
        tmhc.mhc_pre(residual, fn, scale, base, nw, *outs2, *SCALARS, config=base_cfg)
        if nw is None:
            _check_pre(outs, ref.mhc_pre(residual, fn, scale, base))
    for name, a, b in zip(("layer_input", "post_mix", "comb_mix"), outs, outs2, strict=True):
        assert torch.equal(a, b), f"{name} differs from the lag schedule's"


def test_own_and_fin_par_limits():
    residual, fn, scale, base = make_pre_inputs(4, 4, 300, seed=3)
    outs = _pre_outs(4, 4, 300, residual.dtype)
    for bad in (tmhc.PreConfig(block_h=16, split_h=16, own=True),          # 19 splits: fine
                tmhc.PreConfig(block_h=16, split_h=48, fin_par=4, fin_t=8),  # 4 * 8 != block_t
                tmhc.PreConfig(block_h=16, split_h=256, fin_par=4, fin_t=4),  # 2 splits < fin_par
                tmhc.PreConfig(block_h=8, split_h=8, own=True)):             # 38 splits > 30
        if bad.split_h == 16:
            tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS, config=bad)
            continue
        with pytest.raises(ValueError, match="fin_par|own"):
            tmhc.mhc_pre(residual, fn, scale, base, None, *outs, *SCALARS, config=bad)


def test_default_configs_are_valid():
    for t in (1, 64, 512, 4096, 8192):
        for n in (1, 2, 4, 8):
            for head in (False, True):
                for h in (7168, 1024, 16384):
                    cfg = tmhc.default_pre_config(t, n, h, head)
                    assert cfg.block_t >= 16 and n * cfg.block_h >= 16, (t, n, head, cfg)
                    _, np_ = tmhc.mix_columns(n, head)
                    assert np_ % n == 0 and np_ // n >= (1 if head else 2 + n)
                    n_split = -(-h // cfg.split_h)
                    if cfg.own:
                        assert n_split <= 30 and t >= 4096, (t, h, cfg)
                        assert cfg.fin_s * cfg.fin_t * np_ <= 8192, cfg   # the finisher's tile
                    if cfg.fin_par > 1:
                        assert cfg.fin_par * cfg.fin_t == cfg.block_t, cfg
                        assert cfg.fin_par <= n_split <= 255, (h, cfg)


@pytest.mark.parametrize("n,head,k", [(4, False, 200), (4, True, 64), (8, False, 72), (1, True, 40)])
def test_fn_hilo_split(n, head, k):
    """fn [N, K] -> [K, 2 NP] bf16 (hi | lo, zero past N): hi + lo carries fn to ~2^-16 relative
    (two bf16 parts: 16 significant bits, the interpreter truncating where the GPU rounds), lo
    is below hi's last bit, and the padding columns are zero."""
    n_mix, np_ = tmhc.mix_columns(n, head)
    g = torch.Generator().manual_seed(k)
    fn = torch.randn(n_mix, k, generator=g) * torch.logspace(-6, 2, k)
    out = tmhc._fn_hilo(fn, n_mix, np_, block_k=32)
    assert out.shape == (k, 2 * np_) and out.dtype == torch.bfloat16
    hi, lo = out[:, :np_].float(), out[:, np_:].float()
    want = fn.t()
    err = (hi[:, :n_mix] + lo[:, :n_mix] - want).abs()
    # two truncations bound the error by 2^-14 relative (round-to-nearest on the GPU: 2^-16)
    assert (err <= want.abs() * 2.0**-14).all(), f"hi + lo off by {float((err / want.abs()).max()):.3g} relative"
    assert (lo[:, :n_mix].abs() <= hi[:, :n_mix].abs() * 2.0**-7).all(), "lo is not below hi's last bit"
    assert (out[:, n_mix:np_] == 0).all() and (out[:, np_ + n_mix:] == 0).all(), "padding not zero"


@pytest.mark.parametrize("head,h", [(False, 200), (True, 64), (False, 96)])
def test_fn_hilo_transposed(head, h):
    """The transposed slice GEMM's operand (``_fn_hilo_t``, ``[64 n, H]``): rows 64 i + r and
    64 i + 32 + r are the very bits ``_fn_hilo`` gives for fn column i H + h (same roundings),
    and every other row is zero (they meet acc rows that must stay clean)."""
    n = 4
    n_mix, np_ = tmhc.mix_columns(n, head)
    g = torch.Generator().manual_seed(h)
    fn = torch.randn(n_mix, n * h, generator=g) * torch.logspace(-6, 2, n * h)
    got = tmhc._fn_hilo_t(fn, n_mix, n, h, block_h=32)
    assert got.shape == (64 * n, h) and got.dtype == torch.bfloat16
    hl = tmhc._fn_hilo(fn, n_mix, np_, block_k=32).view(n, h, 2 * np_)
    for i in range(n):
        assert torch.equal(got[64 * i:64 * i + n_mix], hl[i, :, :n_mix].t()), f"hi, stream {i}"
        assert torch.equal(got[64 * i + 32:64 * i + 32 + n_mix], hl[i, :, np_:np_ + n_mix].t()), f"lo, stream {i}"
        assert (got[64 * i + n_mix:64 * i + 32] == 0).all() and (got[64 * i + 32 + n_mix:64 * (i + 1)] == 0).all()


def test_slice_shared_memory_budget():
    """``slice_ok`` refuses configs whose shared memory exceeds sm_90's 227 KB per CTA (a launch
    would fail): 11 stages of 32 tokens fit, 12 do not (13 / 14 with fn in registers); 6 of 64
    fit, 7 do not."""
    base = tmhc.PreConfig(slice=True)
    for tc, areg, ok, bad in ((32, False, 11, 12), (64, False, 6, 7), (16, False, 23, 24), (32, True, 13, 14)):
        for head in (False, True):
            np_ = tmhc.mix_columns(4, head)[1]
            c = replace(base, slice_tc=tc, slice_areg=areg)
            assert tmhc.slice_smem(replace(c, slice_stages=ok), 64, np_) <= tmhc._SLICE_SMEM
            assert tmhc.slice_smem(replace(c, slice_stages=bad), 64, np_) > tmhc._SLICE_SMEM


def test_slice_fused_shared_memory_budget_and_default():
    """The fused slice kernel also holds slice_xs x tiles: 13 stages of 32 tokens with 2 x slots
    fit (the default), with 3 they do not; 12 stages with 4 slots fit. The fused default is
    mhc_pre's slice config (the same stages and partials ring: the same values) with 2 x slots,
    from T = 4096 at H = 7168 only."""
    np_ = tmhc.mix_columns(4, False)[1]
    cfg = tmhc.default_fused_config(8192, 4, 7168)
    pre = tmhc.default_pre_config(8192, 4, 7168)
    assert cfg is not None and cfg.slice and (cfg.slice_tc, cfg.slice_stages, cfg.slice_xs) == (32, 13, 2)
    assert (cfg.slice_ring or cfg.slice_stages) == (pre.slice_ring or pre.slice_stages)
    assert tmhc.slice_smem(cfg, 64, np_, fused=True) <= tmhc._SLICE_SMEM
    assert tmhc.slice_smem(replace(cfg, slice_xs=3), 64, np_, fused=True) > tmhc._SLICE_SMEM
    assert tmhc.slice_smem(replace(cfg, slice_stages=12, slice_xs=4), 64, np_, fused=True) <= tmhc._SLICE_SMEM
    assert tmhc.slice_smem(cfg, 64, np_) == tmhc.slice_smem(cfg, 64, np_, fused=True) - 2 * 32 * 64 * 2
    assert tmhc.default_fused_config(2048, 4, 7168) is None
    assert tmhc.default_fused_config(8192, 4, 4096) is None


def test_fused_op_off_hopper_runs_post_then_pre():
    """Off sm_90 (here: CPU tensors through the interpreter) the fused op's default is post then
    pre, and a slice config falls back on the Triton one-pass kernel: both bit for bit post
    then pre."""
    t, h = 20, 256
    x, r, p, c = make_post_inputs(t, 4, h, seed=4)
    _, fn, s, b = make_pre_inputs(t, 4, h, seed=5)
    new_ref = torch.empty_like(r)
    tmhc.mhc_post(x, r, p, c, new_ref)
    want = _pre_outs(t, 4, h, r.dtype)
    cfg = tmhc.PreConfig(block_h=16, split_h=64, lag=1, out_block_h=64)
    tmhc.mhc_pre(new_ref, fn, s, b, None, *want, *SCALARS, config=cfg)
    for config in (cfg, replace(cfg, slice=True)):
        new = torch.empty_like(r)
        got = _pre_outs(t, 4, h, r.dtype)
        assert not tmhc.slice_ok(new, got[0], config, False, (x, r, p, c), 1e-6)
        tmhc.mhc_fused_post_pre(x, r, p, c, fn, s, b, None, new, *got, *SCALARS, config=config)
        assert torch.equal(new, new_ref)
        for a, w in zip(got, want, strict=True):
            assert torch.equal(a, w)


def test_two_launch_norm_with_more_splits_than_tile_rows():
    """The two-launch schedule with norm_weight hands whole rows s, s + n_split, ... to program
    s; with more splits (20) than tile rows (16) most programs get no row and must write nothing
    (the decode default: 112 splits of a 16-token tile). Two tiles, the second partial."""
    t, h = 20, 640
    cfg = tmhc.PreConfig(block_h=16, split_h=32, out_block_h=64, fin_t=1, two_launch=True, fin_s=32)
    residual, fn, scale, base = make_pre_inputs(t, 4, h, seed=21)
    nw = torch.rand(h, generator=torch.Generator().manual_seed(3)) + 0.5
    outs = _pre_outs(t, 4, h, residual.dtype)
    tmhc.mhc_pre(residual, fn, scale, base, nw, *outs, *SCALARS, config=cfg)
    want = ref.mhc_pre(residual, fn, scale, base, norm_weight=nw)
    assert_close("layer_input", outs[0].float(), want[0].float(), atol=1e-5, rtol=2 * ROUNDING_RTOL[torch.bfloat16])
    assert_close("post_mix", outs[1], want[1], atol=COEF_ATOL, rtol=0)
    assert_close("comb_mix", outs[2], want[2], atol=COEF_ATOL, rtol=0)


def test_slice_kernel_is_not_selected_off_hopper_and_falls_back():
    """The slice-resident Gluon kernel (``PreConfig.slice``) runs only on CUDA sm_90; elsewhere
    (here: CPU tensors through the interpreter) the same config runs the Triton kernel under its
    other fields, with bit-identical results."""
    t, h = 20, 256
    r, fn, s, b = make_pre_inputs(t, 4, h, seed=3)
    cfg = tmhc.PreConfig(block_h=16, split_h=64, lag=1, out_block_h=64)
    y = torch.empty(t, h, dtype=r.dtype)
    assert not tmhc.slice_ok(r, y, replace(cfg, slice=True), False, None, 1e-6)
    outs = []
    for c in (cfg, replace(cfg, slice=True)):
        got = (torch.empty(t, h, dtype=r.dtype), torch.empty(t, 4, 1), torch.empty(t, 4, 4))
        tmhc.mhc_pre(r, fn, s, b, None, *got, *SCALARS, config=c)
        outs.append(got)
    for a, c in zip(*outs, strict=True):
        assert torch.equal(a, c)


def test_coefficient_kernel_matches_the_finisher_rows():
    """``_mhc_coeff_kernel`` (the slice path's second launch: post and comb from the reduced
    mixes rows) against the reference coefficients of the same mixes."""
    import triton

    from opdispatch.backends.triton.mhc_kernels import _mhc_coeff_kernel

    t, n, h = 37, 4, 64
    n_mix, np_ = tmhc.mix_columns(n, False)
    g = torch.Generator().manual_seed(5)
    raw = torch.randn(t, n_mix, generator=g) * 3
    sq = torch.rand(t, generator=g) * n * h + 1
    rows = torch.zeros(t, np_)
    rows[:, :n_mix] = raw
    rows[:, n_mix] = sq
    scale = torch.tensor([0.8, 1.1, 2.0])
    base = torch.randn(n_mix, generator=g) * 0.5
    post, comb = torch.empty(t, n, 1), torch.empty(t, n, n)
    _mhc_coeff_kernel[(triton.cdiv(t, 16),)](
        rows, t, scale, base, n * h, 1e-6, 1e-6, 1e-6, 2.0, 20, post, post.stride(0), comb,
        comb.stride(0), N_STREAMS=n, N_MIX=n_mix, NP=np_, BLOCK_T=16)
    mixes = raw * torch.rsqrt(sq / (n * h) + 1e-6)[:, None]
    _, want_post, want_comb = ref.pre_coefficients(mixes, scale, base, n, 1e-6, 1e-6, 2.0, 20)
    assert_close("post_mix", post, want_post.unsqueeze(-1), atol=COEF_ATOL, rtol=0)
    assert_close("comb_mix", comb, want_comb, atol=COEF_ATOL, rtol=0)
    assert_columns_stochastic(comb)


@pytest.mark.parametrize("lag,fin_lag", [(0, 0), (4, 1), (2, 3), (3, -1)])
def test_slice_norm_lags_out_of_range_raise_before_any_launch(lag, fin_lag):
    """With norm_weight a slice config's norm lags must be 1..3 (the weighted sums hold that many
    tiles in registers) and 0..lag (the factors are reduced before the rescale waits for them):
    anything else is a ValueError naming the field, on every device, before any launch (the
    outputs stay untouched)."""
    t, h = 8, 256
    r, fn, s, b = make_pre_inputs(t, 4, h, seed=4)
    cfg = replace(tmhc.PreConfig(block_h=16, split_h=64), slice=True, slice_norm_lag=lag,
                  slice_norm_fin_lag=fin_lag)
    outs = (torch.full((t, h), 7.0, dtype=r.dtype), torch.full((t, 4, 1), 7.0), torch.full((t, 4, 4), 7.0))
    with pytest.raises(ValueError, match="slice_norm_lag"):
        tmhc.mhc_pre(r, fn, s, b, torch.ones(h), *outs, *SCALARS, config=cfg)
    assert all(bool((o == 7.0).all()) for o in outs)
    # without norm_weight the lags are not used: the same config runs (here the Triton kernel)
    tmhc.mhc_pre(r, fn, s, b, None, *outs, *SCALARS, config=cfg)
    assert_close("layer_input", outs[0].float(), ref.mhc_pre(r, fn, s, b)[0].float(), atol=5e-4,
                 rtol=ROUNDING_RTOL[r.dtype])
