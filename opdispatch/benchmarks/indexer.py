"""Benchmark cases of the indexer family (issue 5's table, plus a config sweep tagged "sweep").

Floors: the logits ops are fp8-GEMM bound, ``flops = 2 * rows * H * D * (keys each row sees)``
(the head reduction is H-fold smaller and not counted); bytes count q, k (+ scales), weights,
bounds and the float32 logits written once. The paged op is bandwidth bound: it reads every
visible cache token (D fp8 bytes + a 4-byte scale) once.
"""

from __future__ import annotations

import torch

from opdispatch.backends.torch_ref.indexer import split_kv_cache
from opdispatch.dispatch.bench import BenchCase, BenchSetup, register_bench

H, D = 64, 128


def _fp8():
    from opdispatch.dispatch import current_platform

    return current_platform().fp8_dtype


def _deep_gemm():
    try:
        import deep_gemm  # noqa: F401

        return deep_gemm
    except ImportError:
        return None


# ----------------------------------------------------------------------------------- prefill

def torch_mqa_logits(q, k, k_scale, weights, ks, ke):
    """Plain PyTorch: the formula in float32, whole [S, H, N] scores at once."""
    scores = torch.einsum("shd,nd->shn", q.float(), k.float())
    logits = (scores.relu() * weights.unsqueeze(-1)).sum(1) * k_scale
    cols = torch.arange(k.shape[0], device=q.device)
    outside = (cols < ks.unsqueeze(1)) | (cols >= ke.unsqueeze(1))
    return logits.masked_fill(outside, float("-inf"))


def _mqa_inputs(device, S, N, bounds):
    gen = torch.Generator(device=device).manual_seed(0)
    q = torch.randn(S, H, D, device=device, generator=gen).to(_fp8())
    k = torch.randn(N, D, device=device, generator=gen).to(_fp8())
    s = torch.rand(N, device=device, generator=gen) + 0.5
    w = torch.randn(S, H, device=device, generator=gen)
    i = torch.arange(S, device=device, dtype=torch.int32)
    ks = torch.zeros(S, dtype=torch.int32, device=device)
    if bounds == "full":
        ke = torch.full((S,), N, dtype=torch.int32, device=device)
    elif bounds == "offset_causal":  # ke[i] = N - S + i + 1
        ke = (N - S + 1 + i).to(torch.int32)
    else:  # "triangle": ke[i] = i + 1 (S == N)
        ke = (i + 1).to(torch.int32)
    seen = int((ke.long() - ks.long()).sum())
    return q, k, s, w, ks, ke, seen


def _mqa_setup(S, N, bounds, with_torch=True, config=None):
    def setup(device):
        q, k, s, w, ks, ke, seen = _mqa_inputs(device, S, N, bounds)
        out = torch.empty(S, N, device=device)
        if config is None:
            from opdispatch.ops.indexer import fp8_mqa_logits

            ours = lambda: fp8_mqa_logits(q, (k, s), w, ks, ke, out=out)  # noqa: E731
        else:
            from opdispatch.backends.triton import indexer as tri

            cfg = tri.MQA_LOGITS_CONFIGS[config]
            ours = lambda: tri.fp8_mqa_logits(q, k, s, w, ks, ke, out, True, config=cfg)  # noqa: E731
        peers = {}
        dg = _deep_gemm()
        if dg is not None and hasattr(dg, "fp8_mqa_logits"):
            peers["deep_gemm"] = lambda: dg.fp8_mqa_logits(q, (k, s), w, ks, ke, clean_logits=True)
        return BenchSetup(
            ours=ours,
            torch_fn=torch_mqa_logits if with_torch else None,
            torch_args=(q, k, s, w, ks, ke),
            bytes=S * H * D + N * (D + 4) + S * H * 4 + 2 * S * 4 + S * N * 4,
            flops=2 * H * D * seen,
            peers=peers,
            note=f"{bounds}; {seen / (S * N):.3f} of the rectangle computed",
        )

    return setup


for _S, _N, _bounds, _torch in [(1024, 16384, "full", True), (1024, 16384, "offset_causal", True),
                                (16384, 16384, "full", False), (16384, 16384, "triangle", False)]:
    register_bench(BenchCase("fp8_mqa_logits", f"S={_S} H=64 D=128 N={_N} {_bounds}",
                             _mqa_setup(_S, _N, _bounds, _torch)))


# ----------------------------------------------------------------------------------- decode

def torch_paged_mqa_logits(q, values, scales, weights, context_lens, block_tables, max_model_len):
    """Plain PyTorch: gather every sequence's blocks, the formula in float32, then mask."""
    B, next_n, heads, dim = q.shape
    bs = values.shape[1]
    nblk = -(-max_model_len // bs)
    blocks = block_tables[:, :nblk].long()
    k = values[blocks].float().reshape(B, nblk * bs, dim)[:, :max_model_len]
    sc = scales[blocks].reshape(B, nblk * bs)[:, :max_model_len]
    scores = torch.einsum("bthd,bld->bthl", q.float(), k)
    logits = (scores.relu() * weights.view(B, next_n, heads, 1)).sum(2) * sc.unsqueeze(1)
    pos = torch.arange(max_model_len, device=q.device)
    visible = context_lens.view(B, 1).long() - next_n + 1 + torch.arange(next_n, device=q.device)
    return logits.masked_fill(pos >= visible.unsqueeze(-1), float("-inf")).view(B * next_n, max_model_len)


def _paged_inputs(device, B, next_n, ctx, block_size=64):
    gen = torch.Generator(device=device).manual_seed(0)
    blocks_per_seq = -(-ctx // block_size)
    nb = B * blocks_per_seq
    cache = torch.empty(nb, block_size, 1, D + 4, dtype=torch.uint8, device=device)
    values, scales = split_kv_cache(cache, D, _fp8())
    values.view(torch.uint8).copy_(torch.randn(nb, block_size, D, device=device, generator=gen).to(_fp8()).view(torch.uint8))
    scales.copy_(torch.rand(nb, block_size, device=device, generator=gen) + 0.5)
    tables = torch.randperm(nb, device=device, generator=gen).to(torch.int32).view(B, blocks_per_seq)
    q = torch.randn(B, next_n, H, D, device=device, generator=gen).to(_fp8())
    w = torch.randn(B * next_n, H, device=device, generator=gen)
    lens = torch.full((B,), ctx, dtype=torch.int32, device=device)
    return q, cache, values, scales, w, lens, tables


def _paged_setup(B, next_n, ctx, with_torch=True, config=None):
    def setup(device):
        q, cache, values, scales, w, lens, tables = _paged_inputs(device, B, next_n, ctx)
        out = torch.empty(B * next_n, ctx, device=device)
        if config is None:
            from opdispatch.ops.indexer import fp8_paged_mqa_logits

            ours = lambda: fp8_paged_mqa_logits(q, cache, w, lens, tables, ctx, out=out)  # noqa: E731
        else:
            from opdispatch.backends.triton import indexer as tri

            cfg = tri.PAGED_LOGITS_CONFIGS[config]
            ours = lambda: tri.fp8_paged_mqa_logits(q, cache, w, lens, tables, out, True, config=cfg)  # noqa: E731
        peers = {}
        dg = _deep_gemm()
        if dg is not None and hasattr(dg, "fp8_paged_mqa_logits"):
            lens2d = (lens.view(B, 1) - next_n + 1 + torch.arange(next_n, device=device)).to(torch.int32).contiguous()
            meta = dg.get_paged_mqa_logits_metadata(lens2d, 64, dg.get_num_sms())
            peers["deep_gemm"] = lambda: dg.fp8_paged_mqa_logits(q, cache, w, lens2d, tables, meta, ctx,
                                                                 clean_logits=False)
        return BenchSetup(
            ours=ours,
            torch_fn=torch_paged_mqa_logits if with_torch else None,
            torch_args=(q, values, scales, w, lens, tables, ctx),
            bytes=B * ctx * (D + 4) + B * next_n * (H * D + H * 4 + ctx * 4) + tables.numel() * 4,
            flops=2 * H * D * B * next_n * ctx,
            peers=peers,
        )

    return setup


register_bench(BenchCase("fp8_paged_mqa_logits", "B=64 next_n=1 H=64 D=128 ctx=65536 bs=64",
                         _paged_setup(64, 1, 65536)))
register_bench(BenchCase("fp8_paged_mqa_logits", "B=32 next_n=2 H=64 D=128 ctx=65536 bs=64",
                         _paged_setup(32, 2, 65536, with_torch=False)))


# ----------------------------------------------------------------------------------- cache write

def torch_k_quant_and_cache(k, values, scales, slots, fp8_max):
    """Plain PyTorch: per-token scale, quantise, scatter (no skipped slots in this case)."""
    kf = k.float()
    scale = kf.abs().amax(-1).clamp_min(1e-4) / fp8_max
    q = (kf / scale.unsqueeze(-1)).clamp(-fp8_max, fp8_max).to(values.dtype)
    bs = values.shape[1]
    values.view(torch.uint8)[slots // bs, slots % bs] = q.view(torch.uint8)
    scales[slots // bs, slots % bs] = scale


def _kq_setup(T):
    def setup(device):
        from opdispatch.dispatch import current_platform
        from opdispatch.ops.indexer import indexer_k_quant_and_cache

        bs = 64
        nb = -(-T // bs) * 2
        cache = torch.zeros(nb, bs, 1, D + 4, dtype=torch.uint8, device=device)
        values, scales = split_kv_cache(cache, D, _fp8())
        k = torch.randn(T, D, device=device, dtype=torch.bfloat16)
        slots = torch.randperm(nb * bs, device=device)[:T]
        return BenchSetup(
            ours=lambda: indexer_k_quant_and_cache(k, cache, slots),
            torch_fn=torch_k_quant_and_cache,
            torch_args=(k, values, scales, slots, current_platform().fp8_max),
            bytes=T * (2 * D + 8 + D + 4),
        )

    return setup


register_bench(BenchCase("indexer_k_quant_and_cache", "T=16384 D=128 bs=64", _kq_setup(16384)))


# ----------------------------------------------------------------------------------- logits + top-k

def _prefill_indexer_setup(S, N, topk):
    def setup(device):
        from opdispatch.ops.indexer import sparse_attn_indexer_prefill

        q, k, s, w, ks, ke, seen = _mqa_inputs(device, S, N, "offset_causal")
        out = torch.empty(S, topk, dtype=torch.int32, device=device)

        def torch_fn(q, k, s, w, ks, ke):
            return torch.topk(torch_mqa_logits(q, k, s, w, ks, ke), topk, dim=-1).indices

        return BenchSetup(
            ours=lambda: sparse_attn_indexer_prefill(q, (k, s), w, ks, ke, topk, out=out),
            torch_fn=torch_fn, torch_args=(q, k, s, w, ks, ke),
            bytes=S * H * D + N * (D + 4) + S * H * 4 + 2 * S * N * 4 + S * topk * 4,
            flops=2 * H * D * seen,
        )

    return setup


def _decode_indexer_setup(B, ctx, topk):
    def setup(device):
        from opdispatch.ops.indexer import sparse_attn_indexer_decode

        q, cache, values, scales, w, lens, tables = _paged_inputs(device, B, 1, ctx)
        out = torch.empty(B, topk, dtype=torch.int32, device=device)

        def torch_fn(q, values, scales, w, lens, tables):
            logits = torch_paged_mqa_logits(q, values, scales, w, lens, tables, ctx)
            return torch.topk(logits, topk, dim=-1).indices

        return BenchSetup(
            ours=lambda: sparse_attn_indexer_decode(q, cache, w, lens, tables, ctx, topk, out=out),
            torch_fn=torch_fn, torch_args=(q, values, scales, w, lens, tables),
            bytes=B * ctx * (D + 4) + 2 * B * ctx * 4 + B * topk * 4,
            flops=2 * H * D * B * ctx,
        )

    return setup


register_bench(BenchCase("sparse_attn_indexer_prefill", "S=4096 N=32768 offset-causal topk=2048",
                         _prefill_indexer_setup(4096, 32768, 2048)))
register_bench(BenchCase("sparse_attn_indexer_decode", "B=64 ctx=65536 topk=2048",
                         _decode_indexer_setup(64, 65536, 2048)))


# ----------------------------------------------------------------------------------- config sweep

def _register_sweep() -> None:
    from opdispatch.backends.triton.indexer import MQA_LOGITS_CONFIGS, PAGED_LOGITS_CONFIGS

    for name in MQA_LOGITS_CONFIGS:
        register_bench(BenchCase("fp8_mqa_logits", f"S=1024 N=16384 full cfg={name}",
                                 _mqa_setup(1024, 16384, "full", False, name), tags=("sweep",)))
        register_bench(BenchCase("fp8_mqa_logits", f"S=N=16384 triangle cfg={name}",
                                 _mqa_setup(16384, 16384, "triangle", False, name), tags=("sweep",)))
    for name in PAGED_LOGITS_CONFIGS:
        register_bench(BenchCase("fp8_paged_mqa_logits", f"B=64 ctx=65536 cfg={name}",
                                 _paged_setup(64, 1, 65536, False, name), tags=("sweep",)))


_register_sweep()
