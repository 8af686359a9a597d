"""Trial (GPU): fp8_mqa_logits with q read through a TMA descriptor, against the production kernel.

    python benchmarks/indexer_tma_trial.py

The production kernel loads each query row ([heads, D] fp8) with pointer loads; Session 4 read
its offline TTGIR: q went through registers into shared memory right before each wgmma, and
the pipeliner gave async copies only to the weights and bounds. Here q is a host-side tensor
descriptor ([S * H, D], block [H, D]) so the pipeliner can stage it with TMA. Same math and
output as ``mqa_logits_kernel`` for full bounds-checked tiles (H and D powers of two, clean
logits). Prints us (CUDA graph replay), TFLOP/s over the rows' [ks, ke) work, and whether the
output equals the production kernel's. Triton 3.6's Hopper warp specialization
(``tl.range(warp_specialize=True)``) was tried offline on this loop: it asserts at 4 warps and
leaves the loop unpartitioned at 8, so it is not timed.
"""

import torch
import triton
import triton.language as tl
from triton.tools.tensor_descriptor import TensorDescriptor

from opdispatch.backends.triton import indexer as ix
from opdispatch.backends.triton.indexer_kernels import (
    _fill_neg_rows,
    _mask_row_window,
    _tile_rows,
    _weighted_head_sum,
)
from opdispatch.dispatch.bench import graph_replay_us
from opdispatch.dispatch.platform import current_platform


@triton.jit
def _mqa_tma_kernel(q_desc, p_k, p_kscale, p_w, p_ks, p_ke, p_out, S, N, stride_kn, stride_ws,
                    stride_os, HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_N: tl.constexpr,
                    ROWS: tl.constexpr, NUM_STAGES: tl.constexpr):
    o_n, m_n, r0, r1, lo, hi = _tile_rows(p_ks, p_ke, S, N, BLOCK_N, ROWS)
    o_d = tl.arange(0, DIM)
    o_h = tl.arange(0, HEADS)
    if hi > lo:
        b_k = tl.load(p_k + o_n[:, None].to(tl.int64) * stride_kn + o_d[None, :],
                      mask=m_n[:, None], other=0.0)
        b_scale = tl.load(p_kscale + o_n, mask=m_n, other=0.0)
        for i in tl.range(lo, hi, num_stages=NUM_STAGES):
            b_q = q_desc.load([i * HEADS, 0])
            b_w = tl.load(p_w + i.to(tl.int64) * stride_ws + o_h)
            b_logit = _mask_row_window(_weighted_head_sum(b_k, b_q, b_w, b_scale), o_n, p_ks,
                                       p_ke, i)
            tl.store(p_out + i.to(tl.int64) * stride_os + o_n, b_logit, mask=m_n)
    _fill_neg_rows(p_out, stride_os, o_n, m_n, r0, lo, hi, r1, BLOCK_N)


def main() -> None:
    S, H, D, N = 1024, 64, 128, 16384
    dev = "cuda"
    f8 = current_platform().fp8_dtype
    g = torch.Generator(device=dev).manual_seed(0)
    q = (torch.randn(S, H, D, device=dev, generator=g) * 0.5).to(f8)
    k = (torch.randn(N, D, device=dev, generator=g) * 0.5).to(f8)
    ks_scale = torch.rand(N, device=dev, generator=g) + 0.5
    w = torch.randn(S, H, device=dev, generator=g)
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}"
          f"  S={S} H={H} D={D} N={N}")
    for label, ks, ke in (("full", torch.zeros(S, dtype=torch.int32, device=dev),
                           torch.full((S,), N, dtype=torch.int32, device=dev)),
                          ("offset causal", torch.zeros(S, dtype=torch.int32, device=dev),
                           (N - S + torch.arange(S, device=dev) + 1).to(torch.int32))):
        flop = 2.0 * H * D * float((ke - ks).clamp(min=0).sum())
        ref = torch.empty(S, N, device=dev)
        us = graph_replay_us(lambda: ix.fp8_mqa_logits(q, k, ks_scale, w, ks, ke, ref, True))
        print(f"{label:>14} production {ix.MQA_LOGITS_DEFAULT}: {us:8.1f} us "
              f"{flop / us / 1e6:7.1f} TFLOP/s")
        desc = TensorDescriptor.from_tensor(q.view(S * H, D), [H, D])
        out = torch.empty(S, N, device=dev)
        for block_n, warps, stages in ((128, 4, 2), (128, 4, 3), (128, 4, 4), (128, 8, 3),
                                       (256, 8, 2), (256, 8, 3), (64, 4, 4)):
            tiles = triton.cdiv(N, block_n)
            rows = ix._row_chunk(S, tiles, 1024)
            def call(block_n=block_n, warps=warps, stages=stages, rows=rows, tiles=tiles):
                _mqa_tma_kernel[(tiles, triton.cdiv(S, rows))](
                    desc, k, ks_scale, w, ks, ke, out, S, N, k.stride(0), w.stride(0),
                    out.stride(0), HEADS=H, DIM=D, BLOCK_N=block_n, ROWS=rows,
                    NUM_STAGES=stages, num_warps=warps)
            try:
                call()
                same = torch.equal(out, ref)
                close = torch.allclose(out, ref, rtol=1e-5, atol=1e-5)
                us = graph_replay_us(call)
                print(f"{label:>14} tma n{block_n} w{warps} s{stages}: {us:8.1f} us "
                      f"{flop / us / 1e6:7.1f} TFLOP/s  equal={same} close={close}", flush=True)
            except Exception as exc:   # report and go on
                print(f"{label:>14} tma n{block_n} w{warps} s{stages}: ERR {type(exc).__name__} "
                      f"{str(exc)[:200]}", flush=True)


if __name__ == "__main__":
    main()
