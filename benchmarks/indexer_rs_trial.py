"""Trial (GPU): fp8_mqa_logits with the key tile as the register operand of the wgmma (RS), q
through a TMA descriptor, and both, against the production kernel.

    python benchmarks/indexer_rs_trial.py [--second] [full|causal ...]

Why: per (query row, 128-key tile) the production kernel's wgmma reads both operands from
shared memory: the key tile (16 KB, A) and q^T (8 KB, B, read once per m64 half, so twice),
about 32 KB against 256 cycles of fp8 MMA per SM, while the q pipeline writes 8 KB more. With
the loop-invariant key tile in registers (loaded as uint8 and bitcast to fp8, so Triton's
AccelerateMatmul sees an operand that does not come straight from a load and keeps it in the
dot-operand register layout) the wgmma reads only q from shared memory. The cost is 32 more
registers per thread. ``tma``: q read through a host-side tensor descriptor ([S * H, D], block
[H, D]) so the pipeliner stages it with TMA (session 7: 2% alone). ``u2``: two rows per loop
iteration, the production default's loop. ``r<N>``: maxnreg=N.

``WS`` (not in the variant lists): ``tl.range(..., warp_specialize=True)`` on the TMA-q loop;
compiled offline with Triton 3.6 (sm_90a) it still fails in NVGPUWarpSpecialization at 4 warps
and leaves the loop unpartitioned at 8, as it did with pointer loads in session 7.

Prints us (CUDA graph replay, two alternated rounds), TFLOP/s over the rows' [ks, ke) work,
registers / spills / shared memory, and whether the output equals the production kernel's bit
for bit.
"""

import sys

import torch
import triton
import triton.language as tl
from triton.tools.tensor_descriptor import TensorDescriptor

from opdispatch.backends.triton import indexer as ix
from opdispatch.backends.triton.indexer_kernels import (
    _fill_neg_rows,
    _mask_row_window,
    _store_row_tile,
    _tile_rows,
    _weighted_head_sum,
)
from opdispatch.dispatch.bench import graph_replay_us
from opdispatch.dispatch.platform import current_platform


@triton.jit
def _trial_kernel(q_desc, p_q, p_k, p_kscale, p_w, p_ks, p_ke, p_out, S, N, stride_qs,
                  stride_kn, stride_ws, stride_os, HEADS: tl.constexpr, DIM: tl.constexpr,
                  BLOCK_N: tl.constexpr, ROWS: tl.constexpr, NUM_STAGES: tl.constexpr,
                  TMA: tl.constexpr, RS: tl.constexpr, UNROLL: tl.constexpr,
                  WS: tl.constexpr = False):
    o_n, m_n, r0, r1, lo, hi = _tile_rows(p_ks, p_ke, S, N, BLOCK_N, ROWS)
    o_d = tl.arange(0, DIM)
    o_h = tl.arange(0, HEADS)
    o_u = tl.arange(0, UNROLL)
    if hi > lo:
        o_k = o_n[:, None].to(tl.int64) * stride_kn + o_d[None, :]
        if RS:
            b_k8 = tl.load(p_k.to(tl.pointer_type(tl.uint8)) + o_k, mask=m_n[:, None], other=0)
            b_k = b_k8.to(p_k.dtype.element_ty, bitcast=True)
        else:
            b_k = tl.load(p_k + o_k, mask=m_n[:, None], other=0.0)
        b_scale = tl.load(p_kscale + o_n, mask=m_n, other=0.0)
        for i in tl.range(lo, hi, UNROLL, num_stages=NUM_STAGES, warp_specialize=WS):
            b_tile = tl.zeros([BLOCK_N, UNROLL], dtype=tl.float32)
            for u in tl.static_range(UNROLL):
                r = tl.minimum(i + u, hi - 1)
                r64 = r.to(tl.int64)
                if TMA:
                    b_q = q_desc.load([r * HEADS, 0])
                else:
                    b_q = tl.load(p_q + r64 * stride_qs + o_h[:, None] * DIM + o_d[None, :])
                b_w = tl.load(p_w + r64 * stride_ws + o_h)
                b_logit = _weighted_head_sum(b_k, b_q, b_w, b_scale)
                if UNROLL == 1:
                    b_logit = _mask_row_window(b_logit, o_n, p_ks, p_ke, r)
                    tl.store(p_out + r64 * stride_os + o_n, b_logit, mask=m_n)
                else:
                    b_tile = tl.where(o_u[None, :] == u, b_logit[:, None], b_tile)
            if UNROLL > 1:
                _store_row_tile(b_tile, i + o_u, hi, o_n, m_n, p_ks, p_ke, p_out, stride_os, True)
    _fill_neg_rows(p_out, stride_os, o_n, m_n, r0, lo, hi, r1, BLOCK_N)


# name, TMA, RS, UNROLL, stages, maxnreg[, block_n, warps, target_programs]
VARIANTS_1 = [
    ("plain_s3", 0, 0, 1, 3, None),
    ("plain_u2_s3", 0, 0, 2, 3, None),
    ("tma_s3", 1, 0, 1, 3, None),
    ("tma_u2_s3", 1, 0, 2, 3, None),
    ("tma_u2_s2", 1, 0, 2, 2, None),
    ("tma_u2_s4", 1, 0, 2, 4, None),
    ("rs_s3", 0, 1, 1, 3, None),
    ("rs_s3_r168", 0, 1, 1, 3, 168),
    ("rs_s3_r128", 0, 1, 1, 3, 128),
    ("rs_u2_s3", 0, 1, 2, 3, None),
    ("rs_u2_s3_r168", 0, 1, 2, 3, 168),
    ("rs_tma_s3", 1, 1, 1, 3, None),
    ("rs_tma_s3_r168", 1, 1, 1, 3, 168),
    ("rs_tma_u2_s3", 1, 1, 2, 3, None),
    ("rs_tma_u2_s3_r168", 1, 1, 2, 3, 168),
    ("rs_tma_u2_s2_r128", 1, 1, 2, 2, 128),
]
# Second call (session 14): around call 1's best, tma_u2_s2.
VARIANTS_2 = [
    ("tma_u2_s2", 1, 0, 2, 2, None),
    ("plain_u2_s2", 0, 0, 2, 2, None),
    ("tma_s2", 1, 0, 1, 2, None),
    ("tma_s2_r102", 1, 0, 1, 2, 102),
    ("tma_s2_r96", 1, 0, 1, 2, 96),
    ("tma_u4_s2", 1, 0, 4, 2, None),
    ("tma_u2_s2_r112", 1, 0, 2, 2, 112),
    ("tma_u2_s2_t2k", 1, 0, 2, 2, None, 128, 4, 2048),
    ("tma_u2_s2_t512", 1, 0, 2, 2, None, 128, 4, 512),
    ("n256w8_tma_u2_s2", 1, 0, 2, 2, None, 256, 8, 1024),
    ("n256w8_tma_s3", 1, 0, 1, 3, None, 256, 8, 1024),
    ("n256w8_tma_s2", 1, 0, 1, 2, None, 256, 8, 1024),
]
VARIANTS = VARIANTS_1 + VARIANTS_2


def main() -> None:
    args = sys.argv[1:]
    variants, rounds = VARIANTS_1, 2
    if args and args[0] == "--second":
        variants, rounds, args = VARIANTS_2, 3, args[1:]
    cases = args or ["full", "causal"]
    S, H, D, N = 1024, 64, 128, 16384
    dev = "cuda"
    f8 = current_platform().fp8_dtype
    g = torch.Generator(device=dev).manual_seed(0)
    q = (torch.randn(S, H, D, device=dev, generator=g) * 0.5).to(f8)
    k = (torch.randn(N, D, device=dev, generator=g) * 0.5).to(f8)
    ks_scale = torch.rand(N, device=dev, generator=g) + 0.5
    w = torch.randn(S, H, device=dev, generator=g)
    desc = TensorDescriptor.from_tensor(q.view(S * H, D), [H, D])
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}"
          f"  S={S} H={H} D={D} N={N} default {ix.MQA_LOGITS_DEFAULT}", flush=True)
    for label in cases:
        ks = torch.zeros(S, dtype=torch.int32, device=dev)
        if label == "full":
            ke = torch.full((S,), N, dtype=torch.int32, device=dev)
        else:   # the offset causal window: ke[i] = N - S + i + 1
            ke = (N - S + torch.arange(S, device=dev) + 1).to(torch.int32)
        flop = 2.0 * H * D * float((ke - ks).clamp(min=0).sum())
        ref = torch.empty(S, N, device=dev)
        prod = lambda: ix.fp8_mqa_logits(q, k, ks_scale, w, ks, ke, ref, True)   # noqa: E731
        prod()
        out = torch.empty(S, N, device=dev)
        calls = {}
        for name, tma, rs, unroll, stages, maxnreg, *more in variants:
            block_n, warps, target = more or (128, 4, 1024)
            tiles = triton.cdiv(N, block_n)
            rows = ix._row_chunk(S, tiles, target)
            extra = {} if maxnreg is None else {"maxnreg": maxnreg}

            def call(tma=tma, rs=rs, unroll=unroll, stages=stages, extra=extra, block_n=block_n,
                     warps=warps, tiles=tiles, rows=rows):
                return _trial_kernel[(tiles, triton.cdiv(S, rows))](
                    desc, q, k, ks_scale, w, ks, ke, out, S, N, q.stride(0), k.stride(0),
                    w.stride(0), out.stride(0), HEADS=H, DIM=D, BLOCK_N=block_n, ROWS=rows,
                    NUM_STAGES=stages, TMA=tma, RS=rs, UNROLL=unroll, num_warps=warps, **extra)
            try:
                out.fill_(float("nan"))
                kern = call()
                torch.cuda.synchronize()
                same = torch.equal(out, ref)
                print(f"{label:>6} {name:>18}: regs {kern.n_regs} spills {kern.n_spills} "
                      f"smem {kern.metadata.shared} equal={same}", flush=True)
                calls[name] = call
            except Exception as exc:   # report and go on
                print(f"{label:>6} {name:>18}: ERR {type(exc).__name__} {str(exc)[:300]}",
                      flush=True)
        for rnd in range(rounds):
            us = graph_replay_us(prod)
            print(f"{label:>6} round {rnd} {'production':>18}: {us:8.1f} us "
                  f"{flop / us / 1e6:7.1f} TFLOP/s", flush=True)
            for name, call in calls.items():
                us = graph_replay_us(call)
                print(f"{label:>6} round {rnd} {name:>18}: {us:8.1f} us "
                      f"{flop / us / 1e6:7.1f} TFLOP/s", flush=True)


if __name__ == "__main__":
    main()
