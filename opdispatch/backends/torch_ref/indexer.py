"""Sparse-attention indexer (DeepSeek V3.2/V4 "lightning indexer") in plain PyTorch.

The semantics of the indexer family, one function per op, each with the op's kernel signature
(outputs preallocated, written in place, returns None). Float32 math throughout; every function
is chunked so that it never holds S x H x N floats at once.

Shapes: S query rows, H indexer heads, D head dim, N keys.

    logits[i, j] = sum_h weights[i, h] * relu(q[i, h, :] . k[j, :]) * k_scale[j]

Paged KV cache layout (DeepGEMM's): ``kv_cache`` is uint8 ``[num_blocks, block_size, 1, D + 4]``,
but the bytes of one block are ``block_size * D`` fp8 values, token-major, followed by
``block_size`` float32 scales. Only the block stride (``kv_cache.stride(0)``) may differ from
``block_size * (D + 4)``.
"""

from __future__ import annotations

import torch

# Work-set ceiling for the reference's float32 temporaries ([rows, H, cols] scores). Keeps the
# reference usable on DeepSeek-sized inputs (S=16384, N=16384 would otherwise need 64 GiB).
REF_CHUNK_BYTES = 256 * 1024 * 1024


def split_kv_cache(kv_cache: torch.Tensor, head_dim: int, fp8_dtype: torch.dtype):
    """Zero-copy views of the paged cache: fp8 values ``[nb, bs, D]`` and float32 scales ``[nb, bs]``."""
    num_blocks, block_size = kv_cache.shape[0], kv_cache.shape[1]
    block_stride = kv_cache.stride(0)
    base = kv_cache.storage_offset()
    values = kv_cache.as_strided((num_blocks, block_size, head_dim), (block_stride, head_dim, 1), base)
    scale_bytes = kv_cache.as_strided(
        (num_blocks, block_size, 4), (block_stride, 4, 1), base + block_size * head_dim
    )
    return values.view(fp8_dtype), scale_bytes.view(torch.float32).squeeze(-1)


def _rows_per_chunk(heads: int, cols: int) -> int:
    return max(1, REF_CHUNK_BYTES // (4 * max(1, heads) * max(1, cols)))


def _weighted_relu_scores(q32: torch.Tensor, k32: torch.Tensor, w32: torch.Tensor) -> torch.Tensor:
    """q32 [r, H, D], k32 [c, D], w32 [r, H] -> [r, c] = sum_h w * relu(q . k)."""
    scores = torch.einsum("rhd,cd->rhc", q32, k32)
    return (scores.clamp_min_(0) * w32.unsqueeze(-1)).sum(dim=1)


def fp8_mqa_logits(
    q: torch.Tensor,
    k: torch.Tensor,
    k_scale: torch.Tensor,
    weights: torch.Tensor,
    cu_seqlen_ks: torch.Tensor,
    cu_seqlen_ke: torch.Tensor,
    out: torch.Tensor,
    clean_logits: bool,
) -> None:
    """q fp8 [S, H, D]; k fp8 [N, D]; k_scale f32 [N]; weights f32 [S, H]; ks, ke int32 [S];
    out f32 [S, N]. Positions outside [ks[i], ke[i]) get -inf when ``clean_logits``; otherwise
    they hold the unmasked formula (callers must treat them as unspecified)."""
    S, H, _ = q.shape
    N = k.shape[0]
    if S == 0 or N == 0:
        return
    k32 = k.float()
    scale32 = k_scale.float()
    cols = torch.arange(N, device=q.device)
    step = _rows_per_chunk(H, N)
    for r0 in range(0, S, step):
        r1 = min(S, r0 + step)
        logits = _weighted_relu_scores(q[r0:r1].float(), k32, weights[r0:r1].float()) * scale32
        if clean_logits:
            ks = cu_seqlen_ks[r0:r1].long().unsqueeze(1)
            ke = cu_seqlen_ke[r0:r1].long().unsqueeze(1)
            logits = logits.masked_fill((cols < ks) | (cols >= ke), float("-inf"))
        out[r0:r1].copy_(logits)


def paged_visible_len(context_lens: torch.Tensor, next_n: int) -> torch.Tensor:
    """Tokens visible to row ``b * next_n + t``: ``context_lens[b] - next_n + t + 1`` (may be <= 0)."""
    offsets = torch.arange(next_n, device=context_lens.device, dtype=torch.int64)
    return (context_lens.long().unsqueeze(1) - next_n + 1 + offsets).reshape(-1)


def fp8_paged_mqa_logits(
    q: torch.Tensor,
    kv_cache: torch.Tensor,
    weights: torch.Tensor,
    context_lens: torch.Tensor,
    block_tables: torch.Tensor,
    out: torch.Tensor,
    clean_logits: bool,
) -> None:
    """q fp8 [B, next_n, H, D]; kv_cache uint8 [nb, bs, 1, D + 4]; weights f32 [B * next_n, H];
    context_lens int32 [B]; block_tables int32 [B, max_blocks]; out f32 [B * next_n, max_model_len].

    Row ``b * next_n + t`` sees tokens ``j < context_lens[b] - next_n + t + 1``; token j lives in
    block ``block_tables[b, j // bs]``, slot ``j % bs``. Invisible positions get -inf when
    ``clean_logits`` (otherwise they are unspecified; this reference writes -inf anyway, because
    it never reads blocks past the context)."""
    B, next_n, H, D = q.shape
    max_model_len = out.shape[1]
    if B == 0 or max_model_len == 0:
        return
    values, scales = split_kv_cache(kv_cache, D, q.dtype)
    block_size = values.shape[1]
    max_blocks = block_tables.shape[1]
    visible = paged_visible_len(context_lens, next_n).view(B, next_n)
    # Token chunk: a multiple of the block size, sized so that [next_n, H, chunk] floats fit.
    chunk_blocks = max(1, REF_CHUNK_BYTES // (4 * next_n * H * block_size))
    for b in range(B):
        q32 = q[b].float()  # [next_n, H, D]
        w32 = weights[b * next_n:(b + 1) * next_n].float()
        row_out = out[b * next_n:(b + 1) * next_n]
        row_out.fill_(float("-inf"))
        ctx_b = context_lens[b].long()
        for blk0 in range(0, max_blocks, chunk_blocks):
            blk1 = min(max_blocks, blk0 + chunk_blocks)
            j0 = blk0 * block_size
            if j0 >= max_model_len:
                break
            cols = torch.arange(j0, blk1 * block_size, device=q.device)
            # Entries past the context may be garbage (padding): never dereference them.
            needed = torch.arange(blk0, blk1, device=q.device) * block_size < ctx_b
            block_ids = torch.where(needed, block_tables[b, blk0:blk1].long(), 0)
            k32 = values[block_ids].float().reshape(-1, D)
            s32 = scales[block_ids].reshape(-1)
            logits = _weighted_relu_scores(q32, k32, w32) * s32  # [next_n, cols]
            logits = logits.masked_fill(cols.unsqueeze(0) >= visible[b].unsqueeze(1), float("-inf"))
            width = min(cols.numel(), max_model_len - j0)
            row_out[:, j0:j0 + width].copy_(logits[:, :width])


def quantize_k_rows(k: torch.Tensor, fp8_dtype: torch.dtype, fp8_max: float, use_ue8m0: bool):
    """One scale per row: ``max(amax, 1e-4) / fp8_max``, rounded up to a power of two for ue8m0.
    Returns (fp8 values [T, D], float32 scales [T]).

    NaN and inf propagate: a NaN in the row makes amax, the scale and every code NaN; an inf
    (and no NaN) makes amax and the scale inf, so finite values give (signed) zero codes and the
    inf itself ``inf / inf`` = NaN. ue8m0 leaves a NaN or inf scale as it is. A NaN code is stored
    as the format's one canonical NaN byte (0x7F for e4m3fn, 0x80 for e4m3fnuz) whatever the sign
    bit of the float NaN (``inf / inf`` is a negative NaN on x86, which would otherwise give 0xFF).
    """
    k32 = k.float()
    # amax and clamp_min both propagate NaN.
    scale = k32.abs().amax(dim=-1).clamp_min(1e-4) / fp8_max
    if use_ue8m0:
        # Round up to a power of two exactly: frexp gives scale = m * 2^e with m in [0.5, 1);
        # m == 0.5 is already a power of two. (exp2(ceil(log2(x))) misses values just above one.)
        # frexp of NaN or inf has no meaningful exponent: those scales are kept as they are.
        mantissa, exponent = torch.frexp(scale)
        pow2 = torch.ldexp(torch.ones_like(scale), torch.where(mantissa == 0.5, exponent - 1, exponent))
        scale = torch.where(torch.isfinite(scale), pow2, scale)
    # clamp propagates NaN (x / NaN, inf / inf): those codes stay NaN, with a positive sign.
    values = (k32 / scale.unsqueeze(-1)).clamp(-fp8_max, fp8_max)
    values = values.masked_fill(torch.isnan(values), float("nan"))
    return values.to(fp8_dtype), scale


def indexer_k_quant_and_cache(
    k: torch.Tensor,
    kv_cache: torch.Tensor,
    slot_mapping: torch.Tensor,
    use_ue8m0: bool,
    fp8_is_fnuz: bool,
) -> None:
    """k bf16/f16/f32 [T, D]; kv_cache uint8 [nb, bs, 1, D + 4] (mutated); slot_mapping int64 [T]
    (-1 = skip). Token t goes to block ``slot // bs``, slot ``slot % bs``.

    Per token: ``amax = max |k_t|`` (NaN-propagating: a NaN anywhere gives NaN, an inf gives inf),
    ``scale = max(amax, 1e-4) / fp8_max`` (NaN-propagating max; ue8m0: rounded up to a power of
    two, NaN and inf kept), codes ``clamp(k_t / scale, -fp8_max, fp8_max)`` (NaN-propagating,
    round half to even). So a NaN token stores a NaN scale and all-NaN codes; an inf token stores
    an inf scale, zero codes for its finite values and NaN at the inf. NaN codes are the format's
    NaN byte (0x7F e4m3fn, 0x80 e4m3fnuz); the float32 scale is stored as computed."""
    T, D = k.shape
    if T == 0:
        return
    fp8_dtype = torch.float8_e4m3fnuz if fp8_is_fnuz else torch.float8_e4m3fn
    fp8_max = 224.0 if fp8_is_fnuz else 448.0
    values, scales = split_kv_cache(kv_cache, D, fp8_dtype)
    block_size = values.shape[1]
    q8, scale = quantize_k_rows(k, fp8_dtype, fp8_max, use_ue8m0)
    keep = slot_mapping >= 0
    # Boolean indexing syncs with the device. Accepted in the reference only: a sync-free scatter
    # that skips tokens needs a dummy destination the cache does not have. The Triton provider
    # never syncs.
    slots = slot_mapping[keep].long()
    blocks, offs = slots // block_size, slots % block_size
    # fp8 index_put is not implemented everywhere: write the bytes.
    values.view(torch.uint8)[blocks, offs] = q8[keep].view(torch.uint8)
    scales[blocks, offs] = scale[keep]


def topk_local(logits: torch.Tensor, starts: torch.Tensor, topk: int, out: torch.Tensor) -> None:
    """Top-k column indices per row of masked logits (-inf = excluded), minus ``starts``; -1 where
    a row has fewer than ``topk`` finite entries. out int32 [rows, topk]."""
    rows, cols = logits.shape
    take = min(topk, cols)
    out.fill_(-1)
    if rows == 0 or take == 0:
        return
    vals, idx = torch.topk(logits, take, dim=-1)
    local = (idx - starts.long().unsqueeze(1)).to(torch.int32)
    out[:, :take].copy_(torch.where(torch.isfinite(vals), local, -1))


def sparse_attn_indexer_prefill(
    q: torch.Tensor,
    k: torch.Tensor,
    k_scale: torch.Tensor,
    weights: torch.Tensor,
    cu_seqlen_ks: torch.Tensor,
    cu_seqlen_ke: torch.Tensor,
    topk: int,
    out: torch.Tensor,
) -> None:
    """Logits (clean) then top-k per row, indices relative to ks; out int32 [S, topk]."""
    S, H, _ = q.shape
    N = k.shape[0]
    if S == 0:
        return
    step = max(1, REF_CHUNK_BYTES // (4 * max(1, N)))
    for r0 in range(0, S, step):
        r1 = min(S, r0 + step)
        logits = torch.empty((r1 - r0, N), dtype=torch.float32, device=q.device)
        fp8_mqa_logits(q[r0:r1], k, k_scale, weights[r0:r1], cu_seqlen_ks[r0:r1], cu_seqlen_ke[r0:r1],
                       logits, True)
        topk_local(logits, cu_seqlen_ks[r0:r1], topk, out[r0:r1])


def sparse_attn_indexer_decode(
    q: torch.Tensor,
    kv_cache: torch.Tensor,
    weights: torch.Tensor,
    context_lens: torch.Tensor,
    block_tables: torch.Tensor,
    max_model_len: int,
    topk: int,
    out: torch.Tensor,
) -> None:
    """Paged logits (clean) then top-k per row, token positions from 0; out int32 [B * next_n, topk]."""
    B, next_n = q.shape[0], q.shape[1]
    rows = B * next_n
    if rows == 0:
        return
    logits = torch.empty((rows, max_model_len), dtype=torch.float32, device=q.device)
    fp8_paged_mqa_logits(q, kv_cache, weights, context_lens, block_tables, logits, True)
    topk_local(logits, torch.zeros(rows, dtype=torch.int32, device=q.device), topk, out)
