"""The indexer's Triton kernels through TRITON_INTERPRET=1 on CPU tensors (small shapes)."""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.torch_ref import indexer as ref
from opdispatch.ops import indexer as ops

from .helpers import (
    assert_logits_close,
    assert_topk_valid,
    fp32_rtol,
    make_mqa_inputs,
    make_paged_inputs,
    mqa_reference64,
    paged_reference64,
)

FP8 = (torch.float8_e4m3fn, torch.float8_e4m3fnuz)


# conftest.py has chosen the interpreter (no GPU) before this module imports triton.
import triton  # noqa: E402
import triton.language as tl  # noqa: E402

from opdispatch.backends.triton.indexer_kernels import encode_e4m3  # noqa: E402


@triton.jit
def encode_kernel(p_x, p_o, n, FNUZ: tl.constexpr, BLOCK: tl.constexpr):
    o = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    m = o < n
    tl.store(p_o + o, encode_e4m3(tl.load(p_x + o, mask=m, other=0.0), FNUZ), mask=m)


def _tri():
    from opdispatch.backends.triton import indexer as tri  # after conftest chose the interpreter

    return tri


@pytest.mark.interp
@pytest.mark.parametrize("dtype", FP8)
@pytest.mark.parametrize("S,H,D,N,bounds,cfg", [
    (1, 4, 32, 1, "full", "n64_w4_s4"),
    (7, 3, 48, 33, "ragged", "n64_w4_s4"),      # H, D not powers of two: padded and masked
    (33, 8, 32, 130, "causal", "n128_w4_s3"),
    (20, 4, 32, 70, "ragged", "n256_w8_s2"),
    # Several query rows per dot: odd row counts leave a partial last group.
    (7, 3, 48, 33, "ragged", "n64_w4_r2_s3"),
    (33, 8, 32, 130, "causal", "n128_w8_r2_s3"),
    (21, 4, 32, 70, "ragged", "n128_w8_r4_s2"),
    # The next row's dot in flight during a row's epilogue (one-row windows included).
    (33, 8, 32, 130, "causal", "n128_w4_s3_ov"),
    (7, 3, 48, 33, "ragged", "n64_w4_s3_ov"),
    (1, 4, 32, 1, "full", "n64_w4_s3_ov"),
    # Two / four rows per iteration, each its own dot (odd counts: a partial last group).
    (33, 8, 32, 130, "causal", "n128_w4_s2_u2"),
    (7, 3, 48, 33, "ragged", "n64_w4_s2_u4"),
    (1, 4, 32, 1, "full", "n128_w4_s2_u4"),
])
def test_mqa_logits_kernel(dtype, S, H, D, N, bounds, cfg):
    tri = _tri()
    q, k, s, w, ks, ke = make_mqa_inputs(S, H, D, N, dtype, seed=S + N, bounds=bounds)
    out = torch.full((S, N), float("nan"))
    tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True, config=tri.MQA_LOGITS_CONFIGS[cfg])
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(D, H))


@pytest.mark.interp
@pytest.mark.parametrize("bounds", ["causal", "ragged", "full"])
def test_mqa_logits_loop_variants_are_bit_identical(bounds):
    # The overlapped and unrolled loops change when each row's dot is issued and how rows are
    # stored, not the arithmetic: the logits must equal the plain loop's bit for bit (unclean
    # too: skipped positions stay untouched).
    tri = _tri()
    q, k, s, w, ks, ke = make_mqa_inputs(37, 4, 32, 150, torch.float8_e4m3fn, seed=3, bounds=bounds)
    for clean in (True, False):
        outs = []
        for ov, unroll in ((False, 1), (True, 1), (False, 2), (False, 4)):
            cfg = tri.MqaLogitsConfig(block_n=64, num_warps=4, num_stages=2, target_programs=8,
                                      overlap=ov, unroll=unroll)
            out = torch.full((37, 150), float("nan"))
            tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, clean, config=cfg)
            outs.append(out)
        for other in outs[1:]:
            assert torch.equal(outs[0].nan_to_num(7.0), other.nan_to_num(7.0))
            assert not other.isnan().all()


@pytest.mark.interp
@pytest.mark.parametrize("bounds", ["causal", "ragged", "full"])
def test_mqa_logits_tma_q_is_bit_identical(bounds):
    # q through the TMA descriptor (the default config on CUDA sm_90+; the interpreter emulates
    # the descriptor loads) must give the pointer-load loop's logits bit for bit, for one and two
    # rows per iteration, clean and unclean. S = 37 rows with 16-row chunks: the descriptor's
    # row coordinate r * H is exercised past the first chunk and at the last row.
    import dataclasses
    tri = _tri()
    q, k, s, w, ks, ke = make_mqa_inputs(37, 16, 32, 150, torch.float8_e4m3fn, seed=5, bounds=bounds)
    assert tri.tma_q_ok(q)
    for clean in (True, False):
        for unroll in (1, 2):
            cfg = tri.MqaLogitsConfig(block_n=64, num_warps=4, num_stages=2, target_programs=8,
                                      unroll=unroll, tma_q=True)
            outs = []
            for c in (cfg, dataclasses.replace(cfg, tma_q=False)):
                out = torch.full((37, 150), float("nan"))
                tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, clean, config=c)
                outs.append(out)
            assert torch.equal(outs[0].nan_to_num(7.0), outs[1].nan_to_num(7.0))
            if clean:
                want, mag = mqa_reference64(q, k, s, w, ks, ke)
                assert_logits_close(outs[0], want, mag, fp32_rtol(32, 16))


@pytest.mark.interp
def test_mqa_logits_tma_q_only_where_it_can_run(monkeypatch):
    # The default's TMA q needs q [S, H, D] contiguous, H and D powers of two (>= 16 / 32),
    # and a device with TMA (or the interpreter off ROCm); otherwise the default is the
    # pointer-load MQA_LOGITS_NO_TMA_DEFAULT and a given TMA config runs without it.
    # (The default itself is the warp-specialized kernel, which needs CUDA sm_90: elsewhere its
    # stand-in MQA_LOGITS_NO_WS_DEFAULT runs, a TMA-q config.)
    tri = _tri()
    dflt = tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_NO_WS_DEFAULT]
    no_tma = tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_NO_TMA_DEFAULT]
    assert dflt.tma_q and not no_tma.tma_q
    q = torch.zeros(5, 16, 32, dtype=torch.float8_e4m3fn)
    assert tri.mqa_logits_config(q) == dflt
    wide = torch.zeros(5, 32, 32, dtype=torch.float8_e4m3fn)
    for bad in (torch.zeros(5, 12, 32, dtype=torch.float8_e4m3fn),   # H not a power of two
                torch.zeros(5, 8, 32, dtype=torch.float8_e4m3fn),    # H below the dot's 16
                torch.zeros(5, 16, 48, dtype=torch.float8_e4m3fn),   # D not a power of two
                wide[:, ::2],                                        # strided heads
                torch.zeros(5 * 16 * 32 + 1, dtype=torch.float8_e4m3fn)[1:].view(5, 16, 32)):  # unaligned
        assert not tri.tma_q_ok(bad)
        assert tri.mqa_logits_config(bad) == no_tma
        given = tri.mqa_logits_config(bad, tri.MQA_LOGITS_CONFIGS["n128_w4_s2_u2_tma"])
        assert not given.tma_q and given.unroll == 2 and given.num_stages == 2
    monkeypatch.setenv("TRITON_INTERPRET", "0")       # CPU tensors without the interpreter
    assert not tri.tma_q_ok(q)
    with pytest.raises(ValueError, match="tma_q"):
        tri.MqaLogitsConfig(block_n=64, num_warps=4, num_stages=2, overlap=True, tma_q=True)


@pytest.mark.interp
def test_mqa_logits_ws_only_where_it_can_run():
    # The default is the warp-specialized Gluon kernel: CUDA sm_90 only (Gluon does not run in
    # the interpreter). Here (CPU tensors) it must never be chosen: the default and any ws
    # config run MQA_LOGITS_NO_WS_DEFAULT, and the result is the reference's. The kernel itself
    # is tested bit for bit against the tl.dot kernel in the cuda tier.
    tri = _tri()
    dflt = tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_DEFAULT]
    no_ws = tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_NO_WS_DEFAULT]
    assert dflt.ws and not no_ws.ws
    q, k, s, w, ks, ke = make_mqa_inputs(40, 32, 64, 300, torch.float8_e4m3fn, seed=11,
                                         bounds="ragged")
    assert not tri.ws_ok(q, k, w)
    for cfg in (None, dflt, tri.MQA_LOGITS_CONFIGS["ws_s4"],
                tri.MQA_LOGITS_CONFIGS["ws_n256_q4_ar_in_p1"]):   # the shares kernel is ws too
        assert tri.mqa_logits_config(q, cfg, k=k, weights=w) == no_ws
    out = torch.full((40, 300), float("nan"))
    tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(64, 32))
    with pytest.raises(ValueError, match="ws"):
        tri.MqaLogitsConfig(block_n=64, num_warps=4, num_stages=2, ws=True)
    ws = dict(block_n=256, num_warps=4, num_stages=4, ws=True)
    with pytest.raises(ValueError, match="ws_group"):
        tri.MqaLogitsConfig(**ws, ws_group=3)
    with pytest.raises(ValueError, match="ws_rows_per_slot"):
        tri.MqaLogitsConfig(**ws, ws_rows_per_slot=2)
    with pytest.raises(ValueError, match="ws_diag"):   # diagnostics only on the pair schedule
        tri.MqaLogitsConfig(**ws, ws_rows_per_slot=4, ws_diag=1)
    with pytest.raises(ValueError, match="ws_diag"):
        tri.MqaLogitsConfig(**ws, ws_diag=1)
    with pytest.raises(ValueError, match="choose one"):   # one row schedule at a time
        tri.MqaLogitsConfig(**ws, ws_rows_per_slot=4, ws_pair=True)
    with pytest.raises(ValueError, match="choose one"):
        tri.MqaLogitsConfig(**ws, ws_group=4, ws_pair=True)
    assert tri.MqaLogitsConfig(**ws, ws_pair=True, ws_diag=2).ws_schedule == "pair"
    with pytest.raises(ValueError, match="ws_pieces"):   # shares: quad slots, keys in registers
        tri.MqaLogitsConfig(**ws, ws_rows_per_slot=4, ws_pieces=1)
    with pytest.raises(ValueError, match="ws_pieces"):
        tri.MqaLogitsConfig(**ws, ws_a_regs=True, ws_pieces=1)
    with pytest.raises(ValueError, match="ws_share_rows"):
        tri.MqaLogitsConfig(**ws, ws_rows_per_slot=4, ws_a_regs=True, ws_pieces=1,
                            ws_share_rows=96)
    assert tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_DEFAULT].ws_schedule == "quad"


@pytest.mark.interp
def test_mqa_logits_skips_tiles_but_cleans_them():
    # Causal with small row chunks: most (key tile, row chunk) programs compute nothing; every
    # position must still be written (-inf outside windows), the poison must be gone.
    tri = _tri()
    q, k, s, w, ks, ke = make_mqa_inputs(40, 2, 32, 40, torch.float8_e4m3fn, seed=1, bounds="causal")
    out = torch.full((40, 40), float("nan"))
    cfg = tri.MqaLogitsConfig(block_n=16, num_warps=4, num_stages=2, target_programs=10 ** 6)
    tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True, config=cfg)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(32, 2))


@pytest.mark.interp
@pytest.mark.parametrize("cfg", [None, "n128_w4_s3", "n64_w4_r2_s3"])
def test_mqa_logits_unclean_strided_and_out(cfg, monkeypatch):
    # Strided q (every other head of a wider tensor), weights and out with padded row strides,
    # clean_logits=False: only positions inside the windows are defined.
    q, k, s, w, ks, ke = make_mqa_inputs(9, 8, 32, 21, torch.float8_e4m3fn, seed=4)
    q_wide = torch.zeros(9, 16, 32, dtype=q.dtype)
    q_wide[:, ::2] = q
    w_wide = torch.zeros(9, 13)
    w_wide[:, :8] = w
    out_wide = torch.full((9, 32), float("nan"))
    out = out_wide[:, :21]
    if cfg is not None:   # the public op with another default config
        monkeypatch.setattr(_tri(), "MQA_LOGITS_DEFAULT", cfg)
    op = ops.Fp8MqaLogits(provider="triton")
    res = op(q_wide[:, ::2], (k, s), w_wide[:, :8], ks, ke, clean_logits=False, out=out)
    assert res.data_ptr() == out.data_ptr()
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(32, 8), only_finite_ref=True)
    assert torch.isnan(out_wide[:, 21:]).all(), "wrote past the logical row"


@pytest.mark.interp
@pytest.mark.parametrize("dtype", FP8)
@pytest.mark.parametrize("next_n,block_size,ctx,cfg", [
    (1, 64, [1, 64, 130, 0], "n128_t1_w4"),
    (2, 16, [2, 37, 5, 64], "n64_t8_w4_s3"),
    (4, 16, [3, 50, 16], "n128_t4_w4_s2"),
])
def test_paged_logits_kernel(dtype, next_n, block_size, ctx, cfg):
    tri = _tri()
    q, cache, w, cl, bt, L = make_paged_inputs(len(ctx), next_n, 4, 32, block_size, ctx, dtype,
                                               seed=next_n, block_stride_pad=4)
    out = torch.full((len(ctx) * next_n, L), float("nan"))
    tri.fp8_paged_mqa_logits(q, cache, w, cl, bt, out, True, config=tri.PAGED_LOGITS_CONFIGS[cfg])
    want, mag = paged_reference64(q, cache, w, cl, bt, L)
    assert_logits_close(out, want, mag, fp32_rtol(32, 4))


@pytest.mark.interp
@pytest.mark.parametrize("next_n", [1, 2, 4])
def test_paged_logits_hoisted_q_is_bit_identical(next_n):
    # hoist_q loads the sequence's query rows and weights once per program instead of once per
    # tile: same dots, same epilogue, so the logits must equal the per-tile loads' bit for bit
    # (clean and unclean), over programs of several tiles, some past the context.
    import dataclasses
    tri = _tri()
    ctx = [3, 150, 64, 0]
    q, cache, w, cl, bt, L = make_paged_inputs(len(ctx), next_n, 4, 32, 16, ctx,
                                               torch.float8_e4m3fn, seed=11, block_stride_pad=4)
    for clean in (True, False):
        cfg = tri.PagedLogitsConfig(block_n=32, tiles=3, num_warps=4, num_stages=2, hoist_q=True)
        outs = []
        for c in (cfg, dataclasses.replace(cfg, hoist_q=False)):
            out = torch.full((len(ctx) * next_n, L), float("nan"))
            tri.fp8_paged_mqa_logits(q, cache, w, cl, bt, out, clean, config=c)
            outs.append(out)
        assert torch.equal(outs[0].nan_to_num(7.0), outs[1].nan_to_num(7.0))
        if clean:
            want, mag = paged_reference64(q, cache, w, cl, bt, L)
            assert_logits_close(outs[0], want, mag, fp32_rtol(32, 4))


@pytest.mark.interp
def test_paged_tiles_per_program_keeps_the_grid_full():
    # The default runs 16 key tiles per program for large batches and fewer where the grid
    # would drop below min_programs (512): B=64 x 65536 keeps 16 (2048 programs), B=16 too
    # (512), B=4 gets 4 (512), B=1 gets 1 (512 programs of one tile), B=64 x 4096 gets 4
    # (512); a row of 3 tiles with B=2 halves down to 1.
    tri = _tri()
    cfg = tri.PAGED_LOGITS_CONFIGS[tri.PAGED_LOGITS_DEFAULT]
    assert (cfg.tiles, cfg.min_programs, cfg.hoist_q) == (16, 512, True)
    got = [tri.paged_tiles_per_program(cfg, B, L, 128)
           for B, L in ((64, 65536), (16, 65536), (4, 65536), (1, 65536), (64, 4096), (2, 300))]
    assert got == [16, 16, 4, 1, 4, 1]
    plain = tri.PagedLogitsConfig(block_n=128, tiles=16, num_warps=4, num_stages=3)
    assert tri.paged_tiles_per_program(plain, 1, 65536, 128) == 16
    assert tri.paged_tiles_per_program(plain, 1, 1000, 128) == 8


@pytest.mark.interp
def test_paged_logits_short_max_model_len_and_unclean():
    tri = _tri()
    q, cache, w, cl, bt, _ = make_paged_inputs(2, 2, 3, 48, 16, [40, 21], torch.float8_e4m3fn, seed=8)
    L = 33  # cuts the first sequence's context
    out = torch.full((4, L), float("nan"))
    tri.fp8_paged_mqa_logits(q, cache, w, cl, bt, out, False, config=tri.PAGED_LOGITS_CONFIGS["n64_t8_w4_s3"])
    want, mag = paged_reference64(q, cache, w, cl, bt, L)
    assert_logits_close(out, want, mag, fp32_rtol(48, 3), only_finite_ref=True)


@pytest.mark.interp
@pytest.mark.parametrize("fnuz", [False, True])
@pytest.mark.parametrize("use_ue8m0", [False, True])
def test_k_quant_and_cache_kernel_bit_exact(fnuz, use_ue8m0):
    tri = _tri()
    D, bs = 48, 16
    gen = torch.Generator().manual_seed(7)
    k = (torch.randn(11, D, generator=gen) * torch.logspace(-6, 4, 11).unsqueeze(1)).to(torch.bfloat16)
    k[3] = 0
    k_wide = torch.zeros(11, 2 * D, dtype=torch.bfloat16)
    k_wide[:, :D] = k
    slots = torch.tensor([0, 5, 17, -1, 40, 79, 3, -1, 50, 63, 64])
    storage = torch.full((5 * (bs * (D + 4) + 8),), 0xAB, dtype=torch.uint8)
    cache = storage.as_strided((5, bs, 1, D + 4), (bs * (D + 4) + 8, D + 4, D + 4, 1))
    expected_storage = storage.clone()
    expected = expected_storage.as_strided(cache.shape, cache.stride())
    ref.indexer_k_quant_and_cache(k, expected, slots, use_ue8m0, fnuz)
    tri.indexer_k_quant_and_cache(k_wide[:, :D], cache, slots, use_ue8m0, fnuz)
    # Bit-exact: same scale (IEEE division, exact ue8m0) and round-half-even codes.
    assert torch.equal(storage, expected_storage), f"{int((storage != expected_storage).sum())} bytes differ"


def _zero_nan_scales(storage, cache, D, fp8_dtype):
    """Copy of the cache storage with every NaN scale's bytes zeroed (NaN payloads may differ)."""
    out = storage.clone()
    _, scales = ref.split_kv_cache(out.as_strided(cache.shape, cache.stride()), D, fp8_dtype)
    scales.masked_fill_(torch.isnan(scales), 0.0)
    return out


@pytest.mark.interp
@pytest.mark.parametrize("dtype", FP8)
@pytest.mark.parametrize("use_ue8m0", [False, True])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf / inf on purpose
def test_k_quant_and_cache_kernel_nan_inf_match_reference(dtype, use_ue8m0):
    tri = _tri()
    fnuz = dtype == torch.float8_e4m3fnuz
    D, bs = 40, 8
    gen = torch.Generator().manual_seed(3)
    k = (torch.randn(8, D, generator=gen) * torch.logspace(-4, 3, 8).unsqueeze(1)).to(torch.bfloat16)
    k[1, 7] = float("nan")
    k[2, 0] = float("inf")
    k[4, D - 1] = float("-inf")
    k[5, 3] = -float("nan")  # NaN with the sign bit set
    k[6, 1], k[6, 2] = float("inf"), float("nan")  # NaN wins over inf
    slots = torch.tensor([0, 9, 2, -1, 17, 30, 12, 25])
    storage = torch.full((4 * (bs * (D + 4) + 8),), 0xAB, dtype=torch.uint8)
    cache = storage.as_strided((4, bs, 1, D + 4), (bs * (D + 4) + 8, D + 4, D + 4, 1))
    expected_storage = storage.clone()
    expected = expected_storage.as_strided(cache.shape, cache.stride())
    ref.indexer_k_quant_and_cache(k, expected, slots, use_ue8m0, fnuz)
    tri.indexer_k_quant_and_cache(k, cache, slots, use_ue8m0, fnuz)

    values, scales = ref.split_kv_cache(cache, D, dtype)
    nan_byte = 0x80 if fnuz else 0x7F
    for t in (1, 5, 6):  # NaN tokens
        b, o = divmod(int(slots[t]), bs)
        assert bool(torch.isnan(scales[b, o])), f"token {t}: scale {float(scales[b, o])}"
        assert bool((values[b, o].view(torch.uint8) == nan_byte).all()), f"token {t}"
    for t in (2, 4):  # inf tokens
        b, o = divmod(int(slots[t]), bs)
        assert float(scales[b, o]) == float("inf"), f"token {t}: scale {float(scales[b, o])}"
    # Bit for bit against torch_ref: codes, finite and inf scales, untouched slots and padding;
    # a NaN scale must be NaN in both (its payload is not compared).
    _, want_scales = ref.split_kv_cache(expected, D, dtype)
    assert torch.equal(torch.isnan(scales), torch.isnan(want_scales))
    got = _zero_nan_scales(storage, cache, D, dtype)
    want = _zero_nan_scales(expected_storage, cache, D, dtype)
    bad = (got != want).nonzero().flatten()
    assert bad.numel() == 0, f"{bad.numel()} bytes differ, first at byte {int(bad[0])}"


@pytest.mark.interp
@pytest.mark.parametrize("dtype", FP8)
def test_e4m3_encoder_matches_torch_on_every_code_and_tie(dtype):
    fp8_max = 448.0 if dtype == torch.float8_e4m3fn else 224.0
    codes = torch.arange(256, dtype=torch.uint8).view(dtype).float()
    codes = codes[torch.isfinite(codes) & (codes.abs() <= fp8_max)].sort().values
    mids = (codes[1:] + codes[:-1]) / 2  # exact ties: round half to even
    gen = torch.Generator().manual_seed(0)
    x = torch.cat([codes, mids, mids.nextafter(torch.full_like(mids, 1e9)),
                   mids.nextafter(torch.full_like(mids, -1e9)),
                   torch.randn(4000, generator=gen) * torch.logspace(-12, 2.3, 4000),
                   torch.tensor([0.0, -0.0, 1e-30, -1e-30])]).clamp(-fp8_max, fp8_max)
    out = torch.empty(x.numel(), dtype=torch.uint8)
    encode_kernel[(triton.cdiv(x.numel(), 1024),)](x, out, x.numel(), FNUZ=dtype == torch.float8_e4m3fnuz, BLOCK=1024)
    want = x.to(dtype).view(torch.uint8)
    bad = (out != want).nonzero().flatten()
    assert bad.numel() == 0, f"{bad.numel()} codes differ, first x={x[bad[0]].item()}"


@pytest.mark.interp
def test_sparse_indexers_triton_provider():
    q, k, s, w, ks, ke = make_mqa_inputs(11, 4, 32, 45, torch.float8_e4m3fn, seed=6)
    idx = ops.SparseAttnIndexerPrefill(provider="triton")(q, (k, s), w, ks, ke, 6)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_topk_valid(idx, want, ks, 6, 2 * fp32_rtol(32, 4) * mag.max(dim=1).values)

    q, cache, w, cl, bt, L = make_paged_inputs(3, 2, 4, 32, 16, [5, 40, 23], torch.float8_e4m3fn, seed=2)
    out = torch.full((6, 9), -7, dtype=torch.int32)
    ops.SparseAttnIndexerDecode(provider="triton")(q, cache, w, cl, bt, L, 9, out=out)
    want, mag = paged_reference64(q, cache, w, cl, bt, L)
    assert_topk_valid(out, want, torch.zeros(6), 9, 2 * fp32_rtol(32, 4) * mag.max(dim=1).values)


@pytest.mark.interp
def test_prefill_chunks_rows_under_budget(monkeypatch):
    # A budget of 3 rows of logits: the prefill indexer must go through 5 chunks and still agree.
    q, k, s, w, ks, ke = make_mqa_inputs(13, 2, 32, 20, torch.float8_e4m3fn, seed=12)
    seen = []
    tri = _tri()
    real = tri.fp8_mqa_logits

    def spy(q_, *args, **kwargs):
        seen.append(q_.shape[0])
        return real(q_, *args, **kwargs)

    monkeypatch.setattr(ops, "PREFILL_LOGITS_BUDGET_BYTES", 3 * 20 * 4)
    monkeypatch.setattr(tri, "fp8_mqa_logits", spy)
    idx = ops.SparseAttnIndexerPrefill(provider="triton")(q, (k, s), w, ks, ke, 4)
    assert seen == [3, 3, 3, 3, 1]
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_topk_valid(idx, want, ks, 4, 2 * fp32_rtol(32, 2) * mag.max(dim=1).values)


@pytest.mark.rocm_sim
def test_fnuz_on_simulated_gfx942(rocm_sim):
    assert rocm_sim.fp8_dtype == torch.float8_e4m3fnuz
    q, k, s, w, ks, ke = make_mqa_inputs(6, 4, 32, 19, torch.float8_e4m3fnuz, seed=3)
    op = ops.Fp8MqaLogits()
    assert op.provider == "triton"  # aiter is off by default
    out = op(q, (k, s), w, ks, ke)
    want, mag = mqa_reference64(q, k, s, w, ks, ke)
    assert_logits_close(out, want, mag, fp32_rtol(32, 4))
    with pytest.raises(TypeError, match="q must have dtype float8_e4m3fnuz"):
        op(q.float().to(torch.float8_e4m3fn), (k, s), w, ks, ke)
    # The cache writer defaults to the platform's dtype (max 224).
    x = torch.randn(3, 32, dtype=torch.bfloat16)
    cache = torch.zeros(2, 4, 1, 36, dtype=torch.uint8)
    ops.IndexerKQuantAndCache()(x, cache, torch.tensor([0, 1, 5]))
    vals, scales = ref.split_kv_cache(cache, 32, torch.float8_e4m3fnuz)
    assert torch.allclose(scales[0, 0], x[0].float().abs().max() / 224.0)
    assert float(vals[0, 0].float().abs().max()) == 224.0


@pytest.mark.interp
def test_opdispatch_check_cases_pass():
    from opdispatch.dispatch.checks import run_checks

    names = ["fp8_mqa_logits", "fp8_paged_mqa_logits", "indexer_k_quant_and_cache",
             "sparse_attn_indexer_prefill", "sparse_attn_indexer_decode"]
    rows = run_checks(ops=names)
    assert {r.op for r in rows} == set(names)
    failed = [f"{r.op}/{r.provider}: {r.detail}" for r in rows if not r.ok]
    assert not failed, failed


@pytest.mark.interp
def test_torch_library_opcheck():
    from opdispatch.dispatch import KERNEL_OPS

    # test_schema perturbs inputs with mul, which CPU fp8 tensors lack: the fp8 ops run the other
    # utilities here; the cuda tier runs all of them.
    fp8_utils = ("test_faketensor", "test_aot_dispatch_dynamic")
    q, k, s, w, ks, ke = make_mqa_inputs(5, 4, 32, 19, torch.float8_e4m3fn, seed=1)
    out = torch.empty(5, 19)
    torch.library.opcheck(KERNEL_OPS["fp8_mqa_logits_triton"], (q, k, s, w, ks, ke, out, True), test_utils=fp8_utils)
    qp, cache, wp, cl, bt, L = make_paged_inputs(2, 2, 4, 32, 16, [5, 20], torch.float8_e4m3fn, seed=1)
    torch.library.opcheck(KERNEL_OPS["fp8_paged_mqa_logits_triton"],
                          (qp, cache.contiguous(), wp, cl, bt, torch.empty(4, L), True), test_utils=fp8_utils)
    torch.library.opcheck(KERNEL_OPS["indexer_k_quant_and_cache_triton"],
                          (torch.randn(3, 32, dtype=torch.bfloat16), torch.zeros(2, 16, 1, 36, dtype=torch.uint8),
                           torch.tensor([0, -1, 17]), False, False))
    torch.library.opcheck(KERNEL_OPS["sparse_attn_indexer_prefill_triton"],
                          (q, k, s, w, ks, ke, 4, torch.empty(5, 4, dtype=torch.int32)), test_utils=fp8_utils)


# Small dimensions for the interpreter; the GPU suite (tests/compile_graph) runs the registered
# warmup makers at DeepSeek's.
_SMALL_COMPILE = {
    "fp8_mqa_logits": lambda n, gen: [(ops.mqa_warmup_inputs("cpu", n, gen, heads=4, dim=32, context=40), {})],
    "fp8_paged_mqa_logits": lambda n, gen: [
        (ops.paged_warmup_inputs("cpu", n, gen, next_n=nn, heads=4, dim=32, block_size=16, max_model_len=96), {})
        for nn in (1, 2)],
    "indexer_k_quant_and_cache": lambda n, gen: [
        (ops.k_cache_warmup_inputs("cpu", n, gen, dim=32, block_size=16, num_blocks=6), {"use_ue8m0": u})
        for u in (False, True)],
    "sparse_attn_indexer_prefill": lambda n, gen: [
        ((*ops.mqa_warmup_inputs("cpu", n, gen, heads=4, dim=32, context=40), 8), {})],
    "sparse_attn_indexer_decode": lambda n, gen: [
        ((*ops.paged_warmup_inputs("cpu", n, gen, next_n=nn, heads=4, dim=32, block_size=16, max_model_len=96), 8),
         {}) for nn in (1, 2)],
}


@pytest.mark.interp
@pytest.mark.parametrize("op", sorted(_SMALL_COMPILE))
def test_compile_fullgraph_dynamic_three_token_counts(op, flags):
    # The Python fronts are traced by Dynamo: no graph break (fullgraph), one graph for three
    # token counts (error_on_recompile), outputs equal to eager. The same check as the GPU
    # suite's, on the triton provider through the interpreter.
    from tests.compile_graph import suite

    with flags(OPDISPATCH_BACKEND="triton"):
        suite.check_compile(op, torch.device("cpu"),
                            lambda n: _SMALL_COMPILE[op](n, torch.Generator().manual_seed(n)),
                            token_counts=suite.TOKEN_COUNTS)


def _misaligned_cache(nb, bs, width, offset):
    storage = torch.zeros(nb * bs * width + offset, dtype=torch.uint8)
    return storage[offset:].view(nb, bs, 1, width)


@pytest.mark.interp
def test_compiled_caller_still_rejects_misaligned_cache(flags):
    # Under torch.compile the front skips the storage-offset check (Dynamo cannot trace
    # storage_offset()); the kernel op makes it on the real tensor, with the same message.
    q, cache, w, cl, bt, L = make_paged_inputs(2, 1, 4, 32, 16, [5, 20], torch.float8_e4m3fn, seed=4)
    bad = _misaligned_cache(cache.shape[0], 16, 36, 2)
    bad.copy_(cache)
    with flags(OPDISPATCH_BACKEND="triton"):
        with pytest.raises(ValueError, match="storage offset 2"):
            ops.fp8_paged_mqa_logits(q, bad, w, cl, bt, L)
        torch._dynamo.reset()
        compiled = torch.compile(ops.fp8_paged_mqa_logits, fullgraph=True, dynamic=True)
        good = compiled(q, cache, w, cl, bt, L)
        want, mag = paged_reference64(q, cache, w, cl, bt, L)
        assert_logits_close(good, want, mag, fp32_rtol(32, 4))
        with pytest.raises(ValueError, match="storage offset 2"):
            compiled(q, bad, w, cl, bt, L)
