"""rocm_sim tier: ROCm simulated on CPU. The platform's fp8 is e4m3fnuz with max 224 on gfx942
(e4m3fn, 448 on gfx950); the aiter adapter runs against a recording test double of
``aiter.ops.quant.dynamic_per_group_scaled_quant`` that computes what aiter's kernel computes."""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.ops.quant import (
    PerTokenGroupQuantFP8,
    ScaledFP8Quant,
    SiluMulPerTokenGroupQuantFP8,
)

from .helpers import assert_codes_close, assert_equal, group_oracle, make_x

pytestmark = [pytest.mark.rocm_sim,
              pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")]
FNUZ = torch.float8_e4m3fnuz
AITER_FN = "ops.quant.dynamic_per_group_scaled_quant"


def fake_group_quant(out, input, scales, group_size=32, shuffle_scale=True, num_rows=None,
                     num_rows_factor=1):
    """aiter's kernel: amax starts at 1e-10; scale = amax / finfo(out).max; codes = x * (1/s);
    shuffle_scale writes scale[g * rows + m] (column-major)."""
    x = input.float()
    groups = x.unflatten(-1, (x.shape[-1] // group_size, group_size))
    s = groups.abs().amax(-1).clamp_min(1e-10) / torch.finfo(out.dtype).max
    out.copy_((groups * (1.0 / s).unsqueeze(-1)).flatten(-2).to(out.dtype))
    if shuffle_scale:
        scales.as_strided((s.shape[1], s.shape[0]), (s.shape[0], 1)).copy_(s.t())
    else:
        scales.copy_(s)


def _explain(op):
    (e,) = opdispatch.explain([op])
    return e, {c["provider"]: c for c in e["candidates"]}


def test_default_dtype_is_fnuz_224(rocm_sim):
    assert rocm_sim.fp8_dtype == FNUZ
    x = make_x((7, 256), seed=20, zero_group=(2, 128))
    q, s = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128)
    assert q.dtype == FNUZ
    _, s_oracle = group_oracle(x, 128, 1e-10, 224.0, False)
    assert_equal(s, s_oracle, "scales (amax / 224)")
    q_t, s_t = PerTokenGroupQuantFP8(provider="triton")(x, 128, column_major_scales=True)
    assert_equal(s_t.contiguous(), s, "triton scales")
    assert_codes_close(q_t, q, "triton codes", max_frac=0.01)


def test_scaled_and_silu_default_fnuz(rocm_sim):
    x = make_x((5, 256), seed=21)
    for op, args, kw in [(ScaledFP8Quant, (x,), {"use_per_token_if_dynamic": True}),
                         (ScaledFP8Quant, (x,), {}),
                         (SiluMulPerTokenGroupQuantFP8, (x, 64), {"use_ue8m0": True})]:
        q, s = op(provider="triton")(*args, **kw)
        q_ref, s_ref = op(provider="torch_ref")(*args, **kw)
        assert q.dtype == FNUZ
        if op is ScaledFP8Quant:
            assert_equal(s, s_ref, f"{op.name} scales")
        else:
            assert ((s - s_ref).abs() <= 2.0**-7 * s_ref).all()
        assert_codes_close(q, q_ref, f"{op.name} codes", max_frac=0.02)


def test_aiter_runs_group_quant_on_gfx950(fake_aiter, flags):
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx950", VLLM_ROCM_USE_AITER=True):
        rec = fake_aiter({AITER_FN: fake_group_quant})
        assert PerTokenGroupQuantFP8.default().provider == "aiter"
        x = make_x((9, 384), seed=22, zero_group=(0, 128))
        for kw, shuffle in [({}, False), ({"column_major_scales": True}, True)]:
            rec.calls.clear()
            q, s = opdispatch.per_token_group_quant_fp8(x, 128, **kw)
            assert rec.names_called() == [AITER_FN]
            (_, args, kwargs), = rec.calls
            assert args[0] is q and args[1] is x and args[2] is s and args[3] == 128
            assert kwargs == {"shuffle_scale": shuffle}
            q_ref, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128, **kw)
            assert_equal(s, s_ref, "aiter scales")
            assert_codes_close(q, q_ref, "aiter codes", max_frac=0.01)


@pytest.mark.parametrize("kw", [{"use_ue8m0": True}, {"eps": 1e-6}, {"tma_aligned_scales": True},
                                {"strided": True}])
def test_aiter_adapter_falls_back_to_triton_where_semantics_differ(fake_aiter, flags, kw):
    kw = dict(kw)
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx950", VLLM_ROCM_USE_AITER=True):
        rec = fake_aiter({AITER_FN: fake_group_quant})
        x = make_x((9, 512), seed=23)  # M = 9: TMA-aligned stride 12 is not aiter's (1, M)
        if kw.pop("strided", False):
            x = x[:, :384]
        q, s = opdispatch.per_token_group_quant_fp8(x, 128, **kw)
        assert rec.calls == []
        q_ref, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128, **kw)
        assert_equal(s, s_ref, "scales")
        assert_codes_close(q, q_ref, "codes", max_frac=0.01)


def test_aiter_on_gfx942_never_called(fake_aiter, flags):
    """aiter divides by 240 (finfo of e4m3fnuz), we by 224: every call takes Triton."""
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx942", VLLM_ROCM_USE_AITER=True):
        rec = fake_aiter({AITER_FN: fake_group_quant})
        assert PerTokenGroupQuantFP8.default().provider == "aiter"
        x = make_x((4, 256), seed=24)
        q, s = opdispatch.per_token_group_quant_fp8(x, 128)
        assert rec.calls == [] and q.dtype == FNUZ
        _, s_oracle = group_oracle(x, 128, 1e-10, 224.0, False)
        assert_equal(s, s_oracle, "scales")


def test_aiter_subflag_and_master_flag(fake_aiter, flags):
    fake_aiter({AITER_FN: fake_group_quant})
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx950", VLLM_ROCM_USE_AITER=True,
               VLLM_ROCM_USE_AITER_QUANT=False):
        e, c = _explain("per_token_group_quant_fp8")
        assert e["selected"] == "triton"
        assert "VLLM_ROCM_USE_AITER_QUANT is off" in c["aiter"]["reason"]
    with flags(OPDISPATCH_PLATFORM="rocm", OPDISPATCH_ROCM_ARCH="gfx950", VLLM_ROCM_USE_AITER=False):
        e, c = _explain("per_token_group_quant_fp8")
        assert e["selected"] == "triton" and "VLLM_ROCM_USE_AITER is off" in c["aiter"]["reason"]


def test_aiter_probe_rejects_missing_or_old_function(fake_aiter, flags):
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        fake_aiter({"ops.quant.dynamic_per_token_scaled_quant": lambda *a: None})
        e, c = _explain("per_token_group_quant_fp8")
        assert e["selected"] == "triton"
        assert "dynamic_per_group_scaled_quant not found" in c["aiter"]["reason"]

        def old(out, input, scales):  # no group_size / shuffle_scale
            pass

        fake_aiter({AITER_FN: old})
        e, c = _explain("per_token_group_quant_fp8")
        assert e["selected"] == "triton"
        assert "lacks parameter(s) group_size, shuffle_scale" in c["aiter"]["reason"]


def test_other_quant_ops_have_no_aiter_kernel(fake_aiter, flags):
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        fake_aiter({AITER_FN: fake_group_quant})
        for op in ("scaled_fp8_quant", "silu_mul_per_token_group_quant_fp8",
                   "per_token_group_quant_fp8_packed"):
            e, c = _explain(op)
            assert e["selected"] == "triton", e
            assert c["aiter"]["usable"] is False and "has no" in c["aiter"]["reason"]
