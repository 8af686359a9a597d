"""Triton kernels of the sparse-attention indexer. Launchers live in ``indexer.py``.

Tiling of the logits kernels: keys are the M dimension of the tensor-core dot and heads the N
dimension, ``tl.dot(k_tile [BLOCK_N, D], q_row^T [D, H]) -> [BLOCK_N, H]``. Reducing over heads
is then a reduction along the accumulator's columns, which stays inside a warp (a few shuffles)
instead of crossing warps; relu, the head weights and the key scale are applied in registers.
A program keeps its key tile resident and streams query rows through it (software pipelined
with ``tl.range(num_stages=...)``), so K is read from HBM once per row chunk.

Both fp8 operands are K-major (D contiguous), which is what Hopper's fp8 wgmma requires. Every
offset that scales with the problem (row * stride, block id * block stride) is int64.
"""

from __future__ import annotations

import triton
import triton.language as tl

from opdispatch.backends.triton.fp8_math import abs_max, ceil_pow2, clamp_keep_nan


@triton.jit
def _heads_sum(b_s, b_w, b_scale):
    """sum_h w[h] * relu(s[:, h]) * scale: the dot's [BLOCK_N, BLOCK_H] scores -> [BLOCK_N]."""
    return tl.sum(tl.maximum(b_s, 0.0) * b_w[None, :], axis=1) * b_scale


@triton.jit
def _weighted_head_sum(b_k, b_q, b_w, b_scale):
    """sum_h w[h] * relu(k . q[h]) * scale for a key tile: [BLOCK_N, D] x [BLOCK_H, D] -> [BLOCK_N]."""
    return _heads_sum(tl.dot(b_k, tl.trans(b_q)), b_w, b_scale)


@triton.jit
def _mask_row_window(b_logit, o_n, p_ks, p_ke, i):
    """Row i's logits for key columns o_n: -inf outside its window [ks[i], ke[i])."""
    ks_i = tl.load(p_ks + i)
    ke_i = tl.load(p_ke + i)
    return tl.where((o_n >= ks_i) & (o_n < ke_i), b_logit, float("-inf"))


@triton.jit
def _load_q_row(p_row, o_h, o_d, stride_qh, HEADS: tl.constexpr, DIM: tl.constexpr,
                BLOCK_H: tl.constexpr, BLOCK_D: tl.constexpr):
    p = p_row + o_h[:, None] * stride_qh + o_d[None, :]
    if HEADS == BLOCK_H and DIM == BLOCK_D:
        return tl.load(p)
    return tl.load(p, mask=(o_h[:, None] < HEADS) & (o_d[None, :] < DIM), other=0.0)


@triton.jit
def _q_row(q_desc, p_q, r, o_h, o_d, stride_qs, stride_qh, HEADS: tl.constexpr, DIM: tl.constexpr,
           BLOCK_H: tl.constexpr, BLOCK_D: tl.constexpr, TMA_Q: tl.constexpr):
    """Query row r ([BLOCK_H, BLOCK_D] fp8): through the TMA descriptor ``q_desc`` over q viewed
    as [S * HEADS, DIM] (block [HEADS, DIM]: HEADS == BLOCK_H, DIM == BLOCK_D) when TMA_Q, so the
    loop's pipeliner stages it with TMA copies; else by pointer loads."""
    if TMA_Q:
        return q_desc.load([r * HEADS, 0])
    return _load_q_row(p_q + tl.cast(r, tl.int64) * stride_qs, o_h, o_d, stride_qh, HEADS, DIM,
                       BLOCK_H, BLOCK_D)


@triton.jit
def _load_w_row(p_row, o_h, stride_wh, HEADS: tl.constexpr, BLOCK_H: tl.constexpr):
    if HEADS == BLOCK_H:
        return tl.load(p_row + o_h * stride_wh)
    return tl.load(p_row + o_h * stride_wh, mask=o_h < HEADS, other=0.0)


@triton.jit
def _tile_rows(p_ks, p_ke, S, N, BLOCK_N: tl.constexpr, ROWS: tl.constexpr):
    """This program's key tile (axis 0) and row chunk [r0, r1) (axis 1): the tile's columns
    o_n and their mask m_n, and [lo, hi), the first and last rows of the chunk whose [ks, ke)
    meets the tile (hi <= lo: none)."""
    pid_n = tl.program_id(0)
    pid_r = tl.program_id(1)
    n0 = pid_n * BLOCK_N
    r0 = pid_r * ROWS
    r1 = tl.minimum(r0 + ROWS, S)
    n1 = tl.minimum(n0 + BLOCK_N, N)
    o_n = n0 + tl.arange(0, BLOCK_N)
    m_n = o_n < N
    o_r = r0 + tl.arange(0, ROWS)
    m_r = o_r < S
    b_ks = tl.load(p_ks + o_r, mask=m_r, other=0)
    b_ke = tl.load(p_ke + o_r, mask=m_r, other=0)
    m_hit = m_r & (b_ks < n1) & (b_ke > n0) & (b_ke > b_ks)
    lo = tl.min(tl.where(m_hit, o_r, r1), axis=0)
    hi = tl.maximum(tl.max(tl.where(m_hit, o_r + 1, r0), axis=0), lo)
    return o_n, m_n, r0, r1, lo, hi


@triton.jit
def _fill_neg_rows(p_out, stride_os, o_n, m_n, r0, lo, hi, r1, BLOCK_N: tl.constexpr):
    """-inf into rows [r0, lo) and [hi, r1) of the key tile (the rows the dot skipped)."""
    b_neg = tl.full([BLOCK_N], float("-inf"), tl.float32)
    for i in range(r0, lo):
        tl.store(p_out + tl.cast(i, tl.int64) * stride_os + o_n, b_neg, mask=m_n)
    for i in range(hi, r1):
        tl.store(p_out + tl.cast(i, tl.int64) * stride_os + o_n, b_neg, mask=m_n)


@triton.jit
def _store_row_tile(b_tile, rows, hi, o_n, m_n, p_ks, p_ke, p_out, stride_os, CLEAN: tl.constexpr):
    """Store a [BLOCK_N keys, R rows] logits tile for rows ``rows`` (those >= hi are not
    stored), -inf outside each row's window [ks, ke) when CLEAN."""
    m_rows = rows < hi
    if CLEAN:
        ks_r = tl.load(p_ks + rows, mask=m_rows, other=0)
        ke_r = tl.load(p_ke + rows, mask=m_rows, other=0)
        inside = (o_n[:, None] >= ks_r[None, :]) & (o_n[:, None] < ke_r[None, :])
        b_tile = tl.where(inside, b_tile, float("-inf"))
    tl.store(p_out + rows[None, :].to(tl.int64) * stride_os + o_n[:, None], b_tile,
             mask=m_n[:, None] & m_rows[None, :])


@triton.jit
def _mqa_rows_multi(b_k, b_scale, o_n, m_n, lo, hi, p_q, p_w, p_ks, p_ke, p_out,
                    stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                    HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_H: tl.constexpr,
                    BLOCK_D: tl.constexpr, CLEAN: tl.constexpr, NUM_STAGES: tl.constexpr,
                    R: tl.constexpr):
    """Rows [lo, hi) of one key tile, R rows per dot: [BLOCK_N, D] x [D, R * BLOCK_H]."""
    o_rh = tl.arange(0, R * BLOCK_H)
    o_rr = o_rh // BLOCK_H            # row within the group of R
    o_hh = o_rh % BLOCK_H             # head
    o_d = tl.arange(0, BLOCK_D)
    o_r = tl.arange(0, R)
    m_qd = (o_hh < HEADS)[:, None] & (o_d < DIM)[None, :]
    for i in tl.range(lo, hi, R, num_stages=NUM_STAGES):
        rows_q = i + o_rr
        m_q = rows_q < hi
        p_qt = (p_q + rows_q[:, None].to(tl.int64) * stride_qs + o_hh[:, None] * stride_qh
                + o_d[None, :])
        b_q = tl.load(p_qt, mask=m_q[:, None] & m_qd, other=0.0)
        b_w = tl.load(p_w + rows_q.to(tl.int64) * stride_ws + o_hh * stride_wh,
                      mask=m_q & (o_hh < HEADS), other=0.0)
        b_s = tl.dot(b_k, tl.trans(b_q))
        b_s = tl.maximum(b_s, 0.0) * b_w[None, :]
        b_logit = tl.sum(tl.reshape(b_s, (b_s.shape[0], R, BLOCK_H)), axis=2) * b_scale[:, None]
        _store_row_tile(b_logit, i + o_r, hi, o_n, m_n, p_ks, p_ke, p_out, stride_os, CLEAN)


@triton.jit
def _mqa_rows_overlap(b_k, b_scale, o_n, m_n, lo, hi, S, p_q, p_w, p_ks, p_ke, p_out,
                      stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                      HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_H: tl.constexpr,
                      BLOCK_D: tl.constexpr, CLEAN: tl.constexpr, NUM_STAGES: tl.constexpr):
    """Rows [lo, hi) of one key tile, the dot of row i + 1 in flight during row i's epilogue.

    Each iteration issues the next row's dot and carries its result to the next iteration, then
    runs relu / head weights / heads sum / store on the current row's result. Triton lowers such
    a loop-carried dot to an asynchronous wgmma (no wait after it) only if the carried value is
    first read after a full wgmma wait in the loop body. The small ``fence`` dot on zero tiles
    provides that wait: a dot whose result is used inside the loop gets one right after it, and
    it also waits for the previous iteration's row dot (wgmma groups complete in order). Its
    result is kept alive by a store that never happens (``o_f < -S``, S >= 1). The last
    iteration repeats row hi - 1's dot (its result is dropped). Same arithmetic, bit for bit,
    as the plain loop.
    """
    o_h = tl.arange(0, BLOCK_H)
    o_d = tl.arange(0, BLOCK_D)
    z_a = tl.zeros([64, 32], dtype=b_k.dtype)
    z_b = tl.zeros([32, 16], dtype=b_k.dtype)
    o_f = tl.arange(0, 64)[:, None] * 16 + tl.arange(0, 16)[None, :]
    b_q = _load_q_row(p_q + tl.cast(lo, tl.int64) * stride_qs, o_h, o_d, stride_qh, HEADS, DIM,
                      BLOCK_H, BLOCK_D)
    acc = tl.dot(b_k, tl.trans(b_q))
    for i in tl.range(lo, hi, num_stages=NUM_STAGES):
        fence = tl.dot(z_a, z_b)
        i64 = tl.cast(i, tl.int64)
        nx = tl.cast(tl.minimum(i + 1, hi - 1), tl.int64)
        b_qn = _load_q_row(p_q + nx * stride_qs, o_h, o_d, stride_qh, HEADS, DIM, BLOCK_H, BLOCK_D)
        acc_n = tl.dot(b_k, tl.trans(b_qn))
        b_w = _load_w_row(p_w + i64 * stride_ws, o_h, stride_wh, HEADS, BLOCK_H)
        b_logit = _heads_sum(acc, b_w, b_scale)
        if CLEAN:
            b_logit = _mask_row_window(b_logit, o_n, p_ks, p_ke, i)
        tl.store(p_out + i64 * stride_os + o_n, b_logit, mask=m_n)
        tl.store(p_out + o_f, fence, mask=o_f < -S)
        acc = acc_n


@triton.jit
def _mqa_rows_unrolled(b_k, b_scale, o_n, m_n, lo, hi, q_desc, p_q, p_w, p_ks, p_ke, p_out,
                       stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                       HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_H: tl.constexpr,
                       BLOCK_D: tl.constexpr, CLEAN: tl.constexpr, NUM_STAGES: tl.constexpr,
                       UNROLL: tl.constexpr, TMA_Q: tl.constexpr):
    """Rows [lo, hi) of one key tile, UNROLL rows per loop iteration, each its own dot.

    The rows' logits are gathered into one [BLOCK_N, UNROLL] tile (a select per row), masked
    to the rows' windows and stored at once, so the loop's bookkeeping (pipeline stages, waits)
    and the store's layout change (shared memory and a barrier) are paid once per UNROLL rows.
    A row past hi recomputes row hi - 1 and is not stored."""
    o_h = tl.arange(0, BLOCK_H)
    o_d = tl.arange(0, BLOCK_D)
    o_u = tl.arange(0, UNROLL)
    for i in tl.range(lo, hi, UNROLL, num_stages=NUM_STAGES):
        b_tile = tl.zeros([b_k.shape[0], UNROLL], dtype=tl.float32)
        for u in tl.static_range(UNROLL):
            r = tl.minimum(i + u, hi - 1)
            b_q = _q_row(q_desc, p_q, r, o_h, o_d, stride_qs, stride_qh, HEADS, DIM, BLOCK_H,
                         BLOCK_D, TMA_Q)
            b_w = _load_w_row(p_w + tl.cast(r, tl.int64) * stride_ws, o_h, stride_wh, HEADS, BLOCK_H)
            b_logit = _weighted_head_sum(b_k, b_q, b_w, b_scale)
            b_tile = tl.where(o_u[None, :] == u, b_logit[:, None], b_tile)
        _store_row_tile(b_tile, i + o_u, hi, o_n, m_n, p_ks, p_ke, p_out, stride_os, CLEAN)


@triton.jit
def mqa_logits_kernel(
    q_desc, p_q, p_k, p_kscale, p_w, p_ks, p_ke, p_out,
    S, N,
    stride_qs, stride_qh, stride_kn, stride_ws, stride_wh, stride_os,
    HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_H: tl.constexpr, BLOCK_D: tl.constexpr,
    BLOCK_N: tl.constexpr, ROWS: tl.constexpr, CLEAN: tl.constexpr, NUM_STAGES: tl.constexpr,
    ROWS_PER_ITER: tl.constexpr = 1, OVERLAP: tl.constexpr = False, UNROLL: tl.constexpr = 1,
    TMA_Q: tl.constexpr = False,
):
    """Program (key tile, row chunk) -> out[rows, keys] for rows of the chunk.

    Only rows whose [ks, ke) meets the key tile are multiplied: the chunk's first and last such
    rows bound the loop, so tiles wholly outside the causal/ragged window cost no dot and no K
    read. Rows outside that span get -inf (CLEAN) or are left alone. ROWS_PER_ITER > 1 stacks
    that many query rows' heads into one dot (N = ROWS_PER_ITER * BLOCK_H: a wider tensor-core
    tile per K-tile read from shared memory), then splits the heads sum per row. OVERLAP (one row
    per iteration) keeps the next row's dot in flight during a row's epilogue
    (``_mqa_rows_overlap``). TMA_Q (plain and unrolled loops): q rows come through the host-side
    TMA descriptor ``q_desc`` (q as [S * HEADS, DIM], block [HEADS, DIM]; None otherwise).
    """
    o_n, m_n, r0, r1, lo, hi = _tile_rows(p_ks, p_ke, S, N, BLOCK_N, ROWS)

    o_h = tl.arange(0, BLOCK_H)
    o_d = tl.arange(0, BLOCK_D)
    if hi > lo:
        p_ktile = p_k + o_n[:, None].to(tl.int64) * stride_kn + o_d[None, :]
        if DIM == BLOCK_D:
            b_k = tl.load(p_ktile, mask=m_n[:, None], other=0.0)
        else:
            b_k = tl.load(p_ktile, mask=m_n[:, None] & (o_d[None, :] < DIM), other=0.0)
        b_scale = tl.load(p_kscale + o_n, mask=m_n, other=0.0)
        if ROWS_PER_ITER > 1:
            _mqa_rows_multi(b_k, b_scale, o_n, m_n, lo, hi, p_q, p_w, p_ks, p_ke, p_out,
                            stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                            HEADS, DIM, BLOCK_H, BLOCK_D, CLEAN, NUM_STAGES, ROWS_PER_ITER)
        elif OVERLAP:
            _mqa_rows_overlap(b_k, b_scale, o_n, m_n, lo, hi, S, p_q, p_w, p_ks, p_ke, p_out,
                              stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                              HEADS, DIM, BLOCK_H, BLOCK_D, CLEAN, NUM_STAGES)
        elif UNROLL > 1:
            _mqa_rows_unrolled(b_k, b_scale, o_n, m_n, lo, hi, q_desc, p_q, p_w, p_ks, p_ke,
                               p_out, stride_qs, stride_qh, stride_ws, stride_wh, stride_os,
                               HEADS, DIM, BLOCK_H, BLOCK_D, CLEAN, NUM_STAGES, UNROLL, TMA_Q)
        else:
            for i in tl.range(lo, hi, num_stages=NUM_STAGES):
                i64 = tl.cast(i, tl.int64)
                b_q = _q_row(q_desc, p_q, i, o_h, o_d, stride_qs, stride_qh, HEADS, DIM, BLOCK_H,
                             BLOCK_D, TMA_Q)
                b_w = _load_w_row(p_w + i64 * stride_ws, o_h, stride_wh, HEADS, BLOCK_H)
                b_logit = _weighted_head_sum(b_k, b_q, b_w, b_scale)
                if CLEAN:
                    b_logit = _mask_row_window(b_logit, o_n, p_ks, p_ke, i)
                tl.store(p_out + i64 * stride_os + o_n, b_logit, mask=m_n)
    if CLEAN:
        _fill_neg_rows(p_out, stride_os, o_n, m_n, r0, lo, hi, r1, BLOCK_N)


@triton.jit
def paged_mqa_logits_kernel(
    p_q, p_cache, p_cache_f32, p_w, p_ctx, p_bt, p_out,
    max_model_len,
    stride_qb, stride_qt, stride_qh, stride_wr, stride_wh, stride_btb, stride_blk, stride_blk_f32,
    stride_or,
    NEXT_N: tl.constexpr, HEADS: tl.constexpr, DIM: tl.constexpr, BLOCK_H: tl.constexpr,
    BLOCK_D: tl.constexpr, BLOCK_SIZE: tl.constexpr, BLOCK_N: tl.constexpr, TILES: tl.constexpr,
    CLEAN: tl.constexpr, NUM_STAGES: tl.constexpr, HOIST_Q: tl.constexpr = False,
):
    """Program (sequence b, TILES consecutive key tiles) -> out[b * NEXT_N + t, keys], t < NEXT_N.

    HOIST_Q: the sequence's NEXT_N query rows and head weights are loaded once, before the tile
    loop, instead of once per tile (the loop's stores keep Triton from hoisting the loads).

    The block table is read directly per token (no gathered copy of K). Tiles at or past the
    context are never read: they are written -inf (CLEAN) or left alone. Token j of a block
    lives at ``block * stride_blk + (j % BLOCK_SIZE) * DIM`` (fp8 values), its scale at
    ``block * stride_blk_f32 + BLOCK_SIZE * DIM / 4 + j % BLOCK_SIZE`` (float32 view).
    """
    b = tl.program_id(0)
    pid_n = tl.program_id(1)
    b64 = b.to(tl.int64)
    ctx = tl.load(p_ctx + b)
    tile0 = pid_n * TILES
    tile_stop = tl.minimum(tile0 + TILES, tl.cdiv(max_model_len, BLOCK_N))
    # Tiles holding at least one token below the context; clamped at tile0 so the -inf loop
    # below starts where the compute loop ends.
    tile_mid = tl.maximum(tl.minimum(tile_stop, tl.cdiv(ctx, BLOCK_N)), tile0)

    o_h = tl.arange(0, BLOCK_H)
    o_d = tl.arange(0, BLOCK_D)
    scale_base = (BLOCK_SIZE * DIM) // 4
    qs = ()
    ws = ()
    if HOIST_Q:
        for t in tl.static_range(NEXT_N):
            qs = qs + (_load_q_row(p_q + b64 * stride_qb + t * stride_qt, o_h, o_d, stride_qh,
                                   HEADS, DIM, BLOCK_H, BLOCK_D),)
            ws = ws + (_load_w_row(p_w + (b64 * NEXT_N + t) * stride_wr, o_h, stride_wh, HEADS,
                                   BLOCK_H),)
    for tile in tl.range(tile0, tile_mid, num_stages=NUM_STAGES):
        o_j = tile * BLOCK_N + tl.arange(0, BLOCK_N)
        m_tok = o_j < ctx
        b_blk = tl.load(p_bt + b64 * stride_btb + o_j // BLOCK_SIZE, mask=m_tok, other=0).to(tl.int64)
        o_slot = o_j % BLOCK_SIZE
        p_ktile = p_cache + (b_blk * stride_blk + o_slot * DIM)[:, None] + o_d[None, :]
        if DIM == BLOCK_D:
            b_k = tl.load(p_ktile, mask=m_tok[:, None], other=0.0)
        else:
            b_k = tl.load(p_ktile, mask=m_tok[:, None] & (o_d[None, :] < DIM), other=0.0)
        b_scale = tl.load(p_cache_f32 + b_blk * stride_blk_f32 + scale_base + o_slot, mask=m_tok, other=0.0)
        m_store = o_j < max_model_len
        for t in tl.static_range(NEXT_N):
            row = b64 * NEXT_N + t
            if HOIST_Q:
                b_q = qs[t]
                b_w = ws[t]
            else:
                b_q = _load_q_row(p_q + b64 * stride_qb + t * stride_qt, o_h, o_d, stride_qh,
                                  HEADS, DIM, BLOCK_H, BLOCK_D)
                b_w = _load_w_row(p_w + row * stride_wr, o_h, stride_wh, HEADS, BLOCK_H)
            b_logit = _weighted_head_sum(b_k, b_q, b_w, b_scale)
            if CLEAN:
                b_logit = tl.where(o_j < ctx - NEXT_N + t + 1, b_logit, float("-inf"))
            tl.store(p_out + row * stride_or + o_j, b_logit, mask=m_store)
    if CLEAN:
        b_neg = tl.full([BLOCK_N], float("-inf"), tl.float32)
        for tile in range(tile_mid, tile_stop):
            o_j = tile * BLOCK_N + tl.arange(0, BLOCK_N)
            for t in tl.static_range(NEXT_N):
                tl.store(p_out + (b64 * NEXT_N + t) * stride_or + o_j, b_neg, mask=o_j < max_model_len)


@triton.jit
def encode_e4m3(x, FNUZ: tl.constexpr):
    """float32 (already within +-fp8 max) -> e4m3 code as uint8, round to nearest even.

    Integer arithmetic on the float bits, so the codes are bit-identical to PyTorch's ``.to()``
    on every backend, the interpreter included (the interpreter's own fp8 cast rounds wrongly).
    e4m3fn: bias 7, -0 kept as 0x80. e4m3fnuz: bias 8, no negative zero (0x80 is its NaN).
    """
    BIAS: tl.constexpr = 8 if FNUZ else 7
    bits = x.to(tl.int32, bitcast=True)
    sign = bits & -2147483648  # 0x80000000
    mag = bits & 0x7FFFFFFF
    # Normal range: drop 20 of the 23 mantissa bits with round-half-even; a carry into the
    # exponent is the correct result.
    normal = ((mag + 0x7FFFF + ((mag >> 20) & 1)) >> 20) - ((127 - BIAS) << 3)
    # Subnormal range (|x| < 2^(1 - BIAS)): code = rint(|x| * 2^(BIAS + 2)) from the integer
    # mantissa, shifted right with round-half-even.
    exponent = mag >> 23
    mant = (mag & 0x7FFFFF) | 0x800000
    # Clamped to [1, 31]: normal values take the other branch, but no lane may shift out of range.
    shift = tl.maximum(tl.minimum(21 - BIAS - (exponent - 127), 31), 1)
    kept = mant >> shift
    rem = mant - (kept << shift)
    half = 1 << (shift - 1)
    sub = kept + ((rem > half) | ((rem == half) & ((kept & 1) == 1))).to(tl.int32)
    sub = tl.where(mag == 0, 0, sub)
    code = tl.where(exponent < 128 - BIAS, sub, normal)
    if FNUZ:
        code = tl.where((sign != 0) & (code != 0), code | 0x80, code)
    else:
        code = tl.where(sign != 0, code | 0x80, code)
    return code.to(tl.uint8)


@triton.jit
def k_quant_and_cache_kernel(
    p_k, p_cache, p_cache_f32, p_slot,
    stride_kt, stride_blk, stride_blk_f32, fp8_max,
    DIM: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_SIZE: tl.constexpr, USE_UE8M0: tl.constexpr,
    FNUZ: tl.constexpr,
):
    """Program per token: one scale ``max(amax, 1e-4) / fp8_max`` (ue8m0: rounded up to a power of
    two, exactly, on the exponent bits), values ``k / scale`` saturated and encoded as e4m3 bytes
    into the uint8 cache.

    NaN and inf propagate as in torch_ref: a NaN in the token gives a NaN scale and NaN codes; an
    inf gives an inf scale, zero codes for the finite values and NaN (``inf / inf``) at the inf.
    NaN codes are stored as the format's NaN byte (0x7F e4m3fn, 0x80 e4m3fnuz)."""
    t = tl.program_id(0).to(tl.int64)
    slot = tl.load(p_slot + t).to(tl.int64)
    if slot >= 0:
        o_d = tl.arange(0, BLOCK_D)
        m_d = o_d < DIM
        b_x = tl.load(p_k + t * stride_kt + o_d, mask=m_d, other=0.0).to(tl.float32)
        amax = abs_max(b_x, 0)   # NaN-propagating (a float tl.max drops NaN on the GPU)
        scale = tl.maximum(amax, 1e-4, propagate_nan=tl.PropagateNan.ALL) / fp8_max
        # All-ones exponent: the scale is NaN or inf (the token holds a NaN or an inf).
        special = (scale.to(tl.int32, bitcast=True) & 0x7F800000) == 0x7F800000
        if USE_UE8M0:
            scale = ceil_pow2(scale)   # NaN and inf kept
        # div_rn: IEEE division, so the codes match PyTorch's x / scale bit for bit.
        b_v = tl.math.div_rn(b_x, scale + tl.zeros_like(b_x))
        b_v = clamp_keep_nan(b_v, fp8_max)   # x / NaN and inf / inf stay NaN
        b_code = encode_e4m3(b_v, FNUZ)
        if special:
            # Only a NaN or inf scale can make NaN codes; the encoder knows no NaN, so this
            # per-token branch writes the format's NaN byte (also right in the interpreter).
            b_nan = tl.full([BLOCK_D], 0x80 if FNUZ else 0x7F, tl.uint8)
            b_code = tl.where(b_v != b_v, b_nan, b_code)
        blk = slot // BLOCK_SIZE
        off = slot % BLOCK_SIZE
        tl.store(p_cache + blk * stride_blk + off * DIM + o_d, b_code, mask=m_d)
        tl.store(p_cache_f32 + blk * stride_blk_f32 + (BLOCK_SIZE * DIM) // 4 + off, scale)
