"""Interp tier: the Triton kernels (TRITON_INTERPRET=1, CPU tensors) against torch_ref.

On the interpreter both sides run the same float32 operation sequence (numpy and PyTorch CPU,
no FMA contraction), so fp8 codes and scales must be bit-identical; bf16 RMSNorm outputs may
differ by one bf16 step (sum order), checked against a float64 oracle.
"""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.triton import fused as tri
from opdispatch.backends.triton.fp8_math import cast_rne
from opdispatch.ops.fused import FusedInvRopeFP8Quant, FusedMTPInputRMSNorm

from .helpers import assert_rounded_from, mtp_f64, mtp_inputs, rope_inputs, unpack_words

pytestmark = pytest.mark.interp


def _same_codes(a: torch.Tensor, b: torch.Tensor, what: str) -> None:
    a8, b8 = a.contiguous().view(torch.uint8), b.contiguous().view(torch.uint8)
    diff = a8 != b8
    assert not diff.any(), f"{what}: {int(diff.sum())} of {diff.numel()} codes differ, first at " \
                           f"{tuple(int(i) for i in diff.nonzero()[0])}"


def _run_rope(provider, o, pos, cache, G, hpg, **kw):
    return FusedInvRopeFP8Quant(provider=provider)(o, pos, cache, G, hpg, **kw)


ROPE_CASES = [
    # T, G, hpg, nope, rope, qg          what it covers
    (1, 1, 1, 448, 64, 128),            # single token: 3 padding rows
    (5, 2, 3, 192, 64, 128),            # 6 columns per group: last word half empty
    (8, 2, 2, 448, 64, 128),            # T multiple of 4: no padding rows
    (33, 3, 1, 96, 32, 64),             # 3 groups, 2 columns per group
]


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("case", ROPE_CASES)
def test_rope_quant_triton_matches_reference(case, packed):
    T, G, hpg, nope, rope, qg = case
    o, pos, cache = rope_inputs(T, G, hpg, nope, rope, seed=7 * T + G)
    kw = dict(nope_dim=nope, rope_dim=rope, quant_group_size=qg, tma_aligned_scales=packed)
    q, s = _run_rope("triton", o, pos, cache, G, hpg, **kw)
    q_ref, s_ref = _run_rope("torch_ref", o, pos, cache, G, hpg, **kw)
    assert q.stride() == q_ref.stride() and s.stride() == s_ref.stride()
    _same_codes(q, q_ref, "o_fp8")
    if packed:
        # bit for bit, byte by byte (every byte written: outputs start poisoned)
        assert torch.equal(unpack_words(s), unpack_words(s_ref)), "packed ue8m0 words differ"
    else:
        assert torch.equal(s, s_ref), "scales differ"
    # the hidden padding rows (T..T_pad-1) are zero too
    base_s = s.as_strided((G, s.shape[2], (T + 3) // 4 * 4), (s.stride(1), s.stride(2), 1))
    assert not base_s[:, :, T:].any(), "padding-token scales must be 0"


@pytest.mark.parametrize("block,head_fastest", [(1, False), (32, False), (1, True), (4, True)])
def test_rope_quant_tile_configs_agree(block, head_fastest):
    # 1 token per program and a block larger than T (masked tokens, padding in the same block)
    o, pos, cache = rope_inputs(6, 2, 2, 192, 64, seed=3)
    for packed in (False, True):
        q_ref, s_ref = _run_rope("torch_ref", o, pos, cache, 2, 2, nope_dim=192,
                                 tma_aligned_scales=packed)
        q = torch.full((2, 6, 512), float("nan"), dtype=q_ref.dtype)
        cols = 4 if not packed else 1
        s = torch.full((2, cols, 8), -1, dtype=s_ref.dtype)
        tri.fused_inv_rope_fp8_quant(o, pos, cache, q, s, 2, 2, 192, 64, 128, 448.0, packed,
                                     config=tri.TileConfig(block, 4, head_fastest))
        _same_codes(q.transpose(0, 1), q_ref, f"block={block} packed={packed}")
        assert torch.equal(s[:, :, :6].permute(2, 0, 1), s_ref)
        assert not s[:, :, 6:].any()


def test_rope_quant_triton_strided_input_and_out_buffers():
    T, G, hpg = 5, 2, 2
    o, pos, cache = rope_inputs(T, G, hpg, 192, 64, seed=11)
    wide = torch.randn(T, 6, 256).to(o.dtype)
    wide[:, 1:5] = o
    big_cache = torch.randn(97, 96)
    big_cache[:, :64] = cache                    # cache rows with a stride of 96
    out = torch.full((G, T, 512 + 64), float("nan"), dtype=torch.float8_e4m3fn)[:, :, :512]
    out_s = torch.full((G, 4, 8), float("nan"))
    q, s = _run_rope("triton", wide[:, 1:5], pos, big_cache[:, :64], G, hpg, nope_dim=192,
                     out=out, out_scales=out_s)
    assert q.data_ptr() == out.data_ptr() and s.data_ptr() == out_s.data_ptr()
    q_ref, s_ref = _run_rope("torch_ref", o, pos, cache, G, hpg, nope_dim=192)
    _same_codes(q, q_ref, "strided")
    assert torch.equal(s, s_ref)
    # the columns past the view were not touched
    full = out.as_strided((G, T, 576), out.stride())
    assert torch.isnan(full[:, :, 512:].float()).all()


def test_rope_quant_triton_empty():
    o, pos, cache = rope_inputs(0, 2, 2, 448, 64)
    q, s = _run_rope("triton", o, pos, cache, 2, 2)
    assert q.shape == (0, 2, 1024) and s.shape == (0, 2, 8)


# --------------------------------------------------------------------------- e4m3 rounding

def _grid_values(dtype: torch.dtype) -> torch.Tensor:
    """Every finite code's value, the midpoints between neighbours (ties), and one float32 ulp
    either side of each midpoint, plus random values over the whole range."""
    codes = torch.arange(256, dtype=torch.uint8).view(dtype).float()
    fmax = 448.0 if dtype == torch.float8_e4m3fn else 224.0
    vals = torch.unique(codes[torch.isfinite(codes) & (codes.abs() <= fmax)])
    mids = (vals[1:] + vals[:-1]) / 2
    up = torch.nextafter(mids, torch.full_like(mids, float("inf")))
    down = torch.nextafter(mids, torch.full_like(mids, -float("inf")))
    rand = (torch.rand(4096, generator=torch.Generator().manual_seed(0)) * 2 - 1) * fmax
    tiny = (torch.rand(1024, generator=torch.Generator().manual_seed(1)) * 2 - 1) * 2.0**-6
    return torch.cat((vals, mids, up, down, rand, tiny)).clamp(-fmax, fmax)


@pytest.mark.parametrize("dtype", [torch.float8_e4m3fn, torch.float8_e4m3fnuz])
def test_e4m3_grid_rounding_matches_torch_cast(dtype):
    import triton
    import triton.language as tl

    @triton.jit
    def cast_kernel(p_x, p_q, n, BLOCK: tl.constexpr):
        o = tl.arange(0, BLOCK)
        m = o < n
        x = tl.load(p_x + o, mask=m, other=0.0)
        tl.store(p_q + o, cast_rne(x, p_q.dtype.element_ty, True), mask=m)

    x = _grid_values(dtype)
    q = torch.empty(x.numel(), dtype=dtype)
    cast_kernel[(1,)](x, q, x.numel(), BLOCK=triton.next_power_of_2(x.numel()))
    want = x.to(dtype)
    bad = q.view(torch.uint8) != want.view(torch.uint8)
    assert not bad.any(), f"{int(bad.sum())} values round differently, e.g. {x[bad][:4].tolist()}"


# --------------------------------------------------------------------------- MTP RMSNorm

MTP_CASES = [(1, 7, 1), (5, 33, 4), (3, 130, 2), (2, 1, 3)]


@pytest.mark.parametrize("dtype, wdtype", [(torch.bfloat16, None), (torch.float32, None),
                                           (torch.float16, torch.float32)])
@pytest.mark.parametrize("case", MTP_CASES)
def test_mtp_rmsnorm_triton_matches(case, dtype, wdtype):
    T, H, hc = case
    emb, pos, prev, ew, hw = mtp_inputs(T, H, hc, seed=H + hc, dtype=dtype, weight_dtype=wdtype)
    e, h = FusedMTPInputRMSNorm(provider="triton")(emb, pos, prev, ew, hw, 1e-6, hc)
    e64, h64 = mtp_f64(emb, pos, prev, ew, hw, 1e-6)
    assert_rounded_from(e, e64, "enorm_out")
    assert_rounded_from(h, h64, "hnorm_out")
    assert torch.equal(e[pos == 0], torch.zeros_like(e[pos == 0]))


def test_mtp_rmsnorm_triton_chunked_path_and_out():
    # A tile narrower than H takes the two-pass loop; strided inputs and caller buffers.
    T, H, hc = 4, 130, 3
    emb, pos, prev, ew, hw = mtp_inputs(T, H, hc, seed=2)
    emb_w = torch.randn(T, 150).to(emb.dtype)
    emb_w[:, :H] = emb
    emb_w[pos == 0, :H] = float("nan")           # position 0: never read
    prev_w = torch.randn(T, hc + 1, H).to(prev.dtype)
    prev_w[:, 1:] = prev
    e = torch.full((T, 140), float("nan"), dtype=emb.dtype)[:, :H]
    h = torch.full((T, hc, H), float("nan"), dtype=emb.dtype)
    tri.fused_mtp_input_rmsnorm(emb_w[:, :H], pos, prev_w[:, 1:], ew, hw, e, h, 1e-6, hc,
                                config=tri.TileConfig(block=32, num_warps=1))
    e64, h64 = mtp_f64(torch.where(torch.isnan(emb_w[:, :H]), 0, emb_w[:, :H]), pos, prev, ew, hw, 1e-6)
    assert_rounded_from(e, e64, "enorm_out")
    assert_rounded_from(h, h64, "hnorm_out")


def test_mtp_rmsnorm_triton_empty():
    emb, pos, prev, ew, hw = mtp_inputs(0, 16, 2)
    e, h = FusedMTPInputRMSNorm(provider="triton")(emb, pos, prev, ew, hw, 1e-6, 2)
    assert e.shape == (0, 16) and h.shape == (0, 2, 16)


def test_tile_config_choices():
    assert tri.rmsnorm_config(7168) == tri.TileConfig(block=8192, num_warps=8)
    assert tri.rmsnorm_config(100000).block < 100000
    assert tri.rope_quant_config(8192) == tri.TileConfig(block=8, num_warps=2)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf * 0 on purpose
@pytest.mark.parametrize("fp8,fp8_max", [(torch.float8_e4m3fn, 448.0), (torch.float8_e4m3fnuz, 224.0)])
@pytest.mark.parametrize("packed", [False, True])
def test_rope_quant_nan_and_inf_like_reference(fp8, fp8_max, packed):
    """A NaN chunk: NaN scale (packed byte 255) and NaN codes; an inf chunk: inf scale (byte
    255), zero codes and NaN at the inf; other chunks untouched. Before, the kernel's float max
    dropped the NaN (a finite scale, +-fp8_max codes) and the reference's ue8m0 carry turned
    byte 255 into 256, spilling into the next packed byte."""
    from opdispatch.backends.torch_ref import fused as ref

    T, G, hpg, nope, rope = 6, 2, 2, 192, 64
    o, pos, cache = rope_inputs(T, G, hpg, nope, rope, seed=5)
    o[1, 0, 7] = float("nan")        # token 1, group 0, chunk 0
    o[3, 3, 130] = float("inf")      # token 3, group 1, nope part of a head's chunk 1
    o[4, 1, 250] = float("-inf")     # token 4, group 0, inside the rope part (mixes with its pair)
    width, k = hpg * (nope + rope), hpg * (nope + rope) // 128
    cols = (k + 3) // 4 if packed else k
    sdt = torch.int32 if packed else torch.float32
    q_ref = torch.empty(G, T, width, dtype=fp8)
    s_ref = torch.empty(G, cols, 8, dtype=sdt)
    ref.fused_inv_rope_fp8_quant_into(o, pos, cache, q_ref, s_ref, G, hpg, nope, rope, 128,
                                      fp8_max, packed)
    q = torch.zeros(G, T, width, dtype=fp8)
    s = torch.full((G, cols, 8), -1, dtype=sdt)
    tri.fused_inv_rope_fp8_quant(o, pos, cache, q, s, G, hpg, nope, rope, 128, fp8_max, packed)
    torch.testing.assert_close(q.float(), q_ref.float(), rtol=0, atol=0, equal_nan=True)
    if packed:
        assert torch.equal(s, s_ref)
        b = s.view(torch.uint8).view(G, cols, 8, 4)
        # scale column = head in group * 2 + chunk: byte col % 4 of word col // 4
        assert int(b[0, 0, 1, 0]) == 255 and int(b[1, 0, 3, 3]) == 255 and int(b[0, 0, 4, 3]) == 255
    else:
        torch.testing.assert_close(s, s_ref, rtol=0, atol=0, equal_nan=True)
        assert s[0, 0, 1].isnan() and s[1, 3, 3].isinf() and not s[0, 3, 4].isfinite()
    nan_chunk = q_ref[0, 1, :128].float()
    assert nan_chunk.isnan().all(), "a NaN chunk's codes are all NaN"
    inf_chunk = q_ref[1, 3, 128 * 3:128 * 4].float()     # head 3 = 2nd head of group 1, chunk 1
    assert inf_chunk.isnan().sum() == 1 and (inf_chunk.nan_to_num() == 0).all()
    assert q_ref.float()[:, 0].isfinite().all(), "token 0 has no special values"
