"""FP8 quantization in Triton: kernels and their launchers (portable: NVIDIA and AMD).

Semantics: :mod:`opdispatch.backends.torch_ref.quant` (formulas and scale layouts). Each
launcher has its op's kernel signature (validated inputs, preallocated outputs, returns None)
plus an optional ``config`` for tuning; without it the config is a pure function of the shape
(no autotuning: nothing compiles during CUDA-graph capture once a shape has been seen).

Two kernels:

- ``_group_quant_kernel``: per-token-group quantization, optionally fused with SiLU-mul and/or
  packing the ue8m0 exponents. Work is a flat list of *slots* (row, group); a program takes
  ``BLOCK_G`` consecutive slots, that is ``BLOCK_G`` rows of ``GROUP`` contiguous elements
  (16-byte vector loads when the row stride is a multiple of 8 elements). Rows may sit in a
  ``[B, M]`` batch with arbitrary strides; the scale strides give the layout (row-major,
  column-major, TMA-aligned) so one kernel writes them all.
- ``_scaled_quant_kernel``: per-tensor (static or dynamic) and dynamic per-token quantization.
  Dynamic per-tensor needs the global amax first: ``_absmax_kernel`` folds every tile's amax
  into one int32 with ``atomic_max`` on the float bits (non-negative floats order like their
  bit patterns), then the quant kernel reads it. Two launches and a 4-byte memset, no host
  sync. Inputs of at most ``ONE_PROGRAM_MAX_ELEMS`` elements (decode sizes) instead run one
  program that takes the amax over the whole input, then writes the codes: one launch, no
  memset (``ScaledQuantConfig.one_program``).

Offsets: slot and row *indices* are int32 (``SLOT64`` switches slots to int64 past 2**31), and
every memory offset (index times stride) is int64, so inputs past 2**31 elements are fine.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import triton
import triton.language as tl
from triton.runtime.jit import JITFunction

from opdispatch.backends.torch_ref.quant import align, min_dynamic_scale
from opdispatch.backends.triton.fp8_math import abs_max, cast_rne, ceil_pow2, clamp_keep_nan

__all__ = [
    "GroupQuantConfig",
    "ScaledQuantConfig",
    "pick_group_config",
    "pick_scaled_config",
    "per_token_group_quant_fp8",
    "per_token_group_quant_fp8_packed",
    "silu_mul_per_token_group_quant_fp8",
    "scaled_fp8_quant",
]

_INT32_LIMIT = 2**31
# Programs to aim for before tiles grow: about 4 per SM of a 132-SM H100 (enough to hide
# latency at decode sizes without making tiles tiny at prefill sizes).
_TARGET_PROGRAMS = 512
# Group quant: elements per program at most, 4 warps there (16 per thread). Measured on the
# H100 (2026-11-22, peers of one `opdispatch bench` run): SiLU-mul 16384x(2x4096) g128 takes
# 118.7 us at 16 groups x 4 warps against 121.6 at 64 x 8 (the tile before) and 141.3 at
# 128 x 8; group quant 16384x7168 g128 121.4 against 122.0 (equal within noise).
_GROUP_TILE = 2048
_GROUP_TILE_WARPS = 4
# Scaled quant: elements per program at most (16 KB of bf16; 32 per thread with 8 warps).
_SCALED_TILE = 8192
_MODE_CODES = {"static": 0, "per_tensor": 1, "per_token": 2}
# fp8_max -> min_dynamic_scale(fp8_max): computing it builds a tensor, too slow for every call
_MIN_SCALE: dict[float, float] = {}


# Host-side integer helpers: triton.cdiv / triton.next_power_of_2 are constexpr functions in
# recent Triton, whose call wrapper costs microseconds on every launch.
def _cdiv(a: int, b: int) -> int:
    return -(-a // b)


def _next_pow2(n: int) -> int:
    return 1 << (max(n, 1) - 1).bit_length()


def _prev_pow2(n: int) -> int:
    return 1 << (max(n, 1).bit_length() - 1)


@dataclass(frozen=True)
class GroupQuantConfig:
    """``block_g``: groups per program (a power of two; >= 4 when packing);
    ``num_warps``; ``exact_div``: quantize with a correctly rounded ``x / s`` instead of
    ``x * (1 / s)`` (bit-identical to torch_ref, more ALU work; equal under ue8m0)."""

    block_g: int
    num_warps: int
    exact_div: bool = False


@dataclass(frozen=True)
class ScaledQuantConfig:
    """Tile ``[block_m, block_k]`` (powers of two), ``num_warps``, ``exact_div`` (as above).
    Per-token mode loops over K in ``block_k`` chunks (two passes) when K > block_k."""

    block_m: int
    block_k: int
    num_warps: int
    exact_div: bool = False
    one_program: bool = False  # dynamic per tensor only: one program does both passes


# Dynamic per-tensor inputs up to this many elements run as one program (one launch instead of a
# memset and two kernels: the launches dominate at decode sizes). At 32768 elements (64 KB of
# bf16) one SM reads the input twice in about the time of one extra launch.
ONE_PROGRAM_MAX_ELEMS = 32768
# Above that, up to this many tiles: per-tile maxima reduced by each quant program instead of a
# memset and an atomic max (two launches, not three). Every quant program reads them all, so the
# count stays small: 128 tiles of 8 x 1024 is 1M elements.
MAX_PARTIALS = 128


def pick_group_config(n_slots: int, group_size: int, packed: bool = False) -> GroupQuantConfig:
    """The default tile for ``n_slots`` (row, group) pairs: the largest ``block_g`` that still
    gives ~``_TARGET_PROGRAMS`` programs, capped at ``_GROUP_TILE`` elements per program (16
    groups of 128, 4 warps: 16 elements, two 16-byte bf16 vectors, per thread); below the cap
    one warp per 256 elements. A group wider than the cap gets a program and 8 warps alone."""
    group_p2 = _next_pow2(group_size)
    min_g = 4 if packed else 1
    max_g = max(min_g, _GROUP_TILE // group_p2)
    block_g = min(max(_prev_pow2(n_slots // _TARGET_PROGRAMS), min_g), max_g)
    tile = block_g * group_p2
    num_warps = min(_GROUP_TILE_WARPS, max(1, tile // 256)) if tile <= _GROUP_TILE else 8
    return GroupQuantConfig(block_g=block_g, num_warps=num_warps)


def pick_scaled_config(n_rows: int, n_cols: int, mode: str) -> ScaledQuantConfig:
    """The default tile of ``scaled_fp8_quant``: per-token mode keeps a whole row in registers
    up to 8192 columns (one read of x); the elementwise modes use 1024-column tiles."""
    k_p2 = _next_pow2(n_cols)
    m_p2 = _next_pow2(n_rows)
    block_k = min(k_p2, _SCALED_TILE if mode == "per_token" else 1024)
    block_m = max(1, min(m_p2, _SCALED_TILE // block_k))
    if mode == "per_token":
        block_m = min(block_m, 64)
    num_warps = min(8, max(1, block_m * block_k // 256))
    one_program = mode == "per_tensor" and n_rows * n_cols <= ONE_PROGRAM_MAX_ELEMS
    if one_program:   # one program does everything: the widest tile, the fewest loop trips
        block_k = min(k_p2, _SCALED_TILE)
        block_m = max(1, min(m_p2, _SCALED_TILE // block_k))
        num_warps = 8
    return ScaledQuantConfig(block_m=block_m, block_k=block_k, num_warps=num_warps,
                             one_program=one_program)


@triton.jit
def _dynamic_scale(b_amax, fp8_max, min_scale):
    """``max(amax / fp8_max, min_scale)`` (IEEE division), NaN-propagating: a NaN in x gives a
    NaN scale, as in torch_ref."""
    b_s = tl.math.div_rn(b_amax, tl.zeros_like(b_amax) + fp8_max)
    return tl.maximum(b_s, min_scale, propagate_nan=tl.PropagateNan.ALL)


@triton.jit
def _quantize(b_y, b_s, fp8_max, EXACT_DIV: tl.constexpr):
    """clamp(b_y / b_s, -fp8_max, fp8_max) in float32 (b_s broadcasts against b_y)."""
    if EXACT_DIV:
        b_q = tl.math.div_rn(b_y, b_s)
    else:
        # One correctly rounded reciprocal per scale, then a multiply per element: within one
        # float32 ulp of x / s (exact when s is a power of two), far cheaper than a division.
        b_q = b_y * tl.math.div_rn(tl.zeros_like(b_s) + 1.0, b_s)
    # a NaN input (or scale) gives a NaN code, as in torch_ref, not a silent +-fp8_max
    return clamp_keep_nan(b_q, fp8_max)


@triton.jit
def _group_quant_kernel(
    p_x, p_q, p_s,
    n_rows, rows_per_batch, n_groups, slots_per_row, up_offset,
    stride_xb, stride_xm, stride_qb, stride_qm, stride_sb, stride_sm, stride_sg,
    eps, fp8_max,
    GROUP: tl.constexpr, GROUP_P2: tl.constexpr, BLOCK_G: tl.constexpr,
    USE_UE8M0: tl.constexpr, PACK_UE8M0: tl.constexpr, FUSE_SILU_MUL: tl.constexpr,
    EXACT_DIV: tl.constexpr, SLOT64: tl.constexpr, EMULATE_RNE: tl.constexpr,
):
    if SLOT64:
        o_slot = tl.program_id(0).to(tl.int64) * BLOCK_G + tl.arange(0, BLOCK_G)
    else:
        o_slot = tl.program_id(0) * BLOCK_G + tl.arange(0, BLOCK_G)
    o_row = o_slot // slots_per_row
    o_grp = o_slot - o_row * slots_per_row
    m_slot = (o_row < n_rows) & (o_grp < n_groups)
    # Offsets are int64 from here: row * stride passes 2**31 long before the slot index does.
    o_b = (o_row // rows_per_batch).to(tl.int64)
    o_m = (o_row % rows_per_batch).to(tl.int64)
    o_col = tl.arange(0, GROUP_P2)
    o_x = (o_b * stride_xb + o_m * stride_xm + o_grp * GROUP)[:, None] + o_col[None, :]
    if GROUP == GROUP_P2:
        m_x = m_slot[:, None]  # a row-constant mask keeps the loads vectorized
    else:
        m_x = m_slot[:, None] & (o_col < GROUP)[None, :]

    if FUSE_SILU_MUL:
        b_gate = tl.load(p_x + o_x, mask=m_x, other=0.0).to(tl.float32)
        b_up = tl.load(p_x + up_offset + o_x, mask=m_x, other=0.0).to(tl.float32)
        # silu in float32, rounded to x's dtype, times up rounded to x's dtype (as PyTorch).
        b_act = cast_rne(b_gate / (1.0 + tl.exp(-b_gate)), p_x.dtype.element_ty, EMULATE_RNE)
        b_y = cast_rne(b_act.to(tl.float32) * b_up, p_x.dtype.element_ty, EMULATE_RNE)
        b_y = b_y.to(tl.float32)
    else:
        b_y = tl.load(p_x + o_x, mask=m_x, other=0.0).to(tl.float32)

    b_amax = abs_max(b_y, 1)
    b_s = tl.math.div_rn(tl.maximum(b_amax, eps, propagate_nan=tl.PropagateNan.ALL),
                         tl.zeros_like(b_amax) + fp8_max)
    if USE_UE8M0:
        b_s = ceil_pow2(b_s)

    b_q = _quantize(b_y, b_s[:, None], fp8_max, EXACT_DIV)
    o_q = (o_b * stride_qb + o_m * stride_qm + o_grp * GROUP)[:, None] + o_col[None, :]
    tl.store(p_q + o_q, cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_x)

    if PACK_UE8M0:
        # Four consecutive groups of a row -> one int32 (slots_per_row and BLOCK_G are
        # multiples of 4, so a word never straddles programs). Bytes past n_groups are 0.
        b_byte = tl.where(m_slot, (b_s.to(tl.int32, bitcast=True) >> 23) & 0xFF, 0)
        b_byte = tl.reshape(b_byte, (BLOCK_G // 4, 4))
        b_word = tl.sum(b_byte << (tl.arange(0, 4) * 8)[None, :], axis=1)  # disjoint bits
        if SLOT64:
            o_word = tl.program_id(0).to(tl.int64) * (BLOCK_G // 4) + tl.arange(0, BLOCK_G // 4)
        else:
            o_word = tl.program_id(0) * (BLOCK_G // 4) + tl.arange(0, BLOCK_G // 4)
        o_wrow = o_word // (slots_per_row // 4)
        o_wcol = o_word - o_wrow * (slots_per_row // 4)
        o_s = o_wrow.to(tl.int64) * stride_sm + o_wcol.to(tl.int64) * stride_sg
        tl.store(p_s + o_s, b_word, mask=o_wrow < n_rows)
    else:
        o_s = o_b * stride_sb + o_m * stride_sm + o_grp.to(tl.int64) * stride_sg
        tl.store(p_s + o_s, b_s, mask=m_slot)


# Under TRITON_INTERPRET=1 (set before triton is imported) @triton.jit gives an interpreted
# function instead of a JITFunction; decided once, at import.
_INTERPRETED = not isinstance(_group_quant_kernel, JITFunction)


def _batch_rows_strides(t: torch.Tensor) -> tuple[int, int, int, int, int]:
    """``t [..., M, C]`` seen as ``[B, M, C]`` (the op front checked that the leading dims
    collapse): ``(B, M, batch stride, row stride, column stride)``. No view is made for 1-D
    and 2-D tensors (a view costs a microsecond or two of host time per call)."""
    if t.dim() == 2:
        m, c = t.shape
        sm, sc = t.stride()
        return 1, m, 0, sm, sc
    if t.dim() == 1:
        return 1, 1, 0, 0, t.stride(0)
    t3 = t.view(-1, t.shape[-2], t.shape[-1])
    return (t3.shape[0], t3.shape[1], *t3.stride())


def _launch_group_quant(x, q, scales, group_size, eps, fp8_max, use_ue8m0, *, packed, silu,
                        config):
    n_batch, rows_per_batch, stride_xb, stride_xm, _ = _batch_rows_strides(x)
    cols = x.shape[-1] // 2 if silu else x.shape[-1]
    n_groups = cols // group_size
    n_rows = n_batch * rows_per_batch
    slots_per_row = align(n_groups, 4) if packed else n_groups
    n_slots = n_rows * slots_per_row
    if n_slots == 0:
        return
    _, _, stride_qb, stride_qm, _ = _batch_rows_strides(q)
    if packed:
        stride_sb, (stride_sm, stride_sg) = 0, scales.stride()
    else:
        _, _, stride_sb, stride_sm, stride_sg = _batch_rows_strides(scales)
    if config is None:
        config = pick_group_config(n_slots, group_size, packed)
    if packed and config.block_g % 4:
        raise ValueError(f"config.block_g must be a multiple of 4 when packing, got {config.block_g}")
    grid = (_cdiv(n_slots, config.block_g),)
    _group_quant_kernel[grid](
        x, q, scales,
        n_rows, rows_per_batch, n_groups, slots_per_row, cols,
        stride_xb, stride_xm, stride_qb, stride_qm, stride_sb, stride_sm, stride_sg,
        eps, fp8_max,
        GROUP=group_size, GROUP_P2=_next_pow2(group_size), BLOCK_G=config.block_g,
        USE_UE8M0=bool(use_ue8m0 or packed), PACK_UE8M0=packed, FUSE_SILU_MUL=silu,
        EXACT_DIV=config.exact_div, SLOT64=n_slots + config.block_g >= _INT32_LIMIT,
        EMULATE_RNE=_INTERPRETED,
        num_warps=config.num_warps,
    )


def per_token_group_quant_fp8(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                              group_size: int, eps: float, fp8_max: float, use_ue8m0: bool,
                              *, config: GroupQuantConfig | None = None) -> None:
    """Kernel signature of ``per_token_group_quant_fp8``: x ``[..., K]`` -> q, scales (any of
    the float32 layouts, read from its strides)."""
    _launch_group_quant(x, q, scales, group_size, eps, fp8_max, use_ue8m0, packed=False,
                        silu=False, config=config)


def per_token_group_quant_fp8_packed(x: torch.Tensor, q: torch.Tensor,
                                     scales_packed: torch.Tensor, group_size: int, eps: float,
                                     fp8_max: float, *,
                                     config: GroupQuantConfig | None = None) -> None:
    """Kernel signature of ``per_token_group_quant_fp8_packed``: x ``[M, K]`` -> q and int32
    ``scales_packed [M, ceil(G / 4)]`` (strides ``(1, align(M, 4))``)."""
    _launch_group_quant(x, q, scales_packed, group_size, eps, fp8_max, True, packed=True,
                        silu=False, config=config)


def silu_mul_per_token_group_quant_fp8(x: torch.Tensor, q: torch.Tensor, scales: torch.Tensor,
                                       group_size: int, eps: float, fp8_max: float,
                                       use_ue8m0: bool, *,
                                       config: GroupQuantConfig | None = None) -> None:
    """Kernel signature of ``silu_mul_per_token_group_quant_fp8``: x ``[..., 2N]`` -> q
    ``[..., N]``, scales ``[..., N // group_size]``."""
    _launch_group_quant(x, q, scales, group_size, eps, fp8_max, use_ue8m0, packed=False,
                        silu=True, config=config)


@triton.jit
def _load_tile(p_x, m0, k0, n_rows, n_cols, stride_xm, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr):
    """The float32 ``[BLOCK_M, BLOCK_K]`` tile of x at (m0, k0), zeros outside; and its row and
    column indices."""
    o_m = m0 + tl.arange(0, BLOCK_M)
    o_k = k0 + tl.arange(0, BLOCK_K)
    m_x = (o_m < n_rows)[:, None] & (o_k < n_cols)[None, :]
    b_x = tl.load(p_x + o_m.to(tl.int64)[:, None] * stride_xm + o_k[None, :], mask=m_x, other=0.0)
    return b_x.to(tl.float32), o_m, o_k


@triton.jit
def _absmax_kernel(p_x, p_amax_bits, n_rows, n_cols, stride_xm,
                   BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr, PARTIAL: tl.constexpr):
    """amax(|x|) as float32 bits: PARTIAL, each tile's own slot (p_amax_bits[tile], no zeroed
    memory needed); else an atomic max into p_amax_bits[0] (zeroed by the caller)."""
    o_m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    o_k = tl.program_id(1) * BLOCK_K + tl.arange(0, BLOCK_K)
    m_x = (o_m < n_rows)[:, None] & (o_k < n_cols)[None, :]
    b_x = tl.load(p_x + o_m.to(tl.int64)[:, None] * stride_xm + o_k[None, :], mask=m_x, other=0.0)
    # |x| >= 0: its int32 bit pattern orders like the value, and a NaN's pattern is above inf's,
    # so the max over patterns propagates NaN (a float tl.max would drop it)
    b_bits = tl.abs(b_x.to(tl.float32)).to(tl.int32, bitcast=True)
    b_max = tl.max(tl.max(b_bits, axis=1), axis=0)
    if PARTIAL:
        tl.store(p_amax_bits + tl.program_id(0) * tl.num_programs(1) + tl.program_id(1), b_max)
    else:
        tl.atomic_max(p_amax_bits, b_max)


@triton.jit
def _scaled_quant_kernel(
    p_x, p_q, p_scale, p_scale_ub, p_amax_bits,
    n_rows, n_out_rows, n_cols, stride_xm, stride_qm, stride_sm,
    fp8_max, min_scale, n_partials,
    MODE: tl.constexpr, HAS_UB: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_K: tl.constexpr,
    K_LOOP: tl.constexpr, EXACT_DIV: tl.constexpr, EMULATE_RNE: tl.constexpr,
    PARTIALS: tl.constexpr,
):
    pid_m = tl.program_id(0)
    o_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    m_in = o_m < n_rows  # rows n_rows..n_out_rows are padding: read as zeros, written
    m_out = o_m < n_out_rows
    o_xrow = o_m.to(tl.int64) * stride_xm
    o_qrow = o_m.to(tl.int64) * stride_qm
    if MODE == 2:  # dynamic per token: the whole row, then its scale, then the codes
        if K_LOOP:
            b_amax = tl.zeros([BLOCK_M], dtype=tl.float32)
            for k0 in range(0, n_cols, BLOCK_K):
                o_k = k0 + tl.arange(0, BLOCK_K)
                m_x = m_in[:, None] & (o_k < n_cols)[None, :]
                b_x = tl.load(p_x + o_xrow[:, None] + o_k[None, :], mask=m_x, other=0.0)
                b_amax = tl.maximum(b_amax, abs_max(b_x.to(tl.float32), 1),
                                    propagate_nan=tl.PropagateNan.ALL)
        else:
            o_k = tl.arange(0, BLOCK_K)
            m_x = m_in[:, None] & (o_k < n_cols)[None, :]
            b_x = tl.load(p_x + o_xrow[:, None] + o_k[None, :], mask=m_x, other=0.0)
            b_x = b_x.to(tl.float32)
            b_amax = abs_max(b_x, 1)
        if HAS_UB:
            b_amax = tl.minimum(b_amax, tl.load(p_scale_ub), propagate_nan=tl.PropagateNan.ALL)
        b_s = _dynamic_scale(b_amax, fp8_max, min_scale)
        tl.store(p_scale + o_m.to(tl.int64) * stride_sm, b_s, mask=m_out)
        if K_LOOP:
            for k0 in range(0, n_cols, BLOCK_K):
                o_k = k0 + tl.arange(0, BLOCK_K)
                m_x = m_in[:, None] & (o_k < n_cols)[None, :]
                b_x = tl.load(p_x + o_xrow[:, None] + o_k[None, :], mask=m_x, other=0.0)
                b_q = _quantize(b_x.to(tl.float32), b_s[:, None], fp8_max, EXACT_DIV)
                m_q = m_out[:, None] & (o_k < n_cols)[None, :]
                tl.store(p_q + o_qrow[:, None] + o_k[None, :], cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_q)
        else:
            b_q = _quantize(b_x, b_s[:, None], fp8_max, EXACT_DIV)
            m_q = m_out[:, None] & (o_k < n_cols)[None, :]
            tl.store(p_q + o_qrow[:, None] + o_k[None, :], cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_q)
    elif MODE == 3:  # dynamic per tensor in one program: the amax of everything, then the codes
        # max over the bit patterns of |x| (non-negative floats order like them; a NaN's
        # pattern is above inf's, so NaN propagates exactly as in _absmax_kernel)
        b_bits = tl.zeros([BLOCK_M, BLOCK_K], dtype=tl.int32)
        for m0 in range(0, n_rows, BLOCK_M):
            for k0 in range(0, n_cols, BLOCK_K):
                b_x, _, _ = _load_tile(p_x, m0, k0, n_rows, n_cols, stride_xm, BLOCK_M, BLOCK_K)
                b_bits = tl.maximum(b_bits, tl.abs(b_x).to(tl.int32, bitcast=True))
        b_amax = tl.max(tl.max(b_bits, axis=1), axis=0).to(tl.float32, bitcast=True)
        b_s = _dynamic_scale(b_amax + tl.zeros([1], dtype=tl.float32), fp8_max, min_scale)
        tl.store(p_scale + tl.zeros([1], dtype=tl.int32), b_s)
        for m0 in range(0, n_out_rows, BLOCK_M):
            for k0 in range(0, n_cols, BLOCK_K):
                b_x, o_m1, o_k = _load_tile(p_x, m0, k0, n_rows, n_cols, stride_xm, BLOCK_M, BLOCK_K)
                b_q = _quantize(b_x, b_s[:, None], fp8_max, EXACT_DIV)
                m_q = (o_m1 < n_out_rows)[:, None] & (o_k < n_cols)[None, :]
                tl.store(p_q + o_m1.to(tl.int64)[:, None] * stride_qm + o_k[None, :],
                         cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_q)
    else:  # one scale for the tensor: elementwise over [BLOCK_M, BLOCK_K] tiles
        pid_k = tl.program_id(1)
        if MODE == 0:
            b_s = tl.load(p_scale + tl.zeros([1], dtype=tl.int32))
        else:
            if PARTIALS > 1:  # the per-tile maxima of _absmax_kernel (PARTIAL): reduce them here
                o_p = tl.arange(0, PARTIALS)
                b_p = tl.load(p_amax_bits + o_p, mask=o_p < n_partials, other=0)
                b_amax = (tl.max(b_p, axis=0) + tl.zeros([1], dtype=tl.int32)).to(tl.float32, bitcast=True)
            else:
                b_amax = tl.load(p_amax_bits + tl.zeros([1], dtype=tl.int32)).to(tl.float32, bitcast=True)
            b_s = _dynamic_scale(b_amax, fp8_max, min_scale)
            m_first = (tl.zeros([1], dtype=tl.int32) + pid_m + pid_k) == 0
            tl.store(p_scale + tl.zeros([1], dtype=tl.int32), b_s, mask=m_first)
        o_k = pid_k * BLOCK_K + tl.arange(0, BLOCK_K)
        m_x = m_in[:, None] & (o_k < n_cols)[None, :]
        b_x = tl.load(p_x + o_xrow[:, None] + o_k[None, :], mask=m_x, other=0.0)
        b_q = _quantize(b_x.to(tl.float32), b_s[:, None], fp8_max, EXACT_DIV)
        m_q = m_out[:, None] & (o_k < n_cols)[None, :]
        tl.store(p_q + o_qrow[:, None] + o_k[None, :], cast_rne(b_q, p_q.dtype.element_ty, EMULATE_RNE), mask=m_q)


def scaled_fp8_quant(x: torch.Tensor, q: torch.Tensor, scale: torch.Tensor,
                     scale_ub: torch.Tensor | None, mode: str, fp8_max: float, *,
                     config: ScaledQuantConfig | None = None) -> None:
    """Kernel signature of ``scaled_fp8_quant``: x ``[T, K]`` -> q ``[P, K]`` (P >= T, the
    padding rows written as zero input), ``scale`` read (static) or written (``[1]`` per
    tensor, ``[P, 1]`` per token)."""
    n_rows, n_cols = x.shape
    n_out_rows = q.shape[0]
    mode_code = _MODE_CODES[mode]
    if config is None:
        config = pick_scaled_config(n_out_rows, n_cols, mode)
    # At least one program per dim: the dynamic scale is written even for an empty x.
    grid_m = max(1, _cdiv(n_out_rows, config.block_m))
    grid_k = 1 if mode == "per_token" else max(1, _cdiv(n_cols, config.block_k))
    if mode == "static" and n_out_rows * n_cols == 0:
        return
    amax_bits = scale  # placeholder pointer, never read outside per-tensor mode
    n_partials, partials = 0, 1
    if mode == "per_tensor" and config.one_program:
        mode_code, grid_m, grid_k = 3, 1, 1
    elif mode == "per_tensor":
        grid_t = (_cdiv(n_rows, config.block_m), _cdiv(n_cols, config.block_k))
        n_tiles = grid_t[0] * grid_t[1] if n_rows * n_cols > 0 else 0
        if n_tiles <= MAX_PARTIALS:
            # Small inputs: one slot per tile, reduced by every quant program (no memset: the
            # launches dominate at decode sizes). An empty x writes no slot and reads none.
            n_partials, partials = n_tiles, max(2, _next_pow2(n_tiles))
            amax_bits = torch.empty(max(1, n_tiles), dtype=torch.int32, device=x.device)
        else:
            amax_bits = torch.zeros(1, dtype=torch.int32, device=x.device)
        if n_tiles:
            _absmax_kernel[grid_t](x, amax_bits, n_rows, n_cols, x.stride(0),
                                   BLOCK_M=config.block_m, BLOCK_K=config.block_k,
                                   PARTIAL=partials > 1, num_warps=config.num_warps)
    stride_sm = scale.stride(0) if mode == "per_token" else 0
    min_scale = _MIN_SCALE.get(fp8_max)
    if min_scale is None:
        min_scale = _MIN_SCALE[fp8_max] = min_dynamic_scale(fp8_max)
    _scaled_quant_kernel[(grid_m, grid_k)](
        x, q, scale, scale if scale_ub is None else scale_ub, amax_bits,
        n_rows, n_out_rows, n_cols, x.stride(0), q.stride(0), stride_sm,
        fp8_max, min_scale, n_partials,
        MODE=mode_code, HAS_UB=scale_ub is not None, BLOCK_M=config.block_m,
        BLOCK_K=config.block_k, K_LOOP=n_cols > config.block_k, EXACT_DIV=config.exact_div,
        EMULATE_RNE=_INTERPRETED, PARTIALS=partials,
        num_warps=config.num_warps,
    )
