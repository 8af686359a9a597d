"""Native tier: the torch_ref semantics against independent float64 oracles, the public layouts,
validation, and the ue8m0 helpers."""

from __future__ import annotations

import re

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import fused as ref
from opdispatch.ops.fused import FusedInvRopeFP8Quant, FusedMTPInputRMSNorm

from .helpers import assert_rounded_from, inv_rope_f64, mtp_f64, mtp_inputs, rope_inputs, unpack_words

pytestmark = pytest.mark.native

FP8 = torch.float8_e4m3fn


# --------------------------------------------------------------------------- ue8m0 helpers

def test_ue8m0_exponent_is_exact_at_power_of_two_boundaries():
    # amax = 448 * 2**k gives exactly s = 2**k; the next float32 above needs 2**(k+1). A float
    # log2 would get the second one wrong for most k.
    k = torch.arange(-30, 30, dtype=torch.float32)
    exact = 448.0 * torch.exp2(k)
    above = torch.nextafter(exact, torch.full_like(exact, float("inf")))
    below = torch.nextafter(exact, torch.zeros_like(exact))
    assert torch.equal(ref.ue8m0_exponent(exact, 448.0), (k + 127).int())
    assert torch.equal(ref.ue8m0_exponent(above, 448.0), (k + 128).int())
    assert torch.equal(ref.ue8m0_exponent(below, 448.0), (k + 127).int())
    # all-zero chunk: floor 1e-10 -> 2**ceil(log2(1e-10/448)) = 2**-42
    assert int(ref.ue8m0_exponent(torch.zeros(1), 448.0)) == 127 - 42
    assert float(ref.ue8m0_to_float(torch.tensor([127 - 42]))) == 2.0**-42
    # NaN / inf amax: byte 255 (e8m0's NaN), not 256 (the carry spilled into the next packed byte)
    special = torch.tensor([float("nan"), float("inf"), 3.4e38])
    assert ref.ue8m0_exponent(special, 448.0).tolist() == [255, 255, 127 + 120]


def test_pack_ue8m0_byte_order_and_padding():
    e = torch.tensor([[1, 2, 3, 4, 200, 6]], dtype=torch.int32)   # 6 columns -> 2 words
    words = ref.pack_ue8m0(e)
    assert words.dtype == torch.int32 and words.shape == (1, 2)
    assert int(words[0, 0]) == 1 | 2 << 8 | 3 << 16 | 4 << 24
    assert int(words[0, 1]) == 200 | 6 << 8                     # bytes 2, 3 of word 1 are zero
    # little-endian memory view: byte b of word j is column 4j + b
    assert words.view(torch.uint8).tolist() == [[1, 2, 3, 4, 200, 6, 0, 0]]
    high = ref.pack_ue8m0(torch.tensor([[0, 0, 0, 255]], dtype=torch.int32))
    assert high.view(torch.uint8).tolist() == [[0, 0, 0, 255]]  # sign bit set: two's complement


# --------------------------------------------------------------------------- rope + quant

ROPE_SHAPES = [
    # T, n_groups, heads_per_group, nope, rope, quant_group
    (0, 2, 2, 448, 64, 128),
    (1, 1, 1, 448, 64, 128),
    (5, 2, 3, 448, 64, 128),
    (33, 3, 1, 192, 64, 128),
    (7, 2, 2, 96, 32, 64),
]


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("shape", ROPE_SHAPES)
def test_rope_quant_reference_against_float64(shape, packed):
    T, G, hpg, nope, rope, qg = shape
    o, pos, cache = rope_inputs(T, G, hpg, nope, rope, seed=T)
    q, s = opdispatch.fused_inv_rope_fp8_quant(o, pos, cache, G, hpg, nope_dim=nope, rope_dim=rope,
                                               quant_group_size=qg, tma_aligned_scales=packed)
    D = nope + rope
    W, K = hpg * D, hpg * D // qg
    T_pad = (T + 3) // 4 * 4
    # logical shapes, physical layouts
    assert q.shape == (T, G, W) and q.dtype == FP8
    assert q.stride() == (W, T * W, 1), "o_fp8 must be physically [n_groups, T, W] contiguous"
    if packed:
        assert s.shape == (T, G, (K + 3) // 4) and s.dtype == torch.int32
        assert s.stride() == (1, (K + 3) // 4 * T_pad, T_pad)
    else:
        assert s.shape == (T, G, K) and s.dtype == torch.float32
        assert s.stride() == (1, K * T_pad, T_pad), "scales must be token-contiguous, T padded to 4"
    if T == 0:
        return
    # padding tokens hold scale 0
    phys = s.permute(1, 2, 0).as_strided((G, s.shape[2], T_pad), (s.stride(1), s.stride(2), 1))
    assert torch.equal(phys[:, :, T:], torch.zeros_like(phys[:, :, T:]))

    x = inv_rope_f64(o, pos, cache, rope).reshape(T, G, K, qg)
    if packed:
        all_bytes = unpack_words(s)
        exp_bytes = all_bytes[:, :, :K]
        assert not all_bytes[:, :, K:].any(), "unused bytes of the last word must be 0"
        scale = torch.exp2(exp_bytes.double() - 127)
    else:
        scale = s.double()
    # ue8m0 rule: s is the smallest power of two with amax / s <= 448.
    amax = x.abs().amax(-1).clamp_min(1e-10)
    assert torch.equal(torch.log2(scale), torch.log2(scale).round()), "scales must be powers of two"
    assert bool((amax / scale <= 448).all()) and bool((amax / scale > 224).all())
    deq = q.double().reshape(T, G, K, qg) * scale[..., None]
    # e4m3 has 3 mantissa bits: rounding error <= half a step = 2**-4 relative (normals); the
    # subnormal step is 2**-9 * s, so absolute half-step 2**-10 * s. float32 rope math adds
    # ~1e-7 relative. So |deq - x| <= 2**-4 |x| + 2**-10 s (+ slack for the float32 rope).
    err = (deq - x).abs()
    bound = 2.0**-4 * x.abs() * (1 + 1e-5) + 2.0**-10 * scale[..., None]
    assert bool((err <= bound).all()), f"{int((err > bound).sum())} of {err.numel()} values off"


def test_rope_quant_nope_part_is_not_rotated():
    # With cos = 1, sin = 0 (angle 0) the rope part is the identity: quantising o directly.
    o, pos, cache = rope_inputs(4, 1, 2, 448, 64)
    cache = torch.cat((torch.ones(97, 32), torch.zeros(97, 32)), dim=1)
    q, s = opdispatch.fused_inv_rope_fp8_quant(o, pos, cache, 1, 2)
    deq = q.float().reshape(4, 1, 8, 128) * s[..., None]
    direct = o.float().reshape(4, 1, 8, 128)
    assert bool(((deq - direct).abs() <= 2.0**-4 * direct.abs() + 1e-6).all())


def test_rope_quant_out_buffers_are_written_and_returned():
    o, pos, cache = rope_inputs(6, 2, 2, 448, 64)
    out = torch.full((2, 6, 1024), float("nan"), dtype=FP8)
    out_s = torch.full((2, 8, 8), float("nan"))
    q, s = opdispatch.fused_inv_rope_fp8_quant(o, pos, cache, 2, 2, out=out, out_scales=out_s)
    assert q.data_ptr() == out.data_ptr() and s.data_ptr() == out_s.data_ptr()
    q2, s2 = opdispatch.fused_inv_rope_fp8_quant(o, pos, cache, 2, 2)
    assert torch.equal(q.view(torch.uint8), q2.view(torch.uint8)) and torch.equal(s, s2)
    assert torch.equal(out_s[:, :, 6:], torch.zeros(2, 8, 2))


def test_rope_quant_strided_input():
    o, pos, cache = rope_inputs(5, 2, 2, 448, 64)
    wide = torch.zeros(5, 6, 512, dtype=o.dtype)
    wide[:, 1:5] = o
    strided = wide[:, 1:5]                      # heads sliced: token stride 6*512
    assert not strided.is_contiguous()
    a = opdispatch.fused_inv_rope_fp8_quant(strided, pos, cache, 2, 2)
    b = opdispatch.fused_inv_rope_fp8_quant(o, pos, cache, 2, 2)
    assert torch.equal(a[0].view(torch.uint8), b[0].view(torch.uint8)) and torch.equal(a[1], b[1])


def test_rope_quant_uses_platform_fp8_on_rocm(rocm_sim):
    o, pos, cache = rope_inputs(5, 1, 2, 448, 64)
    q, s = FusedInvRopeFP8Quant(provider="torch_ref")(o, pos, cache, 1, 2)
    assert q.dtype == torch.float8_e4m3fnuz
    assert float(q.float().abs().max()) <= 224.0
    x = inv_rope_f64(o, pos, cache, 64).reshape(5, 1, 8, 128)
    amax = x.abs().amax(-1)
    assert bool((amax / s.double() <= 224).all()) and bool((amax / s.double() > 112).all())


@pytest.mark.parametrize("bad, exc, words", [
    (dict(o=torch.zeros(4, 4, 512, dtype=torch.int32)), TypeError, "o must have dtype"),
    (dict(o=torch.zeros(4, 512, dtype=torch.bfloat16)), ValueError, "o must be 3-D"),
    (dict(positions=torch.zeros(3, dtype=torch.int64)), ValueError, "positions must have shape"),
    (dict(positions=torch.zeros(4, dtype=torch.float32)), TypeError, "positions must have dtype"),
    (dict(cos_sin_cache=torch.zeros(9, 64, dtype=torch.bfloat16)), TypeError, "cos_sin_cache must have dtype"),
    (dict(cos_sin_cache=torch.zeros(9, 32)), ValueError, "cos_sin_cache must have shape"),
    (dict(n_groups=3), ValueError, "n_groups * heads_per_group"),
    (dict(n_groups=0), ValueError, "n_groups must be > 0"),
    (dict(heads_per_group=2.0), TypeError, "heads_per_group must be an int"),
    (dict(nope_dim=440), ValueError, "nope_dim + rope_dim"),
    (dict(quant_group_size=32), ValueError, "last quant group"),
    (dict(quant_group_size=96), ValueError, "power of two"),
    (dict(rope_dim=63, nope_dim=449), ValueError, "rope_dim must be even"),
    (dict(tma_aligned_scales=1), TypeError, "tma_aligned_scales must be a bool"),
    (dict(out=torch.zeros(4, 2, 1024, dtype=FP8)), ValueError, "out must have shape"),
    (dict(out=torch.zeros(2, 4, 1024, dtype=torch.bfloat16)), TypeError, "out must have dtype"),
    (dict(out_scales=torch.zeros(2, 8, 4, dtype=torch.int32)), TypeError, "out_scales must have dtype"),
    (dict(out_scales=torch.zeros(2, 4, 8).transpose(1, 2)), ValueError, "stride 1"),
])
def test_rope_quant_validation(bad, exc, words):
    o, pos, cache = rope_inputs(4, 2, 2, 448, 64)
    args = dict(o=o, positions=pos, cos_sin_cache=cache, n_groups=2, heads_per_group=2)
    args.update(bad)
    call = dict(args)
    posargs = [call.pop(k) for k in ("o", "positions", "cos_sin_cache", "n_groups", "heads_per_group")]
    with pytest.raises(exc, match=re.escape(words)):
        FusedInvRopeFP8Quant(provider="torch_ref")(*posargs, **call)


# --------------------------------------------------------------------------- MTP RMSNorm

MTP_SHAPES = [(0, 16, 2), (1, 7, 1), (5, 33, 4), (9, 130, 3)]


@pytest.mark.parametrize("dtype, wdtype", [(torch.bfloat16, None), (torch.float16, None),
                                           (torch.float32, None), (torch.bfloat16, torch.float32)])
@pytest.mark.parametrize("shape", MTP_SHAPES)
def test_mtp_rmsnorm_reference_against_float64(shape, dtype, wdtype):
    T, H, hc = shape
    emb, pos, prev, ew, hw = mtp_inputs(T, H, hc, seed=H, dtype=dtype, weight_dtype=wdtype)
    e, h = opdispatch.fused_mtp_input_rmsnorm(emb, pos, prev, ew, hw, 1e-6, hc)
    assert e.shape == (T, H) and h.shape == (T, hc, H) and e.dtype == h.dtype == dtype
    e64, h64 = mtp_f64(emb, pos, prev, ew, hw, 1e-6)
    assert_rounded_from(e, e64, "enorm_out")
    assert_rounded_from(h, h64, "hnorm_out")
    if T:
        assert torch.equal(e[pos == 0], torch.zeros_like(e[pos == 0]))


def test_mtp_rmsnorm_zeroes_non_finite_first_embeddings():
    emb, pos, prev, ew, hw = mtp_inputs(4, 16, 2)
    emb[0] = float("inf")                          # position 0: must not leak as NaN
    e, _ = opdispatch.fused_mtp_input_rmsnorm(emb, pos, prev, ew, hw, 1e-6, 2)
    assert torch.equal(e[0], torch.zeros_like(e[0]))


def test_mtp_rmsnorm_strided_and_out():
    emb, pos, prev, ew, hw = mtp_inputs(5, 33, 2)
    emb_s = torch.zeros(5, 40, dtype=emb.dtype)
    emb_s[:, :33] = emb
    prev_s = torch.zeros(5, 3, 40, dtype=prev.dtype)
    prev_s[:, :2, :33] = prev
    out_e = torch.full((5, 40), float("nan"), dtype=emb.dtype)[:, :33]
    out_h = torch.full((5, 2, 33), float("nan"), dtype=emb.dtype)
    e, h = opdispatch.fused_mtp_input_rmsnorm(emb_s[:, :33], pos, prev_s[:, :2, :33], ew, hw, 1e-6, 2,
                                              out_enorm=out_e, out_hnorm=out_h)
    assert e.data_ptr() == out_e.data_ptr() and h.data_ptr() == out_h.data_ptr()
    e2, h2 = opdispatch.fused_mtp_input_rmsnorm(emb, pos, prev, ew, hw, 1e-6, 2)
    assert torch.equal(e, e2) and torch.equal(h, h2)


@pytest.mark.parametrize("bad, exc, words", [
    (dict(inputs_embeds=torch.zeros(4, 16, dtype=torch.int8)), TypeError, "inputs_embeds must have dtype"),
    (dict(positions=torch.zeros(5, dtype=torch.int64)), ValueError, "positions must have shape"),
    (dict(previous_hidden_states=torch.zeros(4, 3, 16, dtype=torch.bfloat16)), ValueError,
     "previous_hidden_states must have shape"),
    (dict(previous_hidden_states=torch.zeros(4, 2, 16)), TypeError, "previous_hidden_states must have dtype"),
    (dict(enorm_weight=torch.zeros(15, dtype=torch.bfloat16)), ValueError, "enorm_weight must have shape"),
    (dict(hnorm_weight=torch.zeros(16)), TypeError, "hnorm_weight must have dtype"),
    (dict(eps=-1.0), ValueError, "eps must be >= 0"),
    (dict(eps="1e-6"), TypeError, "eps must be a float"),
    (dict(hc_mult=0), ValueError, "hc_mult must be > 0"),
    (dict(out_enorm=torch.zeros(4, 16)), TypeError, "out_enorm must have dtype"),
    (dict(out_hnorm=torch.zeros(4, 2, 15, dtype=torch.bfloat16)), ValueError, "out_hnorm must have shape"),
])
def test_mtp_rmsnorm_validation(bad, exc, words):
    emb, pos, prev, ew, hw = mtp_inputs(4, 16, 2)
    args = dict(inputs_embeds=emb, positions=pos, previous_hidden_states=prev, enorm_weight=ew,
                hnorm_weight=hw, eps=1e-6, hc_mult=2)
    args.update(bad)
    names = ("inputs_embeds", "positions", "previous_hidden_states", "enorm_weight", "hnorm_weight",
             "eps", "hc_mult")
    posargs = [args.pop(k) for k in names]
    with pytest.raises(exc, match=re.escape(words)):
        FusedMTPInputRMSNorm(provider="torch_ref")(*posargs, **args)


def test_public_names_exported():
    for name in ("fused_inv_rope_fp8_quant", "fused_mtp_input_rmsnorm", "FusedInvRopeFP8Quant",
                 "FusedMTPInputRMSNorm", "GraphBuffers", "warmup", "register_warmup"):
        assert name in opdispatch.__all__, name
    assert callable(opdispatch.warmup) and not isinstance(opdispatch.warmup, type(opdispatch))
