"""Interp tier: every Triton kernel of the family against torch_ref through TRITON_INTERPRET=1 on
CPU tensors (small shapes: the interpreter is slow).

Tolerances: scales must be bit-identical (both divide the same float32 amax by fp8_max with a
correctly rounded division). Codes: with ``exact_div`` or ue8m0 scales they must be identical;
the default multiplies by a correctly rounded reciprocal, within one float32 ulp of x / s, so a
code may move one fp8 step where that ulp crosses a rounding boundary: at most 1% of codes, each
by one step (measured: ~0.05%)."""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.torch_ref import quant as ref
from opdispatch.backends.triton import quant as tq
from opdispatch.ops.quant import (
    PerTokenGroupQuantFP8,
    PerTokenGroupQuantFP8Packed,
    ScaledFP8Quant,
    SiluMulPerTokenGroupQuantFP8,
)

from .helpers import assert_codes_close, assert_equal, make_x

pytestmark = [pytest.mark.interp,
              # the interpreter evaluates exp(-gate) in numpy: exp(88+) overflows to inf, as on GPU
              pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")]
E4M3, FNUZ = torch.float8_e4m3fn, torch.float8_e4m3fnuz
ONE_STEP_FRAC = 0.01


def _both(op_cls, *args, **kwargs):
    out = op_cls(provider="triton")(*args, **kwargs)
    expected = op_cls(provider="torch_ref")(*args, **kwargs)
    return out, expected


def _check(out, expected, what, *, exact):
    (q, s), (q_ref, s_ref) = out, expected
    assert q.stride() == q_ref.stride() and s.stride() == s_ref.stride(), f"{what}: layouts differ"
    assert_equal(s, s_ref, f"{what} scales")
    assert_codes_close(q, q_ref, f"{what} codes", max_frac=0.0 if exact else ONE_STEP_FRAC)


# The kernel's exp and division may differ from PyTorch's in the last float32 bit, so y (and a
# group's amax) may differ by one ulp of x's dtype after rounding: 2**-7 relative for bf16
# (8 significant bits), 2**-10 for fp16, and for float32 (no rounding step) a few float32 ulps.
SILU_SCALE_RTOL = {torch.bfloat16: 2.0**-7, torch.float16: 2.0**-10, torch.float32: 2.0**-21}


def _check_silu(out, expected, dtype, what):
    (q, s), (q_ref, s_ref) = out, expected
    assert q.stride() == q_ref.stride() and s.stride() == s_ref.stride(), f"{what}: layouts differ"
    assert not torch.isnan(s).any(), f"{what}: NaN scales (unwritten?)"
    rel = ((s - s_ref).abs() / s_ref).max().item() if s.numel() else 0.0
    assert rel <= SILU_SCALE_RTOL[dtype], f"{what}: scales differ by {rel:.3g} relative"
    # codes: one step where y or the scale moved by an ulp; 2% leaves room for whole groups
    assert_codes_close(q, q_ref, f"{what} codes", max_frac=0.02)


# ------------------------------------------------------------------------- per_token_group_quant_fp8

@pytest.mark.parametrize("shape,group_size,dtype,fp8,layout,ue8m0", [
    ((1, 128), 128, torch.bfloat16, E4M3, "row", False),
    ((7, 384), 128, torch.bfloat16, E4M3, "col", True),
    ((33, 256), 128, torch.bfloat16, FNUZ, "tma", False),
    ((130, 64), 32, torch.float16, E4M3, "tma", True),
    ((5, 96), 96, torch.float32, FNUZ, "row", False),      # group size not a power of two
    ((3, 5, 256), 64, torch.bfloat16, E4M3, "tma", False),  # 3-D, a [5, G] block per batch
    ((2, 3, 2, 128), 128, torch.float16, E4M3, "col", True),  # 4-D
    ((384,), 128, torch.bfloat16, E4M3, "row", False),      # 1-D
])
def test_group_quant_shapes_layouts(shape, group_size, dtype, fp8, layout, ue8m0):
    x = make_x(shape, dtype, seed=10, zero_group=(0, group_size))
    out, expected = _both(PerTokenGroupQuantFP8, x, group_size, dtype=fp8, use_ue8m0=ue8m0,
                          column_major_scales=layout == "col", tma_aligned_scales=layout == "tma")
    _check(out, expected, f"{shape} {layout}", exact=ue8m0)


def test_group_quant_strided_rows_and_strided_out():
    big = make_x((9, 640), seed=11)
    x = big[:, 128:512]  # row stride 640
    buf = torch.empty(9, 1000, dtype=E4M3)
    out_q = buf[:, 8:392]
    q, s = PerTokenGroupQuantFP8(provider="triton")(x, 128, dtype=E4M3, out_q=out_q)
    q_ref, s_ref = PerTokenGroupQuantFP8(provider="torch_ref")(x.contiguous(), 128, dtype=E4M3)
    assert q is out_q
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=ONE_STEP_FRAC)


def test_group_quant_3d_strided_batch():
    # [M, B, K] transposed to [B, M, K]: batch stride K, row stride B*K (collapsible to 3-D only)
    x = make_x((6, 3, 256), seed=12).transpose(0, 1)
    out, expected = _both(PerTokenGroupQuantFP8, x, 128, dtype=E4M3, tma_aligned_scales=True)
    _check(out, expected, "3-D strided", exact=False)


@pytest.mark.parametrize("config", [
    tq.GroupQuantConfig(block_g=1, num_warps=1, exact_div=True),
    tq.GroupQuantConfig(block_g=4, num_warps=2, exact_div=True),
    tq.GroupQuantConfig(block_g=64, num_warps=8, exact_div=True),
    tq.GroupQuantConfig(block_g=16, num_warps=4, exact_div=False),
])
def test_group_quant_configs(config):
    x = make_x((21, 384), seed=13)
    shape, stride = ref.group_scales_layout(x.shape, 128, ref.COLUMN_MAJOR)
    q, s = torch.full(x.shape, float("nan")).to(E4M3), torch.full(shape, float("nan")).as_strided(shape, stride)
    s = torch.empty_strided(shape, stride).fill_(float("nan"))
    tq.per_token_group_quant_fp8(x, q, s, 128, 1e-10, 448.0, False, config=config)
    q_ref, s_ref = torch.empty_like(q), torch.empty_strided(shape, stride)
    ref.per_token_group_quant_fp8_into(x, q_ref, s_ref, 128, 1e-10, 448.0, False)
    assert_equal(s, s_ref, "scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0 if config.exact_div else ONE_STEP_FRAC)


def test_group_quant_all_zero_and_custom_eps():
    x = torch.zeros(3, 256, dtype=torch.bfloat16)
    (q, s), _ = _both(PerTokenGroupQuantFP8, x, 128, dtype=E4M3, eps=1e-4)
    assert (q.float() == 0).all()
    assert_equal(s, torch.full((3, 2), 1e-4 / 448.0), "eps scales")


def test_group_quant_empty():
    x = torch.empty(0, 256, dtype=torch.bfloat16)
    q, s = PerTokenGroupQuantFP8(provider="triton")(x, 128, tma_aligned_scales=True)
    assert q.shape == (0, 256) and s.shape == (0, 2)


def test_default_config_choice():
    # large M: 16 groups of 128 and 4 warps per program (the fastest tile measured on the H100)
    assert tq.pick_group_config(16384 * 56, 128) == tq.GroupQuantConfig(16, 4)
    assert tq.pick_group_config(16384 * 32, 128) == tq.GroupQuantConfig(16, 4)
    assert tq.pick_group_config(56, 128) == tq.GroupQuantConfig(1, 1)
    assert tq.pick_group_config(128 * 56, 128) == tq.GroupQuantConfig(8, 4)
    assert tq.pick_group_config(14, 128, packed=True).block_g == 4
    assert tq.pick_group_config(10**9, 1).block_g == 2048
    assert tq.pick_group_config(10**6, 4096) == tq.GroupQuantConfig(1, 8)  # one wide group alone


# ------------------------------------------------------------------------- packed

@pytest.mark.parametrize("shape,group_size", [((1, 128), 128), ((7, 9 * 64), 64), ((33, 512), 128),
                                              ((6, 5 * 32), 32)])
def test_packed(shape, group_size):
    x = make_x(shape, seed=14, zero_group=(0, group_size))
    out, expected = _both(PerTokenGroupQuantFP8Packed, x, group_size, dtype=E4M3)
    (q, s), (q_ref, s_ref) = out, expected
    assert s.stride() == s_ref.stride() == (1, ref.align(shape[0], 4))
    assert_equal(s, s_ref, "packed scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0)  # ue8m0: x * 2**-k is exact


def test_packed_with_wider_config():
    x = make_x((5, 13 * 128), seed=15)
    shape, stride = ref.packed_scales_layout(5, 13)
    sp = torch.empty_strided(shape, stride, dtype=torch.int32).fill_(-1)
    q = torch.empty(x.shape, dtype=E4M3)
    tq.per_token_group_quant_fp8_packed(x, q, sp, 128, 1e-10, 448.0,
                                        config=tq.GroupQuantConfig(block_g=32, num_warps=4))
    sp_ref, q_ref = torch.empty_strided(shape, stride, dtype=torch.int32), torch.empty_like(q)
    ref.per_token_group_quant_fp8_packed_into(x, q_ref, sp_ref, 128, 1e-10, 448.0)
    assert_equal(sp, sp_ref, "packed scales")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0)


# ------------------------------------------------------------------------- silu_mul

@pytest.mark.parametrize("shape,group_size,dtype,fp8,layout,ue8m0", [
    ((1, 2 * 128), 128, torch.bfloat16, E4M3, "row", False),
    ((7, 2 * 256), 128, torch.bfloat16, FNUZ, "tma", True),
    ((33, 2 * 128), 64, torch.float16, E4M3, "col", False),
    ((5, 2 * 96), 32, torch.float32, E4M3, "row", False),
    ((2, 3, 2 * 128), 128, torch.bfloat16, E4M3, "tma", False),
])
def test_silu_mul(shape, group_size, dtype, fp8, layout, ue8m0):
    x = make_x(shape, dtype, seed=16)
    out, expected = _both(SiluMulPerTokenGroupQuantFP8, x, group_size, dtype=fp8, use_ue8m0=ue8m0,
                          column_major_scales=layout == "col", tma_aligned_scales=layout == "tma")
    _check_silu(out, expected, dtype, f"silu {shape}")


def test_silu_mul_strided_rows():
    big = make_x((6, 3 * 256), seed=17)
    x = big[:, :512]
    out, expected = _both(SiluMulPerTokenGroupQuantFP8, x, 128, dtype=E4M3)
    _check_silu(out, expected, x.dtype, "silu strided")


# ------------------------------------------------------------------------- scaled_fp8_quant

@pytest.mark.parametrize("mode", ["static", "per_tensor", "per_token", "per_token_ub"])
@pytest.mark.parametrize("shape,padding,dtype,fp8", [
    ((1, 64), None, torch.bfloat16, E4M3),
    ((13, 300), 16, torch.bfloat16, FNUZ),
    ((33, 130), None, torch.float16, E4M3),
    ((7, 96), 7, torch.float32, E4M3),
])
def test_scaled(mode, shape, padding, dtype, fp8):
    x = make_x(shape, dtype, seed=18)
    if shape[0] > 3:
        x[3] = 0  # an all-zero row
    kwargs = {"dtype": fp8, "num_token_padding": padding}
    scale = torch.tensor([0.05]) if mode == "static" else None
    if mode.startswith("per_token"):
        kwargs["use_per_token_if_dynamic"] = True
    if mode == "per_token_ub":
        kwargs["scale_ub"] = torch.tensor([4.0])
    out, expected = _both(ScaledFP8Quant, x, scale, **kwargs)
    _check(out, expected, f"scaled {mode}", exact=False)
    if padding and padding > shape[0]:
        assert (out[0][shape[0]:].float() == 0).all()


@pytest.mark.parametrize("mode", ["static", "per_tensor", "per_token"])
def test_scaled_k_loop_and_tiles(mode):
    """Per-token with K larger than the tile: two passes over the row."""
    x = make_x((9, 700), seed=19)[:, 50:650]  # strided rows too
    padded = 11
    scale_ref = torch.tensor([0.02]) if mode == "static" else torch.empty(1 if mode == "per_tensor" else (padded, 1))
    if mode == "per_token":
        scale_ref = torch.empty(padded, 1)
    scale = scale_ref.clone()
    q, q_ref = torch.empty(padded, 600, dtype=E4M3), torch.empty(padded, 600, dtype=E4M3)
    tq.scaled_fp8_quant(x, q, scale, None, mode, 448.0,
                        config=tq.ScaledQuantConfig(block_m=4, block_k=128, num_warps=2, exact_div=True))
    ref.scaled_fp8_quant_into(x, q_ref, scale_ref, None, mode, 448.0)
    assert_equal(scale, scale_ref, "scale")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0)


@pytest.mark.parametrize("path", ["one_program", "partials", "atomic"])
def test_scaled_per_tensor_one_program_and_tiles(path):
    """Dynamic per tensor in one program (the decode path: amax of everything, then the codes,
    small tiles so both passes loop over several row blocks and K chunks; padding rows; strided
    rows) equals the reference bit for bit, like the two-kernel paths: per-tile maxima reduced
    by the quant programs (15 tiles here) and a zeroed atomic max (9 x 38 tiles > MAX_PARTIALS)."""
    one_program = path == "one_program"
    block_m, block_k = (1, 16) if path == "atomic" else (4, 128)
    assert ((9 + block_m - 1) // block_m) * ((600 + block_k - 1) // block_k) > tq.MAX_PARTIALS \
        or path != "atomic"
    x = make_x((9, 700), seed=23)[:, 50:650]
    padded = 11
    scale, scale_ref = torch.empty(1), torch.empty(1)
    q, q_ref = torch.empty(padded, 600, dtype=E4M3), torch.empty(padded, 600, dtype=E4M3)
    cfg = tq.ScaledQuantConfig(block_m=block_m, block_k=block_k, num_warps=2, exact_div=True,
                               one_program=one_program)
    tq.scaled_fp8_quant(x, q, scale, None, "per_tensor", 448.0, config=cfg)
    ref.scaled_fp8_quant_into(x, q_ref, scale_ref, None, "per_tensor", 448.0)
    assert_equal(scale, scale_ref, "scale")
    assert_codes_close(q, q_ref, "codes", max_frac=0.0)
    assert (q[9:].float() == 0).all()


def test_scaled_per_tensor_default_paths():
    """The default config takes the one-program path up to ONE_PROGRAM_MAX_ELEMS elements, the
    two-kernel path above; a NaN in the input gives a NaN scale on both (as the reference)."""
    small = tq.pick_scaled_config(4, 7168, "per_tensor")
    large = tq.pick_scaled_config(16, 7168, "per_tensor")
    assert small.one_program and not large.one_program
    assert not tq.pick_scaled_config(1, 7168, "per_token").one_program
    for cfg in (small, large):
        x = make_x((3, 256), seed=24)
        x[1, 7] = float("nan")
        scale = torch.empty(1)
        q = torch.empty(3, 256, dtype=E4M3)
        tq.scaled_fp8_quant(x, q, scale, None, "per_tensor", 448.0, config=cfg)
        assert torch.isnan(scale).all(), cfg


def test_scaled_empty_and_all_zero():
    x = torch.empty(0, 64, dtype=torch.bfloat16)
    (q, s), (q_ref, s_ref) = _both(ScaledFP8Quant, x, num_token_padding=5, dtype=E4M3)
    assert q.shape == (5, 64) and (q.float() == 0).all()
    assert_equal(s, s_ref, "empty per-tensor scale")
    (q, s), _ = _both(ScaledFP8Quant, x, use_per_token_if_dynamic=True, dtype=E4M3)
    assert q.shape == (0, 64) and s.shape == (0, 1)
    x = torch.zeros(4, 64, dtype=torch.bfloat16)
    (q, s), _ = _both(ScaledFP8Quant, x, dtype=E4M3)
    assert (q.float() == 0).all() and s.item() == ref.min_dynamic_scale(448.0)


# ------------------------------------------------------------------------- torch.library

@pytest.mark.parametrize("name,args", [
    ("per_token_group_quant_fp8_triton",
     lambda: (make_x((3, 256)), torch.empty(3, 256, dtype=E4M3), torch.empty(3, 2), 128, 1e-10, 448.0, False)),
    ("per_token_group_quant_fp8_packed_triton",
     lambda: (make_x((3, 256)), torch.empty(3, 256, dtype=E4M3),
              torch.empty_strided((3, 1), (1, 4), dtype=torch.int32), 128, 1e-10, 448.0)),
    ("silu_mul_per_token_group_quant_fp8_triton",
     lambda: (make_x((3, 256)), torch.empty(3, 128, dtype=E4M3), torch.empty(3, 1), 128, 1e-10, 448.0, True)),
    ("scaled_fp8_quant_triton",
     lambda: (make_x((3, 64)), torch.empty(4, 64, dtype=E4M3), torch.empty(4, 1), torch.tensor([2.0]),
              "per_token", 448.0)),
])
def test_opcheck(name, args):
    """opcheck's fake-tensor and autograd-registration tests; its test_schema compares with
    allclose, which has no fp8 kernel on CPU, so the declared mutations are checked bitwise
    here instead: inputs unchanged, declared outputs written."""
    from opdispatch.dispatch import KERNEL_OPS

    kop = KERNEL_OPS[name]
    sig = args()
    torch.library.opcheck(kop, sig, test_utils=("test_faketensor", "test_autograd_registration"))
    written = {a.name for a in kop._schema.arguments if a.alias_info is not None and a.alias_info.is_write}
    assert written == {a.name for a in kop._schema.arguments[1:3]}, written  # the two outputs
    names = [a.name for a in kop._schema.arguments]
    sig = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in sig)
    before = [a.clone() if isinstance(a, torch.Tensor) else a for a in sig]
    kop(*sig)
    for n, a, b in zip(names, sig, before, strict=True):
        if isinstance(a, torch.Tensor) and n not in written:
            assert torch.equal(a.view(torch.uint8) if a.element_size() == 1 else a,
                               b.view(torch.uint8) if b.element_size() == 1 else b), f"{n} changed"


def _nan_input(shape, dtype=torch.bfloat16):
    x = make_x(shape, dtype, seed=31)
    x[1, 5] = float("nan")
    return x


def _same_with_nan(a, b, what):
    a, b = a.float(), b.float()
    assert torch.equal(a.isnan(), b.isnan()), f"{what}: NaN positions differ"
    assert torch.equal(a.nan_to_num(0.0), b.nan_to_num(0.0)), f"{what}: values differ"


@pytest.mark.parametrize("op,args,kwargs", [
    (PerTokenGroupQuantFP8, (128,), {}),
    (PerTokenGroupQuantFP8, (128,), {"use_ue8m0": True}),
    (SiluMulPerTokenGroupQuantFP8, (128,), {}),
    (ScaledFP8Quant, (None,), {}),
    (ScaledFP8Quant, (None,), {"use_per_token_if_dynamic": True}),
    (ScaledFP8Quant, (None,), {"use_per_token_if_dynamic": True, "scale_ub": torch.tensor([4.0])}),
])
@pytest.mark.parametrize("fp8", [E4M3, FNUZ])
def test_nan_input_matches_reference(op, args, kwargs, fp8):
    """A NaN in x gives what torch_ref gives (NaN scale for its group, row or tensor, NaN codes
    there), never a finite scale or a clamped +-fp8_max code in its place."""
    x = _nan_input((4, 512))
    (q, s), (q_ref, s_ref) = _both(op, x, *args, dtype=fp8, **kwargs)
    _same_with_nan(s, s_ref, "scales")
    _same_with_nan(q, q_ref, "codes")
    assert q.float().isnan().any()
