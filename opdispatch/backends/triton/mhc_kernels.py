"""Triton kernels of the mHC family (launchers and configs live in ``mhc.py``).

Layout: residual ``[T, n, H]`` (last dim contiguous, any token/stream strides), fn ``[N, n*H]``
float32 with ``N = (2 + n) * n`` (``n`` for hc_head). ``NP`` is N padded to a power of two with
at least one spare column: partial GEMM results travel as ``[tiles, n_split, BLOCK_T, NP]``
float32 rows whose column ``N`` carries the partial sum of squares.

The GEMM walks each split's H-range in steps of BLOCK_H, one stream at a time: a
``[BLOCK_T, BLOCK_H]`` tile of stream j times the ``[BLOCK_H, NP]`` block of fn^T whose row h is
fn column ``j*H + h``. With a bf16 residual the product runs on bf16 tensor cores with fn split
into hi + lo bf16 parts (x is exact in bf16, so the result carries fn to ~2^-17 relative: better
than TF32); other dtypes use an IEEE float32 dot. The schedule of ``_mhc_pre_kernel`` (ticketed
split-K items, the last arrival finishing a tile, weighted sums ``lag`` tiles later) is in its
docstring and in docs/ops/mhc.md.

All token offsets are int64 (T*n*H can exceed 2^31).

Bit-identical fused and unfused results. ``mhc_fused_post_pre`` must equal ``mhc_post`` then
``mhc_pre`` bit for bit, but the two run as separately compiled kernels, and Triton picks
register layouts per kernel: a ``tl.sum`` adds in an order set by the layout, and LLVM/ptxas
may contract ``a * b + c`` into an fma in one kernel and not in another. So every value that
reaches an output is computed in an order the program fixes, never the compiler:

- a product that is added is an explicit ``tl.fma``, and products are never summed by ``tl.sum``
  (post tile, weighted sum over the streams, z = mix * scale + base);
- long sums (the sums of squares of the RMS and of the norm) accumulate elementwise across
  steps and end in a fixed pairwise tree (``_row_pairwise_sum``); split partials are added
  ``FIN_S`` at a time in a fixed tree, the groups in split order (``_tile_mixes``);
- the softmax/Sinkhorn row and column sums (at most 8 non-zero fp32 values) add in float64,
  where they are exact, so their order cannot matter (``_sum_f64`` says when exactly);
- the other reductions are ``tl.max`` or pick one non-zero entry out of zeros: exact;
- the GEMM runs the same ``tl.dot`` shapes on the same (rounded) operand values.
"""

import triton
import triton.language as tl

_PUB = tl.constexpr(1 << 30)  # a tile's ws word: its weighted sums' pre is published (OWN)


@triton.jit
def _post_tile(p_x, s_x_t, p_old, s_old_t, s_old_i, p_pin, s_pin_t, s_pin_i,
               p_cin, s_cin_t, s_cin_i, s_cin_j, o_t, m_t, o_h, m_h, N_STREAMS: tl.constexpr):
    """New residual tile ``[BT, n, BH]`` float32: ``post[:, j] * x + sum_k comb[:, k, j] * old[:, k]``.

    The sum over source streams k runs in a fixed sequential order of explicit fmas (no room for
    the compiler to contract differently), so mhc_post and the fused post+pre kernel produce
    bit-identical values."""
    o_j = tl.arange(0, N_STREAMS)
    m_th = m_t[:, None] & m_h[None, :]
    b_x = tl.load(p_x + o_t[:, None] * s_x_t + o_h[None, :], mask=m_th, other=0.0).to(tl.float32)
    b_post = tl.load(p_pin + o_t[:, None] * s_pin_t + o_j[None, :] * s_pin_i,
                     mask=m_t[:, None], other=0.0).to(tl.float32)
    b_acc = b_post[:, :, None] * b_x[:, None, :]
    for k in tl.static_range(N_STREAMS):
        b_old = tl.load(p_old + o_t[:, None] * s_old_t + k * s_old_i + o_h[None, :],
                        mask=m_th, other=0.0).to(tl.float32)
        b_c = tl.load(p_cin + o_t[:, None] * s_cin_t + k * s_cin_i + o_j[None, :] * s_cin_j,
                      mask=m_t[:, None], other=0.0).to(tl.float32)
        b_acc = tl.fma(b_c[:, :, None], b_old[:, None, :], b_acc)
    return b_acc


@triton.jit
def _gemm_step(b_xr, b_fn, b_acc, b_acc2, b_sq2, b_sqd, X_BF16: tl.constexpr, SQ_DOT: tl.constexpr,
               FN_CAT: tl.constexpr, FN_PRE: tl.constexpr = False):
    """One GEMM step: a ``[BT, BH]`` stream tile (as loaded) times fn's float32 block, plus the
    tile's squares. Returns the updated (acc, acc2, sq2, sqd) accumulators; which of them are used
    depends on the flags (the others pass through).

    ``b_fn`` is ``[BH, NP]``, or with FN_CAT ``[BH, 2 NP]`` (fn's block loaded twice side by side).
    X_BF16: bf16 tensor cores with fn split into hi + lo bf16 parts (x is exact in bf16): two
    dots into ``acc``, or with FN_CAT one dot against ``[hi | lo]`` into ``acc2`` (``[BT, 2 NP]``,
    the halves added after the loop). Else an IEEE float32 dot (FN_CAT is not used there).
    SQ_DOT: the squares accumulate as ``x x^T`` (``[BT, BT]``, diagonal used) on the tensor
    cores (bf16 products are exact in fp32), else elementwise into ``sq2`` (``[BT, BH]``).
    FN_PRE (with X_BF16 and FN_CAT): ``b_fn`` is already the bf16 ``[hi | lo]`` block
    (``_fn_hilo_kernel``, the same roundings), used as it is."""
    if X_BF16:
        b_xb = b_xr.to(tl.bfloat16)  # exact: the bf16 residual as loaded
        if FN_PRE:
            b_acc2 = tl.dot(b_xb, b_fn, b_acc2)
        else:
            b_fn_hi = b_fn.to(tl.bfloat16)
            b_fn_lo = (b_fn - b_fn_hi.to(tl.float32)).to(tl.bfloat16)
            if FN_CAT:
                o_k = tl.arange(0, b_fn.shape[1])[None, :]
                b_acc2 = tl.dot(b_xb, tl.where(o_k < b_fn.shape[1] // 2, b_fn_hi, b_fn_lo), b_acc2)
            else:
                b_acc = tl.dot(b_xb, b_fn_hi, b_acc)
                b_acc = tl.dot(b_xb, b_fn_lo, b_acc)
        if SQ_DOT:
            b_sqd = tl.dot(b_xb, tl.trans(b_xb), b_sqd)
        else:
            b_xf = b_xr.to(tl.float32)
            b_sq2 = tl.fma(b_xf, b_xf, b_sq2)
    else:
        b_xf = b_xr.to(tl.float32)
        b_acc = tl.dot(b_xf, b_fn, b_acc, input_precision="ieee")
        if SQ_DOT:
            b_sqd = tl.dot(b_xf, tl.trans(b_xf), b_sqd, input_precision="ieee")
        else:
            b_sq2 = tl.fma(b_xf, b_xf, b_sq2)
    return b_acc, b_acc2, b_sq2, b_sqd


@triton.jit
def _fn_block(p_fn, s_fn, j, H, o_h, m_h, o_fc, m_fc, NP: tl.constexpr, FN_PRE: tl.constexpr):
    """fn^T's block for stream j and H-range o_h: row h is fn column ``j*H + h``.

    Float32 ``[BH, len(o_fc)]`` read from fn ``[N, n*H]`` (one 4-byte column run per mix), or
    with FN_PRE the bf16 ``[BH, 2 NP]`` block of the ``[n*H, 2 NP]`` hi|lo copy: rows of 4 NP
    contiguous bytes, one vectorised load and no conversion."""
    if FN_PRE:
        o_k = tl.arange(0, 2 * NP)
        o_r = (j * H + o_h).to(tl.int64)
        return tl.load(p_fn + o_r[:, None] * (2 * NP) + o_k[None, :], mask=m_h[:, None], other=0.0)
    return tl.load(p_fn + o_fc[None, :].to(tl.int64) * s_fn + (j * H + o_h)[:, None],
                   mask=m_h[:, None] & m_fc[None, :], other=0.0)


@triton.jit
def _fn_hilo_kernel(p_fn, s_fn, p_out, K, N_MIX: tl.constexpr, NP: tl.constexpr,
                    BLOCK_K: tl.constexpr):
    """fn ``[N, K]`` float32 -> ``[K, 2 NP]`` bf16: row k holds fn[:, k] split into hi (columns
    ``[0, NP)``) and lo (``[NP, 2 NP)``) parts, zero past N. The roundings are those of
    ``_gemm_step``'s in-loop split, so the GEMM sees the same operands either way."""
    o_k = tl.program_id(0).to(tl.int64) * BLOCK_K + tl.arange(0, BLOCK_K)
    o_cc = tl.arange(0, 2 * NP)
    o_c = o_cc % NP
    m = (o_k < K)[:, None] & (o_c < N_MIX)[None, :]
    b_f = tl.load(p_fn + o_c[None, :].to(tl.int64) * s_fn + o_k[:, None], mask=m, other=0.0)
    b_hi = b_f.to(tl.bfloat16)
    b_lo = (b_f - b_hi.to(tl.float32)).to(tl.bfloat16)
    b_out = tl.where((o_cc < NP)[None, :], b_hi, b_lo)
    tl.store(p_out + o_k[:, None] * (2 * NP) + o_cc[None, :], b_out, mask=(o_k < K)[:, None])


@triton.jit
def _fn_hilo_t_kernel(p_fn, s_fn, p_out, H, N_MIX: tl.constexpr, BLOCK_H: tl.constexpr):
    """fn ``[N, n H]`` float32 (N <= 32) -> ``[64 n, H]`` bf16, the slice kernel's transposed
    operand: rows ``64 i + r`` and ``64 i + 32 + r`` hold the hi and lo parts of fn[r, i H + h]
    (the roundings of ``_fn_hilo_kernel``), zero for r >= N. Program (H-block, stream i)."""
    i = tl.program_id(1)
    o_h = tl.program_id(0) * BLOCK_H + tl.arange(0, BLOCK_H)
    o_r = tl.arange(0, 32)
    m_h = o_h < H
    b_f = tl.load(p_fn + o_r[:, None].to(tl.int64) * s_fn + (i.to(tl.int64) * H + o_h)[None, :],
                  mask=(o_r < N_MIX)[:, None] & m_h[None, :], other=0.0)
    b_hi = b_f.to(tl.bfloat16)
    b_lo = (b_f - b_hi.to(tl.float32)).to(tl.bfloat16)
    p_o = p_out + (64 * i + o_r)[:, None].to(tl.int64) * H + o_h[None, :]
    tl.store(p_o, b_hi, mask=m_h[None, :])
    tl.store(p_o + 32 * H, b_lo, mask=m_h[None, :])


@triton.jit
def _row_pairwise_sum(x):
    """Sum over the last axis of ``[R, M]`` (M a power of two) in a fixed pairwise tree
    (x[j] + x[j + M/2], level by level): unlike ``tl.sum`` the order, hence the rounding, does
    not depend on the register layout the compiler picks for ``x``."""
    for _ in tl.static_range(16):
        if x.shape[1] > 1:
            # halves, not neighbours: (j, j + M/2) pairs compile without spills on sm_90
            a, b = tl.split(tl.permute(tl.reshape(x, [x.shape[0], 2, x.shape[1] // 2]), (0, 2, 1)))
            x = a + b
    return tl.reshape(x, [x.shape[0]])


@triton.jit
def _lead_pairwise_sum(x):
    """Sum over the leading axis of ``[S, R, C]`` (S a power of two) in a fixed pairwise tree
    (x[j] + x[j + S/2], level by level), whatever the register layout: ``[R, C]``."""
    for _ in tl.static_range(16):
        if x.shape[0] > 1:
            a, b = tl.split(tl.permute(tl.reshape(x, [2, x.shape[0] // 2, x.shape[1], x.shape[2]]),
                                       (1, 2, 3, 0)))
            x = a + b
    return tl.reshape(x, [x.shape[1], x.shape[2]])


@triton.jit
def _tile_mixes(p_tile, o_r, m_r, n_split, BLOCK_T: tl.constexpr, NP: tl.constexpr,
                FIN_S: tl.constexpr):
    """The raw mixes ``[R, NP]`` of rows ``o_r`` (indices inside the tile, valid where ``m_r``)
    from the tile's ``n_split`` partial rows: ``FIN_S`` splits loaded at once and added in a fixed
    pairwise tree, the groups added in split order (a split past the end adds +0.0). The order
    depends on FIN_S only, never on the layout: kernels compiled with the same config give
    bit-identical sums."""
    o_c = tl.arange(0, NP)
    o_q = tl.arange(0, FIN_S)
    b_tot = tl.zeros([o_r.shape[0], NP], dtype=tl.float32)
    p_q = p_tile + (o_q[:, None, None] * BLOCK_T + o_r[None, :, None]) * NP + o_c[None, None, :]
    for q0 in range(0, n_split, FIN_S):
        m_q = ((q0 + o_q) < n_split)[:, None, None] & m_r[None, :, None] & (o_c >= 0)[None, None, :]
        b_q = tl.load(p_q + q0 * BLOCK_T * NP, mask=m_q, other=0.0, cache_modifier=".cg")
        b_tot = b_tot + _lead_pairwise_sum(b_q)
    return b_tot


@triton.jit
def _mhc_post_kernel(p_x, s_x_t, p_res, s_res_t, s_res_i, p_pin, s_pin_t, s_pin_i,
                     p_cin, s_cin_t, s_cin_i, s_cin_j, p_out, s_out_t, s_out_i, T, H,
                     N_STREAMS: tl.constexpr, BLOCK_T: tl.constexpr, BLOCK_H: tl.constexpr):
    """mhc_post: one pass, each program a [BLOCK_T, n, BLOCK_H] tile of the output."""
    pid_t = tl.program_id(0)
    pid_h = tl.program_id(1)
    o_t = pid_t.to(tl.int64) * BLOCK_T + tl.arange(0, BLOCK_T)
    o_h = pid_h * BLOCK_H + tl.arange(0, BLOCK_H)
    m_t = o_t < T
    m_h = o_h < H
    b_new = _post_tile(p_x, s_x_t, p_res, s_res_t, s_res_i, p_pin, s_pin_t, s_pin_i,
                       p_cin, s_cin_t, s_cin_i, s_cin_j, o_t, m_t, o_h, m_h, N_STREAMS)
    o_j = tl.arange(0, N_STREAMS)
    p_o = p_out + o_t[:, None, None] * s_out_t + o_j[None, :, None] * s_out_i + o_h[None, None, :]
    tl.store(p_o, b_new.to(p_out.dtype.element_ty), mask=m_t[:, None, None] & m_h[None, None, :])


@triton.jit
def _sum_f64(x, axis: tl.constexpr):
    """fp32 sum over ``axis`` of at most 8 non-zero values in (0, 1 + eps], added in float64.

    Every partial sum is exact in float64 (53 bits) when the smallest value is >= 2^-27: fp32
    values carry 24 bits and the sum stays < 2^4. Then the sum, rounded once to fp32, is the
    same in any order: the tile's register layout cannot change it. Sinkhorn entries are
    >= ~sinkhorn_eps / 8 (2^-23 at the default 1e-6). Softmax terms exp(z - max) fall below
    2^-27 only when a row's logits spread over 18.7; such terms sit below the float64 rounding
    of the sum, and a different order can then change the fp32 result only if the sum lies
    within ~2^-53 of an fp32 rounding tie."""
    return tl.sum(x.to(tl.float64), axis=axis).to(tl.float32)


@triton.jit
def _coefficients(b_mix, b_sq, p_scale, p_base, K, rms_eps, hc_pre_eps, sinkhorn_eps, post_mult,
                  sinkhorn_iters, N_STREAMS: tl.constexpr, N_MIX: tl.constexpr, NP: tl.constexpr,
                  BLOCK_T: tl.constexpr, HEAD: tl.constexpr):
    """From raw GEMM rows ``[BT, NP]`` and sums of squares ``[BT]`` to the coefficients, viewed
    as ``[BT, G, n]`` (G = NP // n groups of n columns: group 0 pre, 1 post, 2..2+n comb rows).

    Returns (pre ``[BT, n]``, post3 ``[BT, G, n]`` valid in group 1, comb3 ``[BT, G, n]`` valid
    in groups 2..2+n and zero elsewhere). For HEAD only pre is meaningful."""
    G: tl.constexpr = NP // N_STREAMS
    b_mix3 = tl.reshape(b_mix, [BLOCK_T, G, N_STREAMS])
    o_g = tl.arange(0, G)[None, :, None]
    o_j = tl.arange(0, N_STREAMS)[None, None, :]
    o_c = o_g * N_STREAMS + o_j
    b_base = tl.load(p_base + o_c, mask=o_c < N_MIX, other=0.0).to(tl.float32)
    s0 = tl.load(p_scale).to(tl.float32)
    inv_rms = tl.rsqrt(b_sq / K + rms_eps)[:, None, None]
    if HEAD:
        b_scale = s0
    else:
        s1 = tl.load(p_scale + 1).to(tl.float32)
        s2 = tl.load(p_scale + 2).to(tl.float32)
        b_scale = tl.where(o_g == 0, s0, tl.where(o_g == 1, s1, s2))
    b_z = tl.fma(b_mix3 * inv_rms, b_scale, b_base)
    b_sig = tl.sigmoid(b_z)
    b_pre = tl.sum(tl.where(o_g == 0, b_sig + hc_pre_eps, 0.0), axis=1)
    b_post3 = b_sig * post_mult
    if HEAD:
        b_c = b_sig  # no comb for the head: a placeholder the caller never stores
    else:
        # Sinkhorn-Knopp on the n x n block held in groups 2..2+n (rows i = g - 2, columns j).
        # Row/column sums add in float64 (exact here: see the module docstring), so the layout
        # of this [BT, G, n] tile cannot change the result.
        m_comb = (o_g >= 2) & (o_g < 2 + N_STREAMS)
        b_zc = tl.where(m_comb, b_z, 0.0)
        b_e = tl.where(m_comb, tl.exp(b_zc - tl.max(b_zc, axis=2)[:, :, None]), 0.0)
        b_rows = _sum_f64(b_e, 2)[:, :, None]
        b_c = tl.where(m_comb, b_e / tl.where(m_comb, b_rows, 1.0) + sinkhorn_eps, 0.0)
        b_c = b_c / (_sum_f64(b_c, 1)[:, None, :] + sinkhorn_eps)
        for _ in range(sinkhorn_iters - 1):
            b_c = b_c / (_sum_f64(b_c, 2)[:, :, None] + sinkhorn_eps)
            b_c = b_c / (_sum_f64(b_c, 1)[:, None, :] + sinkhorn_eps)
    return b_pre, b_post3, b_c


@triton.jit
def _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3, b_comb3, o_t, m_t,
                        N_STREAMS: tl.constexpr, NP: tl.constexpr):
    """post_mix ``[T, n, 1]`` (row stride s_post_t, streams contiguous) and comb_mix ``[T, n, n]``
    (row stride s_comb_t, inner [n, n] contiguous) from the ``[BT, G, n]`` views."""
    G: tl.constexpr = NP // N_STREAMS
    o_g = tl.arange(0, G)[None, :, None]
    o_j = tl.arange(0, N_STREAMS)[None, None, :]
    o_t3 = o_t[:, None, None]
    m_t3 = m_t[:, None, None]
    tl.store(p_post + o_t3 * s_post_t + (o_g - 1) * N_STREAMS + o_j, b_post3,
             mask=m_t3 & (o_g == 1) & (o_j >= 0))
    m_comb = (o_g >= 2) & (o_g < 2 + N_STREAMS)
    tl.store(p_comb + o_t3 * s_comb_t + (o_g - 2) * N_STREAMS + o_j, b_comb3,
             mask=m_t3 & m_comb & (o_j >= 0))


@triton.jit
def _finish_rows(p_tile, o_r, m_r, n_split, p_scale, p_base, K, rms_eps, hc_pre_eps, sinkhorn_eps,
                 post_mult, sinkhorn_iters, N_STREAMS: tl.constexpr, N_MIX: tl.constexpr,
                 NP: tl.constexpr, BLOCK_T: tl.constexpr, FIN_S: tl.constexpr, HEAD: tl.constexpr):
    """The coefficients of rows ``o_r`` of a tile (indices inside it, valid where ``m_r``) from its
    ``n_split`` partial rows (``_tile_mixes``; column N_MIX carries the sum of squares): the one
    finishing step of the one-launch finisher and of the two-launch second phase, so both give
    the same bits. Returns ``_coefficients``' (pre, post3, comb3)."""
    b_tot, b_sqt = _rows_mixes(p_tile, o_r, m_r, n_split, N_MIX, NP, BLOCK_T, FIN_S)
    return _coefficients(b_tot, b_sqt, p_scale, p_base, K, rms_eps, hc_pre_eps, sinkhorn_eps,
                         post_mult, sinkhorn_iters, N_STREAMS, N_MIX, NP, o_r.shape[0], HEAD)


@triton.jit
def _mhc_coeff_kernel(p_mix, T, p_scale, p_base, K, rms_eps, hc_pre_eps, sinkhorn_eps, post_mult,
                      sinkhorn_iters, p_post, s_post_t, p_comb, s_comb_t, N_STREAMS: tl.constexpr,
                      N_MIX: tl.constexpr, NP: tl.constexpr, BLOCK_T: tl.constexpr):
    """post_mix and comb_mix (with the Sinkhorn) of BLOCK_T tokens from their reduced mixes rows
    ``[T, NP]`` (column N_MIX: the sum of squares), as ``_finish_rows`` computes them: the second
    launch of the slice-resident Gluon mhc_pre (``mhc_gluon.py``), whose finishers publish only
    pre and store these rows."""
    o_t = tl.program_id(0).to(tl.int64) * BLOCK_T + tl.arange(0, BLOCK_T)
    m_t = o_t < T
    o_c = tl.arange(0, NP)
    b_tot = tl.load(p_mix + o_t[:, None] * NP + o_c[None, :], mask=m_t[:, None], other=0.0)
    b_sq = tl.sum(tl.where(o_c[None, :] == N_MIX, b_tot, 0.0), axis=1)  # one non-zero
    _, b_post3, b_comb3 = _coefficients(b_tot, b_sq, p_scale, p_base, K, rms_eps, hc_pre_eps,
                                        sinkhorn_eps, post_mult, sinkhorn_iters, N_STREAMS, N_MIX,
                                        NP, BLOCK_T, False)
    _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3, b_comb3, o_t, m_t, N_STREAMS,
                        NP)


@triton.jit
def _rows_mixes(p_tile, o_r, m_r, n_split, N_MIX: tl.constexpr, NP: tl.constexpr,
                BLOCK_T: tl.constexpr, FIN_S: tl.constexpr):
    """Raw mixes ``[R, NP]`` of rows ``o_r`` of a tile (``_tile_mixes``) and their sums of
    squares ``[R]`` (column N_MIX)."""
    o_c = tl.arange(0, NP)
    b_tot = _tile_mixes(p_tile, o_r, m_r, n_split, BLOCK_T, NP, FIN_S)
    return b_tot, tl.sum(tl.where(o_c[None, :] == N_MIX, b_tot, 0.0), axis=1)  # one non-zero


@triton.jit
def _finish_chunk(p_tile, c, tg, T, n_split, p_scale, p_base, K, rms_eps, hc_pre_eps, sinkhorn_eps,
                  post_mult, sinkhorn_iters, p_pre, p_post, s_post_t, p_comb, s_comb_t, p_flag,
                  N_STREAMS: tl.constexpr, N_MIX: tl.constexpr, NP: tl.constexpr,
                  BLOCK_T: tl.constexpr, FIN_T: tl.constexpr, FIN_S: tl.constexpr,
                  HEAD: tl.constexpr, EARLY: tl.constexpr):
    """Finishing chunk ``c`` (rows ``c * FIN_T ...`` of tile ``tg``, one launch): the mixes from
    the split partials (``_tile_mixes``), the coefficients, post / comb and pre stored, then the
    tile's flag incremented (acq_rel: the flag counts finished chunks). Returns the flag's old
    value (the chunk that makes it the chunk count publishes the tile).

    EARLY: pre is stored and the flag raised before post and the Sinkhorn iterations, which no
    weighted sum waits for. Every value is the one ``_finish_rows`` gives: pre is group 0 of
    ``_coefficients``, whose scale and base do not depend on HEAD."""
    o_i = tl.arange(0, N_STREAMS)
    o_f = c * FIN_T + tl.arange(0, FIN_T)
    o_ft = tg.to(tl.int64) * BLOCK_T + o_f
    m_ft = o_ft < T
    b_tot, b_sqt = _rows_mixes(p_tile, o_f, o_f < BLOCK_T, n_split, N_MIX, NP, BLOCK_T, FIN_S)
    # EARLY: pre alone first (the head's path: no Sinkhorn), post and comb after the flag
    b_pre, b_post3, b_comb3 = _coefficients(b_tot, b_sqt, p_scale, p_base, K, rms_eps,
                                            hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters,
                                            N_STREAMS, N_MIX, NP, FIN_T, HEAD or EARLY)
    if not HEAD and not EARLY:
        _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3, b_comb3, o_ft, m_ft,
                            N_STREAMS, NP)
    tl.store(p_pre + o_ft[:, None] * N_STREAMS + o_i[None, :], b_pre)
    tl.debug_barrier()
    old = tl.atomic_add(p_flag, 1, sem="acq_rel")
    if EARLY and not HEAD:
        _, b_post3, b_comb3 = _coefficients(b_tot, b_sqt, p_scale, p_base, K, rms_eps, hc_pre_eps,
                                            sinkhorn_eps, post_mult, sinkhorn_iters, N_STREAMS,
                                            N_MIX, NP, FIN_T, False)
        _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3, b_comb3, o_ft, m_ft,
                            N_STREAMS, NP)
    return old


@triton.jit
def _ws_item(tw, s, T, H, n_split, hb_per_split, p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw,
             p_pre, norm_eps, N_STREAMS: tl.constexpr, BLOCK_T: tl.constexpr,
             BLOCK_H: tl.constexpr, OUT_BLOCK_H: tl.constexpr, WS_T: tl.constexpr,
             NORM_ROWS: tl.constexpr, HAS_NORM: tl.constexpr, UNROLL: tl.constexpr = True,
             OUT_CS: tl.constexpr = False, ONE_BLOCK: tl.constexpr = False):
    """The weighted-sum item (tile tw, split s) of the one-launch schedule, once the tile's pre
    is published: split s's H-range of the tile, WS_T tokens at a time (HAS_NORM: whole rows
    s, s + n_split, ... of the tile, then their RMSNorm). UNROLL: the token steps unrolled (the
    usual item); else a loop (the publisher's hand-over items: unrolled there too, the kernel
    took 168 registers instead of 128 at the T=8192 default)."""
    o_i = tl.arange(0, N_STREAMS)
    if HAS_NORM:
        o_w = tw.to(tl.int64) * BLOCK_T + s + tl.arange(0, NORM_ROWS) * n_split
        m_w = (o_w < T) & (o_w < (tw.to(tl.int64) + 1) * BLOCK_T)
        b_pre = tl.load(p_pre + o_w[:, None] * N_STREAMS + o_i[None, :], mask=m_w[:, None],
                        other=0.0, cache_modifier=".cg")
        _weighted_sum_out(p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, b_pre, o_w, m_w,
                          0, H, norm_eps, N_STREAMS, OUT_BLOCK_H, HAS_NORM, OUT_CS)
    else:
        h_lo = s * hb_per_split * BLOCK_H
        h_hi = tl.minimum(h_lo + hb_per_split * BLOCK_H, H)
        if UNROLL:
            for w0 in tl.static_range(0, BLOCK_T, WS_T):
                _ws_tokens(tw, w0, T, h_lo, h_hi, p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw,
                           p_pre, norm_eps, N_STREAMS, BLOCK_T, OUT_BLOCK_H, WS_T, HAS_NORM, OUT_CS,
                           ONE_BLOCK)
        else:
            for w0 in range(0, BLOCK_T, WS_T):
                _ws_tokens(tw, w0, T, h_lo, h_hi, p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw,
                           p_pre, norm_eps, N_STREAMS, BLOCK_T, OUT_BLOCK_H, WS_T, HAS_NORM, OUT_CS)


@triton.jit
def _ws_tokens(tw, w0, T, h_lo, h_hi, p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, p_pre,
               norm_eps, N_STREAMS: tl.constexpr, BLOCK_T: tl.constexpr,
               OUT_BLOCK_H: tl.constexpr, WS_T: tl.constexpr, HAS_NORM: tl.constexpr,
               OUT_CS: tl.constexpr, ONE_BLOCK: tl.constexpr = False):
    """One step of ``_ws_item``: tokens w0 .. w0 + WS_T of tile tw over [h_lo, h_hi)."""
    o_i = tl.arange(0, N_STREAMS)
    o_w = tw.to(tl.int64) * BLOCK_T + w0 + tl.arange(0, WS_T)
    m_w = o_w < T
    b_pre = tl.load(p_pre + o_w[:, None] * N_STREAMS + o_i[None, :], mask=m_w[:, None],
                    other=0.0, cache_modifier=".cg")
    _weighted_sum_out(p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, b_pre, o_w, m_w,
                      h_lo, h_hi, norm_eps, N_STREAMS, OUT_BLOCK_H, HAS_NORM, OUT_CS, ONE_BLOCK)


@triton.jit
def _ws_block(p_res, s_res_t, s_res_i, p_out, s_out_t, b_pre, o_t, m_t, h0, h_hi,
              N_STREAMS: tl.constexpr, BLOCK_H: tl.constexpr, STREAM_STORE: tl.constexpr):
    """One ``[tokens, BLOCK_H]`` block of ``_weighted_sum_out`` from column h0 (masked at h_hi):
    the fma chain over the streams, rounded and stored (``.cs`` with STREAM_STORE). Returns the
    rounded block and its mask."""
    o_i = tl.arange(0, N_STREAMS)[None, :]
    o_h = h0 + tl.arange(0, BLOCK_H)
    m_th = m_t[:, None] & (o_h < h_hi)[None, :]
    p_r = p_res + o_t[:, None] * s_res_t + o_h[None, :]
    b_pre0 = tl.sum(tl.where(o_i == 0, b_pre, 0.0), axis=1)[:, None]  # one non-zero: exact
    b_acc = b_pre0 * tl.load(p_r, mask=m_th, other=0.0, eviction_policy="evict_first").to(tl.float32)
    for i in tl.static_range(1, N_STREAMS):
        b_pi = tl.sum(tl.where(o_i == i, b_pre, 0.0), axis=1)[:, None]
        b_x = tl.load(p_r + i * s_res_i, mask=m_th, other=0.0,
                      eviction_policy="evict_first").to(tl.float32)
        b_acc = tl.fma(b_pi, b_x, b_acc)
    b_y = b_acc.to(p_out.dtype.element_ty)
    if STREAM_STORE:
        tl.store(p_out + o_t[:, None] * s_out_t + o_h[None, :], b_y, mask=m_th, cache_modifier=".cs")
    else:
        tl.store(p_out + o_t[:, None] * s_out_t + o_h[None, :], b_y, mask=m_th)
    return b_y, m_th


@triton.jit
def _weighted_sum_out(p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, b_pre, o_t, m_t, h_lo, h_hi,
                      norm_eps, N_STREAMS: tl.constexpr, BLOCK_H: tl.constexpr,
                      HAS_NORM: tl.constexpr, OUT_CS: tl.constexpr = False,
                      ONE_BLOCK: tl.constexpr = False):
    """``out[t, h] = sum_i pre[t, i] * res[t, i, h]`` for h in [h_lo, h_hi); with HAS_NORM (then
    the range is the whole row) the rounded rows are RMS-normalised in place afterwards (exactly
    what an unfused RMSNorm of layer_input computes).

    The residual is read with ``evict_first`` (this is its last use). In the fused post+pre it
    was written by other programs of this launch after their release; no SM has read those
    addresses before (each is read once, here), so no stale L1 line can be hit.

    OUT_CS: the final store of layer_input is a streaming store (``.cs``: first to leave L2).
    At large T the output is larger than L2 and this kernel never reads it again, so it should
    not take L2 space from the streams that the weighted sums re-read (with HAS_NORM only the
    normalised store streams: the first one is read back). ONE_BLOCK: the caller guarantees
    ``h_hi - h_lo <= BLOCK_H`` (one block, no loop).

    The stream sum is an explicit fma chain in stream order (pre_0 * x_0, then + pre_i * x_i),
    and the norm's sum of squares accumulates elementwise and ends in a pairwise tree: the
    result does not depend on the layout the compiler picks (see the module docstring)."""
    if ONE_BLOCK and not HAS_NORM:
        # the range fits one block: no loop around the loads, so the compiler may issue a later
        # step's loads (unrolled steps of _ws_item) before this step's sums
        _ws_block(p_res, s_res_t, s_res_i, p_out, s_out_t, b_pre, o_t, m_t, h_lo, h_hi,
                  N_STREAMS, BLOCK_H, OUT_CS)
    else:
        b_sq = tl.zeros([o_t.shape[0], BLOCK_H], dtype=tl.float32)
        for h0 in range(h_lo, h_hi, BLOCK_H):
            b_y, m_th = _ws_block(p_res, s_res_t, s_res_i, p_out, s_out_t, b_pre, o_t, m_t, h0,
                                  h_hi, N_STREAMS, BLOCK_H, OUT_CS and not HAS_NORM)
            if HAS_NORM:
                b_yf = tl.where(m_th, b_y.to(tl.float32), 0.0)
                b_sq = tl.fma(b_yf, b_yf, b_sq)
        if HAS_NORM:
            _norm_rows(p_out, s_out_t, p_nw, b_sq, o_t, m_t, h_lo, h_hi, norm_eps, BLOCK_H, OUT_CS)


@triton.jit
def _norm_rows(p_out, s_out_t, p_nw, b_sq, o_t, m_t, h_lo, h_hi, norm_eps, BLOCK_H: tl.constexpr,
               OUT_CS: tl.constexpr):
    """The RMSNorm of the rounded rows ``out[o_t, h_lo:h_hi]`` in place, from their elementwise
    sums of squares ``b_sq`` (a pairwise tree), times norm_weight."""
    tl.debug_barrier()  # the rows were written by other threads of this program
    b_inv = tl.rsqrt(_row_pairwise_sum(b_sq) / (h_hi - h_lo) + norm_eps)[:, None]
    for h0 in range(h_lo, h_hi, BLOCK_H):
        o_h = h0 + tl.arange(0, BLOCK_H)
        m_h = o_h < h_hi
        m_th = m_t[:, None] & m_h[None, :]
        p_o = p_out + o_t[:, None] * s_out_t + o_h[None, :]
        b_y = tl.load(p_o, mask=m_th, other=0.0).to(tl.float32)
        b_w = tl.load(p_nw + o_h, mask=m_h, other=0.0).to(tl.float32)
        if OUT_CS:
            tl.store(p_o, (b_y * b_inv * b_w[None, :]).to(p_out.dtype.element_ty), mask=m_th,
                     cache_modifier=".cs")
        else:
            tl.store(p_o, (b_y * b_inv * b_w[None, :]).to(p_out.dtype.element_ty), mask=m_th)


@triton.jit
def _mhc_pre_kernel(
    p_res, s_res_t, s_res_i,
    p_x, s_x_t, p_old, s_old_t, s_old_i, p_pin, s_pin_t, s_pin_i, p_cin, s_cin_t, s_cin_i, s_cin_j,
    p_fn, s_fn, p_scale, p_base, p_part, p_pre, p_sync,
    p_out, s_out_t, p_post, s_post_t, p_comb, s_comb_t, p_nw,
    T, H, n_tiles, n_split, hb_per_split, lag, spin,
    rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps,
    N_STREAMS: tl.constexpr, N_MIX: tl.constexpr, NP: tl.constexpr,
    BLOCK_T: tl.constexpr, BLOCK_H: tl.constexpr, OUT_BLOCK_H: tl.constexpr,
    NORM_ROWS: tl.constexpr, FIN_T: tl.constexpr, WS_T: tl.constexpr,
    HEAD: tl.constexpr, FUSED_POST: tl.constexpr,
    HAS_NORM: tl.constexpr, X_BF16: tl.constexpr, DIAG: tl.constexpr = 0,
    FLAT: tl.constexpr = False, SQ_DOT: tl.constexpr = False, FN_CAT: tl.constexpr = False,
    PHASE: tl.constexpr = 0, FIN_S: tl.constexpr = 4, FN_PRE: tl.constexpr = False,
    FIN_PAR: tl.constexpr = 1, EARLY_FLAG: tl.constexpr = False, OWN: tl.constexpr = False,
    OUT_CS: tl.constexpr = False, WS_ONE_BLOCK: tl.constexpr = False,
):
    """mhc_pre / hc_head / mhc_fused_post_pre in one launch (see ``mhc.py`` for the schedule).

    Work items in ticket order L = 0, 1, ...: ``tg = L // n_split`` and ``s = L % n_split``.

    1. GEMM item (tg, s), if tg < n_tiles: the GEMM against fn and the sum of squares of
       BLOCK_T tokens over the H-blocks of split s, one stream at a time (a [BLOCK_T, BLOCK_H]
       tile times fn's matching [BLOCK_H, NP] block; FUSED_POST: the stream tile is produced
       here from x, the old residual, post and comb, stored as the new residual and fed to the
       GEMM from registers). The raw partial row goes to ``p_part``; the program that arrives
       last at tile tg adds the n_split partials (``_tile_mixes``), computes the coefficients,
       stores post_mix / comb_mix and pre, and raises the tile's ready flag.
    2. Weighted-sum item for tile ``tw = tg - lag``: waits for its ready flag, then writes
       layer_input for split s's H-range of the tile's tokens (HAS_NORM: whole rows of the rows
       ``s, s + n_split, ...`` of the tile, then the RMSNorm). Its residual was read ``lag``
       tiles ago: from L2. OWN (lag 0): the item's own tile; its wait is bounded by ``spin``
       polls, after which the item is handed to the tile's publisher (the ws word), and the
       parallel finishers (FIN_PAR > 1) hand over their chunks the same way (the arrival
       word): no wait depends on which programs are resident (docs/ops/mhc.md).

    Tickets come from an atomic counter, so a program only ever waits for items of smaller
    tickets, whose programs have started and never wait for it: no deadlock, whatever the
    residency or the order in which the hardware dispatches programs.

    ``p_sync`` (int32, zeroed by the launcher): [0] ticket counter, [1 + tile] arrivals,
    [1 + n_tiles + tile] ready flags.

    PHASE 1 then PHASE 2 (two launches, grid ``n_tiles * n_split`` each; decode sizes, where the
    one-launch schedule's chain of atomics, the finisher and the waits is what costs): PHASE 1 runs
    only the GEMM items and stores their partials; in PHASE 2 every program (tile, split) adds its
    tile's partials itself (the same adds in the same order as the finisher), computes the
    coefficients and writes its share of the weighted sum. No ticket, no sync buffer, no wait
    (the launch boundary orders the phases), so no memset either.

    OUT_CS (one launch): layer_input's final stores stream past L2 (``_weighted_sum_out``).
    WS_ONE_BLOCK (the launcher's ``out_block_h >= split_h``): an item's weighted-sum steps cover
    its split in one block each, written as straight-line code (no loop around the loads).

    DIAG (benchmarks/mhc_diag.py only; wrong results): 1 skips the weighted sums, 2 skips the
    GEMM steps, so their costs can be timed apart."""
    if PHASE == 0:
        L = tl.atomic_add(p_sync, 1)
    else:
        L = tl.program_id(0)  # the two-launch schedule: no waits, so no ticket is needed
    tg = L // n_split
    s = L % n_split
    o_i = tl.arange(0, N_STREAMS)
    o_c = tl.arange(0, NP)
    if (tg < n_tiles) & (PHASE != 2):
        o_t = tg.to(tl.int64) * BLOCK_T + tl.arange(0, BLOCK_T)
        m_t = o_t < T
        b_acc = tl.zeros([BLOCK_T, NP], dtype=tl.float32)
        # squares accumulate elementwise (stream by stream, step by step: a fixed order per
        # element) and are summed by a pairwise tree after the loop; a tl.sum here would add in
        # an order set by the tile's layout, which can differ between kernel variants
        b_sq2 = tl.zeros([BLOCK_T, 1 if SQ_DOT else BLOCK_H], dtype=tl.float32)
        # SQ_DOT: the squares as the diagonal of x x^T on the tensor cores (bf16 products are
        # exact in fp32), so x needs no register copy and no CUDA-core work per element
        b_sqd = tl.zeros([BLOCK_T, BLOCK_T if SQ_DOT else 1], dtype=tl.float32)  # [BT, 1]: unused
        # FN_CAT: fn's hi and lo bf16 parts side by side as one [BLOCK_H, 2 NP] operand (one dot)
        b_acc2 = tl.zeros([BLOCK_T, 2 * NP if FN_CAT and X_BF16 else 1], dtype=tl.float32)
        # the fn block's columns: [0, NP), or [0, NP) twice side by side for FN_CAT
        o_fc = tl.arange(0, 2 * NP if FN_CAT and X_BF16 else NP) % NP
        m_fc = o_fc < N_MIX
        n_hb = tl.cdiv(H, BLOCK_H)
        hb_start = s * hb_per_split
        hb_end = tl.minimum(hb_start + hb_per_split, n_hb)
        if DIAG == 2:
            hb_end = hb_start
        if FLAT and not FUSED_POST:
            # one (H-block, stream) pair per iteration: one x tile and one fn block live at a
            # time (the nested loop below lets the compiler hoist all n streams' loads; with the
            # options of the T >= 8192 default, 128 registers on the H100 against 194); the same
            # dots in the same order
            for it in range(hb_start * N_STREAMS, hb_end * N_STREAMS):
                hb = it // N_STREAMS
                j = it % N_STREAMS
                o_h = hb * BLOCK_H + tl.arange(0, BLOCK_H)
                m_h = o_h < H
                m_th = m_t[:, None] & m_h[None, :]
                p_rj = p_res + o_t[:, None] * s_res_t + j * s_res_i + o_h[None, :]
                b_xr = tl.load(p_rj, mask=m_th, other=0.0, eviction_policy="evict_last")
                b_fn = _fn_block(p_fn, s_fn, j, H, o_h, m_h, o_fc, m_fc, NP, FN_PRE)
                b_acc, b_acc2, b_sq2, b_sqd = _gemm_step(b_xr, b_fn, b_acc, b_acc2, b_sq2, b_sqd,
                                                         X_BF16, SQ_DOT, FN_CAT, FN_PRE)
        else:
            for hb in range(hb_start, hb_end):
                o_h = hb * BLOCK_H + tl.arange(0, BLOCK_H)
                m_h = o_h < H
                m_th = m_t[:, None] & m_h[None, :]
                if FUSED_POST:
                    # the new residual tile [BLOCK_T, n, BLOCK_H] exactly as mhc_post computes it,
                    # stored, then read back stream by stream below (from L2: written a moment ago)
                    # so the GEMM sees the same bf16 values as mhc_pre on mhc_post's output and the
                    # post tile's registers are free before the GEMM's are needed
                    b_new = _post_tile(p_x, s_x_t, p_old, s_old_t, s_old_i, p_pin, s_pin_t, s_pin_i,
                                       p_cin, s_cin_t, s_cin_i, s_cin_j, o_t, m_t, o_h, m_h, N_STREAMS)
                    p_r3 = (p_res + o_t[:, None, None] * s_res_t + o_i[None, :, None] * s_res_i
                            + o_h[None, None, :])
                    tl.store(p_r3, b_new.to(p_res.dtype.element_ty),
                             mask=m_t[:, None, None] & m_h[None, None, :])
                    tl.debug_barrier()  # stored by other threads of this program: visible after this
                for j in tl.static_range(N_STREAMS):
                    p_rj = p_res + o_t[:, None] * s_res_t + j * s_res_i + o_h[None, :]
                    if FUSED_POST:
                        b_xr = tl.load(p_rj, mask=m_th, other=0.0, cache_modifier=".cg")
                    else:
                        # kept in L2 for the weighted sum that reads it again `lag` tiles later
                        b_xr = tl.load(p_rj, mask=m_th, other=0.0, eviction_policy="evict_last")
                    # fn^T block of stream j: row h of the tile is fn column j*H + h
                    b_fn = _fn_block(p_fn, s_fn, j, H, o_h, m_h, o_fc, m_fc, NP, FN_PRE)
                    b_acc, b_acc2, b_sq2, b_sqd = _gemm_step(b_xr, b_fn, b_acc, b_acc2, b_sq2, b_sqd,
                                                             X_BF16, SQ_DOT, FN_CAT, FN_PRE)
        if SQ_DOT:
            o_bt = tl.arange(0, BLOCK_T)
            b_sq = tl.sum(tl.where(o_bt[:, None] == o_bt[None, :], b_sqd, 0.0), axis=1)  # one non-zero
        else:
            b_sq = _row_pairwise_sum(b_sq2)
        if FN_CAT and X_BF16:
            b_hi, b_lo = tl.split(tl.permute(tl.reshape(b_acc2, [BLOCK_T, 2, NP]), (0, 2, 1)))
            b_acc = b_hi + b_lo
        b_row = tl.where(o_c[None, :] == N_MIX, b_sq[:, None], b_acc)
        p_tile = p_part + tg.to(tl.int64) * n_split * BLOCK_T * NP
        tl.store(p_tile + (s * BLOCK_T + tl.arange(0, BLOCK_T)[:, None]) * NP + o_c[None, :], b_row)
        if PHASE == 0:
            tl.debug_barrier()  # every thread's partial (and new residual) stored before the release
            p_arr = p_sync + 1 + tg
            arrived = tl.atomic_add(p_arr, 1, sem="acq_rel")
            n_ch: tl.constexpr = BLOCK_T // FIN_T
            todo = tl.zeros([], dtype=tl.int32)  # bit c: this program finishes chunk c
            if FIN_PAR > 1:
                # The last FIN_PAR arrivals finish a FIN_T-token chunk each (FIN_PAR * FIN_T ==
                # BLOCK_T) once every partial is in. The arrival word holds the count (bits
                # 0-7) and abandoned chunks (bits 8 + c). A waiting finisher polls at most
                # `spin` times; then it sets its chunk's bit and leaves it to the last arrival,
                # unless the count is complete by then (one atomic word orders the two: a bit set
                # before the last arrival's add is in the value that add returns). So no wait is
                # unbounded, whatever the residency (and the interpreter, which runs programs
                # one after another, runs this too). Rows are finished independently: the same
                # coefficients as with one finisher.
                idx = arrived & 255
                c = idx - (n_split - FIN_PAR)
                if idx == n_split - 1:
                    todo = ((arrived >> 8) & ((1 << FIN_PAR) - 1)) | (1 << c)
                elif c >= 0:
                    w = arrived
                    it = tl.zeros([], dtype=tl.int32)
                    while ((w & 255) < n_split) & (it < spin):
                        w = tl.atomic_add(p_arr, 0, sem="acquire")
                        it += 1
                    if (w & 255) < n_split:
                        w = tl.atomic_or(p_arr, 1 << (8 + c), sem="acq_rel")
                    if (w & 255) == n_split:
                        todo = 1 << c
            elif arrived == n_split - 1:
                todo = tl.full([], (1 << n_ch) - 1, tl.int32)  # the last arrival: every chunk
            published = tl.zeros([], dtype=tl.int32)
            for c in range(0, n_ch):
                if ((todo >> c) & 1) != 0:
                    old = _finish_chunk(p_tile, c, tg, T, n_split, p_scale, p_base, N_STREAMS * H,
                                        rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters,
                                        p_pre, p_post, s_post_t, p_comb, s_comb_t,
                                        p_sync + 1 + n_tiles + tg, N_STREAMS, N_MIX, NP, BLOCK_T,
                                        FIN_T, FIN_S, HEAD, EARLY_FLAG)
                    published = tl.where(old == n_ch - 1, 1, published)
            if OWN and (DIAG != 1):
                if published != 0:
                    # a chunk of this program published the tile: the weighted-sum items abandoned
                    # so far (bits of the tile's ws word) are this program's to do
                    v = tl.atomic_or(p_sync + 1 + 2 * n_tiles + tg, _PUB, sem="acq_rel")
                    for q in range(0, n_split):
                        if ((v >> q) & 1) != 0:
                            _ws_item(tg, q, T, H, n_split, hb_per_split, p_res, s_res_t, s_res_i,
                                     p_out, s_out_t, p_nw, p_pre, norm_eps, N_STREAMS, BLOCK_T,
                                     BLOCK_H, OUT_BLOCK_H, WS_T, NORM_ROWS, HAS_NORM, False, OUT_CS)
    if PHASE == 2:
        # the second launch of the two-launch schedule (decode sizes): every program of tile tg
        # adds the tile's partials itself (the first launch wrote them all), so no program waits;
        # the same adds in the same order as the one-launch finisher, so the same coefficients
        if tg < n_tiles:
            p_tile = p_part + tg.to(tl.int64) * n_split * BLOCK_T * NP
            if HAS_NORM:
                # whole rows s, s + n_split, ... of the tile: their coefficients, stored by this
                # program (the row sets are disjoint), then the rows and their RMSNorm
                o_f = s + tl.arange(0, NORM_ROWS) * n_split
                o_w = tg.to(tl.int64) * BLOCK_T + o_f
                m_w = (o_w < T) & (o_f < BLOCK_T)
                b_pre, b_post3, b_comb3 = _finish_rows(
                    p_tile, o_f, m_w, n_split, p_scale, p_base, N_STREAMS * H, rms_eps, hc_pre_eps,
                    sinkhorn_eps, post_mult, sinkhorn_iters, N_STREAMS, N_MIX, NP, BLOCK_T, FIN_S,
                    HEAD)
                if not HEAD:
                    _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3, b_comb3, o_w,
                                        m_w, N_STREAMS, NP)
                _weighted_sum_out(p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, b_pre, o_w, m_w,
                                  0, H, norm_eps, N_STREAMS, OUT_BLOCK_H, HAS_NORM)
            else:
                # FIN_T tokens at a time: their coefficients (split 0 stores post and comb), then
                # split s's H-range of their weighted sum; chunks past the last token are skipped
                h_lo = s * hb_per_split * BLOCK_H
                h_hi = tl.minimum(h_lo + hb_per_split * BLOCK_H, H)
                for f0 in tl.static_range(0, BLOCK_T, FIN_T):
                    if tg.to(tl.int64) * BLOCK_T + f0 < T:
                        o_f = f0 + tl.arange(0, FIN_T)
                        o_w = tg.to(tl.int64) * BLOCK_T + o_f
                        m_w = o_w < T
                        b_pre, b_post3, b_comb3 = _finish_rows(
                            p_tile, o_f, m_w, n_split, p_scale, p_base, N_STREAMS * H, rms_eps,
                            hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, N_STREAMS, N_MIX,
                            NP, BLOCK_T, FIN_S, HEAD)
                        if not HEAD:
                            if s == 0:
                                _store_coefficients(p_post, s_post_t, p_comb, s_comb_t, b_post3,
                                                    b_comb3, o_w, m_w, N_STREAMS, NP)
                        _weighted_sum_out(p_res, s_res_t, s_res_i, p_out, s_out_t, p_nw, b_pre,
                                          o_w, m_w, h_lo, h_hi, norm_eps, N_STREAMS, OUT_BLOCK_H,
                                          HAS_NORM)
    if PHASE == 0:
        tw = tg - lag
        if (tw >= 0) & (tw < n_tiles) & (DIAG != 1):
            p_flag = p_sync + 1 + n_tiles + tw
            flag = tl.atomic_add(p_flag, 0, sem="acquire")
            if OWN:
                # own tile (lag 0): its finishers may not have run yet, and may need this
                # program's slot to run. Poll at most `spin` times, then hand the item to the
                # tile's publisher through the tile's ws word (bit s), unless it has published
                # by then (its atomic_or of _PUB and this one are ordered on the one word).
                it = tl.zeros([], dtype=tl.int32)
                while (flag < BLOCK_T // FIN_T) & (it < spin):
                    flag = tl.atomic_add(p_flag, 0, sem="acquire")
                    it += 1
                go = flag >= BLOCK_T // FIN_T
                if not go:
                    v = tl.atomic_or(p_sync + 1 + 2 * n_tiles + tw, 1 << s, sem="acq_rel")
                    go = (v & _PUB) != 0
            else:
                # an earlier tile, whose items hold smaller tickets: they have all started and
                # never wait for this one, so this wait ends
                while flag < BLOCK_T // FIN_T:  # the flag counts finished chunks
                    flag = tl.atomic_add(p_flag, 0, sem="acquire")
                go = flag >= 0
            if go:
                _ws_item(tw, s, T, H, n_split, hb_per_split, p_res, s_res_t, s_res_i, p_out,
                         s_out_t, p_nw, p_pre, norm_eps, N_STREAMS, BLOCK_T, BLOCK_H, OUT_BLOCK_H,
                         WS_T, NORM_ROWS, HAS_NORM, OUT_CS=OUT_CS, ONE_BLOCK=WS_ONE_BLOCK)
