"""The aiter adapters (rocm_sim tier) against a recording test double of aiter's mHC API.

The double has aiter's signatures (aiter/ops/mhc.py) and computes with torch_ref, so these tests
check what the adapter passes, in which order, and how it copies results back."""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.torch_ref import mhc as ref
from opdispatch.ops.mhc import HCHead, MHCFusedPostPre, MHCPost, MHCPre
from tests.mhc.helpers import ROUNDING_RTOL, assert_close, make_post_inputs, make_pre_inputs

pytestmark = pytest.mark.rocm_sim

OPS = ("mhc_pre", "mhc_post", "hc_head", "mhc_fused_post_pre")
ALLOW_ALL = ",".join(f"aiter.{op}" for op in OPS)


def _aiter_mhc_pre(residual, fn, hc_scale, hc_base, rms_eps=1e-6, hc_pre_eps=1e-6, hc_sinkhorn_eps=1e-6,
                   hc_post_mult_value=1.0, sinkhorn_repeat=20, norm_weight=None, norm_eps=1e-6):
    t, n, h = residual.shape
    if sinkhorn_repeat == 0:  # aiter's hc_head path
        y = ref.hc_head(residual, fn, hc_scale, hc_base, rms_eps=rms_eps, hc_eps=hc_pre_eps)
        return torch.zeros(t, n, 1), torch.zeros(t, n, n), y
    y, post, comb = ref.mhc_pre(residual, fn, hc_scale, hc_base, norm_weight=norm_weight, rms_eps=rms_eps,
                                hc_pre_eps=hc_pre_eps, sinkhorn_eps=hc_sinkhorn_eps,
                                post_mult=hc_post_mult_value, sinkhorn_iters=sinkhorn_repeat, norm_eps=norm_eps)
    return post, comb, y


def _aiter_mhc_post(out, x, residual, post_layer_mix, comb_res_mix, store_nt=-1):
    out.copy_(ref.mhc_post(x, residual, post_layer_mix, comb_res_mix))


def _aiter_fused(layer_input, residual_in, post_layer_mix, comb_res_mix, fn, hc_scale, hc_base, rms_eps=1e-6,
                 hc_pre_eps=1e-6, hc_sinkhorn_eps=1e-6, hc_post_mult_value=1.0, sinkhorn_repeat=20,
                 norm_weight=None, norm_eps=1e-6, force_fused=False):
    new = ref.mhc_post(layer_input, residual_in, post_layer_mix, comb_res_mix)
    post, comb, y = _aiter_mhc_pre(new, fn, hc_scale, hc_base, rms_eps, hc_pre_eps, hc_sinkhorn_eps,
                                   hc_post_mult_value, sinkhorn_repeat, norm_weight, norm_eps)
    return post, comb, y, new


FUNCTIONS = {"mhc_pre": _aiter_mhc_pre, "mhc_post": _aiter_mhc_post, "mhc_fused_post_pre": _aiter_fused}


def test_known_bad_keeps_aiter_off_by_default(flags, fake_aiter):
    fake_aiter(FUNCTIONS)
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx942", VLLM_ROCM_USE_AITER=True):
        for cls in (MHCPre, MHCPost, HCHead, MHCFusedPostPre):
            op = cls.default()
            assert op.provider == "triton", (cls.name, op.provider)
            reasons = {c.provider: c.reason for c in op.selection.candidates}
            assert "known bad" in reasons["aiter"] and "b639cb63" in reasons["aiter"]


def test_subflag_off_keeps_aiter_off(flags, fake_aiter):
    fake_aiter(FUNCTIONS)
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, VLLM_ROCM_USE_AITER_MHC=False,
               OPDISPATCH_ALLOW_KNOWN_BAD=ALLOW_ALL):
        assert MHCPre.default().provider == "triton"


def test_adapters_map_arguments(flags, fake_aiter):
    rec = fake_aiter(FUNCTIONS)
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_ALLOW_KNOWN_BAD=ALLOW_ALL):
        assert MHCPre.default().provider == "aiter"
        r, fn, s, b = make_pre_inputs(5, 4, 64)
        nw = torch.rand(64) + 0.5
        y, post, comb = MHCPre.default()(r, fn, s, b, post_mult=1.5, sinkhorn_iters=7, norm_weight=nw,
                                         norm_eps=1e-5, sinkhorn_eps=1e-5)
        name, args, _ = rec.calls[-1]
        assert name == "mhc_pre" and args[0] is r and args[1] is fn and args[9] is nw
        assert args[4:9] == (1e-6, 1e-6, 1e-5, 1.5, 7) and args[10] == 1e-5
        want = ref.mhc_pre(r, fn, s, b, post_mult=1.5, sinkhorn_iters=7, norm_weight=nw, norm_eps=1e-5,
                           sinkhorn_eps=1e-5)
        for got_t, want_t in zip((y, post, comb), want, strict=True):
            assert torch.equal(got_t, want_t)

        hx, hfn, hs, hb = make_pre_inputs(5, 4, 64, head=True)
        out = HCHead.default()(hx, hfn, hs, hb, hc_eps=1e-4)
        name, args, _ = rec.calls[-1]
        assert name == "mhc_pre" and args[8] == 0 and args[5] == 1e-4  # sinkhorn_repeat=0: the head
        assert torch.equal(out, ref.hc_head(hx, hfn, hs, hb, hc_eps=1e-4))

        x, r2, p, c = make_post_inputs(5, 4, 64)
        new = MHCPost.default()(x, r2, p, c)
        name, args, _ = rec.calls[-1]
        assert name == "mhc_post" and args[0] is new and args[1] is x and args[2] is r2
        assert torch.equal(new, ref.mhc_post(x, r2, p, c))

        outs = MHCFusedPostPre.default()(x, r2, p, c, fn, s, b)
        assert rec.calls[-1][0] == "mhc_fused_post_pre"
        new_ref = ref.mhc_post(x, r2, p, c)
        assert torch.equal(outs[0], new_ref)
        for got_t, want_t in zip(outs[1:], ref.mhc_pre(new_ref, fn, s, b), strict=True):
            assert torch.equal(got_t, want_t)


def test_adapter_falls_back_to_triton_for_inputs_aiter_cannot_take(flags, fake_aiter):
    rec = fake_aiter(FUNCTIONS)
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_ALLOW_KNOWN_BAD=ALLOW_ALL):
        r, fn, s, b = make_pre_inputs(3, 4, 32, dtype=torch.float16)
        y, _, comb = MHCPre.default()(r, fn, s, b)
        assert rec.calls == []  # fp16: aiter's kernels are bf16 only
        want = ref.mhc_pre(r, fn, s, b)
        assert_close("layer_input", y.float(), want[0].float(), atol=1e-5, rtol=ROUNDING_RTOL[torch.float16])
        assert_close("comb_mix", comb, want[2], atol=2e-5, rtol=0)


def test_probe_rejects_an_old_signature(flags, fake_aiter):
    def old_mhc_pre(residual, fn, hc_scale, hc_base, rms_eps, hc_pre_eps, hc_sinkhorn_eps, hc_post_mult_value,
                    sinkhorn_repeat):  # no norm_weight yet
        raise AssertionError("must not be called")

    fake_aiter({**FUNCTIONS, "mhc_pre": old_mhc_pre})
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_ALLOW_KNOWN_BAD=ALLOW_ALL):
        op = MHCPre.default()
        assert op.provider == "triton"
        reason = {c.provider: c.reason for c in op.selection.candidates}["aiter"]
        assert "aiter.mhc_pre has parameters" in reason


def test_missing_function_is_a_reason_not_an_error(flags, fake_aiter):
    fake_aiter({})
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_ALLOW_KNOWN_BAD=ALLOW_ALL):
        op = MHCPost.default()
        assert op.provider == "triton"
        assert "aiter.mhc_post is missing" in {c.provider: c.reason for c in op.selection.candidates}["aiter"]
