"""GPU tier: real kernels at DeepSeek sizes, >2^31-element offsets, torch.compile, CUDA graphs."""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.backends.torch_ref import indexer as ref
from opdispatch.backends.triton.indexer import MQA_LOGITS_CONFIGS, PAGED_LOGITS_CONFIGS
from opdispatch.ops import indexer as ops

from .helpers import assert_logits_close, assert_topk_valid, make_bounds, make_paged_inputs, paged_reference64

DEV = "cuda"
# Hopper's fp8 tensor cores accumulate with ~14 mantissa bits (DeepSeek-V3 report, sec. 3.3.2)
# and Triton keeps the whole K=D reduction in them (max_num_imprecise_acc = 2^30 on sm_90): an
# error of a few 2^-14 of the partial sums' magnitude. 2^-8 of the magnitude bound leaves room
# and still fails any real bug (a dropped head, token or scale is an error of order 1).
GPU_RTOL = 2.0 ** -8


def _fp8():
    return opdispatch.current_platform().fp8_dtype


def mqa_inputs_gpu(S, H, D, N, bounds, seed=0):
    gen = torch.Generator(device=DEV).manual_seed(seed)
    q = (torch.randn(S, H, D, device=DEV, generator=gen) * 2).to(_fp8())
    k = (torch.randn(N, D, device=DEV, generator=gen) * 2).to(_fp8())
    s = torch.rand(N, device=DEV, generator=gen) + 0.25
    w = torch.randn(S, H, device=DEV, generator=gen)
    ks, ke = make_bounds(S, N, torch.Generator().manual_seed(seed), bounds)
    return q, k, s, w, ks.to(DEV), ke.to(DEV)


def mqa_ref64_rows(q, k, s, w, ks, ke, rows):
    """float64 reference and magnitude bound for the given rows, on the GPU."""
    q64, k64 = q[rows].double(), k.double()
    w64 = w[rows].double()
    sc = torch.einsum("rhd,nd->rhn", q64, k64)
    logit = (sc.clamp_min(0) * w64[..., None]).sum(1) * s.double()
    mag = (torch.einsum("rhd,nd->rhn", q64.abs(), k64.abs()) * w64.abs()[..., None]).sum(1) * s.double()
    cols = torch.arange(k.shape[0], device=DEV)
    outside = (cols < ks[rows].long()[:, None]) | (cols >= ke[rows].long()[:, None])
    return logit.masked_fill(outside, float("-inf")), mag


def check_mqa(out, q, k, s, w, ks, ke, chunk=64):
    for r0 in range(0, q.shape[0], chunk):
        rows = torch.arange(r0, min(q.shape[0], r0 + chunk), device=DEV)
        want, mag = mqa_ref64_rows(q, k, s, w, ks, ke, rows)
        assert_logits_close(out[rows].cpu(), want.cpu(), mag.cpu(), GPU_RTOL, what=f"rows {r0}+")


@pytest.mark.cuda
@pytest.mark.parametrize("provider", ["triton", None])
@pytest.mark.parametrize("S,H,D,N,bounds", [
    (1024, 64, 128, 16384, "full"), (1024, 64, 128, 16384, "causal"), (777, 64, 128, 5000, "ragged"),
    (130, 32, 64, 1000, "ragged"), (33, 7, 48, 301, "ragged"),
])
def test_mqa_logits_large(provider, S, H, D, N, bounds):
    q, k, s, w, ks, ke = mqa_inputs_gpu(S, H, D, N, bounds, seed=S)
    op = ops.Fp8MqaLogits(provider=provider) if provider else ops.Fp8MqaLogits.default()
    out = op(q, (k, s), w, ks, ke)
    check_mqa(out, q, k, s, w, ks, ke)


@pytest.mark.cuda
@pytest.mark.parametrize("cfg", sorted(MQA_LOGITS_CONFIGS))
def test_mqa_logits_every_config(cfg):
    from opdispatch.backends.triton import indexer as tri

    q, k, s, w, ks, ke = mqa_inputs_gpu(300, 64, 128, 3000, "causal", seed=1)
    out = torch.full((300, 3000), float("nan"), device=DEV)
    tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True, config=tri.MQA_LOGITS_CONFIGS[cfg])
    check_mqa(out, q, k, s, w, ks, ke)


@pytest.mark.cuda
@pytest.mark.parametrize("bounds", ["full", "causal", "ragged"])
def test_mqa_logits_tma_q_default_equals_pointer_loads(bounds):
    # The default reads q through a TMA descriptor on sm_90+; its logits must equal the
    # pointer-load twin's bit for bit (same dots, same epilogue), and the no-TMA default's
    # within the reference tolerance (another loop, same math).
    import dataclasses

    from opdispatch.backends.triton import indexer as tri

    q, k, s, w, ks, ke = mqa_inputs_gpu(1024, 64, 128, 16384, bounds, seed=7)
    cfg = tri.mqa_logits_config(q)
    assert cfg.tma_q == (torch.cuda.get_device_capability() >= (9, 0))
    outs = []
    for c in (cfg, dataclasses.replace(cfg, tma_q=False),
              tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_NO_TMA_DEFAULT]):
        out = torch.full((1024, 16384), float("nan"), device=DEV)
        tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True, config=c)
        outs.append(out)
    assert torch.equal(outs[0], outs[1])
    assert torch.equal(outs[0], outs[2])   # same per-row dot and epilogue: bit for bit too
    check_mqa(outs[0], q, k, s, w, ks, ke)


def _logits_per_config(cfgs, q, k, s, w, ks, ke, clean):
    """fp8_mqa_logits under each config into NaN-poisoned outputs; with unclean logits, the
    values outside the windows (unspecified) zeroed so that outputs compare inside only."""
    from opdispatch.backends.triton import indexer as tri

    S, N = q.shape[0], k.shape[0]
    outs = []
    for c in cfgs:
        out = torch.full((S, N), float("nan"), device=DEV)
        tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, clean, config=c)
        outs.append(out)
    if not clean:
        cols = torch.arange(N, device=DEV)
        inside = (cols[None, :] >= ks[:, None]) & (cols[None, :] < ke[:, None])
        outs = [torch.where(inside, o, 0.0) for o in outs]
    return outs


@pytest.mark.cuda
@pytest.mark.parametrize("S,H,D,N,bounds,clean", [
    (1024, 64, 128, 16384, "full", True), (1024, 64, 128, 16384, "causal", True),
    (777, 64, 128, 5000, "ragged", True), (130, 32, 64, 1000, "ragged", True),
    (300, 64, 128, 3000, "causal", False), (3, 64, 128, 300, "full", True),
])
def test_mqa_logits_ws_default_equals_tl_dot(S, H, D, N, bounds, clean):
    # The default on sm_90 is the warp-specialized Gluon kernel: the same fp8 wgmma over D and
    # the same epilogue as the tl.dot kernel (MQA_LOGITS_NO_WS_DEFAULT), so the same logits bit
    # for bit (unclean: inside the windows), and the reference's.
    from opdispatch.backends.triton import indexer as tri

    q, k, s, w, ks, ke = mqa_inputs_gpu(S, H, D, N, bounds, seed=S + N)
    cfg = tri.mqa_logits_config(q, k=k, weights=w)
    if torch.cuda.get_device_capability() != (9, 0):
        assert not cfg.ws
        pytest.skip("the warp-specialized kernel is Hopper's (sm_90)")
    assert cfg.ws
    outs = _logits_per_config(
        (cfg, tri.MQA_LOGITS_CONFIGS[tri.MQA_LOGITS_NO_WS_DEFAULT]), q, k, s, w, ks, ke, clean)
    if not clean:
        assert not outs[0].isnan().any()
    assert torch.equal(outs[0], outs[1])
    if clean:
        check_mqa(outs[0], q, k, s, w, ks, ke)


def _windows(S, N, kind, seed):
    """Row windows for the shares kernel's test: the helpers' kinds, and 'empty' (every
    window empty), 'blocks' (rows of three sequences, each causal inside its own keys),
    'tail' (only the last rows have keys, in the last key tile)."""
    if kind in ("full", "causal", "ragged"):
        return make_bounds(S, N, torch.Generator().manual_seed(seed), kind)
    i = torch.arange(S)
    if kind == "empty":
        ks = torch.full((S,), N // 2)
        ke = ks.clone()
    elif kind == "blocks":
        cut = torch.tensor([0, N // 5, N // 2, N])
        seq = torch.div(i * 3, S, rounding_mode="floor")
        ks = cut[seq]
        ke = torch.minimum(ks + (i - seq * S // 3 + 1) * (cut[seq + 1] - ks) // max(1, S // 3),
                           cut[seq + 1])
    else:   # tail
        ks = torch.full((S,), N - 3)
        ke = torch.where(i >= S - 5, torch.full((S,), N), ks)
    return ks.to(torch.int32), ke.to(torch.int32)


@pytest.mark.cuda
@pytest.mark.parametrize("S,N,kind,clean", [
    (1024, 16384, "full", True), (1024, 16384, "causal", True), (777, 5000, "ragged", True),
    (777, 5000, "ragged", False), (1000, 7000, "blocks", True), (300, 3000, "empty", True),
    (513, 4100, "tail", True), (1, 300, "full", True), (5, 70000, "causal", True),
    (4096, 2048, "causal", True),
])
@pytest.mark.parametrize("name", ["ws_n256_q4_ar_in_p1", "ws_n256_q4_ar_in_p4"])
def test_mqa_logits_ws_shares_equal_grid(name, S, N, kind, clean):
    # The shares kernel (ws_pieces) walks each CTA's share of (key tile, 4-row slot)
    # positions across key-tile boundaries; every position must be computed (or filled with
    # -inf) exactly as the grid kernel does it: bit for bit, every window kind, with shares
    # that start and end inside tiles (1 and 4 CTAs per SM), degenerate windows included.
    from opdispatch.backends.triton import indexer as tri

    if torch.cuda.get_device_capability() != (9, 0):
        pytest.skip("the warp-specialized kernels are Hopper's (sm_90)")
    gen = torch.Generator(device=DEV).manual_seed(S + N)
    q = (torch.randn(S, 64, 128, device=DEV, generator=gen) * 2).to(_fp8())
    k = (torch.randn(N, 128, device=DEV, generator=gen) * 2).to(_fp8())
    s = torch.rand(N, device=DEV, generator=gen) + 0.25
    w = torch.randn(S, 64, device=DEV, generator=gen)
    ks, ke = (t.to(DEV) for t in _windows(S, N, kind, S))
    cfgs = (tri.MQA_LOGITS_CONFIGS[name], tri.MQA_LOGITS_CONFIGS["ws_n256_q4_ar_in_ek"])
    for c in cfgs:
        assert tri.mqa_logits_config(q, c, k=k, weights=w).ws
    outs = _logits_per_config(cfgs, q, k, s, w, ks, ke, clean)
    assert not outs[0].isnan().any()
    assert torch.equal(outs[0], outs[1])
    if clean and S * N <= 1024 * 16384:
        check_mqa(outs[0], q, k, s, w, ks, ke)


@pytest.mark.cuda
def test_mqa_logits_ws_only_where_it_can_run():
    # H = 16 (a 64-byte weights slot, which TMA cannot fill aligned), strided weights and keys
    # whose row stride is not a multiple of 16 bytes (TMA's rule): the tl.dot kernel runs
    # instead, with the right logits.
    from opdispatch.backends.triton import indexer as tri

    q, k, s, w, ks, ke = mqa_inputs_gpu(200, 64, 128, 1000, "ragged", seed=3)
    q16, k16, s16, w16, ks16, ke16 = mqa_inputs_gpu(200, 16, 128, 1000, "ragged", seed=4)
    w_wide = torch.zeros(200, 128, device=DEV)
    w_wide[:, :64] = w
    k_wide = torch.zeros(1000, 136, device=DEV).to(k.dtype)
    k_wide[:, :128] = k
    for args in ((q16, k16, s16, w16, ks16, ke16), (q, k, s, w_wide[:, :64], ks, ke),
                 (q, k_wide[:, :128], s, w, ks, ke)):
        qq, kk, ss, ww, lo, hi = args
        assert not tri.mqa_logits_config(qq, k=kk, weights=ww).ws
        out = torch.full((200, 1000), float("nan"), device=DEV)
        tri.fp8_mqa_logits(qq, kk, ss, ww, lo, hi, out, True)
        check_mqa(out, qq, kk, ss, ww, lo, hi)


@pytest.mark.cuda
def test_mqa_logits_beyond_int32_offsets():
    # S * N > 2^31 output elements (8.6 GB of logits): the rows past the boundary must be right.
    S, H, D, N = 33000, 32, 128, 65536
    assert S * N > 2 ** 31
    q, k, s, w, ks, ke = mqa_inputs_gpu(S, H, D, N, "full", seed=5)
    ke[-3] = 100
    out = ops.Fp8MqaLogits(provider="triton")(q, (k, s), w, ks, ke)
    rows = torch.tensor([0, S // 2, S - 3, S - 2, S - 1], device=DEV)
    want, mag = mqa_ref64_rows(q, k, s, w, ks, ke, rows)
    assert_logits_close(out[rows].cpu(), want.cpu(), mag.cpu(), GPU_RTOL)


def paged_ref64_gpu(q, cache, w, cl, bt, L):
    """float64 reference on the CPU (the helper's loops), for GPU inputs."""
    return paged_reference64(q.cpu(), cache.cpu(), w.cpu(), cl.cpu(), bt.cpu(), L)


@pytest.mark.cuda
@pytest.mark.parametrize("provider", ["triton", None])
@pytest.mark.parametrize("next_n", [1, 2, 4])
def test_paged_logits_large(provider, next_n):
    ctx = [1, 63, 64, 65, 4097, 20000, 0, 8191]
    q, cache, w, cl, bt, L = make_paged_inputs(len(ctx), next_n, 64, 128, 64, ctx, _fp8(), seed=next_n,
                                               device=DEV, max_model_len=20480)
    op = ops.Fp8PagedMqaLogits(provider=provider) if provider else ops.Fp8PagedMqaLogits.default()
    out = op(q, cache, w, cl, bt, L)
    want, mag = paged_ref64_gpu(q, cache, w, cl, bt, L)
    assert_logits_close(out.cpu(), want, mag, GPU_RTOL)


@pytest.mark.cuda
@pytest.mark.parametrize("cfg", sorted(PAGED_LOGITS_CONFIGS))
def test_paged_logits_every_config(cfg):
    from opdispatch.backends.triton import indexer as tri

    q, cache, w, cl, bt, L = make_paged_inputs(5, 2, 64, 128, 64, [70, 3000, 1, 640, 2049], _fp8(),
                                               seed=3, device=DEV)
    out = torch.full((10, L), float("nan"), device=DEV)
    tri.fp8_paged_mqa_logits(q, cache, w, cl, bt, out, True, config=tri.PAGED_LOGITS_CONFIGS[cfg])
    want, mag = paged_ref64_gpu(q, cache, w, cl, bt, L)
    assert_logits_close(out.cpu(), want, mag, GPU_RTOL)


@pytest.mark.cuda
def test_paged_and_quant_beyond_int32_offsets():
    # A 2.2 GB cache whose last blocks sit past 2^31 bytes: the sequence lives there.
    D, bs = 128, 64
    nb = (2 ** 31) // (bs * (D + 4)) + 40
    cache = torch.zeros(nb, bs, 1, D + 4, dtype=torch.uint8, device=DEV)
    ctx = 1000
    blocks = torch.arange(nb - 16, nb, device=DEV, dtype=torch.int32)
    bt = blocks.view(1, -1)
    gen = torch.Generator(device=DEV).manual_seed(0)
    keys = torch.randn(ctx, D, device=DEV, generator=gen, dtype=torch.bfloat16)
    slots = (blocks.long()[torch.arange(ctx, device=DEV) // bs] * bs + torch.arange(ctx, device=DEV) % bs)
    ops.IndexerKQuantAndCache(provider="triton")(keys, cache, slots)
    expected = torch.zeros(16, bs, 1, D + 4, dtype=torch.uint8, device=DEV)
    ref.indexer_k_quant_and_cache(keys, expected, torch.arange(ctx, device=DEV), False,
                                  _fp8() == torch.float8_e4m3fnuz)
    assert torch.equal(cache[nb - 16:], expected)
    q = (torch.randn(1, 1, 64, D, device=DEV, generator=gen) * 2).to(_fp8())
    w = torch.randn(1, 64, device=DEV, generator=gen)
    cl = torch.tensor([ctx], dtype=torch.int32, device=DEV)
    out = ops.Fp8PagedMqaLogits(provider="triton")(q, cache, w, cl, bt, 1024)
    small_bt = torch.arange(16, dtype=torch.int32, device=DEV).view(1, -1)
    want, mag = paged_ref64_gpu(q, expected, w, cl, small_bt, 1024)
    assert_logits_close(out.cpu(), want, mag, GPU_RTOL)


@pytest.mark.cuda
@pytest.mark.parametrize("use_ue8m0", [False, True])
def test_k_quant_and_cache_gpu_bit_exact(use_ue8m0):
    D, bs, T = 128, 64, 5000
    gen = torch.Generator(device=DEV).manual_seed(2)
    k = torch.randn(T, D, device=DEV, generator=gen, dtype=torch.bfloat16) * 3
    slots = torch.randperm(200 * bs, device=DEV, generator=gen)[:T]
    slots[::17] = -1
    cache = torch.full((200, bs, 1, D + 4), 0xAB, dtype=torch.uint8, device=DEV)
    want = cache.clone()
    fnuz = _fp8() == torch.float8_e4m3fnuz
    ref.indexer_k_quant_and_cache(k, want, slots, use_ue8m0, fnuz)
    ops.IndexerKQuantAndCache(provider="triton")(k, cache, slots, use_ue8m0=use_ue8m0)
    assert torch.equal(cache, want)


@pytest.mark.cuda
def test_sparse_indexers_large():
    q, k, s, w, ks, ke = mqa_inputs_gpu(512, 64, 128, 8192, "causal", seed=9)
    idx = opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, 2048)
    rows = torch.arange(0, 512, 37, device=DEV)
    want, mag = mqa_ref64_rows(q, k, s, w, ks, ke, rows)
    assert_topk_valid(idx[rows], want, ks[rows], 2048, 2 * GPU_RTOL * mag.max(dim=1).values.cpu())

    ctx = [5000, 70000, 2047, 131072]
    q, cache, w, cl, bt, L = make_paged_inputs(4, 2, 64, 128, 64, ctx, _fp8(), seed=1, device=DEV,
                                               max_model_len=131072)
    idx = opdispatch.sparse_attn_indexer_decode(q, cache, w, cl, bt, L, 2048)
    want, mag = paged_ref64_gpu(q, cache, w, cl, bt, L)
    assert_topk_valid(idx, want, torch.zeros(8), 2048, 2 * GPU_RTOL * mag.max(dim=1).values)


def _indexer_step(q, k, s, w, ks, ke, qp, cache, wp, cl, bt, keys, slots):
    ops.indexer_k_quant_and_cache(keys, cache, slots)
    logits = ops.fp8_mqa_logits(q, (k, s), w, ks, ke)
    paged = ops.fp8_paged_mqa_logits(qp, cache, wp, cl, bt, 4096)
    pre = ops.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, 64)
    dec = ops.sparse_attn_indexer_decode(qp, cache, wp, cl, bt, 4096, 64)
    return logits, paged, pre, dec


@pytest.mark.cuda
def test_torch_compile_fullgraph_dynamic_matches_eager():
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    compiled = torch.compile(_indexer_step, fullgraph=True, dynamic=True)
    # Three sizes of every token-count dimension (query rows, keys, sequences, new keys): one
    # graph, no recompile (first sizes chosen to coincide with no other dimension: duck sizing).
    for i, (S, N, B, T) in enumerate(((96, 700, 3, 10), (130, 1100, 5, 17), (200, 1500, 7, 33))):
        q, k, s, w, ks, ke = mqa_inputs_gpu(S, 64, 128, N, "ragged", seed=S)
        ctx = ([100, 3000, 64] * 3)[:B]
        qp, cache, wp, cl, bt, _ = make_paged_inputs(B, 2, 64, 128, 64, ctx, _fp8(), seed=S,
                                                     device=DEV, max_model_len=4096)
        keys = torch.randn(T, 128, device=DEV, dtype=torch.bfloat16)
        slots = torch.arange(T, device=DEV) * 7
        cache_c = cache.clone()
        eager = _indexer_step(q, k, s, w, ks, ke, qp, cache, wp, cl, bt, keys, slots)
        with torch._dynamo.config.patch(error_on_recompile=i > 0):
            got = compiled(q, k, s, w, ks, ke, qp, cache_c, wp, cl, bt, keys, slots)
        assert torch.equal(cache, cache_c)
        for a, b in zip(eager[:2], got[:2], strict=True):
            assert torch.equal(a, b)  # same kernels, same inputs: bit-identical
        for a, b in zip(eager[2:], got[2:], strict=True):
            assert torch.equal(a.sort(dim=1).values, b.sort(dim=1).values)
    assert counters["stats"]["unique_graphs"] == 1


@pytest.mark.cuda
def test_cuda_graph_capture_and_replay():
    B, next_n, L, topk = 4, 2, 8192, 256
    qp, cache, wp, cl, bt, _ = make_paged_inputs(B, next_n, 64, 128, 64, [100, 8000, 64, 4097], _fp8(),
                                                 seed=7, device=DEV, max_model_len=L)
    logits = torch.empty(B * next_n, L, device=DEV)
    idx = torch.empty(B * next_n, topk, dtype=torch.int32, device=DEV)
    q, k, s, w, ks, ke = mqa_inputs_gpu(64, 64, 128, 2048, "causal", seed=3)
    pidx = torch.empty(64, topk, dtype=torch.int32, device=DEV)

    def step():
        opdispatch.fp8_paged_mqa_logits(qp, cache, wp, cl, bt, L, out=logits)
        opdispatch.sparse_attn_indexer_decode(qp, cache, wp, cl, bt, L, topk, out=idx)
        opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, topk, out=pidx)

    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        step()  # warm-up compiles every kernel outside the capture
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        step()
    # New data in the same buffers, then replay (contexts stay within each sequence's blocks).
    cl.copy_(torch.tensor([120, 50, 64, 1], dtype=torch.int32))
    qp.copy_((torch.randn(qp.shape, device=DEV) * 2).to(qp.dtype))
    graph.replay()
    torch.cuda.synchronize()
    want = opdispatch.fp8_paged_mqa_logits(qp, cache, wp, cl, bt, L)
    assert torch.equal(logits, want)
    want_idx = opdispatch.sparse_attn_indexer_decode(qp, cache, wp, cl, bt, L, topk)
    assert torch.equal(idx.sort(dim=1).values, want_idx.sort(dim=1).values)
    want_p = opdispatch.sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, topk)
    assert torch.equal(pidx.sort(dim=1).values, want_p.sort(dim=1).values)


@pytest.mark.cuda
def test_torch_library_opcheck_gpu():
    from opdispatch.dispatch import KERNEL_OPS

    utils = ("test_faketensor", "test_aot_dispatch_dynamic")  # test_schema needs fp8 mul
    q, k, s, w, ks, ke = mqa_inputs_gpu(17, 64, 128, 300, "ragged")
    torch.library.opcheck(KERNEL_OPS["fp8_mqa_logits_triton"],
                          (q, k, s, w, ks, ke, torch.empty(17, 300, device=DEV), True), test_utils=utils)
    qp, cache, wp, cl, bt, L = make_paged_inputs(2, 2, 64, 128, 64, [70, 200], _fp8(), device=DEV)
    torch.library.opcheck(KERNEL_OPS["fp8_paged_mqa_logits_triton"],
                          (qp, cache, wp, cl, bt, torch.empty(4, L, device=DEV), True), test_utils=utils)
    torch.library.opcheck(KERNEL_OPS["indexer_k_quant_and_cache_triton"],
                          (torch.randn(3, 128, device=DEV, dtype=torch.bfloat16),
                           torch.zeros(2, 64, 1, 132, dtype=torch.uint8, device=DEV),
                           torch.tensor([0, -1, 70], device=DEV), False, _fp8() == torch.float8_e4m3fnuz))
