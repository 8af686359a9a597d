"""Triton kernels of the top-k per row radix select (launchers in ``topk.py``).

The algorithm, per row of n > k columns (see docs/ops/topk.md for the full story):

1. Coarse pass (reads the row once, from HBM): histogram of an 8-bit *coarse digit*, the top
   byte of the order-preserving key of ``float16(x)`` (sign, 5 exponent bits, 2 mantissa bits:
   far finer than the top byte of the float32 key in the range logits live in). Rounding to
   float16 is monotone, so the digit is a monotone function of the value. A prefix sum over
   the 256 bins gives the threshold bin ``b1``: everything above it is selected, ``k1`` more
   must come from inside it.
2. Compaction pass (re-reads the row, from L2): elements with digit > b1 are written straight
   to the output; elements with digit == b1 (the candidates) go to a per-program workspace as
   (float32 key, column), if they fit (``cap``).
3. Candidate select: radix passes of ``RADIX_BITS`` over the full 32-bit key of the
   candidates find the exact k1-th largest key T and how many ties at T to take.
   If the candidates did not fit, the same passes run over the row itself (re-read from L2,
   filtered to digit == b1): slower, always correct.
4. Emit: candidates with key > T, then the first ties == T in column order.

Keys: float32 bits with the sign bit flipped for positive values and every bit flipped for
negative ones, so unsigned order == float order (-0.0 sorts just below +0.0, which only
breaks a tie). NaN (either sign) maps to the largest key 0xFFFFFFFF, above +inf, as in
``torch.topk``; a NaN is an ordinary candidate and can never produce an out-of-range index.
"""

import triton
import triton.language as tl

try:  # programmatic dependent launch (sm_90+); used only under a PDL constexpr, on CUDA
    from triton.language.extra.cuda import gdc_launch_dependents, gdc_wait
except ImportError:  # pragma: no cover - a Triton without them never sets PDL
    gdc_launch_dependents = gdc_wait = None

COARSE_BINS = tl.constexpr(256)   # the coarse digit is one byte


@triton.jit
def _l2_prefetch(p_row, lo, hi, LINES: tl.constexpr):
    """Ask L2 for columns [lo, hi) of a contiguous float32 row, one ``prefetch.global.L2`` per
    128-byte line, LINES lines per step (addresses past hi are clamped to hi - 1: a repeated
    line costs nothing). No data comes back to the SM: this only starts the DRAM reads, so the
    row's later loads find it in L2. CUDA only (inline PTX), under PDL."""
    for off in range(lo, hi, LINES * 32):
        o = tl.minimum(off + tl.arange(0, LINES) * 32, hi - 1)
        addr = (p_row + o).to(tl.int64, bitcast=True)
        tl.inline_asm_elementwise("prefetch.global.L2 [$1]; mov.u32 $0, 0;", "=r,l", [addr],
                                  dtype=tl.int32, is_pure=False, pack=1)


@triton.jit
def _order_key(x):
    """float32 -> uint32 key whose unsigned order is the float order; NaN -> max."""
    bits = x.to(tl.int32, bitcast=True)
    # (bits >> 31) is -1 for negative values (flip every bit), 0 otherwise (flip the sign).
    flip = (bits >> 31) | -2147483648
    key = bits ^ flip
    key = tl.where(x != x, -1, key)
    return key.to(tl.uint32, bitcast=True)


@triton.jit
def _coarse_digit(x):
    """Top byte of the order key of float16(x), int32 in [0, 256); NaN -> 255 (the top)."""
    h = x.to(tl.float16).to(tl.int16, bitcast=True).to(tl.int32)   # sign-extended
    key16 = h ^ ((h >> 31) | 0x8000)
    digit = (key16 >> 8) & 255
    return tl.where(x != x, 255, digit)


@triton.jit
def _pick_bucket(hist, total, kk, NB: tl.constexpr):
    """Threshold bin of a histogram: the largest bin b with count(digit >= b) >= kk.

    Returns (b, count(digit > b), count(digit == b)). Needs total >= kk >= 1.
    """
    bins = tl.arange(0, NB)
    above = total - tl.cumsum(hist, 0)           # count(digit > bin)
    at_or_above = above + hist
    b = tl.sum((at_or_above >= kk).to(tl.int32), 0) - 1
    n_above = tl.sum(tl.where(bins == b, above, 0), 0)
    n_at = tl.sum(tl.where(bins == b, hist, 0), 0)
    return b, n_above, n_at


@triton.jit
def _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE: tl.constexpr):
    """[start, end) of a row, clamped to [0, cols] so that no read leaves the logits."""
    if IS_DECODE:
        start = tl.full([], 0, tl.int32)
        end = tl.load(p_seq_lens + row // next_n) - next_n + row % next_n + 1
    else:
        start = tl.load(p_starts + row)
        end = tl.load(p_ends + row)
    start = tl.maximum(start, 0)
    end = tl.minimum(end, cols)
    return start, end


@triton.jit
def _fill_identity(p_orow, n, k, BLOCK: tl.constexpr):
    """Rows with n <= k: 0, 1, ..., n-1, then -1 up to k."""
    for off in range(0, k, BLOCK):
        o = off + tl.arange(0, BLOCK)
        tl.store(p_orow + o, tl.where(o < n, o, -1), mask=o < k)


@triton.jit
def _row_ptrs(p_row, stride_c, o, COL_CONTIG: tl.constexpr):
    """Addresses of columns o of a row (int64 offsets where the columns are strided)."""
    if COL_CONTIG:
        return p_row + o
    else:
        return p_row + o.to(tl.int64) * stride_c


@triton.jit
def _signed_key(x):
    """_order_key as int32 with the top bit flipped: signed order = float order."""
    return _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648


@triton.jit
def _load_row(p_row, stride_c, o, lim, COL_CONTIG: tl.constexpr, EVICT: tl.constexpr = 0):
    """Columns o < lim of a row (0.0 elsewhere) and the mask. EVICT: L2 eviction policy of the
    loads, 0 the default, 1 evict_first (streamed once), 2 evict_last."""
    m = o < lim
    ptr = _row_ptrs(p_row, stride_c, o, COL_CONTIG)
    if EVICT == 1:
        x = tl.load(ptr, mask=m, other=0.0, eviction_policy="evict_first")
    elif EVICT == 2:
        x = tl.load(ptr, mask=m, other=0.0, eviction_policy="evict_last")
    else:
        x = tl.load(ptr, mask=m, other=0.0)
    return x, m


@triton.jit
def _coarse_hist(p_row, stride_c, lo, hi, BLOCK: tl.constexpr, COL_CONTIG: tl.constexpr):
    """Histogram of the coarse digit over columns [lo, hi) of a row (empty if hi <= lo)."""
    hist = tl.zeros([COARSE_BINS], dtype=tl.int32)
    for off in range(lo, hi, BLOCK):
        o = off + tl.arange(0, BLOCK)
        x, m = _load_row(p_row, stride_c, o, hi, COL_CONTIG)
        # Masked lanes land in bin 0 and are taken out below (no mask= on tl.histogram:
        # older Triton lacks it).
        hist += tl.histogram(tl.where(m, _coarse_digit(x), 0), COARSE_BINS)
    n_lanes = tl.cdiv(tl.maximum(hi - lo, 0), BLOCK) * BLOCK
    n_valid = tl.maximum(hi - lo, 0)
    return hist - tl.where(tl.arange(0, COARSE_BINS) == 0, n_lanes - n_valid, 0)


@triton.jit
def _compact(p_row, stride_c, lo, hi, b1, p_orow, base_gt, p_ck, p_ci, base_eq, cap,
             WRITE_CAND: tl.constexpr, BLOCK: tl.constexpr, COL_CONTIG: tl.constexpr):
    """Columns [lo, hi) with digit > b1 -> out[base_gt + ...]; digit == b1 -> candidates.

    Positions follow column order (a cumsum inside each block), so the result is deterministic.
    """
    seen_gt = base_gt
    seen_eq = base_eq
    for off in range(lo, hi, BLOCK):
        o = off + tl.arange(0, BLOCK)
        x, m = _load_row(p_row, stride_c, o, hi, COL_CONTIG)
        d = _coarse_digit(x)
        m_gt = m & (d > b1)
        m_eq = m & (d == b1)
        # Both running counts in one scan: low 16 bits count gt, high bits count eq
        # (BLOCK <= 16384 keeps the low half from carrying).
        packed = m_gt.to(tl.int32) + m_eq.to(tl.int32) * 65536
        inc = tl.cumsum(packed, 0)
        tl.store(p_orow + (seen_gt + (inc & 65535) - 1), o, mask=m_gt)
        if WRITE_CAND:
            o_eq = seen_eq + (inc >> 16) - 1
            m_st = m_eq & (o_eq < cap)
            tl.store(p_ck + o_eq, _order_key(x).to(tl.int32, bitcast=True), mask=m_st)
            tl.store(p_ci + o_eq, o, mask=m_st)
        tot = tl.sum(packed, 0)
        seen_gt += tot & 65535
        seen_eq += tot >> 16


@triton.jit
def _load_source(p_row, stride_c, p_ck, p_ci, o, m_src, b1, FROM_ROW: tl.constexpr,
                 NEED_IDX: tl.constexpr, COL_CONTIG: tl.constexpr, p_seg, seg_cap,
                 SEG: tl.constexpr):
    """(key, column, valid) of the candidate-set lanes o: from the workspace or the row.

    SEG: the workspace is cut into segments of ``seg_cap`` lanes (one per slice of the row,
    v3's sample pass), segment j holding ``p_seg[j]`` candidates."""
    if SEG:
        seg = o // seg_cap
        in_range = o < m_src
        seg_n = tl.load(p_seg + seg, mask=in_range, other=0)
        valid = in_range & ((o - seg * seg_cap) < seg_n)
        key = tl.load(p_ck + o, mask=valid, other=0).to(tl.uint32, bitcast=True)
        if NEED_IDX:
            idx = tl.load(p_ci + o, mask=valid, other=0)
        else:
            idx = o
    elif FROM_ROW:
        x, valid = _load_row(p_row, stride_c, o, m_src, COL_CONTIG)
        valid = valid & (_coarse_digit(x) == b1)
        key = _order_key(x)
        idx = o
    else:
        valid = o < m_src
        key = tl.load(p_ck + o, mask=valid, other=0).to(tl.uint32, bitcast=True)
        if NEED_IDX:
            idx = tl.load(p_ci + o, mask=valid, other=0)
        else:
            idx = o
    return key, idx, valid


@triton.jit
def _select_and_emit(p_row, stride_c, p_ck, p_ci, m_src, b1, n_cand, k1, p_orow, base_out,
                     FROM_ROW: tl.constexpr, CBLOCK: tl.constexpr, RADIX_BITS: tl.constexpr,
                     COL_CONTIG: tl.constexpr, p_seg, seg_cap, SEG: tl.constexpr):
    """Select the k1 largest keys of the candidate set (n_cand elements, n_cand >= k1 >= 1)
    and write their columns to out[base_out : base_out + k1].

    Source lanes are [0, m_src) of the workspace (FROM_ROW=False) or of the row, filtered to
    coarse digit == b1 (FROM_ROW=True).
    """
    NB: tl.constexpr = 1 << RADIX_BITS
    NPASS: tl.constexpr = 32 // RADIX_BITS
    bins = tl.arange(0, NB)
    n_lanes = tl.cdiv(m_src, CBLOCK) * CBLOCK
    prefix = tl.zeros([], dtype=tl.uint32)
    krem = k1
    expect = n_cand      # candidates still matching the prefix
    for p in tl.static_range(NPASS):
        SHIFT = 32 - RADIX_BITS * (p + 1)   # constexpr: p is a static_range index
        hist = tl.zeros([NB], dtype=tl.int32)
        for off in range(0, m_src, CBLOCK):
            o = off + tl.arange(0, CBLOCK)
            key, idx, valid = _load_source(p_row, stride_c, p_ck, p_ci, o, m_src, b1,
                                           FROM_ROW, False, COL_CONTIG, p_seg, seg_cap, SEG)
            if p > 0:
                valid = valid & ((key >> (SHIFT + RADIX_BITS)) == prefix)
            d = ((key >> SHIFT) & (NB - 1)).to(tl.int32)
            hist += tl.histogram(tl.where(valid, d, 0), NB)
        hist = hist - tl.where(bins == 0, n_lanes - expect, 0)
        b, n_above, n_at = _pick_bucket(hist, expect, krem, NB)
        krem -= n_above
        expect = n_at
        prefix = (prefix << RADIX_BITS) | b.to(tl.uint32)
    # prefix is now the k1-th largest key T; take every key > T and krem of the ties.
    n_gt = k1 - krem
    seen_gt = base_out
    seen_eq = 0
    for off in range(0, m_src, CBLOCK):
        o = off + tl.arange(0, CBLOCK)
        key, idx, valid = _load_source(p_row, stride_c, p_ck, p_ci, o, m_src, b1,
                                       FROM_ROW, True, COL_CONTIG, p_seg, seg_cap, SEG)
        m_gt = valid & (key > prefix)
        m_eq = valid & (key == prefix)
        packed = m_gt.to(tl.int32) + m_eq.to(tl.int32) * 65536
        inc = tl.cumsum(packed, 0)
        tl.store(p_orow + (seen_gt + (inc & 65535) - 1), idx, mask=m_gt)
        r_eq = seen_eq + (inc >> 16) - 1
        tl.store(p_orow + (base_out + n_gt + r_eq), idx, mask=m_eq & (r_eq < krem))
        tot = tl.sum(packed, 0)
        seen_gt += tot & 65535
        seen_eq += tot >> 16


@triton.jit
def _finish_row(p_row, stride_c, p_ck, p_ci, n, b1, n_gt1, n_eq1, k1, cap, p_orow,
                CBLOCK: tl.constexpr, RADIX_BITS: tl.constexpr, COL_CONTIG: tl.constexpr):
    """Step 3 + 4 for one row: from the workspace if the candidates fit, else from the row."""
    if n_eq1 <= cap:
        _select_and_emit(p_row, stride_c, p_ck, p_ci, n_eq1, b1, n_eq1, k1, p_orow, n_gt1,
                         False, CBLOCK, RADIX_BITS, COL_CONTIG, p_ck, 1, False)
    else:
        _select_and_emit(p_row, stride_c, p_ck, p_ci, n, b1, n_eq1, k1, p_orow, n_gt1,
                         True, CBLOCK, RADIX_BITS, COL_CONTIG, p_ck, 1, False)


@triton.jit
def _select_row(p_row, stride_c, n, k, p_orow, p_ck, p_ci, cap, BLOCK: tl.constexpr,
                CBLOCK: tl.constexpr, RADIX_BITS: tl.constexpr, COL_CONTIG: tl.constexpr):
    """A whole row (n > k) by one program: coarse histogram, compaction (the bucket's elements
    to p_ck / p_ci, at most cap), then steps 3 + 4. Row mode, and v3's row fallback."""
    hist = _coarse_hist(p_row, stride_c, 0, n, BLOCK, COL_CONTIG)
    b1, n_gt1, n_eq1 = _pick_bucket(hist, n, k, COARSE_BINS)
    _compact(p_row, stride_c, 0, n, b1, p_orow, 0, p_ck, p_ci, 0, cap, True, BLOCK, COL_CONTIG)
    # The candidates were stored by other threads of this program: make them visible.
    tl.debug_barrier()
    _finish_row(p_row, stride_c, p_ck, p_ci, n, b1, n_gt1, n_eq1, k - n_gt1, cap, p_orow,
                CBLOCK, RADIX_BITS, COL_CONTIG)


@triton.jit
def topk_rows_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_out, stride_or, p_ck, p_ci, cap, rows, k,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
    CBLOCK: tl.constexpr, RADIX_BITS: tl.constexpr,
):
    """Row mode: each (persistent) program owns whole rows, one after another.

    p_ck / p_ci: this program's candidate workspace, ``cap`` keys and columns per program.
    """
    pid = tl.program_id(0)
    p_ck_prog = p_ck + pid.to(tl.int64) * cap
    p_ci_prog = p_ci + pid.to(tl.int64) * cap
    for row in range(pid, rows, tl.num_programs(0)):
        row64 = tl.cast(row, tl.int64)   # (the interpreter hands out Python ints here)
        start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
        n = end - start
        p_row = p_logits + row64 * stride_r + start.to(tl.int64) * stride_c
        p_orow = p_out + row64 * stride_or
        if n <= k:
            _fill_identity(p_orow, n, k, CBLOCK)
        else:
            _select_row(p_row, stride_c, n, k, p_orow, p_ck_prog, p_ci_prog, cap, BLOCK, CBLOCK,
                        RADIX_BITS, COL_CONTIG)


@triton.jit
def topk_split_hist_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_hist, chunk, k, p_scnt, cap_s,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
    USE_SAMPLE: tl.constexpr, SPLIT_POW2: tl.constexpr,
):
    """Split mode, step 1: program (row, s) writes the coarse histogram of its slice of the
    row to hist[row, s, :] (every slot is written, zeros where there is nothing to count).
    USE_SAMPLE: rows that v3's sample pass settled (``_sample_ok``) count nothing."""
    row = tl.program_id(0)
    s = tl.program_id(1)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    lo = s * chunk
    hi = tl.minimum(lo + chunk, n)
    if n <= k:
        hi = lo     # no selection in this row: an all-zero histogram
    if USE_SAMPLE:
        ok, n_s = _sample_ok(p_scnt, row, tl.num_programs(1), cap_s, k, SPLIT_POW2)
        if ok:
            hi = lo
    p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
    hist = _coarse_hist(p_row, stride_c, lo, hi, BLOCK, COL_CONTIG)
    o_h = (row * tl.num_programs(1) + s).to(tl.int64) * COARSE_BINS
    tl.store(p_hist + o_h + tl.arange(0, COARSE_BINS), hist)


@triton.jit
def topk_split_compact_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_hist, chunk, p_out, stride_or, p_ck, p_ci, cap, k, p_scnt, cap_s,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
    SPLIT_POW2: tl.constexpr, USE_SAMPLE: tl.constexpr,
):
    """Split mode, step 2: program (row, s) compacts its slice. Its write offsets are the
    counts of the slices before it, read from the per-slice histograms: deterministic, no
    atomics, no zeroed workspace."""
    row = tl.program_id(0)
    s = tl.program_id(1)
    n_split = tl.num_programs(1)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    run = n > k
    if USE_SAMPLE:
        ok, n_s = _sample_ok(p_scnt, row, n_split, cap_s, k, SPLIT_POW2)
        run = run & (ok == 0)
    if run:
        o_s = tl.arange(0, SPLIT_POW2)
        bins = tl.arange(0, COARSE_BINS)
        o_h = ((row * n_split + o_s[:, None]) * COARSE_BINS + bins[None, :]).to(tl.int64)
        hists = tl.load(p_hist + o_h, mask=(o_s < n_split)[:, None], other=0)
        b1, n_gt1, n_eq1 = _pick_bucket(tl.sum(hists, 0), n, k, COARSE_BINS)
        before = (o_s < s)[:, None]
        base_gt = tl.sum(tl.sum(tl.where(before & (bins > b1)[None, :], hists, 0), 1), 0)
        base_eq = tl.sum(tl.sum(tl.where(before & (bins == b1)[None, :], hists, 0), 1), 0)
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        p_orow = p_out + row.to(tl.int64) * stride_or
        lo = s * chunk
        hi = tl.minimum(lo + chunk, n)
        # Candidates beyond the cap are useless (step 3 then reads the row): skip them all.
        _compact(p_row, stride_c, lo, hi, b1, p_orow, base_gt,
                 p_ck + row.to(tl.int64) * cap, p_ci + row.to(tl.int64) * cap, base_eq,
                 tl.where(n_eq1 <= cap, cap, 0), True, BLOCK, COL_CONTIG)


@triton.jit
def topk_split_finish_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_hist, n_split, p_out, stride_or, p_ck, p_ci, cap, k, p_scnt, cap_s, p_sck, p_sci, p_scr,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, CBLOCK: tl.constexpr,
    RADIX_BITS: tl.constexpr, SPLIT_POW2: tl.constexpr, USE_SAMPLE: tl.constexpr,
    SAMPLE_LANES: tl.constexpr, SEL: tl.constexpr, ROW_FALLBACK: tl.constexpr = False,
    RBLOCK: tl.constexpr = 2048, SMALL: tl.constexpr = 0, HI: tl.constexpr = 16,
    STHREADS: tl.constexpr = 0, WARP: tl.constexpr = 0, WASM: tl.constexpr = False,
    PDL: tl.constexpr = False,
):
    """Split mode, step 3: one program per row selects among the candidates (or fills the
    identity for rows with n <= k). USE_SAMPLE: rows that v3's sample pass settled select
    the exact top k among its candidates (every element >= the sample threshold).
    ROW_FALLBACK (with USE_SAMPLE): the v2 histogram and compaction kernels were not launched;
    a row the sample pass did not settle is done here alone, as in row mode (coarse histogram
    and compaction over the whole row in RBLOCK-column blocks, candidates in p_ck / p_ci).
    PDL: launched as a programmatic dependent of the compaction (which lets it start early):
    waits for the compaction's grid to complete, and its writes to be visible, before anything."""
    if PDL:
        gdc_wait()
    row = tl.program_id(0)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    p_orow = p_out + row.to(tl.int64) * stride_or
    ok = (n * 0) != 0     # False, as a tensor
    n_s = n * 0
    if USE_SAMPLE:
        ok, n_s = _sample_ok(p_scnt, row, n_split, cap_s, k, SPLIT_POW2)
    if ok:
        # Segments of cap_s lanes, one per slice; the last one's count ends the lane range.
        last_n = tl.load(p_scnt + (row * n_split + n_split - 1).to(tl.int64))
        o_ws = row.to(tl.int64) * n_split * cap_s
        _sample_select(p_sck + o_ws, p_sci + o_ws, p_scnt + (row * n_split).to(tl.int64),
                       cap_s, (n_split - 1) * cap_s + last_n, k, p_orow,
                       p_scr + row.to(tl.int64) * (SMALL + 1), SAMPLE_LANES, SEL, SMALL, HI,
                       STHREADS, WARP, WASM, n_all=n)
    elif n <= k:
        _fill_identity(p_orow, n, k, CBLOCK)
    elif ROW_FALLBACK:
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        _select_row(p_row, stride_c, n, k, p_orow, p_ck + row.to(tl.int64) * cap,
                    p_ci + row.to(tl.int64) * cap, cap, RBLOCK, CBLOCK, RADIX_BITS, COL_CONTIG)
    else:
        o_s = tl.arange(0, SPLIT_POW2)
        bins = tl.arange(0, COARSE_BINS)
        o_h = ((row * n_split + o_s[:, None]) * COARSE_BINS + bins[None, :]).to(tl.int64)
        hists = tl.load(p_hist + o_h, mask=(o_s < n_split)[:, None], other=0)
        b1, n_gt1, n_eq1 = _pick_bucket(tl.sum(hists, 0), n, k, COARSE_BINS)
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        _finish_row(p_row, stride_c, p_ck + row.to(tl.int64) * cap,
                    p_ci + row.to(tl.int64) * cap, n, b1, n_gt1, n_eq1, k - n_gt1, cap,
                    p_orow, CBLOCK, RADIX_BITS, COL_CONTIG)


# ---------------------------------------------------------------------------------------------
# v3: sample threshold (no 256-bin histogram over the row; see docs/ops/topk.md)
# ---------------------------------------------------------------------------------------------

@triton.jit
def _sample_threshold(p_row, stride_c, n, k, SAMPLE: tl.constexpr, COL_CONTIG: tl.constexpr,
                      BITS: tl.constexpr = 1, GROUP: tl.constexpr = 1, SIGMA: tl.constexpr = 4,
                      EVICT: tl.constexpr = 0, TRIGGER: tl.constexpr = False,
                      RUNS: tl.constexpr = 0, RUN_DEFF_X8: tl.constexpr = 12,
                      RUN_MIN_RATIO: tl.constexpr = 16):
    """16-bit threshold T16 on the order key: count(key >> 16 >= T16) over the row is
    predicted to lie in [k, ~1.5k] from SAMPLE elements spread evenly over the row.

    Rank r = e + SIGMA sqrt(e) + 2 of the sample, e = SAMPLE * k / n (the expected rank of the
    k-th largest): the row count above T then falls below k only SIGMA standard deviations
    out (the planner widens SIGMA from 4 up to 8 where the candidate segment allows). T16 is
    the largest 16-bit prefix with at least r sample keys at or above it: the top 16 bits of
    the r-th largest sample key, by _search_bits over the keys' top halves (BITS per step:
    16 sums over the sample, or 8 steps of three counts; the same T16).
    GROUP > 1: SAMPLE / GROUP runs of GROUP adjacent columns instead of SAMPLE single ones
    (a run starts at a multiple of GROUP: one 32-byte sector for GROUP <= 8 on aligned rows).
    A single-column sample touches one sector per element: at 16 columns per sample element
    that is half the row's sectors, read from DRAM again by the compaction. Runs read 1/GROUP
    of those sectors; on rows whose neighbouring values are correlated the estimate is worse
    (more rows left to the fallback: slower, never wrong; measured on rows smoothed over 16
    columns, session 8: runs of 4 left rows to the fallback even with the margin of SAMPLE / 4
    independent values, and 512-row calls took twice as long; single columns did not).
    Needs n >= 1 and SAMPLE < 65536.
    RUNS > 0 (v44 / v45): _sample_threshold_runs instead (runs of RUNS columns with its
    independence check RUN_DEFF_X8 and row floor RUN_MIN_RATIO; GROUP is not used, and
    TRIGGER is not available there).
    """
    if RUNS > 0:
        tl.static_assert(not TRIGGER, "_sample_threshold: RUNS has no PDL trigger")
        t16 = _sample_threshold_runs(p_row, stride_c, n, k, SAMPLE, COL_CONTIG, BITS, SIGMA,
                                     EVICT, RUNS, RUN_DEFF_X8, RUN_MIN_RATIO)
    else:
        i = tl.arange(0, SAMPLE)
        if GROUP == 1:
            pos = ((i.to(tl.int64) * n) // SAMPLE).to(tl.int32)     # in [0, n)
        else:
            g0 = (((i // GROUP).to(tl.int64) * n) // (SAMPLE // GROUP)).to(tl.int32)
            pos = tl.minimum((g0 // GROUP) * GROUP + i % GROUP, n - 1)
        x, _ = _load_row(p_row, stride_c, pos, n, COL_CONTIG, EVICT)
        # The keys' top halves in _search_bits' form (top bit flipped; the low 16 bits zero,
        # so comparing with a candidate whose low 16 bits are zero compares the top halves).
        ks16 = (_order_key(x) & 0xFFFF0000).to(tl.int32, bitcast=True) ^ -2147483648
        if TRIGGER:
            # PDL: the dependent grid may launch once the sample has arrived (the asm takes
            # the keys as an operand, so it cannot issue before their loads complete; repeats
            # are no-ops)
            tl.inline_asm_elementwise("griddepcontrol.launch_dependents; mov.b32 $0, $1;",
                                      "=r,r", [ks16], dtype=tl.int32, is_pure=False, pack=1)
        e = (SAMPLE * 1.0) / n.to(tl.float32) * k     # (k may be a constexpr)
        r = tl.minimum(tl.ceil(e + SIGMA * tl.sqrt(e) + 2.0), SAMPLE * 1.0).to(tl.int32)
        t = _search_bits(ks16, r, tl.zeros([], dtype=tl.int32), 0, 16, BITS)
        t16 = (t >> 16) & 65535
    return t16


@triton.jit
def _sample_threshold_runs(p_row, stride_c, n, k, SAMPLE: tl.constexpr, COL_CONTIG: tl.constexpr,
                           BITS: tl.constexpr, SIGMA: tl.constexpr, EVICT: tl.constexpr,
                           RUN: tl.constexpr, DEFF_X8: tl.constexpr, MIN_RATIO: tl.constexpr):
    """_sample_threshold from SAMPLE / RUN runs of RUN adjacent columns (v44) where the row is
    long enough (n >= MIN_RATIO * SAMPLE), with a check of the runs' independence; the single
    columns of _sample_threshold elsewhere, and for rows that fail the check.

    Why: a single-column sample at 16 columns a sample (n = 32768, SAMPLE = 2048) touches
    every 64-byte piece of the row, so the sample alone costs a full read of the row from
    DRAM; with hundreds of rows in flight the pieces leave L2 before the compaction reads them
    (session 30, benchmarks/topk_compact_probe.py at 4096x32768: the sample alone 181 us, the
    compaction 231 us, both 355 us; with runs of 8, one 32-byte sector a run, 258 us).

    Runs of adjacent columns estimate the quantile as well as single columns only where
    neighbouring values are independent (session 8: rows smoothed over 16 columns, and torch's
    Box-Muller randn at runs of 4, left rows to the slow fallback). So the threshold T (the
    same rank r = e + SIGMA sqrt(e) + 2 as _sample_threshold's) is kept only if the runs'
    counts of keys >= T vary as independent columns' would: var(c) <= DEFF_X8 / 8 * m (1 -
    m / RUN), m = mean(c) (the design effect of the runs at most DEFF_X8 / 8). For independent
    normal rows the ratio's 99.9th percentile is ~1.3 (numpy simulation, 4000 rows each of
    32768 and 65536 columns, k = 512-2048, also with Box-Muller pairs); on rows smoothed over
    16 columns it is 4-6. A row over the limit takes the single-column sample, as before v44:
    the runs' loads and search are then the only extra cost. Needs n >= 1."""
    R: tl.constexpr = SAMPLE // RUN
    i = tl.arange(0, SAMPLE)
    runs = n >= MIN_RATIO * SAMPLE
    e = (SAMPLE * 1.0) / n.to(tl.float32) * k
    r = tl.minimum(tl.ceil(e + SIGMA * tl.sqrt(e) + 2.0), SAMPLE * 1.0).to(tl.int32)
    t16 = tl.zeros([], dtype=tl.int32)
    todo = True
    # One code path for both samples (a second copy of the loads and the search cost time in
    # this register-capped kernel): sample element i is column i % RUN of run i // RUN (run j
    # from its even share of the row, aligned down to RUN columns: one sector for RUN = 8 on a
    # 32-byte aligned row; n >= SAMPLE keeps the runs apart), or _sample_threshold's single
    # column i; a second pass, with single columns, only for rows whose runs fail the check.
    while todo:
        g0 = ((i // RUN).to(tl.int64) * n) // R // RUN * RUN + i % RUN
        pos = tl.where(runs, g0, (i.to(tl.int64) * n) // SAMPLE).to(tl.int32)
        x, _ = _load_row(p_row, stride_c, pos, n, COL_CONTIG, EVICT)
        ks16 = (_order_key(x) & 0xFFFF0000).to(tl.int32, bitcast=True) ^ -2147483648
        t = _search_bits(ks16, r, tl.zeros([], dtype=tl.int32), 0, 16, BITS)
        t16 = (t >> 16) & 65535
        todo = False
        if runs:
            h = (ks16 >= (t ^ -2147483648)).to(tl.int32)
            c = tl.sum(tl.reshape(h, [R, RUN]), 1)     # per run
            s1, s2 = _add_pair_all(c, c * c)
            m = s1.to(tl.float32) / R
            var = s2.to(tl.float32) / R - m * m
            todo = var * 8.0 > DEFF_X8 * m * (1.0 - m / RUN)
            runs = False
    return t16


@triton.jit
def _add_max(a0, b0, a1, b1):
    return a0 + a1, tl.maximum(b0, b1)


@triton.jit
def _add_pair(a0, b0, a1, b1):
    return a0 + a1, b0 + b1


@triton.jit
def _and_or_add(a0, b0, c0, a1, b1, c1):
    return a0 & a1, b0 | b1, c0 + c1


@triton.jit
def _lanes_2d(LANES: tl.constexpr, THREADS: tl.constexpr):
    """Lane numbers 0..LANES-1 as a [THREADS, LANES // THREADS] tile, lane t + j * THREADS at
    [t, j]: axis 0 is the contiguous one, so loads and scattered stores share one layout
    with axis 1 inside each thread (one row per thread when THREADS = 32 * num_warps).

    Axis 0's numbers are marked multiples of 1 only (tl.multiple_of), so that a pointer
    plus them is never known to be 16-byte aligned: Triton then keeps axis 0 the fastest
    (the most contiguous) with one element per thread, [1, 1] per thread, lanes and warps
    along axis 0, in Triton 3.6 and 3.9 alike. Without it, where the base pointer is
    aligned (decode rows, the candidate segments) Triton 3.6 vectorises axis 0 four wide
    and spreads axis 1 over warps ([4, 1] per thread, warps [W / 4, 4]), so every
    reduction or scan along axis 1 crosses warps; a tl.max_contiguous hint on the 2-D
    tile is dropped before layout assignment (checked in the TTIR), and with ties in
    contiguity Triton 3.9 orders axis 1 first."""
    t = tl.multiple_of(tl.arange(0, THREADS), [1])
    return t[:, None] + tl.arange(0, LANES // THREADS)[None, :] * THREADS


@triton.jit
def _select_tile(LANES: tl.constexpr, THREADS: tl.constexpr, WARPS: tl.constexpr = 0):
    """Lane numbers of a register select: 0..LANES-1, as a [THREADS, LANES // THREADS] tile
    (_lanes_2d, scalar accesses: a vectorised load along axis 0 would be converted through
    shared memory for the in-thread ranks) where THREADS > 0, else 1-D: in order, or where
    WARPS > 0 permuted so that each warp holds consecutive lanes (_warp_lanes)."""
    if THREADS > 0:
        return _lanes_2d(LANES, THREADS)
    elif WARPS > 0:
        return _warp_lanes(LANES, WARPS)
    else:
        return tl.arange(0, LANES)


@triton.jit
def _warp_lanes(LANES: tl.constexpr, WARPS: tl.constexpr, PARTS: tl.constexpr = False):
    """1-D lane numbers for _emit_top_warp. A 1-D tile of scalar accesses (the hint) puts
    element e = 32 (WARPS r + w) + l at lane l of warp w, register r; it gets lane number
    o = 32 (R w + r) + l (R = LANES // (32 WARPS)), so that warp w holds lanes
    [32 R w, 32 R (w + 1)), a warp's accesses for one register are 32 consecutive lanes,
    and a [R, WARPS, 32] reshape of the tile indexes (register, warp, lane). PARTS: o as
    its warp's and lane's part (the same in every register of a thread) and its register's
    (a constant per register) instead."""
    R: tl.constexpr = LANES // (32 * WARPS)
    # (Built as [R, WARPS, 32] and flattened: each element's lane number is then its warp's
    # and lane's base plus a constant per register.)
    z = tl.zeros([R, WARPS, 32], dtype=tl.int32)
    wl = z + tl.arange(0, WARPS)[None, :, None] * (R * 32) + tl.arange(0, 32)[None, None, :]
    rr = z + tl.arange(0, R)[:, None, None] * 32
    if PARTS:
        return tl.reshape(wl, [LANES]), tl.reshape(rr, [LANES])
    else:
        return tl.max_contiguous(tl.reshape(wl + rr, [LANES]), [1])


# Reductions over every axis of a register select's key tile, 1-D or [threads, lanes /
# threads] (axis 1 inside each thread: its sum is in-thread adds). The counting searches of
# _kth_key are order-blind, so they take either tile as it is. (They used to see the 2-D tile
# through tl.reshape(..., can_reorder=True), which Triton 3.9 deprecates and 3.10 removes.)
@triton.jit
def _count_all(m):
    """Number of true elements of the boolean tile m (int32)."""
    if len(m.shape) == 2:
        return tl.sum(tl.sum(m.to(tl.int32), 1), 0)
    else:
        return tl.sum(m.to(tl.int32), 0)


@triton.jit
def _add_pair_all(a, b):
    """(sum of a, sum of b) over every axis."""
    if len(a.shape) == 2:
        a, b = tl.reduce((a, b), 1, _add_pair)
    return tl.reduce((a, b), 0, _add_pair)


@triton.jit
def _and_or_add_all(a, b, c):
    """(AND of a, OR of b, sum of c) over every axis."""
    if len(a.shape) == 2:
        a, b, c = tl.reduce((a, b, c), 1, _and_or_add)
    return tl.reduce((a, b, c), 0, _and_or_add)


@triton.jit
def _rank_2d(h):
    """Inclusive ranks of the counts ``h`` of a [THREADS, E] tile whose axis 1 lies inside
    each thread (thread-major order: row t, then row t + 1), and their total: in-thread
    prefix sums plus one exclusive scan of the per-thread totals (one value per thread)."""
    per = tl.sum(h, 1)
    before = tl.cumsum(per, 0) - per
    return before[:, None] + tl.cumsum(h, 1), tl.sum(per, 0)


@triton.jit
def _search_bits(ks, k, t, FIRST: tl.constexpr, NBITS: tl.constexpr, SEL: tl.constexpr):
    """Greedy search of key bits FIRST .. FIRST + NBITS - 1 (from the top) of the k-th largest
    of ``ks``, given its higher bits in ``t`` (unsigned bit pattern, lower bits zero).

    SEL (bits decided per step): 1: one ``tl.sum`` of ``key >= candidate`` per bit; 2: the
    three candidates of the next two bits counted in one two-operand reduction (one count in
    the low 16 bits, one in the high, one alone): half the reduction latencies for 1.5x the
    compares. (Measured on the H100, session 6: SEL=2 211.5 us against 221.2 at 4096x4096,
    slower on the v3 finish; a 16-bin tl.histogram radix step per 4 bits lost everywhere, 283
    against 220 at 4096x4096.)"""
    if SEL == 1:
        for b in tl.static_range(NBITS):
            cand = t | (tl.full([], 1, tl.int32) << (31 - FIRST - b))
            c = _count_all(ks >= (cand ^ -2147483648))
            t = tl.where(c >= k, cand, t)
    else:
        for b in tl.static_range(NBITS // 2):
            c1 = t | (tl.full([], 1, tl.int32) << (30 - FIRST - 2 * b))
            c2 = t | (tl.full([], 2, tl.int32) << (30 - FIRST - 2 * b))
            c3 = t | (tl.full([], 3, tl.int32) << (30 - FIRST - 2 * b))
            ge1 = (ks >= (c1 ^ -2147483648)).to(tl.int32)
            ge2 = (ks >= (c2 ^ -2147483648)).to(tl.int32)
            ge3 = (ks >= (c3 ^ -2147483648)).to(tl.int32)
            n13, n2 = _add_pair_all(ge1 + (ge3 << 16), ge2)
            n1 = n13 & 65535
            n3 = (n13.to(tl.uint32, bitcast=True) >> 16).to(tl.int32)   # logical: up to 65535
            t = tl.where(n3 >= k, c3, tl.where(n2 >= k, c2, tl.where(n1 >= k, c1, t)))
    return t


@triton.jit
def _bucket_kth(ks, eq, n_eq, rank, p_scr, SMALL: tl.constexpr, LOW: tl.constexpr):
    """The rank-th largest of the keys ``ks`` where ``eq`` (one bucket: n_eq <= SMALL of them,
    1 <= rank <= n_eq), by pairwise counts: their values in p_scr[0:n_eq], slots from a relaxed
    atomic counter at p_scr[SMALL] (any order: only the values matter; a block scan measured
    slower), then for each slot the number of values >= it, one [SMALL, SMALL] tile.
    LOW > 0: the keys' low LOW bits (>= 0; -1 marks empty slots); 0: the whole signed keys
    (real keys are > INT_MIN, which marks empty slots). Empty slots never count as >= a
    real value."""
    EMPTY: tl.constexpr = -1 if LOW > 0 else -2147483648
    tl.store(p_scr + SMALL, 0)
    tl.debug_barrier()
    pos = tl.atomic_add(p_scr + SMALL + tl.zeros_like(ks), 1, mask=eq, sem="relaxed")
    if LOW > 0:
        tl.store(p_scr + pos, ks & ((1 << LOW) - 1), mask=eq)
    else:
        tl.store(p_scr + pos, ks, mask=eq)
    tl.debug_barrier()                                 # the stores, seen by every thread
    o = tl.arange(0, SMALL)
    v_i = tl.load(p_scr + o[:, None], mask=o[:, None] < n_eq, other=EMPTY)
    v_j = tl.load(p_scr + o[None, :], mask=o[None, :] < n_eq, other=EMPTY)
    ge = tl.sum((v_j >= v_i).to(tl.int32), 1)         # values >= v_i, per slot
    return tl.max(tl.where(ge >= rank, tl.max(v_i, 1), EMPTY), 0)


@triton.jit
def _clz32(d):
    """Leading zero bits of the unsigned bit pattern of int32 scalar d (32 for 0)."""
    u = d.to(tl.uint32, bitcast=True)
    n = tl.zeros([], dtype=tl.int32)
    for i in tl.static_range(5):       # shifts of 16, 8, 4, 2, 1
        top_clear = (u >> (32 - (16 >> i))) == 0
        n = tl.where(top_clear, n + (16 >> i), n)
        u = tl.where(top_clear, u << (16 >> i), u)
    return tl.where(d == 0, 32, n)


@triton.jit
def _kth_key_adaptive(ks, k, p_scr, SMALL: tl.constexpr):
    """_kth_key with HI = 0: the key bits that every real lane shares are taken at once (one
    AND / OR reduction: a v3 select's candidates are all >= its sample threshold, so their
    sign and top exponent bits agree), then one search step per bit only while the k-th
    key's bucket (the keys sharing the bits decided so far) holds more than SMALL keys, then
    that bucket by pairwise counts. Random rows: ~log2(lanes / SMALL) steps plus the uneven
    splits of the exponent bits, against HI fixed ones (20 in the v3 finish).

    The bucket is [t, hi) in unsigned key order (hi: the last candidate that counted < k;
    none while has_hi is false); c_lo = count(>= t) >= k > c_hi = count(>= hi)."""
    real = ks != -2147483648
    ku = ks ^ -2147483648                              # unsigned bit pattern, as int32
    a, o, m = _and_or_add_all(tl.where(real, ku, -1), tl.where(real, ku, 0), real.to(tl.int32))
    b = _clz32(a ^ o)                                  # bits every real lane shares
    ones = tl.full([], -1, tl.int32).to(tl.uint32, bitcast=True)
    low = tl.where(b >= 32, 0, (ones >> tl.minimum(b, 31)).to(tl.int32, bitcast=True))
    t = a & ~low
    c_lo = m
    c_hi = tl.zeros([], dtype=tl.int32)
    hi = tl.zeros([], dtype=tl.int32)
    has_hi = tl.zeros([], dtype=tl.int32)
    while (b < 32) & (c_lo - c_hi > SMALL):
        cand = t | (tl.full([], 1, tl.int32) << (31 - b))
        c = _count_all(ks >= (cand ^ -2147483648))
        take = c >= k
        t = tl.where(take, cand, t)
        c_lo = tl.where(take, c, c_lo)
        c_hi = tl.where(take, c_hi, c)
        hi = tl.where(take, hi, cand)
        has_hi = tl.where(take, has_hi, 1)
        b += 1
    t_s = t ^ -2147483648
    if b < 32:
        # The (k - c_hi)-th largest of the bucket's keys, signed (they share the decided bits,
        # so the full keys order as their low bits; real keys are > INT_MIN, the empty mark).
        top_s = tl.where(has_hi != 0, (hi ^ -2147483648) - 1, 2147483647)   # bucket's last
        eq = real & (ks >= t_s) & (ks <= top_s)
        t_s = _bucket_kth(ks, eq, c_lo - c_hi, k - c_hi, p_scr, SMALL, 0)
    return t_s


@triton.jit
def _key_float(s):
    """float32 value of the signed order key s (the bit pattern is s for positive floats,
    s ^ 0x7FFFFFFF for negative ones: the key map is its own inverse). NaN for key 0x7FFFFFFF
    (NaN's key) and for the empty lanes' INT_MIN."""
    return tl.where(s >= 0, s, s ^ 2147483647).to(tl.float32, bitcast=True)


@triton.jit
def _float_key(v):
    """Signed order key of the float32 value v (NaN: not meaningful; callers check)."""
    b = v.to(tl.int32, bitcast=True)
    return tl.where(b >= 0, b, b ^ 2147483647)


@triton.jit
def _stats(a0, b0, c0, d0, e0, f0, a1, b1, c1, d1, e1, f1):
    return tl.minimum(a0, a1), tl.maximum(b0, b1), c0 + c1, d0 + d1, e0 + e1, f0 + f1


@triton.jit
def _stats_all(a, b, c, d, e, f):
    """(min a, max b, sum c, sum d, sum e, sum f) over every axis."""
    if len(a.shape) == 2:
        a, b, c, d, e, f = tl.reduce((a, b, c, d, e, f), 1, _stats)
    return tl.reduce((a, b, c, d, e, f), 0, _stats)


@triton.jit
def _upper_quantile(q):
    """z with P(Z >= z) ~= q for a standard normal Z (a Tukey lambda form, lambda 0.14: exact
    at the median, 0.019 off at q = 1/4, 0.035 at 1/8, 0.07 at 0.01 (measured session 22; an
    earlier note here said < 0.01); a heuristic only: the search is exact whatever it
    returns). q in (0, 1)."""
    p = 1.0 - q
    return (tl.exp(0.14 * tl.log(p)) - tl.exp(0.14 * tl.log(1.0 - p))) * (1.0 / 0.1975)


@triton.jit
def _log2_approx(x):
    """log2 of the positive normal float32 x to ~0.005 (exponent plus a quadratic in the
    mantissa): a few integer and FMA instructions, where tl.log2 is a ~30-instruction
    polynomial. For heuristics only."""
    b = x.to(tl.int32, bitcast=True)
    e = ((b >> 23) & 255) - 127
    mant = ((b & 8388607) | 1065353216).to(tl.float32, bitcast=True)    # [1, 2)
    return e.to(tl.float32) + (-0.34484843 * mant + 2.02466578) * mant - 1.67487759


@triton.jit
def _upper_quantile_approx(q):
    """z with P(Z >= z) ~= q for a standard normal Z, q in [1e-6, 1 - 1e-6]: Abramowitz and
    Stegun 26.2.23 (a rational function of t = sqrt(-2 ln q'), q' = min(q, 1 - q), error <
    4.5e-4) with ln through _log2_approx (~0.004 more near the median): ~25 instructions,
    against _upper_quantile's Tukey form (two libdevice logs and two exps, and up to 0.07 off:
    0.035 at q = 1/8). A heuristic only."""
    qq = tl.minimum(q, 1.0 - q)
    t = tl.sqrt(-1.3862944 * _log2_approx(qq))          # sqrt(-2 ln qq)
    num = 2.515517 + t * (0.802853 + t * 0.010328)
    den = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))
    z = t - tl.fdiv(num, den)
    return tl.where(q <= 0.5, z, -z)


@triton.jit
def _min_max_add(a0, b0, c0, a1, b1, c1):
    return tl.minimum(a0, a1), tl.maximum(b0, b1), c0 + c1


@triton.jit
def _min_max_add_all(a, b, c):
    """(min a, max b, sum c) over every axis."""
    if len(a.shape) == 2:
        a, b, c = tl.reduce((a, b, c), 1, _min_max_add)
    return tl.reduce((a, b, c), 0, _min_max_add)


@triton.jit
def _min_max_add2(a0, b0, c0, d0, a1, b1, c1, d1):
    return tl.minimum(a0, a1), tl.maximum(b0, b1), c0 + c1, d0 + d1


@triton.jit
def _min_max_add2_all(a, b, c, d):
    """(min a, max b, sum c, sum d) over every axis."""
    if len(a.shape) == 2:
        a, b, c, d = tl.reduce((a, b, c, d), 1, _min_max_add2)
    return tl.reduce((a, b, c, d), 0, _min_max_add2)


@triton.jit
def _tail_fit(lo, s1, m, k, n_all):
    """LEAN = 3's start (v48, session 32): the m keys are the largest of n_all values (the
    candidates of a sample threshold), so they are a normal's upper tail, not a normal: a
    normal fitted to their own moments (LEAN 2) puts the k-th far off, and the first step
    misses (a numpy model of the v3 finish: 4 steps to a 32-key bracket, the first always
    a miss). Here the smallest candidate t0 (the key lo) stands at the upper quantile p =
    m / n_all, z_m = Q(p), and the tail's mean excess over it is sd (phi(z_m) / p - z_m)
    (the inverse Mills ratio): that gives sd and mu = t0 - sd z_m, and the k-th largest is
    put at mu + sd Q(k / n_all), with a margin of 2.5 binomial standard deviations of its
    rank among the m (+1). The same model: 2 steps to a 64-key bracket, 2.5 to 32, no
    misses in 40 rows of each decode and one-launch shape. A heuristic only: the search is
    exact whatever it returns. Returns (mf, mu, sd, q, dq) as _lean_q / _fit_moments."""
    mf = tl.maximum(m, 1).to(tl.float32)
    inv_m = tl.fdiv(1.0, mf)
    nf = tl.maximum(tl.maximum(n_all, m), 1).to(tl.float32)
    inv_n = tl.fdiv(1.0, nf)
    p = tl.minimum(tl.maximum(mf * inv_n, 1e-6), 1.0 - 1e-6)
    zm = _upper_quantile_approx(p)
    lam = tl.exp(-0.5 * zm * zm) * tl.fdiv(0.3989423, p)
    t0 = tl.minimum(tl.maximum(_key_float(lo), -1e16), 1e16)
    sd = tl.fdiv(s1 * inv_m - t0, tl.maximum(lam - zm, 1e-3))
    mu = t0 - sd * zm
    q = tl.minimum(tl.maximum((k - 0.5) * inv_n, 1e-6), 1.0 - 1e-6)
    dq = (2.5 * tl.sqrt(tl.maximum(k * (1.0 - k * inv_m), 1.0)) + 1.0) * inv_n
    return mf, mu, sd, q, dq


@triton.jit
def _interp_fit(ks, k, LEAN: tl.constexpr, n_all=0):
    """The interpolating search's start, one reduction. Returns (real lanes, the bracket's
    starting ends lo and hi, their count m of real keys (all >= lo, none > hi), and the normal
    fit of the row: mean mu and standard deviation sd, q the fraction of the values that the
    k-th largest leaves above it and dq a margin of 3 standard deviations of that empirical
    quantile (+ 1 / m)).

    LEAN = 0 (v24-v26): ends at the smallest and largest real key; moments over the finite
    values only, q without the keys at +inf or NaN (six reduced values: min, max, two counts,
    two sums). LEAN > 0 (v28): moments of the values clamped to +-1e16 (so that 65535 squares
    stay finite; NaN clamps to an end on the GPU), q over all m keys, one count and two sums;
    LEAN = 1 starts from the widest bracket (the smallest real key INT_MIN + 1 to INT_MAX: a
    first step that misses then costs a mode-2 step, whose snap finds the ends), LEAN = 2
    reduces the smallest and largest key as well. The lean form cuts the per-key work of this
    reduction from ~20 instructions to ~9: register mode at 4096x4096 is issue-bound, ~0.034
    us per instruction per thread (H100, session 22). LEAN = 3 (v48): the keys are the
    largest m of n_all values (a sample threshold's candidates): smallest, largest, one sum
    and the count, and _tail_fit's start."""
    real = ks != -2147483648
    xf = _key_float(ks)
    if LEAN == 0:
        fin = real & ((xf - xf) == 0.0)
        xz = tl.where(fin, xf, 0.0)
        top = (ks >= 2139095040).to(tl.int32)          # +inf and NaN keys (>= key(+inf))
        lo, hi, cnt, n_fin, s1, s2 = _stats_all(
            tl.where(real, ks, 2147483647), ks, real.to(tl.int32) + (top << 16),
            fin.to(tl.int32), xz, xz * xz)
        m = cnt & 65535
        n_top = cnt >> 16
        mf = tl.maximum(n_fin, 1).to(tl.float32)
        q = tl.minimum(tl.maximum(((k - n_top).to(tl.float32) - 0.5) / mf, 1e-6), 1.0 - 1e-6)
    else:
        xz = tl.where(real, tl.minimum(tl.maximum(xf, -1e16), 1e16), 0.0)
        if LEAN == 1:
            s1, s2, m = _add3_all(xz, xz * xz, real.to(tl.int32))
            lo = tl.full([], -2147483647, tl.int32)
            hi = tl.full([], 2147483647, tl.int32)
        elif LEAN == 2:
            lo, hi, s1, s2, m = _min_max_add3_all(tl.where(real, ks, 2147483647), ks, xz,
                                                   xz * xz, real.to(tl.int32))
        else:
            lo, hi, s1, m = _min_max_add2_all(tl.where(real, ks, 2147483647), ks, xz,
                                              real.to(tl.int32))
        if LEAN < 3:
            mf, q = _lean_q(m, k)
    if LEAN < 3:
        mu, sd, dq = _fit_moments(s1, s2, mf, q)
    else:
        mf, mu, sd, q, dq = _tail_fit(lo, s1, m, k, n_all)
    return real, lo, hi, m, mu, sd, q, dq


@triton.jit
def _lean_q(m, k):
    """The lean start's m as a float and q (the fraction of the m keys above the k-th)."""
    mf = tl.maximum(m, 1).to(tl.float32)
    # (k - 0.5) * (1 / m): k may arrive as a constexpr (Triton specializes k = 1)
    q = tl.minimum(tl.maximum((k - 0.5) * tl.fdiv(1.0, mf), 1e-6), 1.0 - 1e-6)
    return mf, q


@triton.jit
def _fit_moments(s1, s2, mf, q):
    """Mean, standard deviation and the quantile margin dq of _interp_fit."""
    mu = s1 / mf
    sd = tl.sqrt(tl.maximum(s2 / mf - mu * mu, 0.0))
    dq = 3.0 * tl.sqrt(q * (1.0 - q) / mf) + 1.0 / mf
    return mu, sd, dq


@triton.jit
def _lean_sums(x):
    """The lean start's sums from the loaded values themselves (v43, register mode): the
    values clamped to +-1e16 and their squares, summed. Lanes past the row must hold 0.0
    (_load_row's other); their count is then the row's length, so no mask, no count and no
    order key turned back into a float per element (~8 instructions an element fewer)."""
    xz = tl.minimum(tl.maximum(x, -1e16), 1e16)
    return tl.reduce((xz, xz * xz), 0, _add_pair)


@triton.jit
def _add3(a0, b0, c0, a1, b1, c1):
    return a0 + a1, b0 + b1, c0 + c1


@triton.jit
def _add3_all(a, b, c):
    """(sum a, sum b, sum c) over every axis."""
    if len(a.shape) == 2:
        a, b, c = tl.reduce((a, b, c), 1, _add3)
    return tl.reduce((a, b, c), 0, _add3)


@triton.jit
def _min_max_add3(a0, b0, c0, d0, e0, a1, b1, c1, d1, e1):
    return tl.minimum(a0, a1), tl.maximum(b0, b1), c0 + c1, d0 + d1, e0 + e1


@triton.jit
def _min_max_add3_all(a, b, c, d, e):
    """(min a, max b, sum c, sum d, sum e) over every axis."""
    if len(a.shape) == 2:
        a, b, c, d, e = tl.reduce((a, b, c, d, e), 1, _min_max_add3)
    return tl.reduce((a, b, c, d, e), 0, _min_max_add3)


@triton.jit
def _first_probes(mu, sd, q, dq, LEAN: tl.constexpr):
    """The interpolating search's first two probe values (lower, upper) from _interp_fit's
    fit: where the normal (mu, sd) leaves the fractions q + dq and q - dq above (LEAN = 0:
    _upper_quantile, else _upper_quantile_approx)."""
    if LEAN == 0:
        va = mu + sd * _upper_quantile(tl.minimum(q + dq, 1.0 - 1e-6))
        vb = mu + sd * _upper_quantile(tl.maximum(q - dq, 1e-6))
    else:
        va = mu + sd * _upper_quantile_approx(tl.minimum(q + dq, 1.0 - 1e-6))
        vb = mu + sd * _upper_quantile_approx(tl.maximum(q - dq, 1e-6))
    return va, vb


@triton.jit
def _interp_bracket(ks, k, SMALL: tl.constexpr, LEAN: tl.constexpr = 0,
                    SUMS: tl.constexpr = False, s1_in=0.0, s2_in=0.0, m_in=0, n_all=0):
    """The interpolating search over the key *values* (v24-v29; _kth_key with HI < 0 through
    _kth_key_interp). Returns (real lanes, lo, hi, c_lo, c_hi): the final bracket.

    Keeps a bracket [lo, hi] of signed keys with count(>= lo) = c_lo >= k > count(> hi) =
    c_hi (so the k-th largest key T is in it) and narrows it by two probes per step, counted
    in one reduction (packed: low 16 bits the lower probe, high 16 bits the upper):
    - first, where a normal distribution with the row's mean and variance (one reduction
      over the finite values, with min, max and counts) puts the k-th largest, plus and
      minus 3 standard deviations of the empirical quantile: logits (sums over heads) are
      near normal, and then the bracket holds ~6 sqrt(k (1 - k / n)) keys after one step;
    - then the bracket's own linear interpolation (float values) at the target rank plus
      and minus 3 binomial standard deviations of it (+1);
    - after any step that did not halve the bracket's keys, one interpolated probe and the
      bracket's midpoint in key order (which halves its key range: at most 32 such steps,
      however the values are spread), and the same reduction takes the smallest and largest
      key inside the bracket, to which its ends then move (a bracket of ties becomes one
      key at once).
    Non-finite probes (infinite or NaN ends, overflowing moments) become the midpoint.

    SMALL > 0 (v24): it stops when the bracket holds at most SMALL keys, then _bucket_kth as
    the other two-level forms, and returns T. SMALL = 0 (v25: no scratch, no bucket): it
    stops when count(>= lo) == k or lo == hi and returns lo: then either lo is T or the keys
    >= lo are exactly the top k, which is all the emit needs (count(> t) < k <= count(>= t),
    and ties at t only where t is T). Normal rows: 3-5 steps plus the bucket, or 4-7 to the
    end, against the adaptive form's 10-14 plus its bucket (numpy simulation, session 21)."""
    if SUMS:
        # (v43: LEAN = 1's start from sums the caller took: s1_in, s2_in over m_in keys)
        real = ks != -2147483648
        lo = tl.full([], -2147483647, tl.int32)
        hi = tl.full([], 2147483647, tl.int32)
        m = m_in
        mf, q = _lean_q(m, k)
        mu, sd, dq = _fit_moments(s1_in, s2_in, mf, q)
    else:
        real, lo, hi, m, mu, sd, q, dq = _interp_fit(ks, k, LEAN, n_all)
    va, vb = _first_probes(mu, sd, q, dq, LEAN)
    c_lo = m
    c_hi = tl.zeros([], dtype=tl.int32)
    mode = tl.zeros([], dtype=tl.int32)                # 0: normal fit, 1: bracket, 2: + midpoint
    stop = k - (SMALL > 0) * (k + 1)                   # SMALL = 0: stop at count(>= lo) == k
    while (c_lo - c_hi > SMALL) & (lo < hi) & (c_lo != stop):
        b = c_lo - c_hi
        r = k - c_hi
        fl = _key_float(lo)
        fh = _key_float(hi)
        bf = b.to(tl.float32)
        rf = r.to(tl.float32)
        if LEAN == 0:
            inv_b = 1.0 / bf
        else:
            inv_b = tl.fdiv(1.0, bf)
        d = tl.where(mode == 1, 3.0 * tl.sqrt(tl.maximum(rf * (bf - rf) * inv_b, 1.0)) + 1.0, 0.0)
        ia = fh - tl.minimum((rf + d) * inv_b, 1.0) * (fh - fl)
        ib = fh - tl.maximum((rf - d) * inv_b, 0.0) * (fh - fl)
        va = tl.where(mode == 0, va, ia)
        vb = tl.where(mode == 0, vb, ib)
        mid = (lo.to(tl.int64) + ((hi.to(tl.int64) - lo.to(tl.int64)) >> 1)).to(tl.int32)
        pa = tl.where((va - va) == 0.0, _float_key(va), mid)
        pb = tl.where(((vb - vb) == 0.0) & (mode != 2), _float_key(vb), mid)
        p1 = tl.minimum(tl.maximum(tl.minimum(pa, pb), lo + 1), hi)
        p2 = tl.minimum(tl.maximum(tl.maximum(pa, pb), p1), hi)
        packed = (ks >= p1).to(tl.int32) + ((ks >= p2).to(tl.int32) << 16)
        if mode == 2:
            inb = (ks >= lo) & (ks <= hi)
            b_min, b_max, c12 = _min_max_add_all(tl.where(inb, ks, 2147483647),
                                                 tl.where(inb, ks, -2147483648), packed)
        else:
            c12 = _count_all(packed)
            b_min = lo
            b_max = hi
        c1 = c12 & 65535
        c2 = c12 >> 16
        take2 = c2 >= k
        take1 = c1 >= k
        lo_n = tl.where(take2, p2, tl.where(take1, p1, lo))
        c_lo_n = tl.where(take2, c2, tl.where(take1, c1, c_lo))
        hi = tl.where(take2, hi, tl.where(take1, p2 - 1, p1 - 1))
        c_hi = tl.where(take2, c_hi, tl.where(take1, c2, c1))
        # The bracket's keys all lie in [b_min, b_max]: its ends move onto them (count(>=
        # b_min) = count(>= lo) and count(> b_max) = count(> hi)).
        lo = tl.maximum(lo_n, b_min)
        hi = tl.minimum(hi, b_max)
        c_lo = c_lo_n
        mode = tl.where((c_lo - c_hi) * 2 > b, 2, 1)
    return real, lo, hi, c_lo, c_hi


@triton.jit
def _kth_key_interp(ks, k, p_scr, SMALL: tl.constexpr, LEAN: tl.constexpr = 0, n_all=0):
    """_kth_key with HI < 0: _interp_bracket, then (SMALL > 0, a bracket of several keys) its
    (k - c_hi)-th largest by _bucket_kth; else its lower end (see _interp_bracket)."""
    real, lo, hi, c_lo, c_hi = _interp_bracket(ks, k, SMALL, LEAN, n_all=n_all)
    t_s = lo
    if SMALL > 0:
        if lo < hi:
            eq = real & (ks >= lo) & (ks <= hi)
            t_s = _bucket_kth(ks, eq, c_lo - c_hi, k - c_hi, p_scr, SMALL, 0)
    return t_s


@triton.jit
def _kth_key(ks, k, p_scr, SEL: tl.constexpr = 1, SMALL: tl.constexpr = 0, HI: tl.constexpr = 16,
             n_all=0):
    """The k-th largest of ``ks`` by a greedy search over the key bits (no reloads).

    ks: order keys as int32 with the top bit flipped (signed order = unsigned key order); lanes
    holding no value are INT_MIN, i.e. key 0, which no float produces (-inf is 0x007FFFFF, NaN
    the top), so they are never counted. Returns the signed form. Needs >= k real lanes and at
    most 65535 lanes (the packed counts). SEL: bits per search step (_search_bits).

    SMALL = 0: 32 search steps over all lanes. SMALL > 0 (two levels): HI steps find the top
    HI bits P of the k-th key; one reduction counts the lanes above P's bucket (n_gt) and in
    it (n_eq). If n_eq <= SMALL, the bucket's low bits go to p_scr[0:n_eq] (slots from a
    relaxed atomic counter at p_scr[SMALL], in any order: only the values matter; a block
    scan measured slower) and the (k - n_gt)-th largest of them is found by counting, for
    each, the bucket keys >= it: one [SMALL, SMALL] tile, two reductions instead of 32 - HI
    search steps. Else (ties, low-entropy rows) the search runs on over the low bits. Scratch:
    SMALL + 1 int32 per program. SMALL > 0 with HI = 0: _kth_key_adaptive (shared bits at
    once, steps only while the bucket holds more than SMALL keys; SEL ignored). HI < 0:
    _kth_key_interp (probes at interpolated key values; SEL ignored). With HI < 0 and SMALL =
    0 the result is a threshold t with count(> t) < k <= count(>= t) that is either the k-th
    largest key or has exactly k keys at or above it (not always a key): what the emits
    (_emit_top, _emit_top_warp) need, and all any caller uses it for. HI = -4 (v48): ks
    are the largest of n_all values (a sample threshold's candidates; _tail_fit)."""
    if HI < 0:
        t_s = _kth_key_interp(ks, k, p_scr, SMALL, -1 - HI, n_all)
    elif (SMALL > 0) and (HI == 0):
        t_s = _kth_key_adaptive(ks, k, p_scr, SMALL)
    else:
        t_s = _kth_key_search(ks, k, p_scr, SEL, SMALL, HI)
    return t_s


@triton.jit
def _kth_key_search(ks, k, p_scr, SEL: tl.constexpr, SMALL: tl.constexpr, HI: tl.constexpr):
    """_kth_key with HI > 0 (or SMALL = 0): HI (or 32) fixed search steps."""
    t = tl.zeros([], dtype=tl.int32)     # bit pattern of the unsigned k-th key, from the top
    if SMALL == 0:
        t = _search_bits(ks, k, t, 0, 32, SEL)
    else:
        t = _search_bits(ks, k, t, 0, HI, SEL)
        hs = ks >> (32 - HI)                           # signed top bits
        ts = (t ^ -2147483648) >> (32 - HI)
        eq = (hs == ts) & (ks != -2147483648)          # real lanes only (empty: bucket 0)
        n_gt, n_eq = _add_pair_all((hs > ts).to(tl.int32), eq.to(tl.int32))
        if n_eq <= SMALL:
            # The k-th key's low bits: the (k - n_gt)-th largest low bits in the bucket.
            t = t | _bucket_kth(ks, eq, n_eq, k - n_gt, p_scr, SMALL, 32 - HI)
        else:
            t = _search_bits(ks, k, t, HI, 32 - HI, SEL)
    return t ^ -2147483648


@triton.jit
def _emit_top(ks, t_s, idx, k, p_orow, TWO_D: tl.constexpr = False):
    """Write idx of the keys > t_s, then of the first k - count(> t_s) keys == t_s (one scan
    carries both counts: low 16 bits gt, high bits eq; lanes < 65536).

    1-D lanes: ranks by ``tl.cumsum`` (lane order). TWO_D: ks is a [THREADS, E] tile whose
    axis 1 lies inside each thread (_lanes_2d); ranks by _rank_2d (thread-major order), so
    only one count per thread crosses threads (Triton's 1-D scan runs a warp scan for each
    element a thread holds)."""
    m_gt = ks > t_s
    m_eq = ks == t_s
    packed = m_gt.to(tl.int32) + m_eq.to(tl.int32) * 65536
    if TWO_D:
        inc, tot = _rank_2d(packed)
        n_gt = tot & 65535
    else:
        n_gt = tl.sum(m_gt.to(tl.int32), 0)
        inc = tl.cumsum(packed, 0)
    tl.store(p_orow + (inc & 65535) - 1, idx, mask=m_gt)
    r_eq = (inc >> 16) - 1
    tl.store(p_orow + n_gt + r_eq, idx, mask=m_eq & (r_eq < k - n_gt))


# Ranks inside a warp (CUDA): one ballot of the mask $4 (int32, nonzero: set), the lanes
# below this one (%lanemask_lt) counted by popc. In: $4 the mask, $5 + $6 the element's lane
# number (_warp_lanes: $5 its warp's and lane's part, $6 its register's). Out: $0 this
# lane's rank among the set lanes of its warp, $1 their count, $2 ($5 - laneid) % 32 (0
# where the element sits at warp lane $5 % 32), $3 the lane number, added here so that the
# compiler does not keep 32 lane numbers alive from the loads to the stores.
_BALLOT_RANK_ASM = tl.constexpr("""{
.reg .pred %p;
.reg .b32 %b, %lt, %ln;
setp.ne.s32 %p, $4, 0;
vote.sync.ballot.b32 %b, %p, 0xffffffff;
mov.u32 %lt, %lanemask_lt;
and.b32 $0, %b, %lt;
popc.b32 $0, $0;
popc.b32 $1, %b;
mov.u32 %ln, %laneid;
xor.b32 $2, $5, %ln;
and.b32 $2, $2, 31;
add.s32 $3, $5, $6;
}""")


@triton.jit
def _group_ranks(h, WARPS: tl.constexpr):
    """For the 1-D counts h of a _warp_lanes tile: per element the counts of its 32-lane
    group's lanes before it, and the group's total, by Triton scans on the [R, WARPS, 32]
    view (the interpreter's form, and the ranks of the tie path)."""
    L: tl.constexpr = h.shape[0]
    h3 = tl.reshape(h, [L // (32 * WARPS), WARPS, 32])
    pre = tl.cumsum(h3, 2) - h3
    cnt = tl.sum(h3, 2)[:, :, None] + tl.zeros_like(h3)
    return tl.reshape(pre, [L]), tl.reshape(cnt, [L])


@triton.jit
def _groups_before(cnt, WARPS: tl.constexpr):
    """For the per-group counts cnt of a _warp_lanes tile (the same on a group's 32 lanes):
    the counts of the groups before each element's group in lane order (o), on the
    [R, WARPS, 32] view: the warp's groups before it (a sum along axis 0, the registers of
    each thread) plus the warps before it (one scan of the warps' totals along axis 1)."""
    L: tl.constexpr = cnt.shape[0]
    c3 = tl.reshape(cnt, [L // (32 * WARPS), WARPS, 32])
    w_tot = tl.sum(c3, 0)                             # [WARPS, 32]
    b3 = (tl.cumsum(w_tot, 0) - w_tot)[None, :, :] + tl.cumsum(c3, 0) - c3
    return tl.reshape(b3, [L])


@triton.jit
def _emit_top_warp(ks, t_s, idx, k, p_orow, WARPS: tl.constexpr, ASM: tl.constexpr,
                   IDX_IS_LANE: tl.constexpr = False):
    """_emit_top for 1-D _warp_lanes tiles: write idx of the keys > t_s, then of the first
    k - count(> t_s) keys == t_s, in lane order. IDX_IS_LANE: idx is the lane number
    (register mode; it is rebuilt here, not kept alive from the loads).

    A lane's output position counts the selected lanes of the 32-lane groups before its group
    (_groups_before) plus those before it in its group. Where every key >= t_s is taken (no
    surplus ties: count(>= t_s) == k, the usual case) one mask decides, and with ASM (CUDA)
    its in-group ranks come from one warp ballot and a popc (_BALLOT_RANK_ASM) instead of a
    warp scan per element (Triton's 1-D ``tl.cumsum``: five shuffles and adds for every
    element a thread holds). Ballot ranks are right only if each group lies in one warp,
    lane l at warp lane l, which is how Triton lays out a 1-D tile of scalar accesses but
    not a promise: every element checks its lane, and if any is off, or ties are left over,
    the ranks come from Triton scans: always right, only slower there. Without ASM (the
    interpreter) every rank comes from the scans."""
    m_ge = ks >= t_s
    m_gt = ks > t_s         # (both masks now: the keys need not stay live through the ranks)
    ge = m_ge.to(tl.int32)
    if ASM:
        wl, rr = _warp_lanes(ks.shape[0], WARPS, True)
        pre, cnt, bad, o = tl.inline_asm_elementwise(
            _BALLOT_RANK_ASM, "=r,=r,=r,=r,r,r,r", [ge, wl, rr],
            dtype=(tl.int32, tl.int32, tl.int32, tl.int32), is_pure=True, pack=1)
        if IDX_IS_LANE:
            idx = o
        n_ge, n_bad = tl.reduce((ge, bad), 0, _add_pair)
    else:
        pre, cnt = _group_ranks(ge, WARPS)
        n_ge = tl.sum(ge, 0)
        n_bad = 0
    if (n_ge == k) & (n_bad == 0):
        tl.store(p_orow + _groups_before(cnt, WARPS) + pre, idx, mask=m_ge)
    else:
        m_eq = m_ge & ~m_gt
        h = m_gt.to(tl.int32) + m_eq.to(tl.int32) * 65536     # packed counts: gt, eq
        pre2, cnt2 = _group_ranks(h, WARPS)
        r = _groups_before(cnt2, WARPS) + pre2
        n_gt = tl.sum(m_gt.to(tl.int32), 0)
        r_eq = r >> 16
        pos = tl.where(m_gt, r & 65535, n_gt + r_eq)
        tl.store(p_orow + pos, idx, mask=m_gt | (m_eq & (r_eq < k - n_gt)))


# Two ballots per element (CUDA): $4 the keys above the bracket (int32, nonzero: set), $5 the
# bracket's keys; $6 + $7 the lane number as in _BALLOT_RANK_ASM. Out: $0 this lane's rank
# among its warp's set lanes of each kind, packed (above: low 16 bits, bracket: high), $1 the
# warp's counts of each, packed, $2 ($6 - laneid) % 32, $3 the lane number.
_BALLOT2_RANK_ASM = tl.constexpr("""{
.reg .pred %p, %q;
.reg .b32 %g, %b, %lt, %ln, %t;
setp.ne.s32 %p, $4, 0;
setp.ne.s32 %q, $5, 0;
vote.sync.ballot.b32 %g, %p, 0xffffffff;
vote.sync.ballot.b32 %b, %q, 0xffffffff;
mov.u32 %lt, %lanemask_lt;
and.b32 %t, %g, %lt;
popc.b32 $0, %t;
and.b32 %t, %b, %lt;
popc.b32 %t, %t;
mad.lo.u32 $0, %t, 65536, $0;
popc.b32 $1, %g;
popc.b32 %t, %b;
mad.lo.u32 $1, %t, 65536, $1;
mov.u32 %ln, %laneid;
xor.b32 $2, $6, %ln;
and.b32 $2, $2, 31;
add.s32 $3, $6, $7;
}""")


@triton.jit
def _emit_bracket_warp(ks, lo, hi, c_lo, c_hi, k, p_orow, p_scr, SMALL: tl.constexpr,
                       WARPS: tl.constexpr, ASM: tl.constexpr, idx=0,
                       IDX_IS_LANE: tl.constexpr = True):
    """Register mode's emit from the interpolating search's final bracket (v29), without the
    k-th key: _interp_bracket leaves c_hi < k keys above hi (all taken) and b = c_lo - c_hi
    keys in [lo, hi], of which the r = k - c_hi largest are taken. One pass ranks both kinds
    in lane order (two ballots per element on CUDA, packed counts, one _groups_before):
    - keys > hi go to out[rank];
    - lo == hi (one key value: ties, possibly more than SMALL): the first r in lane order go
      to out[c_hi + rank];
    - else (b <= SMALL): the bracket's keys and lane numbers go to p_scr[0:b] and
      p_scr[SMALL:SMALL + b] in lane order, and after a barrier each one's rank inside the
      bracket (larger keys, then equal keys earlier in lane order: one [SMALL, SMALL] tile)
      decides: rank < r goes to out[c_hi + rank].
    This replaces _bucket_kth's per-element atomics and its two barriers, and the check that
    count(>= T) == k: the counts are known from the search. Lane numbers are the column
    offsets (register mode, IDX_IS_LANE); else ``idx`` is written (v12's one launch with
    fused_bracket_emit: the candidates' columns, loaded where ks >= lo). Without ASM, or
    where a lane is not where the ballots need it (see _emit_top_warp), the ranks come from
    Triton scans."""
    LANES: tl.constexpr = ks.shape[0]
    m_gt = ks > hi
    m_br = (ks >= lo) & (ks <= hi)                     # real keys only: lo > INT_MIN
    h = m_gt.to(tl.int32) + (m_br.to(tl.int32) << 16)
    if ASM:
        wl, rr = _warp_lanes(LANES, WARPS, True)
        pre, cnt, bad, o = _ballot2_ranks(m_gt, m_br, wl, rr)
        if tl.sum(bad, 0) != 0:
            pre, cnt = _group_ranks(h, WARPS)
    else:
        o = _warp_lanes(LANES, WARPS)
        pre, cnt = _group_ranks(h, WARPS)
    pos = _groups_before(cnt, WARPS) + pre
    if not IDX_IS_LANE:
        o = idx
    _store_bracket_ranked(pos, o, ks, m_gt, m_br, lo, hi, c_hi, k, p_orow, p_scr, SMALL)
    if lo != hi:
        _rank_bracket(p_scr, c_lo - c_hi, k - c_hi, c_hi, p_orow, SMALL)


@triton.jit
def _ballot2_ranks(m_gt, m_br, wl, rr):
    """_BALLOT2_RANK_ASM on the masks of keys above the bracket and in it, for lane numbers
    (wl, rr) as _warp_lanes' PARTS: (packed in-group ranks, packed group counts, the lane
    check, the lane number)."""
    return tl.inline_asm_elementwise(
        _BALLOT2_RANK_ASM, "=r,=r,=r,=r,r,r,r,r",
        [m_gt.to(tl.int32), m_br.to(tl.int32), wl, rr],
        dtype=(tl.int32, tl.int32, tl.int32, tl.int32), is_pure=True, pack=1)


@triton.jit
def _store_bracket_ranked(pos, o, ks, m_gt, m_br, lo, hi, c_hi, k, p_orow, p_scr,
                          SMALL: tl.constexpr):
    """The stores of the bracket emits for ranks ``pos`` (packed: above hi low 16 bits, in
    the bracket high): keys above hi write lane o to out[rank]; with lo == hi (one key
    value) the first k - c_hi of the bracket go to out[c_hi + rank]; else the bracket's keys
    and lanes go to p_scr[rank] and p_scr[SMALL + rank] for _rank_bracket."""
    tl.store(p_orow + (pos & 65535), o, mask=m_gt)
    pos_br = pos >> 16
    if lo == hi:
        tl.store(p_orow + c_hi + pos_br, o, mask=m_br & (pos_br < k - c_hi))
    else:
        tl.store(p_scr + pos_br, ks, mask=m_br)
        tl.store(p_scr + SMALL + pos_br, o, mask=m_br)


@triton.jit
def _rank_bracket(p_scr, b, r, c_hi, p_orow, SMALL: tl.constexpr):
    """The end of the bracket emits: the bracket's b <= SMALL keys and lane numbers are in
    p_scr[0:b] and p_scr[SMALL:SMALL + b] (lane order); after a barrier each one's rank
    inside the bracket (larger keys, then equal keys earlier in lane order: one [SMALL,
    SMALL] tile) decides: rank < r goes to out[c_hi + rank]."""
    tl.debug_barrier()                             # the stores, seen by every thread
    i = tl.arange(0, SMALL)[:, None]
    j = tl.arange(0, SMALL)[None, :]
    v_i = tl.load(p_scr + i, mask=i < b, other=-2147483648)
    v_j = tl.load(p_scr + j, mask=j < b, other=-2147483648)
    beats = (v_j > v_i) | ((v_j == v_i) & (j < i))
    rank = tl.sum(beats.to(tl.int32), 1, keep_dims=True)      # [SMALL, 1]
    take = (i < b) & (rank < r)
    tl.store(p_orow + c_hi + rank, tl.load(p_scr + SMALL + i, mask=take, other=0),
             mask=take)


@triton.jit
def _stream_bracket_pass(p_row, stride_c, n, lo, hi, c_hi, k, p_orow, p_scr,
                         CH: tl.constexpr, SMALL: tl.constexpr, COL_CONTIG: tl.constexpr,
                         ASM: tl.constexpr):
    """One pass of _emit_bracket_stream over the row in CH-column tiles (one warp). Returns
    the number of elements that did not sit at the warp lane the ballots assume (ASM; 0
    without it)."""
    R: tl.constexpr = CH // 32
    wl, rr = _warp_lanes(CH, 1, True)
    oj = tl.max_contiguous(wl + rr, [1])
    base = tl.zeros([], dtype=tl.int32)            # packed: above hi (low 16), bracket (high)
    bad_or = tl.zeros([CH], dtype=tl.int32)
    n_full = n // CH
    for i in range(n_full + (n % CH > 0)):
        o = i * CH + oj
        if i < n_full:
            ks = _signed_key(_load_full(p_row, stride_c, o, COL_CONTIG))
        else:
            x, m = _load_row(p_row, stride_c, o, n, COL_CONTIG)
            ks = tl.where(m, _signed_key(x), -2147483648)
        m_gt = ks > hi
        m_br = (ks >= lo) & (ks <= hi)                 # real keys only: lo > INT_MIN
        h = m_gt.to(tl.int32) + (m_br.to(tl.int32) << 16)
        if ASM:
            pre, cnt, bad, _o = _ballot2_ranks(m_gt, m_br, wl, rr)
            bad_or = bad_or | bad
        else:
            pre, cnt = _group_ranks(h, 1)
        c2 = tl.reshape(cnt, [R, 32])
        pos = base + tl.reshape(tl.cumsum(c2, 0) - c2, [CH]) + pre
        base += tl.sum(h, 0)
        _store_bracket_ranked(pos, o, ks, m_gt, m_br, lo, hi, c_hi, k, p_orow, p_scr, SMALL)
    return tl.sum((bad_or != 0).to(tl.int32), 0)


@triton.jit
def _emit_bracket_stream(p_row, stride_c, n, lo, hi, c_lo, c_hi, k, p_orow, p_scr,
                         CH: tl.constexpr, SMALL: tl.constexpr, COL_CONTIG: tl.constexpr,
                         ASM: tl.constexpr):
    """_emit_bracket_warp for a row held by one warp (register mode at one warp a row, v37),
    without the keys: it reads the row again (from L1 / L2: the search just loaded it) in
    tiles of CH columns, so that the search's registers hold the keys and nothing else, and
    the emit holds one tile's. Each tile ranks its keys above hi and in the bracket by two
    warp ballots (ASM) and the tile's 32-column groups before each (in-thread sums), on top
    of the counts of the tiles before it: no barrier, no cross-warp scan. Keys above hi go
    to out[rank], the bracket's as in _emit_bracket_warp. If any element was not at the warp
    lane the ballots assume (Triton does not promise the layout), the pass is redone with
    Triton scans, which rewrite every slot the first pass wrote (its positions are in range
    even then: the ballots' popcounts add up to the true counts)."""
    n_bad = _stream_bracket_pass(p_row, stride_c, n, lo, hi, c_hi, k, p_orow, p_scr, CH,
                                 SMALL, COL_CONTIG, ASM)
    if ASM:
        if n_bad != 0:
            tl.debug_barrier()
            _stream_bracket_pass(p_row, stride_c, n, lo, hi, c_hi, k, p_orow, p_scr, CH,
                                 SMALL, COL_CONTIG, False)
    if lo < hi:
        _rank_bracket(p_scr, c_lo - c_hi, k - c_hi, c_hi, p_orow, SMALL)


@triton.jit
def _sample_select(p_sck, p_sci, p_seg, seg_cap, m_src, k, p_orow, p_scr, LANES: tl.constexpr,
                   SEL: tl.constexpr, SMALL: tl.constexpr, HI: tl.constexpr,
                   THREADS: tl.constexpr, WARP: tl.constexpr = 0, WASM: tl.constexpr = False,
                   FLOATS: tl.constexpr = False, BEMIT: tl.constexpr = False, n_all=0):
    """Exact top k of the sample pass's candidates, held in registers (LANES >= m_src).

    Lanes [0, m_src) of the segmented workspace (segment j: seg_cap lanes, p_seg[j] used).
    The k-th largest key T (_kth_key), then keys > T and the first k - count(> T) ties in
    lane (= column) order. Needs count >= k. n_all: the row's length (HI = -4's tail fit)."""
    o = _select_tile(LANES, THREADS, WARP)
    seg = o // seg_cap
    in_range = o < m_src
    seg_n = tl.load(p_seg + seg, mask=in_range, other=0)
    _select_lanes(p_sck, p_sci, o, in_range & ((o - seg * seg_cap) < seg_n), k, p_orow, p_scr,
                  SEL, SMALL, HI, THREADS > 0, WARP, WASM, FLOATS, BEMIT, n_all)


@triton.jit
def _gather_in_place(p_sck, p_sci, p_seg, seg_cap, n_seg: tl.constexpr, total,
                     LANES: tl.constexpr, CHUNK: tl.constexpr):
    """Segments j < n_seg of seg_cap lanes (p_seg[j] of them used) moved down into lanes
    [0, total) in place (trial, session 31): lane o of segment s (P_s <= o < P_s+1, P the
    counts before) comes from o + the sum over j < s of seg_cap - p_seg[j], never below o.
    In chunks of CHUNK lanes in increasing order, each read whole before it is written
    (a barrier between): a chunk writes below its end, every later chunk reads at or above
    it. Then the select holds contiguous lanes, whose numbers it need not keep (a gathered
    address kept through the select spilled). Needs total <= LANES."""
    for ch in tl.static_range(LANES // CHUNK):
        o = ch * CHUNK + tl.arange(0, CHUNK)
        src = o
        end = tl.zeros([], dtype=tl.int32)
        for j in tl.static_range(n_seg - 1):
            c = tl.load(p_seg + j)
            end += c
            src += tl.where(o >= end, seg_cap - c, 0)
        m = o < total
        kv = tl.load(p_sck + src, mask=m, other=0)
        iv = tl.load(p_sci + src, mask=m, other=0)
        tl.debug_barrier()
        tl.store(p_sck + o, kv, mask=m)
        tl.store(p_sci + o, iv, mask=m)
    tl.debug_barrier()


@triton.jit
def _select_lanes(p_sck, p_sci, o, valid, k, p_orow, p_scr, SEL: tl.constexpr,
                  SMALL: tl.constexpr, HI: tl.constexpr, TWO_D: tl.constexpr,
                  WARP: tl.constexpr = 0, WASM: tl.constexpr = False,
                  FLOATS: tl.constexpr = False, BEMIT: tl.constexpr = False, n_all=0):
    """The exact top k of the candidates (key, column) at lanes o of p_sck / p_sci where
    ``valid``, in registers: the k-th largest key (_kth_key), then _emit_top (WARP > 0: o is
    a _warp_lanes tile for WARP warps, _emit_top_warp, with ballot ranks where WASM).
    FLOATS: p_sck holds the values' float bits, not their order keys. BEMIT (needs HI < 0,
    SMALL > 0 and WARP > 0; fused_bracket_emit, a trial of session 30, as v30 was for the v3
    finish): _interp_bracket, then _emit_bracket_warp with the candidates' columns (scratch:
    2 SMALL + 1 int32). n_all: how many values the candidates are the largest of (HI = -4:
    _tail_fit)."""
    # Unsigned key order as signed int32 order: flip the top bit (empty lanes: 0 -> INT_MIN).
    if FLOATS:
        xs = tl.load(p_sck + o, mask=valid, other=0).to(tl.float32, bitcast=True)
        ks = tl.where(valid, _order_key(xs).to(tl.int32, bitcast=True) ^ -2147483648,
                      -2147483648)
    else:
        ks = tl.load(p_sck + o, mask=valid, other=0) ^ -2147483648
    if BEMIT:
        _, lo, hi, c_lo, c_hi = _interp_bracket(ks, k, SMALL, -1 - HI, n_all=n_all)
        idx = tl.load(p_sci + o, mask=ks >= lo, other=0)
        _emit_bracket_warp(ks, lo, hi, c_lo, c_hi, k, p_orow, p_scr, SMALL, WARP, WASM, idx,
                           False)
    else:
        t_s = _kth_key(ks, k, p_scr, SEL, SMALL, HI, n_all)
        idx = tl.load(p_sci + o, mask=ks >= t_s, other=0)
        if WARP > 0:
            _emit_top_warp(ks, t_s, idx, k, p_orow, WARP, WASM)
        else:
            _emit_top(ks, t_s, idx, k, p_orow, TWO_D)


@triton.jit
def topk_register_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_out, stride_or, k, p_scr,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, LANES: tl.constexpr,
    FILL_BLOCK: tl.constexpr, SEL: tl.constexpr, SMALL: tl.constexpr, HI: tl.constexpr,
    STHREADS: tl.constexpr = 0, WARP: tl.constexpr = 0, WASM: tl.constexpr = False,
    BEMIT: tl.constexpr = False, STREAM: tl.constexpr = 0, SUMS: tl.constexpr = False,
):
    """Short rows (cols <= LANES), one program per row, one launch: the row's keys are loaded
    once into registers, the k-th largest found by _kth_key and the top k written in column
    order (ties at the threshold: the first ones). No histogram; the only workspace is
    _kth_key's scratch with SMALL > 0 (SMALL + 1 int32 per row). BEMIT (v29; needs HI < 0,
    SMALL > 0 and WARP > 0): _interp_bracket, then _emit_bracket_warp (the top k in column
    order but for the bracket's keys, which come in rank order; 2 SMALL + 1 int32 per row).
    STREAM (v37; needs BEMIT and one warp, WARP = 1): the emit reads the row again in tiles of
    STREAM columns (_emit_bracket_stream) instead of ranking the keys held in registers.
    SUMS (v43; needs BEMIT and HI = -2, the lean start without min / max): its sums are
    taken from the loaded values (_lean_sums), not from the keys."""
    row = tl.program_id(0)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    p_orow = p_out + row.to(tl.int64) * stride_or
    if n <= k:
        _fill_identity(p_orow, n, k, FILL_BLOCK)
    else:
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        o = _select_tile(LANES, STHREADS, WARP)
        # A row that fills the tile loads unmasked, in a branch of its own: with the mask (and
        # the 64-register cap) ptxas interleaved the loads with the key math, so a row's
        # loads went out in 4-5 batches, each waiting on DRAM; as a branch they all go out at
        # once (H100, session 21: 4096x4096 k=2048 113.5 -> 99.0 us in the phase kernels of
        # benchmarks/topk_reg_phases.py).
        s1 = 0.0
        s2 = 0.0
        if n >= LANES:
            x = tl.load(_row_ptrs(p_row, stride_c, o, COL_CONTIG))
            if SUMS:
                s1, s2 = _lean_sums(x)
            ks = _signed_key(x)
        else:
            x, m = _load_row(p_row, stride_c, o, n, COL_CONTIG)
            if SUMS:
                s1, s2 = _lean_sums(x)                 # (x is 0.0 past the row)
            ks = tl.where(m, _signed_key(x), -2147483648)
        if BEMIT:
            _, lo, hi, c_lo, c_hi = _interp_bracket(ks, k, SMALL, -1 - HI, SUMS, s1, s2, n)
            p_srow = p_scr + row.to(tl.int64) * (2 * SMALL + 1)
            if STREAM > 0:
                _emit_bracket_stream(p_row, stride_c, n, lo, hi, c_lo, c_hi, k, p_orow,
                                     p_srow, STREAM, SMALL, COL_CONTIG, WASM)
            else:
                _emit_bracket_warp(ks, lo, hi, c_lo, c_hi, k, p_orow, p_srow, SMALL, WARP,
                                   WASM)
        else:
            t_s = _kth_key(ks, k,
                           p_scr + row.to(tl.int64) * (SMALL + 1), SEL, SMALL, HI)
            if WARP > 0:
                _emit_top_warp(ks, t_s, o, k, p_orow, WARP, WASM, True)
            else:
                _emit_top(ks, t_s, o, k, p_orow, STHREADS > 0)


@triton.jit
def _sample_ok(p_scnt, row, n_split, cap_s, k, SPLIT_POW2: tl.constexpr):
    """Did the sample pass settle this row? Its candidates (all keys >= T) number at least k
    and every slice's fit its segment. Returns (ok, candidate count)."""
    o_s = tl.arange(0, SPLIT_POW2)
    c = tl.load(p_scnt + (row * n_split + o_s).to(tl.int64), mask=o_s < n_split, other=0)
    total = tl.sum(c, 0)
    return (total >= k) & (tl.max(c, 0) <= cap_s), total


@triton.jit
def _compact_hits(x, m, o, t16, seen, p_k, p_i, cap_s, SKIP_EMPTY: tl.constexpr,
                  TWO_D: tl.constexpr, LEAN: tl.constexpr = False, FULL: tl.constexpr = False):
    """One block of the sample compaction: lanes with ``m`` and key >> 16 >= t16 go to
    p_k / p_i [seen + rank] as (key, column o), at most cap_s in all. Returns seen + hits.

    TWO_D: the block is a [THREADS, E] tile whose axis 1 lies inside each thread; ranks are
    in-thread prefix sums plus the exclusive scan of the per-thread counts (``_rank_2d``:
    thread-major order, deterministic, not column order; SKIP_EMPTY does not apply). Else a
    1-D block ranked by ``tl.cumsum`` (column order).

    LEAN (v32): ``t16`` is _t16_float's float and a hit is ``not x < t16``: one float
    compare instead of the key's top half against t16 (NaN hits, as its key is the largest);
    the stored keys are as without LEAN. FULL: every lane of the tile is in the slice (``m``
    is not used)."""
    key = _order_key(x)
    if LEAN:
        hit = (x < t16) == 0
        if not FULL:
            hit = hit & m
    else:
        hit = m & ((key >> 16).to(tl.int32) >= t16)
    h = hit.to(tl.int32)
    if TWO_D:
        inc, n_hit = _rank_2d(h)
        _store_hits(seen + inc - 1, hit, key, o, p_k, p_i, cap_s)
    else:
        n_hit = tl.sum(h, 0)
        if SKIP_EMPTY:
            if n_hit > 0:
                _store_hits(seen + tl.cumsum(h, 0) - 1, hit, key, o, p_k, p_i, cap_s)
        else:
            _store_hits(seen + tl.cumsum(h, 0) - 1, hit, key, o, p_k, p_i, cap_s)
    return seen + n_hit


@triton.jit
def _store_hits(pos, hit, key, o, p_k, p_i, cap_s):
    """(key, column) of the hits at their positions, those below cap_s."""
    m_st = hit & (pos < cap_s)
    tl.store(p_k + pos, key.to(tl.int32, bitcast=True), mask=m_st)
    tl.store(p_i + pos, o, mask=m_st)


@triton.jit
def _t16_float(t16):
    """The smallest float whose order key has top half t16 (clamped to +inf's: above it only
    NaNs, which hit anyway): ``not x < it`` <=> key(x) >> 16 >= t16, but for -0.0 against
    +0.0's half (an extra candidate, below every other one: harmless) and t16 at +inf's
    (+inf values also hit). t16 <= 0x007F (at or below -inf's half) gives a NaN: every
    element hits, as every key is then >= t16 << 16."""
    key = tl.minimum(t16, 0xFF80) << 16
    bits = tl.where(key < 0, key ^ -2147483648, ~key)   # (key < 0: the top bit set, x >= +0.0)
    return bits.to(tl.float32, bitcast=True)


@triton.jit
def _load_full(p_row, stride_c, o, COL_CONTIG: tl.constexpr, EVICT: tl.constexpr = 0):
    """_load_row without the mask (every column o is in the row)."""
    ptr = _row_ptrs(p_row, stride_c, o, COL_CONTIG)
    if EVICT == 1:
        x = tl.load(ptr, eviction_policy="evict_first")
    elif EVICT == 2:
        x = tl.load(ptr, eviction_policy="evict_last")
    else:
        x = tl.load(ptr)
    return x


@triton.jit
def _compact_slice(p_row, stride_c, lo, hi, t16, p_k, p_i, cap_s, BLOCK: tl.constexpr,
                   THREADS: tl.constexpr, SKIP_EMPTY: tl.constexpr, COL_CONTIG: tl.constexpr,
                   EVICT: tl.constexpr = 0, LEAN: tl.constexpr = False,
                   PREFETCH: tl.constexpr = False):
    """Columns [lo, hi) of a row with key >> 16 >= t16 -> (key, column) at p_k / p_i, at most
    cap_s of them (_compact_hits per BLOCK-column tile). Returns the true count.

    LEAN (v32): the hit test is one float compare against _t16_float(t16), and the full
    tiles load and test without a mask (the last, partial tile with it): 225 SASS
    instructions per 2048-column tile instead of 251 (8 warps, Triton 3.6), which this
    issue-bound loop turns into time (the decode compaction at 64x131072: 17.3 -> 15.3 us).
    PREFETCH (with LEAN): each full tile's successor is loaded before the tile's ranks and
    stores, two tiles of loads in flight (the planner sets it for long slices only)."""
    seen = tl.zeros([], dtype=tl.int32)
    if THREADS > 0:
        # [THREADS, BLOCK // THREADS] tiles, column off + t + j * THREADS: thread t holds
        # row t of the tile, so the rank scan runs along axis 1 inside each thread
        # (sequential adds) and only one count per thread crosses threads. (Axis 0 is the
        # contiguous one: the scattered stores, whose pointers have no contiguity, get
        # the same layout, so nothing is converted through shared memory. Scalar loads,
        # one tile row per thread, even where the row's alignment is known: _lanes_2d's
        # hint. Vectorised along axis 0, the tile went through 16 KB of shared memory for
        # the per-thread ranks: 106 registers, two programs per SM on the H100.)
        oj = _lanes_2d(BLOCK, THREADS)
    else:
        oj = tl.arange(0, BLOCK)
    # (Session 7 measured loading the next tile first, and tl.range stages on this loop:
    # no faster, 7-15% slower with stages; the loop is not waiting on its loads.)
    if LEAN:
        thr = _t16_float(t16)
        n_full = (hi - lo) // BLOCK
        if PREFETCH:
            if n_full > 0:
                o = lo + oj
                x = _load_full(p_row, stride_c, o, COL_CONTIG, EVICT)
                for _i in range(1, n_full):
                    o_n = o + BLOCK
                    x_n = _load_full(p_row, stride_c, o_n, COL_CONTIG, EVICT)
                    seen = _compact_hits(x, x, o, thr, seen, p_k, p_i, cap_s, SKIP_EMPTY,
                                         THREADS > 0, LEAN, True)
                    x, o = x_n, o_n
                seen = _compact_hits(x, x, o, thr, seen, p_k, p_i, cap_s, SKIP_EMPTY,
                                     THREADS > 0, LEAN, True)
        else:
            for i in range(n_full):
                o = lo + i * BLOCK + oj
                x = _load_full(p_row, stride_c, o, COL_CONTIG, EVICT)
                seen = _compact_hits(x, x, o, thr, seen, p_k, p_i, cap_s, SKIP_EMPTY,
                                     THREADS > 0, LEAN, True)
        if lo + n_full * BLOCK < hi:
            o = lo + n_full * BLOCK + oj
            x, m = _load_row(p_row, stride_c, o, hi, COL_CONTIG, EVICT)
            seen = _compact_hits(x, m, o, thr, seen, p_k, p_i, cap_s, SKIP_EMPTY, THREADS > 0,
                                 LEAN)
    else:
        for off in range(lo, hi, BLOCK):
            o = off + oj
            x, m = _load_row(p_row, stride_c, o, hi, COL_CONTIG, EVICT)
            seen = _compact_hits(x, m, o, t16, seen, p_k, p_i, cap_s, SKIP_EMPTY, THREADS > 0)
    return seen


@triton.jit
def topk_sample_compact_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    chunk, p_sck, p_sci, p_scnt, cap_s, k, p_t16,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
    SAMPLE: tl.constexpr, SKIP_EMPTY: tl.constexpr, T_GIVEN: tl.constexpr,
    THREADS: tl.constexpr, T_BITS: tl.constexpr = 1, T_GROUP: tl.constexpr = 1,
    T_SIGMA: tl.constexpr = 4, L2HINT: tl.constexpr = False, PDL: tl.constexpr = 0,
    LEAN: tl.constexpr = False, PREFETCH: tl.constexpr = False, RUNS: tl.constexpr = 0,
    RUN_DEFF_X8: tl.constexpr = 12, RUN_MIN_RATIO: tl.constexpr = 16,
):
    """v3 step 1: program (row, s) estimates the row's threshold T from a sample (every
    program of a row computes the same T from the same sample; T_GIVEN: reads the one that
    topk_sample_threshold_kernel wrote to p_t16[row] instead), then compacts the elements
    of its slice with key >= T into segment (row, s) of the workspace: (key, column), column
    order, at most cap_s of them; scnt[row, s] gets the true count (> cap_s: overflow).
    Rows with n <= k count 0 (the exact path handles them).

    PDL (bits): 1: the finish kernel may launch as soon as every program here has started (it
    waits for this grid to complete); 2 (with T_GIVEN): this kernel is a programmatic dependent
    of the threshold kernel and waits for it (``gdc_wait``) before reading p_t16 or writing;
    4 (with 2): before waiting, it asks L2 for its slice of the row, which that kernel does not
    write, so the slice's DRAM reads overlap the threshold's computation.

    LEAN, PREFETCH: _compact_slice's (v32: the one-compare hit test and unmasked full tiles;
    the next tile loaded first)."""
    if PDL & 1:
        gdc_launch_dependents()
    row = tl.program_id(0)
    s = tl.program_id(1)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    o_seg = (row * tl.num_programs(1) + s).to(tl.int64)
    lo = s * chunk
    hi = tl.minimum(lo + chunk, n)
    seen = tl.zeros([], dtype=tl.int32)
    if (PDL & 2) and T_GIVEN:
        if COL_CONTIG and (PDL & 4):
            if (n > k) & (hi > lo):
                _l2_prefetch(p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64), lo, hi,
                             256)
        gdc_wait()  # p_t16 (and this kernel's outputs) only after the threshold kernel is done
    if (n > k) & (hi > lo):
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        if T_GIVEN:
            t16 = tl.load(p_t16 + row)
        else:
            t16 = _sample_threshold(p_row, stride_c, n, k, SAMPLE, COL_CONTIG, T_BITS, T_GROUP,
                                    T_SIGMA, 2 if L2HINT else 0, False, RUNS, RUN_DEFF_X8,
                                    RUN_MIN_RATIO)
        p_k = p_sck + o_seg * cap_s
        p_i = p_sci + o_seg * cap_s
        seen = _compact_slice(p_row, stride_c, lo, hi, t16, p_k, p_i, cap_s, BLOCK, THREADS,
                              SKIP_EMPTY, COL_CONTIG, 1 if L2HINT else 0, LEAN, PREFETCH)
    tl.store(p_scnt + o_seg, seen)


@triton.jit
def _compact_slice_warp(p_row, stride_c, lo, hi, thr, p_k, p_i, cap_w, BLOCK: tl.constexpr,
                        WARPS: tl.constexpr, COL_CONTIG: tl.constexpr, EVICT: tl.constexpr,
                        ASM: tl.constexpr):
    """Columns [lo, hi) with ``not x < thr`` (_t16_float's threshold) -> (x's bits, column),
    one sub-segment of cap_w lanes per warp (warp w: p_k / p_i [w cap_w + its rank]), column
    order inside each warp's lanes. No thread of one warp waits for another warp: the tile is
    _warp_lanes' (warp w holds 32-column groups of its own), a hit's rank in its group comes
    from one ballot and a popc (ASM: _BALLOT_RANK_ASM; else Triton scans, the interpreter's
    form), and the warp's groups before it, this tile and the earlier ones, are in-thread
    sums. Returns each warp's true count as a [WARPS, 32] tile (the same on a warp's 32 lanes;
    > cap_w: overflow, the stores stop at cap_w) and the number of elements that did not sit
    at the warp lane the ballot assumes (Triton lays 1-D tiles of scalar accesses out that
    way, but does not promise it: nonzero means the ranks are wrong and the caller redoes the
    row another way). The stored values are floats, not order keys (_select_lanes' FLOATS)."""
    R: tl.constexpr = BLOCK // (32 * WARPS)
    wl, rr = _warp_lanes(BLOCK, WARPS, True)
    oj = tl.max_contiguous(wl + rr, [1])
    wbase = (wl // (32 * R)) * cap_w
    seen3 = tl.zeros([WARPS, 32], dtype=tl.int32)
    bad_or = tl.zeros([BLOCK], dtype=tl.int32)
    n_full = (hi - lo) // BLOCK
    for i in range(n_full + ((hi - lo) % BLOCK > 0)):
        o = lo + i * BLOCK + oj
        if i < n_full:
            # full tiles: no mask (one compare a hit)
            x = _load_full(p_row, stride_c, o, COL_CONTIG, EVICT)
            hit = (x < thr) == 0
        else:
            x, m = _load_row(p_row, stride_c, o, hi, COL_CONTIG, EVICT)
            hit = ((x < thr) == 0) & m
        h = hit.to(tl.int32)
        if ASM:
            pre, cnt, bad, _o = tl.inline_asm_elementwise(
                _BALLOT_RANK_ASM, "=r,=r,=r,=r,r,r,r", [h, wl, rr],
                dtype=(tl.int32, tl.int32, tl.int32, tl.int32), is_pure=True, pack=1)
            bad_or = bad_or | bad
        else:
            pre, cnt = _group_ranks(h, WARPS)
        c3 = tl.reshape(cnt, [R, WARPS, 32])
        b3 = seen3[None, :, :] + tl.cumsum(c3, 0) - c3
        pos = tl.reshape(b3, [BLOCK]) + pre
        seen3 = seen3 + tl.sum(c3, 0)
        m_st = hit & (pos < cap_w)
        tl.store(p_k + wbase + pos, x.to(tl.int32, bitcast=True), mask=m_st)
        tl.store(p_i + wbase + pos, o, mask=m_st)
    return seen3, tl.sum((bad_or != 0).to(tl.int32), 0)


@triton.jit
def _vec_tile(x, o, thr, seen, wb, p_k, p_i, cap_w, m, R: tl.constexpr, W: tl.constexpr,
              MASKED: tl.constexpr, CROSS: tl.constexpr = False):
    """One [G, 4] tile of _compact_slice_vec (G = R W 32 groups of 4 adjacent columns; group
    g = 32 (W r + w) + l, r its register, w its warp, l its lane where the four columns lie
    in one thread): hits (``not x < thr``, and ``m`` where MASKED) -> warp w's sub-segment at
    seen[w] + its rank, (float bits, column o), those below cap_w. A hit's rank: the hits of
    its warp's lanes before it (one warp scan of each thread's count), of its thread's
    registers before it, of its group's columns before it; no cross-warp step. Returns seen
    plus each warp's hits. CROSS: one segment for the program instead (seen a scalar, wb 0,
    cap_w its size): the warps' hits of the tile before each warp (one cross-warp scan a
    tile) are added; returns seen plus the tile's hits."""
    G: tl.constexpr = R * W * 32
    hit = (x < thr) == 0
    if MASKED:
        hit = hit & m
    h = hit.to(tl.int32)
    s = tl.reshape(tl.sum(h, 1), [R, W, 32])          # per group
    ex_r = tl.cumsum(s, 0) - s                         # the thread's registers before
    per = tl.sum(s, 0)                                 # per thread: [W, 32]
    ex_l = tl.cumsum(per, 1) - per                     # the warp's lanes before
    if CROSS:
        wt = tl.sum(per, 1)
        base = tl.reshape(seen + (tl.cumsum(wt, 0) - wt)[None, :, None] + ex_l[None, :, :]
                          + ex_r, [G])
    else:
        base = tl.reshape(seen[None, :, None] + ex_l[None, :, :] + ex_r, [G])
    pos = base[:, None] + tl.cumsum(h, 1) - h
    m_st = hit & (pos < cap_w)
    tl.store(p_k + wb + pos, x.to(tl.int32, bitcast=True), mask=m_st)
    tl.store(p_i + wb + pos, o, mask=m_st)
    if CROSS:
        return seen + tl.sum(wt, 0)
    else:
        return seen + tl.sum(per, 1)


@triton.jit
def _compact_slice_vec(p_logits, row_off, stride_c, n, thr, p_k, p_i, cap_w,
                       BLOCK: tl.constexpr, WARPS: tl.constexpr, COL_CONTIG: tl.constexpr,
                       EVICT: tl.constexpr, CROSS: tl.constexpr = False):
    """_compact_slice_warp's contract (each warp its own sub-segment of cap_w lanes, the values'
    float bits stored; returns the warps' true counts as a [WARPS, 32] tile and 0 for its
    lane check) with 128-bit loads and no ballots (trial, session 31): tiles of BLOCK columns
    as [BLOCK / 4, 4] (each thread four adjacent columns a register, _vec_tile's ranks), so
    a 2048-column tile at 8 warps compiles to 134 SASS instructions in the one launch against
    ~190 for the warp compaction and ~295 for v12's (Triton 3.6, sm_90). Columns [0, n) of the row at
    element offset row_off: the full tiles from the first column whose offset is a multiple of
    4 (16-byte aligned where p_logits is: the loads vectorise), then the columns before it and
    the last partial tile as two masked tiles. Any layout Triton picks gives the same ranks
    (only the speed depends on it). Needs BLOCK % (128 WARPS) == 0.
    CROSS: one segment of cap_w lanes for the program (_vec_tile's CROSS), as _compact_slice's;
    returns its true count."""
    R: tl.constexpr = BLOCK // (128 * WARPS)
    G: tl.constexpr = BLOCK // 4
    oj = tl.arange(0, G)[:, None] * 4 + tl.arange(0, 4)[None, :]
    if CROSS:
        wb = 0
        seen = tl.zeros([], dtype=tl.int32)
    else:
        wb = tl.reshape((tl.arange(0, WARPS) * cap_w)[None, :, None, None]
                        + tl.zeros([R, WARPS, 32, 4], tl.int32), [G, 4])
        seen = tl.zeros([WARPS], dtype=tl.int32)
    if COL_CONTIG:
        a0 = ((4 - row_off % 4) % 4).to(tl.int32)
        p_al = p_logits + tl.multiple_of(row_off + a0, 4)
    else:
        a0 = tl.zeros([], dtype=tl.int32)
        p_al = p_logits + row_off
    n_full = tl.maximum(n - a0, 0) // BLOCK
    for i in range(n_full):
        o = i * BLOCK + oj
        if COL_CONTIG:
            ptr = p_al + o
        else:
            ptr = p_al + o.to(tl.int64) * stride_c
        if EVICT == 1:
            x = tl.load(ptr, eviction_policy="evict_first")
        else:
            x = tl.load(ptr)
        seen = _vec_tile(x, a0 + o, thr, seen, wb, p_k, p_i, cap_w, x, R, WARPS, False, CROSS)
    # the columns before the aligned ones, then the last partial tile (one code path)
    for t in range(2):
        lo = tl.where(t == 0, 0, tl.minimum(a0 + n_full * BLOCK, n))
        hi = tl.where(t == 0, tl.minimum(a0, n), n)
        o = lo + oj
        x, m = _load_row(p_logits + row_off, stride_c, o, hi, COL_CONTIG, EVICT)
        seen = _vec_tile(x, o, thr, seen, wb, p_k, p_i, cap_w, m, R, WARPS, True, CROSS)
    if CROSS:
        return seen
    else:
        return seen[:, None] + tl.zeros([WARPS, 32], tl.int32), 0


@triton.jit
def topk_sample_rows_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols,
    p_out, stride_or, k, p_sck, p_sci, cap_s, p_ck, p_ci, cap, p_scr,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
    SAMPLE: tl.constexpr, THREADS: tl.constexpr, T_BITS: tl.constexpr, T_GROUP: tl.constexpr,
    T_SIGMA: tl.constexpr, LANES: tl.constexpr, SEL: tl.constexpr, SMALL: tl.constexpr,
    HI: tl.constexpr, CBLOCK: tl.constexpr, RADIX_BITS: tl.constexpr,
    STHREADS: tl.constexpr = 0, L2HINT: tl.constexpr = False, WARP: tl.constexpr = 0,
    WASM: tl.constexpr = False, WCOMP: tl.constexpr = 0, p_wc=None, RUNS: tl.constexpr = 0,
    RUN_DEFF_X8: tl.constexpr = 12, RUN_MIN_RATIO: tl.constexpr = 16,
    BEMIT: tl.constexpr = False, VEC: tl.constexpr = 0, VWARPS: tl.constexpr = 0,
):
    """v3 in one launch for rows of one slice (v12), one program per row: the sample
    threshold, the compaction of the keys >= it into the row's segment (cap_s lanes), then
    the exact select among them in registers (LANES >= cap_s). A row the sample did not settle
    (fewer than k candidates, or more than cap_s) is done as in row mode (p_ck / p_ci: cap
    lanes per row). The candidates are read back by the program that wrote them, from L2
    (the two-kernel v3 path reads them from DRAM in a second launch), and one program's
    select overlaps other programs' streaming. p_scr: _kth_key's SMALL + 1 int32 per row.
    WCOMP > 0 (v36): the compaction by WCOMP warps (_compact_slice_warp), each warp's count
    at p_wc[row, w]. RUNS > 0 (v44): the sample threshold from runs of RUNS columns
    (_sample_threshold_runs, with its independence check RUN_DEFF_X8 and row floor
    RUN_MIN_RATIO). BEMIT (trial): the select's bracket emit (_select_lanes; p_scr: 2 SMALL
    + 1 int32 per row). (A persistent version, programs looping over rows, took 223-255 registers at 8 warps
    in Triton 3.6: loop-invariant tiles hoisted out of the row loop; this one 119.)"""
    row = tl.program_id(0)
    row64 = row.to(tl.int64)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    p_orow = p_out + row64 * stride_or
    if n <= k:
        _fill_identity(p_orow, n, k, CBLOCK)
    else:
        row_off = row64 * stride_r + start.to(tl.int64) * stride_c
        p_row = p_logits + row_off
        p_k = p_sck + row64 * cap_s
        p_i = p_sci + row64 * cap_s
        # L2HINT: the sample's sectors kept in L2 for the compaction, which streams the row
        # with evict_first (both read the row from DRAM otherwise: ncu, session 9).
        t16 = _sample_threshold(p_row, stride_c, n, k, SAMPLE, COL_CONTIG, T_BITS, T_GROUP,
                                T_SIGMA, 2 if L2HINT else 0, False, RUNS, RUN_DEFF_X8,
                                RUN_MIN_RATIO)
        p_s = p_scr + row64 * ((1 + BEMIT) * SMALL + 1)
        p_ckr = p_ck + row64 * cap
        p_cir = p_ci + row64 * cap
        if WCOMP > 0:
            # v36: the warp compaction (WCOMP warps), where the plan allows it
            cap_w = cap_s // WCOMP
            if (VEC == 1) | (VEC == 3):
                # (trial, session 31) the same contract with 128-bit loads, no ballots
                seen3, n_bad = _compact_slice_vec(p_logits, row_off, stride_c, n,
                                                  _t16_float(t16), p_k, p_i, cap_w, BLOCK,
                                                  WCOMP, COL_CONTIG, 1 if L2HINT else 0)
            else:
                seen3, n_bad = _compact_slice_warp(p_row, stride_c, 0, n, _t16_float(t16),
                                                   p_k, p_i, cap_w, BLOCK, WCOMP, COL_CONTIG,
                                                   1 if L2HINT else 0, WASM)
            lane0 = (tl.arange(0, 32) == 0)[None, :]
            p_w = p_wc + row64 * WCOMP
            tl.store(p_w + tl.arange(0, WCOMP)[:, None] + tl.zeros([WCOMP, 32], tl.int32),
                     seen3, mask=lane0)
            tot, mx = tl.reduce((tl.where(lane0, seen3, 0), seen3), 1, _add_max)
            tot, mx = tl.reduce((tot, mx), 0, _add_max)
            # The counts (and the candidates) were stored by other threads: make them visible.
            tl.debug_barrier()
            if n_bad > 0:
                # the tile's layout broke the ballot ranks: the row again, as v12 does it
                _rows_compact_select(p_row, stride_c, n, k, t16, p_k, p_i, cap_s, p_orow, p_s,
                                     p_ckr, p_cir, cap, COL_CONTIG, BLOCK, THREADS, LANES, SEL,
                                     SMALL, HI, CBLOCK, RADIX_BITS, STHREADS, L2HINT, WARP,
                                     WASM, BEMIT)
            elif (tot >= k) & (mx <= cap_w) & ((VEC != 3) | (tot <= LANES)):
                if VEC == 3:
                    # (trial) warp segments of twice the lanes' share, moved together first
                    _gather_in_place(p_k, p_i, p_w, cap_w, WCOMP, tot, LANES,
                                     min(LANES, 1024))
                    o = _select_tile(LANES, STHREADS, WARP)
                    _select_lanes(p_k, p_i, o, o < tot, k, p_orow, p_s, SEL, SMALL, HI,
                                  STHREADS > 0, WARP, WASM, True, BEMIT, n)
                else:
                    last_n = tl.load(p_w + WCOMP - 1)
                    _sample_select(p_k, p_i, p_w, cap_w, (WCOMP - 1) * cap_w + last_n, k,
                                   p_orow, p_s, LANES, SEL, SMALL, HI, STHREADS, WARP, WASM,
                                   True, BEMIT, n)
            else:
                _select_row(p_row, stride_c, n, k, p_orow, p_ckr, p_cir, cap, BLOCK, CBLOCK,
                            RADIX_BITS, COL_CONTIG)
        else:
            _rows_compact_select(p_row, stride_c, n, k, t16, p_k, p_i, cap_s, p_orow, p_s,
                                 p_ckr, p_cir, cap, COL_CONTIG, BLOCK, THREADS, LANES, SEL,
                                 SMALL, HI, CBLOCK, RADIX_BITS, STHREADS, L2HINT, WARP, WASM,
                                 BEMIT, VEC == 2, p_logits, row_off, VWARPS)


@triton.jit
def _rows_compact_select(p_row, stride_c, n, k, t16, p_k, p_i, cap_s, p_orow, p_scr, p_ck,
                         p_ci, cap, COL_CONTIG: tl.constexpr, BLOCK: tl.constexpr,
                         THREADS: tl.constexpr, LANES: tl.constexpr, SEL: tl.constexpr,
                         SMALL: tl.constexpr, HI: tl.constexpr, CBLOCK: tl.constexpr,
                         RADIX_BITS: tl.constexpr, STHREADS: tl.constexpr,
                         L2HINT: tl.constexpr, WARP: tl.constexpr, WASM: tl.constexpr,
                         BEMIT: tl.constexpr = False, VEC: tl.constexpr = False, p_logits=None,
                         row_off=0, VWARPS: tl.constexpr = 0):
    """v12's compaction of a row into its segment and the select (or row mode's fallback).
    VEC (trial, session 31): the compaction by _compact_slice_vec's CROSS form (the row at
    element offset row_off of p_logits; the values' float bits stored; VWARPS: the program's
    warps)."""
    if VEC:
        seen = _compact_slice_vec(p_logits, row_off, stride_c, n, _t16_float(t16), p_k, p_i,
                                  cap_s, BLOCK, VWARPS, COL_CONTIG, 1 if L2HINT else 0, True)
    else:
        seen = _compact_slice(p_row, stride_c, 0, n, t16, p_k, p_i, cap_s, BLOCK, THREADS,
                              False, COL_CONTIG, 1 if L2HINT else 0)
    # The candidates were stored by other threads of this program: make them visible.
    tl.debug_barrier()
    if (seen >= k) & (seen <= cap_s):
        o = _select_tile(LANES, STHREADS, WARP)
        _select_lanes(p_k, p_i, o, o < seen, k, p_orow, p_scr, SEL, SMALL, HI, STHREADS > 0,
                      WARP, WASM, VEC, BEMIT, n)
    else:
        _select_row(p_row, stride_c, n, k, p_orow, p_ck, p_ci, cap, BLOCK, CBLOCK, RADIX_BITS,
                    COL_CONTIG)


@triton.jit
def topk_sample_threshold_kernel(
    p_logits, stride_r, stride_c, p_starts, p_ends, p_seq_lens, next_n, cols, p_t16, k,
    IS_DECODE: tl.constexpr, COL_CONTIG: tl.constexpr, SAMPLE: tl.constexpr,
    T_BITS: tl.constexpr = 1, T_GROUP: tl.constexpr = 1, T_SIGMA: tl.constexpr = 4,
    PDL: tl.constexpr = 0, RUNS: tl.constexpr = 0, RUN_DEFF_X8: tl.constexpr = 12,
    RUN_MIN_RATIO: tl.constexpr = 16,
):
    """v3 for rows split into many slices: the row's sample threshold computed once (one
    program per row) instead of by each slice's program; p_t16[row] (0 for rows with n <= k,
    which the compaction skips). PDL: the compaction may launch early (it waits for this
    grid before reading p_t16): 1: at once, 2: once this program's sample has arrived (so the
    compaction's L2 requests do not delay the sample's)."""
    if PDL == 1:
        gdc_launch_dependents()
    row = tl.program_id(0)
    start, end = _row_bounds(p_starts, p_ends, p_seq_lens, next_n, row, cols, IS_DECODE)
    n = end - start
    t16 = tl.zeros([], dtype=tl.int32)
    if n > k:
        p_row = p_logits + row.to(tl.int64) * stride_r + start.to(tl.int64) * stride_c
        # (RUNS, v45: not with PDL == 2, whose trigger waits on the single-column sample)
        t16 = _sample_threshold(p_row, stride_c, n, k, SAMPLE, COL_CONTIG, T_BITS, T_GROUP,
                                T_SIGMA, TRIGGER=PDL == 2, RUNS=RUNS, RUN_DEFF_X8=RUN_DEFF_X8,
                                RUN_MIN_RATIO=RUN_MIN_RATIO)
    if PDL == 2:
        gdc_launch_dependents()  # rows with n <= k (no sample): a repeated call is a no-op
    tl.store(p_t16 + row, t16)
