"""GPU tier: real kernels at model sizes, >2^31-element tensors, torch.compile and CUDA graphs.

Tolerances on the GPU. The GEMM runs on bf16 tensor cores with fn split into hi + lo bf16 parts:
fn is carried to 2^-17 relative, x exactly (it is bf16), products accumulate in fp32. The mixes
are O(1) by construction (fn ~ 1/sqrt(n*H)), so their error is ~1e-5 absolute against the
float32 reference (itself a cuBLAS fp32 GEMM, TF32 off); post/comb take atol 1e-4 (sigmoid'
<= 1/4, post_mult 2, Sinkhorn steps contract). The layer input inherits ~1e-5 relative from the
pre weights on values of order 1..5 and one bf16 rounding step: rtol 2^-7, atol 5e-4.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.backends.triton import mhc as tmhc
from opdispatch.ops.mhc import HCHead, MHCPost, MHCPre
from tests.mhc.helpers import assert_close, assert_columns_stochastic, make_post_inputs, make_pre_inputs

pytestmark = pytest.mark.cuda

COEF_ATOL = 1e-4
Y_ATOL, Y_RTOL = 5e-4, 2.0**-7
SCALARS = (1e-6, 1e-6, 1e-6, 2.0, 20, 1e-6)
SHAPES = [(t, h) for t in (1, 7, 33, 4100) for h in (128, 1000, 4096, 7168)]


@pytest.fixture(autouse=True)
def _no_tf32():
    old = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False  # the reference GEMM in true fp32
    yield
    torch.backends.cuda.matmul.allow_tf32 = old


def _check_pre(got, want, name=""):
    assert_close(f"post_mix{name}", got[1], want[1], atol=COEF_ATOL, rtol=0)
    assert_close(f"comb_mix{name}", got[2], want[2], atol=COEF_ATOL, rtol=0)
    assert_close(f"layer_input{name}", got[0].float(), want[0].float(), atol=Y_ATOL, rtol=Y_RTOL)
    if got[2].numel():
        assert_columns_stochastic(got[2])


@pytest.mark.parametrize("t,h", SHAPES)
def test_mhc_pre(t, h):
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=h + t)
    op = MHCPre(provider="triton")
    _check_pre(op(r, fn, s, b), ref.mhc_pre(r, fn, s, b))


# the default schedule, one with a lag of one tile (weighted-sum items wait the most), the
# large-T default (flat GEMM loop, squares and both fn parts on the tensor cores from a bf16
# hi|lo copy of fn, 64-token finishing tile), and the two-launch defaults of T = 1 (one-token finishing chunks, every split
# at once) and T = 1024 (64-token tiles) at the sizes below
CONFIGS = {"default": None, "lag1": tmhc.PreConfig(block_t=32, split_h=512, lag=1),
           # (the Triton kernel's configs: from T = 4096 at this H the default runs the slice
           # kernel, with norm_weight too, tested below; the one-pass fused kernel never does)
           "flat-dot": tmhc._triton_pre_config(8192, 4, 7168, False),
           # the T >= 4096 default (own tile, parallel finishers) with every wait on a later item
           # giving up at its first poll: the hand-over paths under real concurrency
           "own-spin1": replace(tmhc._triton_pre_config(8192, 4, 7168, False), spin=1),
           # the T >= 8192 default before session 13 (the lag schedule)
           "lag-8192": tmhc.PreConfig(block_t=64, block_h=128, split_h=1024, num_warps=4, num_stages=2,
                                      fin_t=64, flat=True, sq_dot=True, fn_cat=True, fn_pre=True),
           "2L-row": tmhc.default_pre_config(1, 4, 7168),
           "2L-mid": tmhc.default_pre_config(1024, 4, 7168)}


# "2L-row" (one-token finishing chunks) is T=1's config: at T=4100 its 16 chunks per tile make
# the tier minutes longer and exercise nothing the other modes do not
MODE_TS = [(m, t) for m in CONFIGS for t in (1, 64, 4100) if not (m == "2L-row" and t > 64)]


@pytest.mark.parametrize("mode,t", MODE_TS)
def test_mhc_pre_modes_and_norm(mode, t):
    h = 7168
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t)
    nw = torch.rand(h, device="cuda") + 0.5
    cfg = CONFIGS[mode]
    for norm in (None, nw):
        outs = (torch.full((t, h), float("nan"), dtype=r.dtype, device="cuda"),
                torch.full((t, 4, 1), float("nan"), device="cuda"), torch.full((t, 4, 4), float("nan"), device="cuda"))
        tmhc.mhc_pre(r, fn, s, b, norm, *outs, *SCALARS, config=cfg)
        want = ref.mhc_pre(r, fn, s, b, norm_weight=norm)
        if norm is None:
            _check_pre(outs, want)
        else:  # normalised from the rounded layer input: two bf16 steps
            assert_close("normed layer_input", outs[0].float(), want[0].float(), atol=Y_ATOL, rtol=2 * Y_RTOL)


@pytest.mark.parametrize("t,h", SHAPES)
def test_hc_head(t, h):
    x, fn, s, b = make_pre_inputs(t, 4, h, head=True, device="cuda", seed=h)
    out = HCHead(provider="triton")(x, fn, s, b)
    assert_close("hc_head", out.float(), ref.hc_head(x, fn, s, b).float(), atol=Y_ATOL, rtol=Y_RTOL)


@pytest.mark.parametrize("t,h", SHAPES)
def test_mhc_post(t, h):
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda", seed=t)
    out = MHCPost(provider="triton")(x, r, p, c)
    # pure fp32 FMA chain, then one rounding: one bf16 step
    assert_close("mhc_post", out.float(), ref.mhc_post(x, r, p, c).float(), atol=1e-5, rtol=Y_RTOL)


def _first_mismatch(a: torch.Tensor, b: torch.Tensor) -> str:
    bad = a != b
    idx = tuple(int(i) for i in bad.nonzero()[0])
    return (f"{int(bad.sum())} of {bad.numel()} elements differ; first at {idx}: "
            f"{float(a[idx])!r} vs {float(b[idx])!r}")


@pytest.mark.parametrize("with_norm", [False, True])
@pytest.mark.parametrize("mode,t,h", [(m, t, h) for m in CONFIGS for t, h in ((1, 7168), (33, 4096), (4100, 7168))
                                      if not (m == "2L-row" and t > 64)])
def test_fused_post_pre_equals_post_then_pre(mode, t, h, with_norm):
    """Bit for bit, not within a tolerance: the kernels fix the order of every floating-point
    operation (explicit fmas, float64 or pairwise-tree sums; see mhc_kernels.py's docstring), so
    the fused kernel and post-then-pre compute the same values however Triton lays them out."""
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda", seed=h)
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t)
    nw = torch.rand(h, device="cuda") + 0.5 if with_norm else None
    cfg = CONFIGS[mode]
    new = torch.empty_like(r)
    outs = (torch.empty(t, h, dtype=r.dtype, device="cuda"), torch.empty(t, 4, 1, device="cuda"),
            torch.empty(t, 4, 4, device="cuda"))
    tmhc.mhc_fused_post_pre(x, r, p, c, fn, s, b, nw, new, *outs, *SCALARS, config=cfg)
    new2 = torch.empty_like(r)
    tmhc.mhc_post(x, r, p, c, new2)
    outs2 = tuple(torch.empty_like(o) for o in outs)
    tmhc.mhc_pre(new2, fn, s, b, nw, *outs2, *SCALARS, config=cfg)
    assert torch.equal(new, new2), f"new residual differs from mhc_post's: {_first_mismatch(new, new2)}"
    for name, a, b2 in zip(("layer_input", "post_mix", "comb_mix"), outs, outs2, strict=True):
        assert torch.equal(a, b2), f"{name} differs from post-then-pre: {_first_mismatch(a, b2)}"
    if nw is None:
        _check_pre(outs, ref.mhc_pre(new, fn, s, b))


def test_more_than_2_31_elements():
    """T*n*H > 2^31: token offsets must be int64. Checks the last tokens, where int32 wraps."""
    h = 7168
    t = 2**31 // (4 * h) + 64
    g = torch.Generator(device="cuda").manual_seed(0)
    r = torch.randn(t, 4, h, device="cuda", dtype=torch.bfloat16, generator=g)
    x = torch.randn(t, h, device="cuda", dtype=torch.bfloat16, generator=g)
    p = torch.rand(t, 4, 1, device="cuda", generator=g) * 2
    c = torch.rand(t, 4, 4, device="cuda", generator=g)
    _, fn, s, b = make_pre_inputs(1, 4, h, device="cuda")
    tail = slice(t - 80, t)

    out = opdispatch.mhc_post(x, r, p, c)
    assert_close("mhc_post tail", out[tail].float(), ref.mhc_post(x[tail], r[tail], p[tail], c[tail]).float(),
                 atol=1e-5, rtol=Y_RTOL)
    del out
    y, post, comb = opdispatch.mhc_pre(r, fn, s, b)
    _check_pre((y[tail], post[tail], comb[tail]), ref.mhc_pre(r[tail], fn, s, b), " tail")
    del y, post, comb
    hfn, hs, hb = fn[:4].contiguous(), s[:1].contiguous(), b[:4].contiguous()
    hy = opdispatch.hc_head(r, hfn, hs, hb)
    assert_close("hc_head tail", hy[tail].float(), ref.hc_head(r[tail], hfn, hs, hb).float(), atol=Y_ATOL, rtol=Y_RTOL)
    del hy
    new, y, post, comb = opdispatch.mhc_fused_post_pre(x, r, p, c, fn, s, b)
    new_ref = ref.mhc_post(x[tail], r[tail], p[tail], c[tail])
    assert_close("fused new tail", new[tail].float(), new_ref.float(), atol=1e-5, rtol=Y_RTOL)
    _check_pre((y[tail], post[tail], comb[tail]), ref.mhc_pre(new[tail], fn, s, b), " fused tail")


def _layer(x, r, p, c, fn, s, b, hfn, hs, hb):
    new, y, post, comb = opdispatch.mhc_fused_post_pre(x, r, p, c, fn, s, b)
    y2, post2, comb2 = opdispatch.mhc_pre(new, fn, s, b)
    out = opdispatch.mhc_post(y2, new, post2, comb2)
    return out, y, opdispatch.hc_head(out, hfn, hs, hb)


def _layer_inputs(t, h=1024):
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda")
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda")
    hx, hfn, hs, hb = make_pre_inputs(t, 4, h, head=True, device="cuda")
    return x, r, p, c, fn, s, b, hfn, hs, hb


def test_torch_compile_fullgraph_dynamic():
    assert MHCPre.default().provider == "triton"
    compiled = torch.compile(_layer, fullgraph=True, dynamic=True)
    for t in (1, 33, 300):  # several sizes through one dynamic graph
        args = _layer_inputs(t)
        for got, want in zip(compiled(*args), _layer(*args), strict=True):
            assert torch.equal(got, want), f"compiled differs from eager at T={t}"


def test_cuda_graph_capture_and_replay():
    args = _layer_inputs(64)
    _layer(*args)  # compile the kernels outside the capture
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        outs = _layer(*args)
    fresh = _layer_inputs(64, 1024)
    for dst, src in zip(args, fresh, strict=True):
        dst.copy_(src * 1.5 if dst.dtype == torch.bfloat16 else src)
    graph.replay()
    torch.cuda.synchronize()
    for got, want in zip(outs, _layer(*args), strict=True):
        assert torch.equal(got, want), "replayed graph differs from eager"


def test_opcheck_on_gpu():
    from opdispatch.dispatch import KERNEL_OPS

    r, fn, s, b = make_pre_inputs(9, 4, 256, device="cuda")
    outs = (torch.empty(9, 256, dtype=r.dtype, device="cuda"), torch.empty(9, 4, 1, device="cuda"),
            torch.empty(9, 4, 4, device="cuda"))
    torch.library.opcheck(KERNEL_OPS["mhc_pre_triton"], (r, fn, s, b, None, *outs, *SCALARS))
    x, r2, p, c = make_post_inputs(9, 4, 256, device="cuda")
    torch.library.opcheck(KERNEL_OPS["mhc_post_triton"], (x, r2, p, c, torch.empty_like(r2)))
    hx, hfn, hs, hb = make_pre_inputs(9, 4, 256, head=True, device="cuda")
    torch.library.opcheck(KERNEL_OPS["hc_head_triton"], (hx, hfn, hs, hb, torch.empty(9, 256, dtype=hx.dtype, device="cuda"), 1e-6, 1e-6))
    torch.library.opcheck(KERNEL_OPS["mhc_fused_post_pre_triton"],
                          (x, r2, p, c, fn, s, b, None, torch.empty_like(r2), *outs, *SCALARS))


@pytest.mark.parametrize("head", [False, True])
def test_default_config_from_t8192(head):
    """T = 8192 takes the large-T default through the public ops: since session 25 the slice
    kernel (32-token chunks, fn split in registers) on sm_90, the Triton kernel elsewhere."""
    t, h = 8192, 7168
    r, fn, s, b = make_pre_inputs(t, 4, h, head=head, device="cuda", seed=5)
    if head:
        out = HCHead(provider="triton")(r, fn, s, b)
        assert_close("hc_head", out.float(), ref.hc_head(r, fn, s, b).float(), atol=Y_ATOL, rtol=Y_RTOL)
    else:
        _check_pre(MHCPre(provider="triton")(r, fn, s, b), ref.mhc_pre(r, fn, s, b))


@pytest.mark.parametrize("t", [64, 4100])
def test_fn_pre_is_bit_identical(t):
    """fn split once into a bf16 hi|lo copy (fn_pre) gives the GEMM the same operands as the
    in-loop split: every output bit for bit, pre (with and without the norm) and head; and the
    copy itself is torch's round-to-nearest split."""
    from dataclasses import replace

    h = 7168
    base_cfg = replace(tmhc._triton_pre_config(8192, 4, h, False), fn_pre=False)
    pre_cfg = replace(base_cfg, fn_pre=True)
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t)
    nw = torch.rand(h, device="cuda") + 0.5
    for norm in (None, nw):
        got = []
        for cfg in (base_cfg, pre_cfg):
            outs = (torch.empty(t, h, dtype=r.dtype, device="cuda"), torch.empty(t, 4, 1, device="cuda"),
                    torch.empty(t, 4, 4, device="cuda"))
            tmhc.mhc_pre(r, fn, s, b, norm, *outs, *SCALARS, config=cfg)
            got.append(outs)
        for name, a, b2 in zip(("layer_input", "post_mix", "comb_mix"), *got, strict=True):
            assert torch.equal(a, b2), f"{name} (norm={norm is not None}): {_first_mismatch(a, b2)}"
    hx, hfn, hs, hb = make_pre_inputs(t, 4, h, head=True, device="cuda", seed=t)
    heads = []
    for cfg in (base_cfg, pre_cfg):
        out = torch.empty(t, h, dtype=hx.dtype, device="cuda")
        tmhc.hc_head(hx, hfn, hs, hb, out, 1e-6, 1e-6, config=cfg)
        heads.append(out)
    assert torch.equal(*heads), f"hc_head: {_first_mismatch(*heads)}"
    n_mix, np_ = tmhc.mix_columns(4, False)
    split = tmhc._fn_hilo(fn, n_mix, np_)
    hi = fn.t().to(torch.bfloat16)
    lo = (fn.t() - hi.float()).to(torch.bfloat16)
    assert torch.equal(split[:, :n_mix], hi) and torch.equal(split[:, np_:np_ + n_mix], lo)


# the slice-resident Gluon kernel (mhc_gluon.py, PreConfig.slice): 6 stages with 2-token
# finishing tasks, and 5 stages with 1-token tasks
_BASE = tmhc.default_pre_config(8192, 4, 7168)
SLICE = {"slice-s6-f2": replace(_BASE, slice=True, slice_tc=64, slice_areg=False, slice_stages=6,
                                slice_fin_t=2),
         "slice-s5-f1": replace(_BASE, slice=True, slice_tc=64, slice_areg=False, slice_stages=5,
                                slice_fin_t=1),
         # the transposed GEMM (tokens as wgmma's N): 32-token chunks in 11 stages, 16 in 23
         "slice-t32-s11-f2": replace(_BASE, slice=True, slice_tc=32, slice_areg=False,
                                     slice_stages=11, slice_fin_t=2),
         "slice-t16-s23-f1": replace(_BASE, slice=True, slice_tc=16, slice_areg=False,
                                     slice_stages=23, slice_fin_t=1),
         # fn's slice split into the GEMM warpgroup's registers: 13 stages of 32 tokens (the
         # default from T = 4096 at H = 6144-8448)
         "slice-t32-s13-f1-areg": replace(_BASE, slice=True, slice_tc=32, slice_stages=13,
                                          slice_fin_t=1, slice_areg=True)}
assert SLICE["slice-t32-s13-f1-areg"] == _BASE, "the default config is one of the tested ones"


def _slice_or_skip(r, y, cfg, head=False):
    if not tmhc.slice_ok(r, y, cfg, False, None, 1e-6, head):
        pytest.skip("the slice kernel needs CUDA sm_90 with Gluon")


@pytest.mark.parametrize("head", [False, True])
@pytest.mark.parametrize("t,h", [(1, 7168), (70, 4096), (4100, 7168), (4100, 4096)])
@pytest.mark.parametrize("mode", list(SLICE))
def test_slice_kernel(mode, t, h, head):
    """One chunk, a ragged last chunk, 64 and 112 CTAs; pre and head against the reference."""
    r, fn, s, b = make_pre_inputs(t, 4, h, head=head, device="cuda", seed=t + h)
    cfg = SLICE[mode]
    y = torch.full((t, h), float("nan"), dtype=r.dtype, device="cuda")
    _slice_or_skip(r, y, cfg, head)
    if head:
        tmhc.hc_head(r, fn, s, b, y, 1e-6, 1e-6, config=cfg)
        assert_close("hc_head", y.float(), ref.hc_head(r, fn, s, b).float(), atol=Y_ATOL, rtol=Y_RTOL)
    else:
        outs = (y, torch.full((t, 4, 1), float("nan"), device="cuda"),
                torch.full((t, 4, 4), float("nan"), device="cuda"))
        tmhc.mhc_pre(r, fn, s, b, None, *outs, *SCALARS, config=cfg)
        _check_pre(outs, ref.mhc_pre(r, fn, s, b))


@pytest.mark.parametrize("mode", ["slice-s6-f2", "slice-t32-s11-f2", "slice-t32-s13-f1-areg"])
def test_slice_kernel_graph_replay_with_fresh_data(mode):
    """Captured once, replayed on new streams: the zeroed rings (a memset node) start every
    replay afresh, so no flag of a previous replay is taken for a fresh one."""
    t, h = 4100, 7168
    cfg = SLICE[mode]
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=11)
    outs = (torch.empty(t, h, dtype=r.dtype, device="cuda"), torch.empty(t, 4, 1, device="cuda"),
            torch.empty(t, 4, 4, device="cuda"))
    _slice_or_skip(r, outs[0], cfg)

    def run():
        tmhc.mhc_pre(r, fn, s, b, None, *outs, *SCALARS, config=cfg)

    run()
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        run()
    for seed in (12, 13, 14):
        r.copy_(make_pre_inputs(t, 4, h, device="cuda", seed=seed)[0])
        graph.replay()
        torch.cuda.synchronize()
        _check_pre(outs, ref.mhc_pre(r, fn, s, b), f" (replay seed {seed})")


# norm_weight in the slice kernel (mhc_gluon.py, NORM: the weighted sums publish each slice's
# sums of squares, add every slice's for their share of the tokens fin_lag chunks later, and
# rescale their rows lag chunks later, holding them in registers until then): the default
# lags (3, 1), the tightest (1, 0: a CTA reduces a token of the chunk it has just summed) and
# fin_lag == lag
NORM_LAGS = {"lags-3-1": (3, 1), "lags-1-0": (1, 0), "lags-2-2": (2, 2)}


def _norm_cfg(cfg, lags):
    lag, fin = NORM_LAGS[lags]
    return replace(cfg, slice_norm_lag=lag, slice_norm_fin_lag=fin)


@pytest.mark.parametrize("t,h", [(1, 7168), (70, 4096), (4100, 7168)])
@pytest.mark.parametrize("mode", ["slice-t32-s11-f2", "slice-t32-s13-f1-areg"])
@pytest.mark.parametrize("lags", list(NORM_LAGS))
def test_slice_kernel_norm(mode, lags, t, h):
    """mhc_pre with norm_weight in the slice kernel: post_mix and comb_mix bit for bit those of
    the same config without the norm (the norm must not touch them); layer_input within one
    bf16 step of the float64 RMSNorm of that run's layer input (the same rounded rows: only the
    order of the sum of squares and the rsqrt differ), and against the float64 reference."""
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t + h + 3)
    nw = torch.rand(h, device="cuda") + 0.5
    cfg = _norm_cfg(SLICE[mode], lags)
    plain = _pre_outs_like(r)
    _slice_or_skip(r, plain[0], cfg)
    tmhc.mhc_pre(r, fn, s, b, None, *plain, *SCALARS, config=cfg)
    outs = _pre_outs_like(r)
    assert tmhc.slice_ok(r, outs[0], cfg, True, None, 1e-6)
    tmhc.mhc_pre(r, fn, s, b, nw, *outs, *SCALARS, config=cfg)
    assert torch.equal(outs[1], plain[1]) and torch.equal(outs[2], plain[2])
    own = ref.rms_norm(plain[0].double(), nw, 1e-6).to(plain[0].dtype)  # float64, rounded as the kernel rounds
    assert_close("normed layer_input vs its own rows", outs[0].float(), own.float(), atol=1e-6, rtol=Y_RTOL)
    want = ref.mhc_pre(r, fn, s, b, norm_weight=nw)
    # normalised from the rounded layer input: two bf16 steps (as the Triton kernel's test)
    assert_close("normed layer_input", outs[0].float(), want[0].float(), atol=Y_ATOL, rtol=2 * Y_RTOL)


def test_slice_kernel_norm_bad_lags():
    """Lags outside 1..3 (fin_lag: 0..lag) are refused before any launch."""
    cfg = replace(SLICE["slice-t32-s13-f1-areg"], slice_norm_lag=2, slice_norm_fin_lag=3)
    r, fn, s, b = make_pre_inputs(64, 4, 7168, device="cuda", seed=1)
    with pytest.raises(ValueError, match="slice_norm_lag"):
        tmhc.mhc_pre(r, fn, s, b, torch.ones(7168, device="cuda"), *_pre_outs_like(r), *SCALARS, config=cfg)


def test_slice_kernel_norm_is_the_public_default_and_replays_in_a_graph():
    """From T = 4096 at H = 7168 on sm_90 the public mhc_pre with norm_weight runs the slice
    kernel (bit for bit its output under the default config); captured once, replayed on new
    streams: the norm's zeroed rings start every replay afresh."""
    t, h = 4100, 7168
    r, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=21)
    nw = (torch.rand(h, device="cuda") + 0.5).to(torch.bfloat16)
    cfg = tmhc.default_pre_config(t, 4, h)
    outs = _pre_outs_like(r)
    _slice_or_skip(r, outs[0], cfg)

    def run():
        opdispatch.mhc_pre(r, fn, s, b, norm_weight=nw, out_layer_input=outs[0],
                           out_post_mix=outs[1], out_comb_mix=outs[2])

    def check(what):
        mine = _pre_outs_like(r)
        tmhc.mhc_pre(r, fn, s, b, nw, *mine, *SCALARS, config=cfg)
        for name, a, b2 in zip(("layer_input", "post_mix", "comb_mix"), outs, mine, strict=True):
            assert torch.equal(a, b2), f"{what}: {name}: {_first_mismatch(a, b2)}"
        want = ref.mhc_pre(r, fn, s, b, norm_weight=nw)
        assert_close(f"normed layer_input ({what})", outs[0].float(), want[0].float(), atol=Y_ATOL,
                     rtol=2 * Y_RTOL)

    run()
    torch.cuda.synchronize()
    check("public op")
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        run()
    for seed in (22, 23):
        r.copy_(make_pre_inputs(t, 4, h, device="cuda", seed=seed)[0])
        graph.replay()
        torch.cuda.synchronize()
        check(f"replay seed {seed}")


# the fused post+pre in the slice kernel (mhc_gluon.py with FUSED: a fifth partition turns each
# loaded chunk into the new residual in shared memory): the default from T = 4096 at H = 6144-8448
# (13 stages, 2 x slots), 12 stages with 4 x slots, and 16-token chunks
_FBASE = tmhc.default_fused_config(8192, 4, 7168)
FUSED_SLICE = {"fused-t32-s13-x2": _FBASE,
               "fused-t32-s12-x4": replace(_FBASE, slice_stages=12, slice_xs=4),
               "fused-t16-s26-x4-f2": replace(_FBASE, slice_tc=16, slice_stages=26, slice_xs=4,
                                              slice_fin_t=2, slice_ring=0)}


def _fused_slice_or_skip(x, r, p, c, new, y, cfg):
    if not tmhc.slice_ok(new, y, cfg, False, (x, r, p, c), 1e-6):
        pytest.skip("the slice kernel needs CUDA sm_90 with Gluon")


def _post_then_pre(x, r, p, c, fn, s, b, cfg, nw=None):
    new = torch.empty_like(r)
    tmhc.mhc_post(x, r, p, c, new)
    outs = _pre_outs_like(r)
    tmhc.mhc_pre(new, fn, s, b, nw, *outs, *SCALARS, config=cfg)
    return (new, *outs)


def _pre_outs_like(r):
    t, n, h = r.shape
    return (torch.full((t, h), float("nan"), dtype=r.dtype, device=r.device),
            torch.full((t, n, 1), float("nan"), device=r.device),
            torch.full((t, n, n), float("nan"), device=r.device))


def _assert_equal_outputs(got, want, what):
    for name, a, b in zip(("new residual", "layer_input", "post_mix", "comb_mix"), got, want, strict=True):
        assert torch.equal(a, b), f"{what}: {name} differs: {_first_mismatch(a, b)}"


@pytest.mark.parametrize("t,h", [(1, 7168), (70, 4096), (4100, 7168), (4100, 4096)])
@pytest.mark.parametrize("mode", list(FUSED_SLICE))
def test_slice_fused_post_pre_equals_post_then_pre(mode, t, h):
    """Bit for bit: the post partition computes mhc_post's values (its fma order) and the GEMM
    and weighted sum then run on them as the slice mhc_pre does on mhc_post's output. One chunk,
    a ragged last chunk, 64 and 112 CTAs."""
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda", seed=h + 1)
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t + 2)
    cfg = FUSED_SLICE[mode]
    new = torch.full_like(r, float("nan"))
    outs = _pre_outs_like(r)
    _fused_slice_or_skip(x, r, p, c, new, outs[0], cfg)
    tmhc.mhc_fused_post_pre(x, r, p, c, fn, s, b, None, new, *outs, *SCALARS, config=cfg)
    _assert_equal_outputs((new, *outs), _post_then_pre(x, r, p, c, fn, s, b, cfg), "fused vs post then pre")
    assert_close("new residual", new.float(), ref.mhc_post(x, r, p, c).float(), atol=1e-5, rtol=Y_RTOL)
    _check_pre(outs, ref.mhc_pre(new, fn, s, b))


@pytest.mark.parametrize("t", [70, 4100])
@pytest.mark.parametrize("mode", ["fused-t32-s13-x2", "fused-t16-s26-x4-f2"])
def test_slice_fused_with_norm_equals_post_then_pre(mode, t):
    """The fused op with norm_weight in one slice-kernel pass: bit for bit mhc_post then the
    slice mhc_pre with the norm under the same config (same lags, same rings)."""
    h = 7168
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda", seed=t + 9)
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=t + 10)
    nw = torch.rand(h, device="cuda") + 0.5
    cfg = FUSED_SLICE[mode]
    new = torch.full_like(r, float("nan"))
    outs = _pre_outs_like(r)
    _fused_slice_or_skip(x, r, p, c, new, outs[0], cfg)
    tmhc.mhc_fused_post_pre(x, r, p, c, fn, s, b, nw, new, *outs, *SCALARS, config=cfg)
    want_all = _post_then_pre(x, r, p, c, fn, s, b, cfg, nw)
    _assert_equal_outputs((new, *outs), want_all, "fused with norm vs post then pre")
    want = ref.mhc_pre(want_all[0], fn, s, b, norm_weight=nw)
    assert_close("normed layer_input", outs[0].float(), want[0].float(), atol=Y_ATOL, rtol=2 * Y_RTOL)


def test_slice_fused_strided_inputs_and_outputs():
    """Strides the fused slice kernel takes as they come: x a column slice of a wider tensor (TMA
    reads it in place), post_mix from a wider last dim, comb_mix column-major per token (both
    compile-time strides), and the new residual written into a padded buffer."""
    t, h = 300, 7168
    x0, r, p0, c0 = make_post_inputs(t, 4, h, device="cuda", seed=5)
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=6)
    x = torch.zeros(t, h + 64, dtype=x0.dtype, device="cuda")[:, 32:32 + h]
    x.copy_(x0)
    p = torch.zeros(t, 4, 3, device="cuda")[:, :, 1:2]
    p.copy_(p0)
    c = c0.transpose(1, 2).contiguous().transpose(1, 2)
    assert p.stride(1) == 3 and c.stride(1) == 1 and c.stride(2) == 4
    new = torch.full((t, 4, h + 128), float("nan"), dtype=r.dtype, device="cuda")[:, :, :h]
    outs = _pre_outs_like(r)
    cfg = FUSED_SLICE["fused-t32-s13-x2"]
    _fused_slice_or_skip(x, r, p, c, new, outs[0], cfg)
    tmhc.mhc_fused_post_pre(x, r, p, c, fn, s, b, None, new, *outs, *SCALARS, config=cfg)
    _assert_equal_outputs((new, *outs), _post_then_pre(x0, r, p0, c0, fn, s, b, cfg), "strided fused")


def test_slice_fused_is_the_public_default_and_replays_in_a_graph():
    """From T = 4096 at H = 7168 on sm_90 the public op runs the fused slice kernel (one launch
    plus the coefficients), bit for bit post then pre; captured once, replayed on fresh inputs."""
    t, h = 4100, 7168
    x, r, p, c = make_post_inputs(t, 4, h, device="cuda", seed=7)
    _, fn, s, b = make_pre_inputs(t, 4, h, device="cuda", seed=8)
    cfg = tmhc.default_fused_config(t, 4, h)
    new = torch.empty_like(r)
    outs = _pre_outs_like(r)
    _fused_slice_or_skip(x, r, p, c, new, outs[0], cfg)

    def run():
        got = opdispatch.mhc_fused_post_pre(x, r, p, c, fn, s, b, out_residual=new, out_layer_input=outs[0],
                                            out_post_mix=outs[1], out_comb_mix=outs[2])
        assert got[0] is new

    run()
    torch.cuda.synchronize()
    _assert_equal_outputs((new, *outs), _post_then_pre(x, r, p, c, fn, s, b, None), "public default")
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        run()
    for seed in (17, 18):
        fresh = make_post_inputs(t, 4, h, device="cuda", seed=seed)
        for dst, src in zip((x, r, p, c), fresh, strict=True):
            dst.copy_(src)
        graph.replay()
        torch.cuda.synchronize()
        _assert_equal_outputs((new, *outs), _post_then_pre(x, r, p, c, fn, s, b, None), f"replay seed {seed}")
