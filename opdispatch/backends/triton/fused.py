"""Triton kernels and launchers for the fused DeepSeek-V4 ops (inverse RoPE + fp8 quant, MTP
input RMSNorm). Semantics: :mod:`opdispatch.backends.torch_ref.fused`.

Launchers take the kernel signature (validated inputs, preallocated outputs), compute the grid and
launch; they never read device data and allocate nothing, so they are CUDA-graph capturable.
Tile sizes come from the shape through a deterministic choice (no autotuning at call time, so
nothing compiles during capture); ``config=`` overrides it (benchmarks, tuning runs).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import triton
import triton.language as tl

from opdispatch.backends.torch_ref.fused import UE8M0_AMAX_FLOOR, padded_tokens
from opdispatch.backends.triton.fp8_math import abs_max, cast_rne, clamp_keep_nan

_AMAX_FLOOR = tl.constexpr(UE8M0_AMAX_FLOOR)  # globals used in kernels must be constexpr


@dataclass(frozen=True)
class TileConfig:
    block: int       # tokens per program (rope quant) / hidden values per tile (rmsnorm)
    num_warps: int
    head_fastest: bool = False   # rope quant: consecutive programs take consecutive heads


# ---------------------------------------------------------------------------------------------
# fused_inv_rope_fp8_quant
# ---------------------------------------------------------------------------------------------

@triton.jit
def _inv_rope_fp8_quant_kernel(
    p_o, p_pos, p_cache, p_q, p_s,
    num_tokens, padded_num_tokens,
    stride_o_t, stride_o_h,      # o [T, heads, D], unit stride along D
    stride_cache,                # cos_sin_cache [max_pos, rope_dim], unit stride along rope_dim
    stride_q_g, stride_q_t,      # o_fp8 [G, T, heads_per_group * D], unit stride along the last
    stride_s_g, stride_s_k,      # scales [G, K or K/4, T_pad] in scale elements, unit token stride
    fp8_max, num_heads, num_token_blocks,
    HEADS_PER_GROUP: tl.constexpr, HEAD_DIM: tl.constexpr, ROPE_DIM: tl.constexpr,
    QUANT_GROUP: tl.constexpr, PACKED: tl.constexpr,
    EMULATE_RNE: tl.constexpr, BLOCK_T: tl.constexpr, HEAD_FASTEST: tl.constexpr,
):
    # One program: BLOCK_T tokens x one head (HEAD_DIM / QUANT_GROUP quant chunks). The rope part
    # lies inside the head's last chunk (checked by the op).
    CHUNKS: tl.constexpr = HEAD_DIM // QUANT_GROUP
    ROPE_START: tl.constexpr = QUANT_GROUP - ROPE_DIM     # rope offset inside the last chunk
    GROUP_CHUNKS: tl.constexpr = HEADS_PER_GROUP * CHUNKS  # scale columns per group (K)

    # A 1-D grid (no 65535 limit on either count). HEAD_FASTEST: programs next in launch order
    # read neighbouring 1 KiB head slices of the same tokens (DRAM page locality); else they
    # walk the tokens of one head.
    pid = tl.program_id(0).to(tl.int64)
    if HEAD_FASTEST:
        head = pid % num_heads
        pid_t = pid // num_heads
    else:
        pid_t = pid % num_token_blocks
        head = pid // num_token_blocks
    g = head // HEADS_PER_GROUP
    h_in_g = head % HEADS_PER_GROUP

    o_t = pid_t * BLOCK_T + tl.arange(0, BLOCK_T)          # int64 token indices
    m_t = o_t < num_tokens
    m_t_pad = o_t < padded_num_tokens
    o_c = tl.arange(0, QUANT_GROUP)
    p_x_row = p_o + o_t[:, None] * stride_o_t + head * stride_o_h
    p_q_row = p_q + g * stride_q_g + o_t[:, None] * stride_q_t + h_in_g * HEAD_DIM

    for c in tl.static_range(CHUNKS):
        p_x = p_x_row + c * QUANT_GROUP + o_c[None, :]
        b_x = tl.load(p_x, mask=m_t[:, None], other=0.0).to(tl.float32)
        if c == CHUNKS - 1:
            # Inverse RoPE over interleaved pairs: each value needs its partner (index ^ 1) and
            # the pair's cos/sin. ROPE_START is even, so chunk-local parity is pair parity.
            o_r = o_c - ROPE_START
            m_r = m_t[:, None] & (o_r >= 0)[None, :]
            b_xp = tl.load(p_x_row + c * QUANT_GROUP + (o_c ^ 1)[None, :], mask=m_r,
                           other=0.0).to(tl.float32)
            b_pos = tl.load(p_pos + o_t, mask=m_t, other=0).to(tl.int64)
            p_cos = p_cache + b_pos[:, None] * stride_cache + (tl.maximum(o_r, 0) // 2)[None, :]
            b_cos = tl.load(p_cos, mask=m_r, other=1.0)
            b_sin = tl.load(p_cos + ROPE_DIM // 2, mask=m_r, other=0.0)
            is_even = ((o_c % 2) == 0)[None, :]
            b_rot = tl.where(is_even, b_x * b_cos + b_xp * b_sin, b_x * b_cos - b_xp * b_sin)
            b_x = tl.where(m_r, b_rot, b_x)

        # ue8m0 scale, exact: y = max(amax, floor) / fp8_max (IEEE division, as the reference),
        # ceil(log2 y) read off the float32 bits; s and 1/s are built from bits, so x * (1/s) is
        # exact and equals the reference's x / s. amax is a max over the bit patterns of |x|
        # (a float max drops NaN); a NaN or inf chunk gets byte 255 and 1/s = NaN or 0, so its
        # codes are NaN, or 0 with NaN at the inf, as the reference's x / s.
        b_amax = abs_max(b_x, 1)
        b_y = tl.math.div_rn(tl.maximum(b_amax, _AMAX_FLOOR, propagate_nan=tl.PropagateNan.ALL),
                             fp8_max)
        b_bits = b_y.to(tl.int32, bitcast=True)
        b_bexp = (b_bits >> 23) & 0xFF
        b_special = b_bexp == 0xFF
        b_exp = tl.where(b_special, 0xFF, b_bexp + ((b_bits & 0x7FFFFF) != 0).to(tl.int32))
        b_inv_s = tl.where(b_special, tl.where(b_amax != b_amax, float("nan"), 0.0),
                           ((254 - b_exp) << 23).to(tl.float32, bitcast=True))
        b_q = clamp_keep_nan(b_x * b_inv_s[:, None], fp8_max)
        # (the interpreter's fp8 cast is wrong: EMULATE_RNE; GPUs cast with RNE natively)
        tl.store(p_q_row + c * QUANT_GROUP + o_c[None, :],
                 cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_t[:, None])

        col = h_in_g * CHUNKS + c                            # scale column inside the group
        if PACKED:
            # p_s is the byte view of the int32 words: byte (col % 4) of word (col // 4).
            b_byte = tl.where(m_t, b_exp, 0).to(tl.uint8)
            p_b = p_s + (g * stride_s_g + (col // 4) * stride_s_k + o_t) * 4 + col % 4
            tl.store(p_b, b_byte, mask=m_t_pad)
        else:
            b_s = tl.where(b_amax != b_amax, float("nan"), (b_exp << 23).to(tl.float32, bitcast=True))
            b_s = tl.where(m_t, b_s, 0.0)
            tl.store(p_s + g * stride_s_g + col * stride_s_k + o_t, b_s, mask=m_t_pad)

    if PACKED:
        if GROUP_CHUNKS % 4 != 0:
            # The last word of each group has unused bytes: the group's last head zeroes them.
            if h_in_g == HEADS_PER_GROUP - 1:
                for extra in tl.static_range(GROUP_CHUNKS % 4, 4):
                    p_b = p_s + (g * stride_s_g + (GROUP_CHUNKS // 4) * stride_s_k + o_t) * 4 + extra
                    tl.store(p_b, tl.zeros([BLOCK_T], dtype=tl.uint8), mask=m_t_pad)


def rope_quant_config(num_tokens: int) -> TileConfig:
    """Tokens per program from T (deterministic). 2 warps: measured on the H100 (2026-11-22,
    peers of one ``opdispatch bench`` run, CUDA-graph us) at T=8192, 64 heads x 512, 8 tokens
    x 2 warps takes 296.4 us against 344.2 for 8 x 4 (the previous default) and 323.0 for 4 x 2;
    launching heads fastest instead of tokens changed nothing (297.5). Below T = 256, 4 tokens
    per program so that the grid still has several programs per SM."""
    if num_tokens >= 256:
        return TileConfig(block=8, num_warps=2)
    return TileConfig(block=4, num_warps=2)


def fused_inv_rope_fp8_quant(o: torch.Tensor, positions: torch.Tensor,
                             cos_sin_cache: torch.Tensor, o_fp8: torch.Tensor,
                             scales: torch.Tensor, n_groups: int, heads_per_group: int,
                             nope_dim: int, rope_dim: int, quant_group_size: int,
                             fp8_max: float, tma_aligned_scales: bool,
                             config: TileConfig | None = None) -> None:
    """Launcher (kernel signature; see the torch_ref module for shapes)."""
    num_tokens, num_heads, head_dim = o.shape
    t_pad = padded_tokens(num_tokens)
    if t_pad == 0:
        return
    cfg = config or rope_quant_config(num_tokens)
    # Packed scales are written byte by byte through a uint8 view of the int32 words (GPUs and
    # the interpreter's host are little-endian: byte b of a word is bits 8b..8b+7).
    p_s = scales.view(torch.uint8) if tma_aligned_scales else scales
    token_blocks = triton.cdiv(t_pad, cfg.block)
    grid = (token_blocks * num_heads,)
    _inv_rope_fp8_quant_kernel[grid](
        o, positions, cos_sin_cache, o_fp8, p_s,
        num_tokens, t_pad,
        o.stride(0), o.stride(1),
        cos_sin_cache.stride(0),
        o_fp8.stride(0), o_fp8.stride(1),
        scales.stride(0), scales.stride(1),
        float(fp8_max), num_heads, token_blocks,
        HEADS_PER_GROUP=heads_per_group, HEAD_DIM=head_dim, ROPE_DIM=rope_dim,
        QUANT_GROUP=quant_group_size, PACKED=tma_aligned_scales,
        # CPU tensors only ever run through the interpreter, whose fp8 cast needs the emulation
        EMULATE_RNE=o.device.type == "cpu", BLOCK_T=cfg.block, HEAD_FASTEST=cfg.head_fastest,
        num_warps=cfg.num_warps,
    )


# ---------------------------------------------------------------------------------------------
# fused_mtp_input_rmsnorm
# ---------------------------------------------------------------------------------------------

@triton.jit
def _mtp_input_rmsnorm_kernel(
    p_emb, p_pos, p_prev, p_ew, p_hw, p_eout, p_hout,
    hidden, eps,
    stride_emb_t, stride_prev_t, stride_prev_r,
    stride_eout_t, stride_hout_t, stride_hout_r,
    ROWS: tl.constexpr, BLOCK_H: tl.constexpr, SINGLE_TILE: tl.constexpr,
):
    # One program per row, T * (hc_mult + 1) of them in one launch: row 0 of a token is its
    # embedding, rows 1.. its hidden streams. A token's rows are consecutive programs, so the
    # streams (adjacent in memory) are read in address order.
    pid = tl.program_id(0).to(tl.int64)
    t = pid // ROWS
    r = pid % ROWS
    if r == 0:
        p_x = p_emb + t * stride_emb_t
        p_w = p_ew
        p_y = p_eout + t * stride_eout_t
    else:
        p_x = p_prev + t * stride_prev_t + (r - 1) * stride_prev_r
        p_w = p_hw
        p_y = p_hout + t * stride_hout_t + (r - 1) * stride_hout_r
    # The embedding of a token at position 0 reads as zero: its loads cover no element (not even
    # fetched). (A bound rather than `mask & scalar`: the interpreter mistypes that broadcast.)
    keep = (r > 0) | (tl.load(p_pos + t) != 0)
    load_end = tl.where(keep, hidden, 0)

    o_h = tl.arange(0, BLOCK_H)
    if SINGLE_TILE:
        # The whole row stays in registers: one read, one write.
        m_h = o_h < hidden
        b_x = tl.load(p_x + o_h, mask=o_h < load_end, other=0.0).to(tl.float32)
        b_inv_rms = tl.math.rsqrt(tl.sum(b_x * b_x, axis=0) / hidden + eps)
        b_w = tl.load(p_w + o_h, mask=m_h, other=0.0).to(tl.float32)
        tl.store(p_y + o_h, (b_x * b_inv_rms * b_w).to(p_y.dtype.element_ty), mask=m_h)
    else:
        # Rows too wide for registers: sum of squares, then a second pass (re-reads from L2).
        b_acc = tl.zeros([BLOCK_H], dtype=tl.float32)
        for h0 in range(0, hidden, BLOCK_H):
            m_h = (h0 + o_h) < hidden
            b_x = tl.load(p_x + h0 + o_h, mask=(h0 + o_h) < load_end, other=0.0).to(tl.float32)
            b_acc += b_x * b_x
        b_inv_rms = tl.math.rsqrt(tl.sum(b_acc, axis=0) / hidden + eps)
        for h0 in range(0, hidden, BLOCK_H):
            m_h = (h0 + o_h) < hidden
            b_x = tl.load(p_x + h0 + o_h, mask=(h0 + o_h) < load_end, other=0.0).to(tl.float32)
            b_w = tl.load(p_w + h0 + o_h, mask=m_h, other=0.0).to(tl.float32)
            tl.store(p_y + h0 + o_h, (b_x * b_inv_rms * b_w).to(p_y.dtype.element_ty), mask=m_h)


MAX_SINGLE_TILE = 16384  # widest row kept in registers (16 warps x 32 lanes x 32 values)


def rmsnorm_config(hidden: int) -> TileConfig:
    """Tile from H (deterministic). H100: H=7168 -> one 8192 tile, 8 warps (32 values/thread)."""
    block = triton.next_power_of_2(hidden)
    if block > MAX_SINGLE_TILE:
        return TileConfig(block=4096, num_warps=8)
    return TileConfig(block=block, num_warps=max(1, min(16, block // 1024)))


def fused_mtp_input_rmsnorm(inputs_embeds: torch.Tensor, positions: torch.Tensor,
                            previous_hidden_states: torch.Tensor, enorm_weight: torch.Tensor,
                            hnorm_weight: torch.Tensor, enorm_out: torch.Tensor,
                            hnorm_out: torch.Tensor, eps: float, hc_mult: int,
                            config: TileConfig | None = None) -> None:
    """Launcher (kernel signature; see the torch_ref module for shapes)."""
    num_tokens, hidden = inputs_embeds.shape
    if num_tokens == 0:
        return
    cfg = config or rmsnorm_config(hidden)
    single = cfg.block >= hidden
    grid = (num_tokens * (hc_mult + 1),)
    _mtp_input_rmsnorm_kernel[grid](
        inputs_embeds, positions, previous_hidden_states, enorm_weight, hnorm_weight,
        enorm_out, hnorm_out,
        hidden, float(eps),
        inputs_embeds.stride(0), previous_hidden_states.stride(0), previous_hidden_states.stride(1),
        enorm_out.stride(0), hnorm_out.stride(0), hnorm_out.stride(1),
        ROWS=hc_mult + 1, BLOCK_H=cfg.block, SINGLE_TILE=single,
        num_warps=cfg.num_warps,
    )
