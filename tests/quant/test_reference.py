"""Native tier: the torch_ref semantics against independent float64 oracles, the scale-layout
helpers, validation errors and dispatch on CPU."""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import quant as ref
from opdispatch.ops.quant import (
    PerTokenGroupQuantFP8,
    PerTokenGroupQuantFP8Packed,
    ScaledFP8Quant,
    SiluMulPerTokenGroupQuantFP8,
)

from .helpers import (
    FP8_MAX,
    assert_equal,
    assert_nearest_fp8,
    group_oracle,
    make_x,
    silu_mul_oracle,
)

pytestmark = pytest.mark.native
E4M3, FNUZ = torch.float8_e4m3fn, torch.float8_e4m3fnuz


# ------------------------------------------------------------------------- layouts and helpers

def test_layout_strides():
    assert ref.group_scales_layout((5, 256), 128, ref.ROW_MAJOR) == ((5, 2), (2, 1))
    assert ref.group_scales_layout((5, 256), 128, ref.COLUMN_MAJOR) == ((5, 2), (1, 5))
    assert ref.group_scales_layout((5, 256), 128, ref.TMA_ALIGNED) == ((5, 2), (1, 8))
    assert ref.group_scales_layout((8, 256), 128, ref.TMA_ALIGNED) == ((8, 2), (1, 8))
    # 3-D: one [M, G] block per batch entry
    assert ref.group_scales_layout((3, 5, 384), 128, ref.TMA_ALIGNED) == ((3, 5, 3), (24, 1, 8))
    assert ref.group_scales_layout((2, 3, 5, 128), 64, ref.COLUMN_MAJOR) == ((2, 3, 5, 2), (30, 10, 1, 5))
    assert ref.group_scales_layout((7,), 7, ref.ROW_MAJOR) == ((1,), (1,))
    assert ref.packed_scales_layout(5, 9) == ((5, 3), (1, 8))
    assert ref.packed_scales_layout(8, 4) == ((8, 1), (1, 8))
    with pytest.raises(ValueError, match="at least 2 dims"):
        ref.group_scales_layout((256,), 128, ref.COLUMN_MAJOR)


def test_ceil_pow2_exact_at_the_edges():
    one_ulp_up = torch.tensor([2.0**-10 * (1 + 2.0**-23)], dtype=torch.float32)
    assert ref.ceil_pow2(one_ulp_up).item() == 2.0**-9  # float32 log2 would round to -10
    s = torch.tensor([2.0**-10, 0.75, 1.0, 3.0, 2.0**-30 * 1.5], dtype=torch.float32)
    assert ref.ceil_pow2(s).tolist() == [2.0**-10, 1.0, 1.0, 4.0, 2.0**-29]


def test_pack_ue8m0_byte_order():
    s = torch.tensor([[2.0**-7, 2.0**0, 2.0**3, 2.0**-20, 2.0**1]])  # G = 5 -> 2 words
    words = ref.pack_ue8m0(s)
    b = [120, 127, 130, 107, 128]
    assert words.dtype == torch.int32 and words.shape == (1, 2)
    assert words[0, 0].item() == b[0] | b[1] << 8 | b[2] << 16 | (b[3] << 24) - (1 << 32) * (b[3] >= 128)
    assert words[0, 1].item() == b[4]  # padding bytes are 0
    # bytes round-trip through a little-endian view
    assert words.view(torch.uint8)[0, :5].tolist() == b


def test_min_dynamic_scale():
    assert ref.min_dynamic_scale(448.0) == float(torch.tensor(1 / (448 * 512), dtype=torch.float32))
    assert ref.min_dynamic_scale(224.0) == float(torch.tensor(1 / (224 * 512), dtype=torch.float32))


# ------------------------------------------------------------------------- semantics vs oracles

@pytest.mark.parametrize("shape,group_size,dtype,fp8,ue8m0", [
    ((1, 128), 128, torch.bfloat16, E4M3, False),
    ((7, 384), 128, torch.bfloat16, E4M3, True),
    ((33, 96), 32, torch.float16, FNUZ, False),
    ((3, 5, 64), 16, torch.float32, FNUZ, True),
    ((130, 48), 48, torch.bfloat16, E4M3, False),
])
def test_group_quant_ref_matches_oracle(shape, group_size, dtype, fp8, ue8m0):
    fp8_max = FP8_MAX[fp8]
    x = make_x(shape, dtype, seed=1, zero_group=(0, group_size))
    q = torch.empty(shape, dtype=fp8)
    s = torch.empty(*shape[:-1], shape[-1] // group_size)
    ref.per_token_group_quant_fp8_into(x, q, s, group_size, 1e-10, fp8_max, ue8m0)
    v, s_oracle = group_oracle(x, group_size, 1e-10, fp8_max, ue8m0)
    assert_equal(s, s_oracle, "scales")
    assert_nearest_fp8(q, v, "codes")
    # the all-zero group: scale eps / fp8_max (or its ue8m0 rounding), codes 0
    assert (q.view(-1, shape[-1])[0, :group_size].float() == 0).all()
    assert float(s.view(-1, s.shape[-1])[0, 0]) > 0


def test_packed_ref_is_pack_of_ue8m0_scales():
    x = make_x((5, 9 * 64), seed=2)
    q, s = torch.empty(5, 576, dtype=E4M3), torch.empty(5, 9)
    ref.per_token_group_quant_fp8_into(x, q, s, 64, 1e-10, 448.0, True)
    shape, stride = ref.packed_scales_layout(5, 9)
    qp, sp = torch.empty(5, 576, dtype=E4M3), torch.empty_strided(shape, stride, dtype=torch.int32)
    ref.per_token_group_quant_fp8_packed_into(x, qp, sp, 64, 1e-10, 448.0)
    assert_equal(qp.view(torch.uint8), q.view(torch.uint8), "codes")
    exps = torch.stack([(sp >> (8 * j)) & 0xFF for j in range(4)], -1).flatten(1)[:, :9]
    assert_equal(torch.exp2(exps.double() - 127).float(), s, "unpacked scales")
    assert (((sp[:, 2] >> 8) & 0xFFFFFF) == 0).all()  # groups 9..11 do not exist: zero bytes


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_silu_mul_ref_matches_oracle(dtype):
    x = make_x((7, 2 * 256), dtype, seed=3)
    q, s = torch.empty(7, 256, dtype=E4M3), torch.empty(7, 2)
    ref.silu_mul_per_token_group_quant_fp8_into(x, q, s, 128, 1e-10, 448.0, False)
    y = silu_mul_oracle(x)
    v, s_oracle = group_oracle(y, 128, 1e-10, 448.0, False)
    assert_equal(s, s_oracle, "scales")
    assert_nearest_fp8(q, v, "codes")


@pytest.mark.parametrize("mode", ["static", "per_tensor", "per_token"])
@pytest.mark.parametrize("fp8", [E4M3, FNUZ])
def test_scaled_ref_matches_oracle(mode, fp8):
    fp8_max = FP8_MAX[fp8]
    x = make_x((9, 200), torch.bfloat16, seed=4)
    x[3] = 0  # an all-zero row
    x64 = x.double()
    floor = 1.0 / (fp8_max * 512)
    ub = torch.tensor([5.0])
    padded = 12
    q = torch.empty(padded, 200, dtype=fp8)
    if mode == "static":
        scale = torch.tensor([0.03])
        s64 = torch.full((padded, 1), 0.03).float().double()
    elif mode == "per_tensor":
        scale = torch.empty(1)
        s64 = torch.full((padded, 1), max(float(x64.abs().max()) / fp8_max, floor))
    else:
        scale = torch.empty(padded, 1)
        amax = torch.cat([x64.abs().amax(1), torch.zeros(padded - 9, dtype=torch.float64)])
        s64 = (amax.clamp_max(5.0) / fp8_max).clamp_min(floor)[:, None]
    s64 = s64.float().double()
    ref.scaled_fp8_quant_into(x, q, scale, ub if mode == "per_token" else None, mode, fp8_max)
    if mode == "per_tensor":
        assert_equal(scale, s64[:1, 0].float(), "per-tensor scale")
    elif mode == "per_token":
        assert_equal(scale, s64.float(), "per-token scales")
        assert scale[3].item() == pytest.approx(floor, rel=1e-7)  # the zero row: floor, not 0
    v = (torch.cat([x64, torch.zeros(padded - 9, 200, dtype=torch.float64)]) / s64).float().double()
    assert_nearest_fp8(q, v.clamp(-fp8_max, fp8_max), "codes")
    assert (q[9:].float() == 0).all() and (q[3].float() == 0).all()


def test_scaled_ref_all_zero_input_gives_finite_floor_scale():
    x = torch.zeros(4, 64, dtype=torch.bfloat16)
    q, s = ScaledFP8Quant(provider="torch_ref")(x)
    assert (q.float() == 0).all()
    assert s.item() == ref.min_dynamic_scale(opdispatch.current_platform().fp8_max)


def test_empty_inputs_return_empty_outputs():
    x = torch.empty(0, 256, dtype=torch.bfloat16)
    q, s = PerTokenGroupQuantFP8(provider="torch_ref")(x, 128, column_major_scales=True)
    assert q.shape == (0, 256) and s.shape == (0, 2)
    q, s = SiluMulPerTokenGroupQuantFP8(provider="torch_ref")(x)
    assert q.shape == (0, 128) and s.shape == (0, 1)
    q, s = PerTokenGroupQuantFP8Packed(provider="torch_ref")(x)
    assert q.shape == (0, 256) and s.shape == (0, 1)
    q, s = ScaledFP8Quant(provider="torch_ref")(x, use_per_token_if_dynamic=True)
    assert q.shape == (0, 256) and s.shape == (0, 1)
    q, s = ScaledFP8Quant(provider="torch_ref")(x, num_token_padding=3)
    assert q.shape == (3, 256) and (q.float() == 0).all() and s.item() > 0


# ------------------------------------------------------------------------- public API

def test_public_functions_and_dtype_default():
    x = make_x((3, 256), seed=5)
    q, s = opdispatch.per_token_group_quant_fp8(x, 128)
    assert q.dtype == opdispatch.current_platform().fp8_dtype and s.dtype == torch.float32
    out = torch.empty(3, 256, dtype=q.dtype)
    q2, _ = opdispatch.per_token_group_quant_fp8(x, 128, out_q=out)
    assert q2 is out and torch.equal(q2.view(torch.uint8), q.view(torch.uint8))
    q3, s3 = opdispatch.silu_mul_per_token_group_quant_fp8(x, 64, use_ue8m0=True, tma_aligned_scales=True)
    assert q3.shape == (3, 128) and s3.stride() == (1, 4)
    q4, s4 = opdispatch.per_token_group_quant_fp8_packed(x)
    assert s4.shape == (3, 1) and s4.stride() == (1, 4)
    scale = torch.tensor([0.5])
    q5, s5 = opdispatch.scaled_fp8_quant(x, scale)
    assert s5 is scale and q5.shape == (3, 256)


def test_default_on_cpu_is_torch_ref():
    for name in ("per_token_group_quant_fp8", "per_token_group_quant_fp8_packed",
                 "scaled_fp8_quant", "silu_mul_per_token_group_quant_fp8"):
        (e,) = opdispatch.explain([name])
        assert e["selected"] == "torch_ref", e
        providers = {c["provider"] for c in e["candidates"]}
        assert providers == {"torch_ref", "triton", "aiter", "deep_gemm"}


# ------------------------------------------------------------------------- validation

X = make_x((4, 256), seed=6)


@pytest.mark.parametrize("call,exc,match", [
    (lambda op: op(X, 100), ValueError, r"x's last dim \(256\) must be divisible by group_size \(100\)"),
    (lambda op: op(X, 0), ValueError, "group_size must be > 0"),
    (lambda op: op(X, -128), ValueError, "group_size must be > 0"),
    (lambda op: op(X, 128.0), TypeError, "group_size must be an int"),
    (lambda op: op(X.to(torch.int32), 128), TypeError, "x must have dtype"),
    (lambda op: op(X.t(), 2), ValueError, "x must have a contiguous last dimension"),
    (lambda op: op(X, 128, eps=0.0), ValueError, "eps must be a finite float > 0"),
    (lambda op: op(X, 128, eps=float("inf")), ValueError, "eps must be a finite float > 0"),
    (lambda op: op(X, 128, eps=float("nan")), ValueError, "eps must be a finite float > 0"),
    (lambda op: op(X, 128, eps=-1e-10), ValueError, "eps must be a finite float > 0"),
    (lambda op: op(X, 128, dtype=torch.bfloat16), TypeError, "dtype must be None, torch.float8_e4m3fn"),
    (lambda op: op(X, 128, out_q=torch.empty(4, 128, dtype=torch.float8_e4m3fn)), ValueError,
     r"out_q must have shape \[4, 256\]"),
    (lambda op: op(X, 128, dtype=torch.float8_e4m3fn, out_q=torch.empty(4, 256, dtype=torch.float8_e4m3fnuz)),
     TypeError, "out_q must have dtype float8_e4m3fn"),
    (lambda op: op(X[0], 128, column_major_scales=True), ValueError, "need x of at least 2 dims"),
    (lambda op: op(X, 128, use_ue8m0=1), TypeError, "use_ue8m0 must be a bool"),
    (lambda op: op(torch.zeros(2, 3, 4, 256)[:, ::2], 128), ValueError, "collapsible"),
])
def test_group_quant_rejects_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(PerTokenGroupQuantFP8(provider="torch_ref"))


@pytest.mark.parametrize("call,exc,match", [
    (lambda op: op(X[:, :255]), ValueError, "must be even"),
    (lambda op: op(X, 96), ValueError, r"N \(half of x's last dim\) \(128\) must be divisible by group_size \(96\)"),
    (lambda op: op(X, out_q=torch.empty(4, 256, dtype=opdispatch.current_platform().fp8_dtype)),
     ValueError, r"out_q must have shape \[4, 128\]"),
])
def test_silu_mul_rejects_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(SiluMulPerTokenGroupQuantFP8(provider="torch_ref"))


@pytest.mark.parametrize("call,exc,match", [
    (lambda op: op(X[None]), ValueError, "x must be 2-D"),
    (lambda op: op(X, 100), ValueError, "must be divisible by group_size"),
])
def test_packed_rejects_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(PerTokenGroupQuantFP8Packed(provider="torch_ref"))


@pytest.mark.parametrize("call,exc,match", [
    (lambda op: op(X, torch.tensor([1.0, 2.0])), ValueError, r"scale must hold exactly one float32 value"),
    (lambda op: op(X, torch.tensor([1.0], dtype=torch.float64)), TypeError, "scale must have dtype float32"),
    (lambda op: op(X, torch.tensor([1.0]), scale_ub=torch.tensor([1.0])), ValueError, "scale_ub applies to dynamic per-token"),
    (lambda op: op(X, scale_ub=torch.tensor([1.0])), ValueError, "use_per_token_if_dynamic=True"),
    (lambda op: op(X, use_per_token_if_dynamic=True, scale_ub=torch.ones(2)), ValueError, "scale_ub must hold exactly one"),
    (lambda op: op(X[None]), ValueError, "x must be 2-D"),
    (lambda op: op(X, num_token_padding=-1), ValueError, "num_token_padding must be >= 0"),
    (lambda op: op(X, num_token_padding=2.0), TypeError, "num_token_padding must be an int"),
    (lambda op: op(X, num_token_padding=8, output=torch.empty(4, 256, dtype=opdispatch.current_platform().fp8_dtype)),
     ValueError, r"output must have shape \[8, 256\]"),
    (lambda op: op(X.to(torch.float64)), TypeError, "x must have dtype"),
])
def test_scaled_rejects_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(ScaledFP8Quant(provider="torch_ref"))


def test_validation_happens_before_any_kernel(monkeypatch):
    """A bad argument raises before the provider runs (the provider here would fail loudly)."""
    op = PerTokenGroupQuantFP8(provider="torch_ref")
    monkeypatch.setattr(op, "forward", lambda *a: pytest.fail("kernel ran on bad input"))
    with pytest.raises(ValueError):
        op(X, 100)


# ------------------------------------------------------------------------- warmup makers

@pytest.mark.parametrize("op_name", ["per_token_group_quant_fp8", "per_token_group_quant_fp8_packed",
                                     "silu_mul_per_token_group_quant_fp8", "scaled_fp8_quant"])
def test_warmup_makers_draw_from_the_generator(op_name):
    """The compile/graph suite copies a second input set (another generator state) into the
    captured inputs, variant by variant: every variant needs its own tensors, and their values
    must change with the generator."""
    from opdispatch.warmup import make_warmup_inputs

    def tensors(sets):
        return [[a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)] for args, kwargs in sets]

    a = tensors(make_warmup_inputs(op_name, torch.device("cpu"), 5, torch.Generator().manual_seed(1)))
    b = tensors(make_warmup_inputs(op_name, torch.device("cpu"), 5, torch.Generator().manual_seed(2)))
    flat = [t for ts in a for t in ts]
    assert len({t.data_ptr() for t in flat}) == len(flat), "variants share an input tensor"
    for ta, tb in zip(a, b, strict=True):
        assert all(x.shape == y.shape for x, y in zip(ta, tb, strict=True))
        assert any(not torch.equal(x, y) for x, y in zip(ta, tb, strict=True)), "same values for two seeds"
