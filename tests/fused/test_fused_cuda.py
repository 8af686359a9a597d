"""GPU tier: the Triton kernels at model sizes, >2**31-element tensors, and GraphBuffers under a
captured CUDA graph. (torch.compile / CUDA-graph / opcheck of these ops: tests/compile_graph.)"""

from __future__ import annotations

import pytest
import torch

from opdispatch.backends.torch_ref import fused as ref
from opdispatch.graph import GraphBuffers
from opdispatch.ops.fused import FusedInvRopeFP8Quant, FusedMTPInputRMSNorm

from .helpers import assert_rounded_from, mtp_f64, mtp_inputs, rope_inputs, unpack_words

pytestmark = pytest.mark.cuda

DEV = "cuda"


def _compare_rope(q, s, q_ref, s_ref, what, check_strides=True):
    """Scales: equal (rarely a float32 FMA in the rope math moves an amax across a power of two:
    at most 1e-5 of them may differ by exactly 2x). Codes: where the scale agrees, within one
    e4m3 step (FMA vs separate multiply-add in float32 can move a value across a rounding
    midpoint): 1/8 relative, or one subnormal step."""
    assert q.shape == q_ref.shape and s.shape == s_ref.shape
    if check_strides:
        assert q.stride() == q_ref.stride() and s.stride() == s_ref.stride()
    if s.dtype == torch.int32:
        e, e_ref = unpack_words(s), unpack_words(s_ref)
        k = q.shape[2] // 128
        s, s_ref = ref.ue8m0_to_float(e[..., :k]), ref.ue8m0_to_float(e_ref[..., :k])
        assert torch.equal(e[..., k:], e_ref[..., k:])
    same = s == s_ref
    # at most 1e-5 of the scales may differ (a GPU amax rounding at a power-of-two boundary);
    # an empty output (T=0) has nothing to differ
    assert int((~same).sum()) <= 1e-5 * same.numel(), f"{what}: {int((~same).sum())} scales differ"
    if not bool(same.all()):
        assert bool(((s / s_ref == 2) | (s / s_ref == 0.5) | same).all())
    T, G, W = q.shape
    K = W // 128  # explicit, not -1: a -1 beside T = 0 is ambiguous and reshape raises
    qs = q.float().reshape(T, G, K, 128)
    qr = q_ref.float().reshape(T, G, K, 128)
    m = same.reshape(T, G, K, 1).expand_as(qs)
    err = (qs - qr).abs()[m]
    bound = (0.125 * qr.abs() + 2.0**-9)[m]
    assert bool((err <= bound).all()), f"{what}: {int((err > bound).sum())} codes off by > 1 step"


@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("T", [0, 1, 5, 4099, 8192])
def test_rope_quant_model_size(T, packed):
    o, pos, cache = rope_inputs(T, 8, 8, 448, 64, seed=T, max_pos=8192, device=DEV)
    kw = dict(tma_aligned_scales=packed)
    q, s = FusedInvRopeFP8Quant(provider="triton")(o, pos, cache, 8, 8, **kw)
    q_ref, s_ref = FusedInvRopeFP8Quant(provider="torch_ref")(o, pos, cache, 8, 8, **kw)
    assert q.stride() == (4096, T * 4096, 1)
    _compare_rope(q, s, q_ref, s_ref, f"T={T}")
    t_pad = (T + 3) // 4 * 4
    phys = s.as_strided((8, s.shape[2], t_pad), (s.stride(1), s.stride(2), 1))
    assert not phys[:, :, T:].any()


def test_rope_quant_beyond_int32_offsets():
    # o has 65600 * 64 * 512 = 2.15e9 > 2**31 elements: token offsets need int64. Only the tail
    # is compared (the reference on a slice: tokens are independent).
    T = 65600
    o = torch.randn(T, 64, 512, device=DEV, dtype=torch.bfloat16)
    _, pos, cache = rope_inputs(T, 1, 1, 448, 64, max_pos=8192, device=DEV)
    q, s = FusedInvRopeFP8Quant(provider="triton")(o, pos, cache, 8, 8)
    tail = slice(T - 37, T)
    q_ref, s_ref = FusedInvRopeFP8Quant(provider="torch_ref")(o[tail], pos[tail], cache, 8, 8)
    _compare_rope(q[tail], s[tail], q_ref, s_ref, "tail past 2**31", check_strides=False)


@pytest.mark.parametrize("T", [0, 1, 5, 4097])
def test_mtp_rmsnorm_model_size(T):
    emb, pos, prev, ew, hw = mtp_inputs(T, 7168, 4, seed=T, device=DEV)
    e, h = FusedMTPInputRMSNorm(provider="triton")(emb, pos, prev, ew, hw, 1e-6, 4)
    e64, h64 = mtp_f64(emb, pos, prev, ew, hw, 1e-6)
    assert_rounded_from(e, e64, "enorm_out")
    assert_rounded_from(h, h64, "hnorm_out")


def test_mtp_rmsnorm_wide_rows_take_the_loop():
    emb, pos, prev, ew, hw = mtp_inputs(9, 20000, 2, device=DEV)   # > 16384: two-pass path
    e, h = FusedMTPInputRMSNorm(provider="triton")(emb, pos, prev, ew, hw, 1e-6, 2)
    e64, h64 = mtp_f64(emb, pos, prev, ew, hw, 1e-6)
    assert_rounded_from(e, e64, "enorm_out")
    assert_rounded_from(h, h64, "hnorm_out")


def test_mtp_rmsnorm_beyond_int32_offsets():
    T, H = 75000, 7168                     # previous_hidden_states: 2.15e9 elements
    emb, pos, _, ew, hw = mtp_inputs(T, H, 1, device=DEV)
    prev = torch.randn(T, 4, H, device=DEV, dtype=torch.bfloat16)
    e, h = FusedMTPInputRMSNorm(provider="triton")(emb, pos, prev, ew, hw, 1e-6, 4)
    tail = slice(T - 9, T)
    e64, h64 = mtp_f64(emb[tail], pos[tail], prev[tail], ew, hw, 1e-6)
    assert_rounded_from(e[tail], e64, "enorm_out tail")
    assert_rounded_from(h[tail], h64, "hnorm_out tail")


def test_graph_buffers_replay_follows_size_changes():
    # A graph captured once reads ragged metadata through fixed addresses: a gather of rows by
    # indices, summed per request through indptr. Sizes change between replays.
    bufs = GraphBuffers(DEV)
    bufs.reserve("indptr", (9,), torch.int64, pad="edge")
    bufs.reserve("indices", (64,), torch.int64, pad=0)
    table = torch.randn(100, 16, device=DEV)

    def step():
        rows = table[bufs["indices"]]                               # [64, 16]
        csum = torch.cat((torch.zeros(1, 16, device=DEV), rows.cumsum(0)))
        return csum[bufs["indptr"][1:]] - csum[bufs["indptr"][:-1]]  # [8, 16] per request

    bufs.update("indptr", torch.tensor([0, 3], device=DEV))
    bufs.update("indices", torch.tensor([1, 2, 3], device=DEV))
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = step()
    gen = torch.Generator().manual_seed(0)
    for n_req in (1, 5, 8, 2):
        lens = torch.randint(0, 8, (n_req,), generator=gen)
        indptr = torch.cat((torch.zeros(1, dtype=torch.long), lens.cumsum(0)))
        indices = torch.randint(0, 100, (int(indptr[-1]),), generator=gen)
        bufs.update("indptr", indptr.to(DEV))
        bufs.update("indices", indices.to(DEV))
        graph.replay()
        want = torch.stack([table[indices[indptr[i]:indptr[i + 1]].to(DEV)].sum(0) for i in range(n_req)])
        torch.testing.assert_close(out[:n_req], want, rtol=1e-5, atol=1e-5)
        assert not out[n_req:].any(), "padded requests must be empty"
