"""The public ops: validation before any launch, T = 0, out= variants (native), the Triton
provider through the op (interp)."""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.ops.mhc import HCHead, MHCFusedPostPre, MHCPost, MHCPre
from tests.mhc.helpers import ROUNDING_RTOL, assert_close, make_post_inputs, make_pre_inputs


def _pre_args(t=3, n=4, h=32):
    return make_pre_inputs(t, n, h)


# ---------------------------------------------------------------- validation (native)

class _Boom:
    """A provider stand-in that fails the test if validation let a bad call through."""

    def __call__(self, *args, **kwargs):
        raise AssertionError("the kernel was reached with bad input")


def _op(cls):
    op = cls(provider="torch_ref")
    op.forward = _Boom()
    return op


@pytest.mark.native
@pytest.mark.parametrize("mutate,exc,match", [
    (lambda a: (a[0].float().to(torch.int32), *a[1:]), TypeError, "residual must have dtype"),
    (lambda a: (a[0][:, :3], *a[1:]), ValueError, r"n \(hc_mult\)"),
    (lambda a: (a[0].reshape(3, -1), *a[1:]), ValueError, "residual must be 3-D"),
    (lambda a: (a[0].transpose(1, 2).contiguous().transpose(1, 2), *a[1:]), ValueError, "contiguous last"),
    (lambda a: (a[0], a[1][:, :-1], *a[2:]), ValueError, r"fn must have shape \[24, 128\]"),
    (lambda a: (a[0], a[1].double(), *a[2:]), TypeError, "fn must have dtype float32"),
    (lambda a: (a[0], a[1], a[2][:2], a[3]), ValueError, r"scale must have shape \[3\]"),
    (lambda a: (a[0], a[1], a[2], a[3][:5]), ValueError, r"base must have shape \[24\]"),
    (lambda a: (a[0], a[1], a[2], a[3].half()), TypeError, "base must have dtype float32"),
])
def test_pre_rejects_bad_input(mutate, exc, match):
    with pytest.raises(exc, match=match):
        _op(MHCPre)(*mutate(_pre_args()))


@pytest.mark.native
@pytest.mark.parametrize("kwargs,exc,match", [
    ({"sinkhorn_iters": 0}, ValueError, "sinkhorn_iters must be > 0"),
    ({"sinkhorn_iters": 2.0}, TypeError, "sinkhorn_iters must be an int"),
    ({"rms_eps": -1.0}, ValueError, "rms_eps must be > 0"),
    ({"post_mult": "2"}, TypeError, "post_mult must be a float"),
    ({"norm_weight": torch.ones(31)}, ValueError, r"norm_weight must have shape \[32\]"),
    ({"out_layer_input": torch.empty(3, 32)}, TypeError, "out_layer_input must have dtype bfloat16"),
    ({"out_post_mix": torch.empty(3, 4)}, ValueError, r"out_post_mix must have shape \[3, 4, 1\]"),
    ({"out_comb_mix": torch.empty(3, 4, 4).transpose(1, 2)}, ValueError, "out_comb_mix must be contiguous"),
])
def test_pre_rejects_bad_keywords(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        _op(MHCPre)(*_pre_args(), **kwargs)


@pytest.mark.native
def test_post_head_fused_reject_bad_input():
    x, r, p, c = make_post_inputs(3, 4, 32)
    with pytest.raises(TypeError, match="x must have dtype bfloat16"):
        _op(MHCPost)(x.float(), r, p, c)
    with pytest.raises(ValueError, match=r"comb_mix must have shape \[3, 4, 4\]"):
        _op(MHCPost)(x, r, p, c[:, :2])
    with pytest.raises(ValueError, match=r"post_mix must have shape \[3, 4, 1\]"):
        _op(MHCPost)(x, r, p[:, :, 0], c)
    with pytest.raises(ValueError, match="out must not be residual"):
        _op(MHCPost)(x, r, p, c, out=r)
    hx, hfn, hs, hb = make_pre_inputs(3, 4, 32, head=True)
    with pytest.raises(ValueError, match=r"fn must have shape \[4, 128\]"):
        _op(HCHead)(hx, hfn[:, :64], hs, hb)
    with pytest.raises(ValueError, match=r"scale must have shape \[1\]"):
        _op(HCHead)(hx, hfn, torch.ones(3), hb)
    _, fn, s, b = _pre_args()
    with pytest.raises(ValueError, match="out_residual must not be residual"):
        _op(MHCFusedPostPre)(x, r, p, c, fn, s, b, out_residual=r)
    with pytest.raises(ValueError, match=r"fn must have shape \[24, 128\]"):
        _op(MHCFusedPostPre)(x, r, p, c, fn[:8], s, b)


@pytest.mark.native
def test_validation_reads_no_device_data():
    """Meta tensors have no data: validation that passes on them never read any."""
    r, fn, s, b = (t.to("meta") for t in _pre_args())
    op = MHCPre(provider="torch_ref")
    op.forward = lambda *a: None
    y, post, comb = op(r, fn, s, b)
    assert y.shape == (3, 32) and post.shape == (3, 4, 1) and comb.shape == (3, 4, 4)
    with pytest.raises(ValueError, match="fn must have shape"):
        op(r, fn[:3], s, b)


# ---------------------------------------------------------------- native behaviour

@pytest.mark.native
def test_empty_tokens_give_empty_outputs():
    r, fn, s, b = make_pre_inputs(0, 4, 64)
    y, post, comb = opdispatch.mhc_pre(r, fn, s, b)
    assert (y.shape, post.shape, comb.shape) == ((0, 64), (0, 4, 1), (0, 4, 4))
    x, r2, p, c = make_post_inputs(0, 4, 64)
    assert opdispatch.mhc_post(x, r2, p, c).shape == (0, 4, 64)
    hx, hfn, hs, hb = make_pre_inputs(0, 4, 64, head=True)
    assert opdispatch.hc_head(hx, hfn, hs, hb).shape == (0, 64)
    outs = opdispatch.mhc_fused_post_pre(x, r2, p, c, fn, s, b)
    assert [tuple(o.shape) for o in outs] == [(0, 4, 64), (0, 64), (0, 4, 1), (0, 4, 4)]


@pytest.mark.native
def test_out_variants_are_written_and_returned():
    r, fn, s, b = _pre_args()
    outs = (torch.full((3, 32), float("nan"), dtype=torch.bfloat16), torch.full((3, 4, 1), float("nan")),
            torch.full((3, 4, 4), float("nan")))
    got = opdispatch.mhc_pre(r, fn, s, b, out_layer_input=outs[0], out_post_mix=outs[1], out_comb_mix=outs[2])
    assert all(g is o for g, o in zip(got, outs, strict=True))
    assert not any(torch.isnan(o).any() for o in outs)
    x, r2, p, c = make_post_inputs(3, 4, 32)
    out = torch.full((3, 4, 32), float("nan"), dtype=torch.bfloat16)
    assert opdispatch.mhc_post(x, r2, p, c, out=out) is out and not torch.isnan(out).any()


@pytest.mark.native
def test_default_provider_on_cpu_is_torch_ref():
    assert MHCPre.default().provider == "torch_ref"
    rows = {row["op"]: row for row in opdispatch.explain(["mhc_pre", "mhc_post", "hc_head", "mhc_fused_post_pre"])}
    assert set(rows) == {"mhc_pre", "mhc_post", "hc_head", "mhc_fused_post_pre"}


# ---------------------------------------------------------------- triton through the op (interp)

@pytest.mark.interp
@pytest.mark.parametrize("t,h", [(1, 128), (7, 100)])
def test_ops_triton_match_torch_ref(t, h):
    r, fn, s, b = make_pre_inputs(t, 4, h)
    nw = torch.rand(h) + 0.5
    got = MHCPre(provider="triton")(r, fn, s, b, norm_weight=nw)
    want = MHCPre(provider="torch_ref")(r, fn, s, b, norm_weight=nw)
    assert_close("layer_input", got[0].float(), want[0].float(), atol=1e-5, rtol=2 * ROUNDING_RTOL[r.dtype])
    assert_close("comb_mix", got[2], want[2], atol=2e-5, rtol=0)

    x, r2, p, c = make_post_inputs(t, 4, h)
    assert_close("mhc_post", MHCPost(provider="triton")(x, r2, p, c).float(),
                 MHCPost(provider="torch_ref")(x, r2, p, c).float(), atol=1e-5, rtol=ROUNDING_RTOL[r.dtype])

    hx, hfn, hs, hb = make_pre_inputs(t, 4, h, head=True)
    assert_close("hc_head", HCHead(provider="triton")(hx, hfn, hs, hb).float(),
                 HCHead(provider="torch_ref")(hx, hfn, hs, hb).float(), atol=1e-5, rtol=ROUNDING_RTOL[r.dtype])

    got = MHCFusedPostPre(provider="triton")(x, r2, p, c, fn, s, b)
    want = MHCFusedPostPre(provider="torch_ref")(x, r2, p, c, fn, s, b)
    assert_close("new_residual", got[0].float(), want[0].float(), atol=1e-5, rtol=ROUNDING_RTOL[r.dtype])
    # the pre half is compared on the new residual the kernel produced (the interpreter rounds
    # it by truncation, one bf16 step from torch's rounding, which moves the mixes by ~1e-3)
    want_pre = MHCPre(provider="torch_ref")(got[0], fn, s, b)
    assert_close("comb_mix", got[3], want_pre[2], atol=2e-5, rtol=0)
    assert_close("layer_input", got[1].float(), want_pre[0].float(), atol=1e-5, rtol=ROUNDING_RTOL[r.dtype])


@pytest.mark.interp
def test_triton_opcheck():
    from opdispatch.dispatch import KERNEL_OPS

    r, fn, s, b = make_pre_inputs(2, 4, 32)
    outs = (torch.empty(2, 32, dtype=torch.bfloat16), torch.empty(2, 4, 1), torch.empty(2, 4, 4))
    torch.library.opcheck(KERNEL_OPS["mhc_pre_triton"], (r, fn, s, b, None, *outs, 1e-6, 1e-6, 1e-6, 2.0, 20, 1e-6),
                          test_utils=("test_schema", "test_faketensor"))
    x, r2, p, c = make_post_inputs(2, 4, 32)
    torch.library.opcheck(KERNEL_OPS["mhc_post_triton"], (x, r2, p, c, torch.empty_like(r2)),
                          test_utils=("test_schema", "test_faketensor"))
