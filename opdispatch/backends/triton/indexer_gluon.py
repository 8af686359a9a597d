"""fp8_mqa_logits as a warp-specialized Hopper kernel, written in Gluon (Triton's lower-level
dialect: explicit layouts, shared memory, mbarriers, asynchronous wgmma and TMA).

Why: the ``tl.dot`` kernel in ``indexer_kernels.py`` is latency bound. Each query row is one
wgmma whose result feeds the relu / head-weight / heads-sum epilogue before the next row's
wgmma can start, and Triton 3.6's automatic warp specialization does not partition that loop
(docs/ops/indexer.md). Here the schedule is written out:

- one **producer** warp loads the CTA's key tile once (TMA) and streams the query rows and
  their head weights through a ring of ``NUM_STAGES`` shared-memory slots of ``RPS`` rows each
  (``[RPS * H, D]`` and ``[RPS * H]``; TMA, ``ready`` / ``empty`` mbarriers);
- two **consumer** warpgroups each own half of the CTA's keys (64 or 128 each, the config's
  ``block_n`` / 2) and issue each row's wgmma asynchronously (keys x heads, q as the K-major B
  operand), so that a row's epilogue (relu x weight summed over heads, x key scale, window
  mask, store) runs while a later row's wgmma is in the tensor cores. The row schedules:
  ``_ws_rows`` (session 15), ``_ws_rows_pair`` / ``_ws_rows_group`` (explicit waits with one
  wgmma pending) and ``_ws_rows_quad`` (the default since session 16: slots of 4 rows, one
  ring wait and one release per slot, since Gluon puts a warpgroup barrier before each).

The arithmetic is the ``tl.dot`` kernel's: the same fp8 wgmma over D with fp32 accumulation,
``sum_h(max(s, 0) * w) * scale`` reduced over the same accumulator layout. Rows whose window
misses the key tile are skipped as there (the chunk's first and last rows that meet it bound
the loop), and get -inf when ``CLEAN``.

Where it runs: CUDA sm_90 (wgmma exists on Hopper only), Gluon importable, q and k readable by
TMA (``indexer.ws_ok``). Gluon kernels do not run in Triton's interpreter, so the CPU tiers
test the selection and the fallback, and the GPU tier tests the kernel (bit-identical to the
``tl.dot`` kernel). All offsets that grow with the problem are int64 (TMA coordinates are int32:
``ws_ok`` requires S * H < 2^31).
"""

from __future__ import annotations

from opdispatch.backends.triton.gluon_compat import HAVE_GLUON

if HAVE_GLUON:  # Gluon's names, one spelling across Triton versions (gluon_compat.py)
    from opdispatch.backends.triton.gluon_compat import (
        fence_async_shared,
        gl,
        gluon,
        mbarrier,
        tma_load,
        warpgroup_mma,
        warpgroup_mma_wait,
    )

    @gluon.jit
    def _ws_bounds(p_ks, p_ke, S, N, n0, r0, ROWS: gl.constexpr, BLOCK_N: gl.constexpr,
                   WARPS: gl.constexpr):
        """[lo, hi): the first and last rows of chunk [r0, r0 + ROWS) whose window [ks, ke)
        meets keys [n0, n0 + BLOCK_N) (hi = lo when none does); inner: 1 when every row of
        [lo, hi) has all of those keys (below N) inside its window, so that the window mask
        is a no-op for the whole tile (0 otherwise, and when hi = lo)."""
        lo, hi, inner, m_lo, m_hi = _ws_bounds_to(p_ks, p_ke, gl.minimum(r0 + ROWS, S), N, n0,
                                                  r0, ROWS, BLOCK_N, WARPS)
        return lo, hi, inner

    @gluon.jit
    def _ws_bounds_to(p_ks, p_ke, r1, N, n0, r0, ROWS: gl.constexpr, BLOCK_N: gl.constexpr,
                      WARPS: gl.constexpr):
        """_ws_bounds of the rows [r0, r1) (r1 - r0 <= ROWS), and the masked band [m_lo, m_hi):
        from the 4-row slot (counted from lo) of the first row of [lo, hi) whose window does
        not hold the whole tile to the slot of the last one (m_hi capped at hi); m_lo = m_hi =
        hi when there is none. Rows of [lo, hi) outside the band need no mask."""
        n1 = gl.minimum(n0 + BLOCK_N, N)
        row_l: gl.constexpr = gl.BlockedLayout([1], [32], [WARPS], [0])
        o_r = r0 + gl.arange(0, ROWS, layout=row_l)
        m_r = o_r < r1
        b_ks = gl.load(p_ks + o_r, mask=m_r, other=0)
        b_ke = gl.load(p_ke + o_r, mask=m_r, other=0)
        m_hit = m_r & (b_ks < n1) & (b_ke > n0) & (b_ke > b_ks)
        lo = gl.min(gl.where(m_hit, o_r, r1), axis=0)
        hi = gl.maximum(gl.max(gl.where(m_hit, o_r + 1, r0), axis=0), lo)
        m_in = (o_r >= lo) & (o_r < hi)
        m_part = m_in & ((b_ks > n0) | (b_ke < n1))
        inner = (hi > lo) & (gl.max(m_part.to(gl.int32), axis=0) == 0)
        p_lo = gl.min(gl.where(m_part, o_r, hi), axis=0)
        p_hi = gl.max(gl.where(m_part, o_r + 1, lo), axis=0)
        m_lo = gl.where(p_lo < hi, lo + (p_lo - lo) // 4 * 4, hi)
        m_hi = gl.where(p_lo < hi, gl.minimum(lo + gl.cdiv(p_hi - lo, 4) * 4, hi), hi)
        return lo, hi, inner.to(gl.int32), m_lo, m_hi

    @gluon.jit
    def _ws_window(p_ks, p_ke, r, CLEAN: gl.constexpr):
        """Row r's window (ks, ke), read only where the mask is applied (CLEAN)."""
        if CLEAN:
            return gl.load(p_ks + r), gl.load(p_ke + r)
        else:
            return 0, 0

    @gluon.jit
    def _ws_row_out(acc, w, ks, ke, row, o_n, m_n, b_scale, p_out, stride_os, CLEAN: gl.constexpr):
        """One row's logits for the consumer's keys: sum_h max(s, 0) * w[h], times the key
        scale, -inf outside [ks, ke) when CLEAN; stored to out[row, o_n]."""
        b_logit = gl.sum(gl.maximum(acc, 0.0) * gl.expand_dims(w, 0), axis=1) * b_scale
        if CLEAN:
            b_logit = gl.where((o_n >= ks) & (o_n < ke), b_logit, float("-inf"))
        gl.store(p_out + row.to(gl.int64) * stride_os + o_n, b_logit, mask=m_n)

    @gluon.jit
    def _ws_issue(a_smem, q_bufs, ready, j, zero, NUM_STAGES: gl.constexpr):
        """Wait for ring slot j's query row, issue its wgmma (asynchronous): the token."""
        s = j % NUM_STAGES
        mbarrier.wait(ready.index(s), (j // NUM_STAGES) & 1)
        return warpgroup_mma(a_smem, q_bufs.index(s).permute((1, 0)), zero, use_acc=False,
                             is_async=True)

    @gluon.jit
    def _ws_finish(tok, w_bufs, empty, j, head_l: gl.constexpr, NUM_STAGES: gl.constexpr,
                   PENDING: gl.constexpr = 0):
        """Wait for slot j's wgmma (with at most PENDING later ones still running), read its
        row's weights, free the slot: (scores, weights)."""
        s = j % NUM_STAGES
        acc = warpgroup_mma_wait(PENDING, deps=[tok])
        w = w_bufs.index(s).load(head_l)
        mbarrier.arrive(empty.index(s), count=1)
        return acc, w

    @gluon.jit
    def _ws_rows(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n, b_scale, zero,
                 lo, hi, stride_os, head_l: gl.constexpr, CLEAN: gl.constexpr,
                 NUM_STAGES: gl.constexpr):
        """A consumer's rows [lo, hi) (hi > lo) of one key tile, one ring slot a row (session
        15's schedule). Row j's wgmma is issued before row j - 1's epilogue in program order,
        but nothing pins that epilogue after the issue: ptxas hoists it above (the SASS gives
        both rows' accumulators the same registers), so inside a warpgroup the epilogue does
        not overlap a wgmma (_ws_rows_pair / _ws_rows_quad wait with one wgmma pending). The
        loop takes rows in pairs with two fixed accumulators (a, b), so no register is copied
        from one iteration to the next (a copy of a wgmma's result makes ptxas serialise them)."""
        n_rows = hi - lo
        tok = _ws_issue(a_op, q_bufs, ready, 0, zero, NUM_STAGES)
        ks_a, ke_a = _ws_window(p_ks, p_ke, lo, CLEAN)
        acc_a, w_a = _ws_finish(tok, w_bufs, empty, 0, head_l, NUM_STAGES)
        for p in range((n_rows - 1) // 2):
            jb = 2 * p + 1
            rb = lo + jb
            tok_b = _ws_issue(a_op, q_bufs, ready, jb, zero, NUM_STAGES)
            ks_b, ke_b = _ws_window(p_ks, p_ke, rb, CLEAN)
            _ws_row_out(acc_a, w_a, ks_a, ke_a, rb - 1, o_n, m_n, b_scale, p_out, stride_os,
                        CLEAN)
            acc_b, w_b = _ws_finish(tok_b, w_bufs, empty, jb, head_l, NUM_STAGES)
            tok_a = _ws_issue(a_op, q_bufs, ready, jb + 1, zero, NUM_STAGES)
            ks_a, ke_a = _ws_window(p_ks, p_ke, rb + 1, CLEAN)
            _ws_row_out(acc_b, w_b, ks_b, ke_b, rb, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
            acc_a, w_a = _ws_finish(tok_a, w_bufs, empty, jb + 1, head_l, NUM_STAGES)
        if n_rows % 2 == 0:   # one row left after the pairs
            jb = n_rows - 1
            tok_b = _ws_issue(a_op, q_bufs, ready, jb, zero, NUM_STAGES)
            ks_b, ke_b = _ws_window(p_ks, p_ke, hi - 1, CLEAN)
            _ws_row_out(acc_a, w_a, ks_a, ke_a, hi - 2, o_n, m_n, b_scale, p_out, stride_os,
                        CLEAN)
            acc_b, w_b = _ws_finish(tok_b, w_bufs, empty, jb, head_l, NUM_STAGES)
            _ws_row_out(acc_b, w_b, ks_b, ke_b, hi - 1, o_n, m_n, b_scale, p_out, stride_os,
                        CLEAN)
        else:
            _ws_row_out(acc_a, w_a, ks_a, ke_a, hi - 1, o_n, m_n, b_scale, p_out, stride_os,
                        CLEAN)

    @gluon.jit
    def _ws_pair_issue(a_op, q_bufs, ready, j, zero, NUM_STAGES: gl.constexpr, DIAG: gl.constexpr):
        if DIAG == 2:   # diagnostic: no wgmma (the slot is waited for, the scores are zeros)
            s = j % NUM_STAGES
            mbarrier.wait(ready.index(s), (j // NUM_STAGES) & 1)
            return zero
        else:
            return _ws_issue(a_op, q_bufs, ready, j, zero, NUM_STAGES)

    @gluon.jit
    def _ws_pair_finish(tok, w_bufs, empty, j, head_l: gl.constexpr, NUM_STAGES: gl.constexpr,
                        PENDING: gl.constexpr, DIAG: gl.constexpr):
        if DIAG == 2:
            s = j % NUM_STAGES
            w = w_bufs.index(s).load(head_l)
            mbarrier.arrive(empty.index(s), count=1)
            return tok, w
        else:
            return _ws_finish(tok, w_bufs, empty, j, head_l, NUM_STAGES, PENDING)

    @gluon.jit
    def _ws_pair_out(acc, w, ks, ke, row, o_n, m_n, b_scale, p_out, stride_os,
                     CLEAN: gl.constexpr, DIAG: gl.constexpr):
        if DIAG != 1:   # DIAG 1 (diagnostic): no epilogue
            _ws_row_out(acc, w, ks, ke, row, o_n, m_n, b_scale, p_out, stride_os, CLEAN)

    @gluon.jit
    def _ws_rows_mma_only(a_op, q_bufs, ready, empty, p_out, o_n, m_n, b_scale, zero, lo, hi, g0,
                          stride_os, head_l: gl.constexpr, NUM_STAGES: gl.constexpr):
        """Diagnostic: the rows' wgmmas and ring traffic alone, in pairs as _ws_rows_pair, each
        accumulating onto the previous pair's result (so that none is dead code); one row of
        sums stored at the end (wrong logits)."""
        n_rows = hi - lo
        acc_a = zero
        acc_b = zero
        for p in range(n_rows // 2):
            j = g0 + 2 * p
            s_a = j % NUM_STAGES
            s_b = (j + 1) % NUM_STAGES
            mbarrier.wait(ready.index(s_a), (j // NUM_STAGES) & 1)
            tok_a = warpgroup_mma(a_op, q_bufs.index(s_a).permute((1, 0)), acc_a, use_acc=True,
                                  is_async=True)
            mbarrier.wait(ready.index(s_b), ((j + 1) // NUM_STAGES) & 1)
            tok_b = warpgroup_mma(a_op, q_bufs.index(s_b).permute((1, 0)), acc_b, use_acc=True,
                                  is_async=True)
            acc_a = warpgroup_mma_wait(1, deps=[tok_a])
            mbarrier.arrive(empty.index(s_a), count=1)
            acc_b = warpgroup_mma_wait(0, deps=[tok_b])
            mbarrier.arrive(empty.index(s_b), count=1)
        if n_rows % 2 == 1:
            j = g0 + n_rows - 1
            s_a = j % NUM_STAGES
            mbarrier.wait(ready.index(s_a), (j // NUM_STAGES) & 1)
            tok_a = warpgroup_mma(a_op, q_bufs.index(s_a).permute((1, 0)), acc_a, use_acc=True,
                                  is_async=True)
            acc_a = warpgroup_mma_wait(0, deps=[tok_a])
            mbarrier.arrive(empty.index(s_a), count=1)
        b_sum = gl.sum(acc_a + acc_b, axis=1) * b_scale
        gl.store(p_out + lo.to(gl.int64) * stride_os + o_n, b_sum, mask=m_n)

    @gluon.jit
    def _ws_rows_pair(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n, b_scale,
                      zero, lo, hi, g0, stride_os, head_l: gl.constexpr, CLEAN: gl.constexpr,
                      NUM_STAGES: gl.constexpr, DIAG: gl.constexpr = 0):
        """As _ws_rows, with the rows in pairs (a, b): both wgmmas issued, then a's epilogue
        after waiting for a alone (b still running), then b's. Waiting with one group still
        pending pins a's epilogue after b's issue: in _ws_rows nothing stops ptxas from
        hoisting the previous row's epilogue above the next row's issue (it did, to give both
        accumulators the same registers), which leaves nothing to overlap inside a warpgroup.
        DIAG (diagnostics only, wrong logits): 1 skips the epilogue, 2 the wgmmas."""
        n_rows = hi - lo
        if DIAG == 1:
            _ws_rows_mma_only(a_op, q_bufs, ready, empty, p_out, o_n, m_n, b_scale, zero, lo, hi,
                              g0, stride_os, head_l, NUM_STAGES)
            return
        for p in range(n_rows // 2):
            j = 2 * p
            r = lo + j
            tok_a = _ws_pair_issue(a_op, q_bufs, ready, g0 + j, zero, NUM_STAGES, DIAG)
            tok_b = _ws_pair_issue(a_op, q_bufs, ready, g0 + j + 1, zero, NUM_STAGES, DIAG)
            ks_a, ke_a = _ws_window(p_ks, p_ke, r, CLEAN)
            ks_b, ke_b = _ws_window(p_ks, p_ke, r + 1, CLEAN)
            acc_a, w_a = _ws_pair_finish(tok_a, w_bufs, empty, g0 + j, head_l, NUM_STAGES, 1, DIAG)
            _ws_pair_out(acc_a, w_a, ks_a, ke_a, r, o_n, m_n, b_scale, p_out, stride_os, CLEAN,
                         DIAG)
            acc_b, w_b = _ws_pair_finish(tok_b, w_bufs, empty, g0 + j + 1, head_l, NUM_STAGES, 0,
                                         DIAG)
            _ws_pair_out(acc_b, w_b, ks_b, ke_b, r + 1, o_n, m_n, b_scale, p_out, stride_os, CLEAN,
                         DIAG)
        if n_rows % 2 == 1:
            j = n_rows - 1
            tok_a = _ws_pair_issue(a_op, q_bufs, ready, g0 + j, zero, NUM_STAGES, DIAG)
            ks_a, ke_a = _ws_window(p_ks, p_ke, hi - 1, CLEAN)
            acc_a, w_a = _ws_pair_finish(tok_a, w_bufs, empty, g0 + j, head_l, NUM_STAGES, 0, DIAG)
            _ws_pair_out(acc_a, w_a, ks_a, ke_a, hi - 1, o_n, m_n, b_scale, p_out, stride_os, CLEAN,
                         DIAG)

    @gluon.jit
    def _ws_rows_group(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n, b_scale,
                       zero, lo, hi, g0, stride_os, head_l: gl.constexpr, CLEAN: gl.constexpr,
                       NUM_STAGES: gl.constexpr, G: gl.constexpr):
        """A consumer's rows in groups of G (unrolled), two wgmmas in flight: row i's epilogue
        runs after waiting for row i alone (row i + 1 still in the tensor cores), then row
        i + 2 is issued. Only the group's last epilogue has no wgmma of its warpgroup under it
        (one in G; _ws_rows_pair: one in 2). Nothing is in flight across the loop's back edge
        (a carried in-flight accumulator makes ptxas copy it and serialise the wgmmas). The
        rows left over (fewer than G) go through _ws_rows_pair."""
        n_rows = hi - lo
        n_grp = n_rows // G
        for p in range(n_grp):
            j = g0 + G * p
            r = lo + G * p
            t_cur = _ws_issue(a_op, q_bufs, ready, j, zero, NUM_STAGES)
            t_nxt = _ws_issue(a_op, q_bufs, ready, j + 1, zero, NUM_STAGES)
            for i in gl.static_range(G):
                ks, ke = _ws_window(p_ks, p_ke, r + i, CLEAN)
                if i < G - 1:
                    acc, w = _ws_finish(t_cur, w_bufs, empty, j + i, head_l, NUM_STAGES, 1)
                else:
                    acc, w = _ws_finish(t_cur, w_bufs, empty, j + i, head_l, NUM_STAGES, 0)
                _ws_row_out(acc, w, ks, ke, r + i, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
                if i + 2 < G:
                    t_new = _ws_issue(a_op, q_bufs, ready, j + i + 2, zero, NUM_STAGES)
                    t_cur = t_nxt
                    t_nxt = t_new
                elif i + 1 < G:
                    t_cur = t_nxt
        if n_rows > G * n_grp:
            _ws_rows_pair(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                          b_scale, zero, lo + G * n_grp, hi, g0 + G * n_grp, stride_os, head_l,
                          CLEAN, NUM_STAGES)

    @gluon.jit
    def _ws_quad_row(a_op, qb, wb, i: gl.constexpr, p_ks, p_ke, p_out, o_n, m_n, b_scale, zero,
                     r, stride_os, head_l: gl.constexpr, HEADS: gl.constexpr,
                     CLEAN: gl.constexpr):
        """Row i of a 4-row slot on its own (issue, wait, epilogue): the last slot's leftovers."""
        tok = warpgroup_mma(a_op, qb.slice(i * HEADS, HEADS).permute((1, 0)), zero,
                            use_acc=False, is_async=True)
        ks, ke = _ws_window(p_ks, p_ke, r, CLEAN)
        acc = warpgroup_mma_wait(0, deps=[tok])
        w = wb.slice(i * HEADS, HEADS).load(head_l)
        _ws_row_out(acc, w, ks, ke, r, o_n, m_n, b_scale, p_out, stride_os, CLEAN)

    @gluon.jit
    def _ws_quad_slot(q_bufs, w_bufs, ready, j, NUM_STAGES: gl.constexpr):
        """Wait for ring slot j (slots of 4 rows) to be filled: (slot, its q rows, its weights)."""
        s = j % NUM_STAGES
        mbarrier.wait(ready.index(s), (j // NUM_STAGES) & 1)
        return s, q_bufs.index(s), w_bufs.index(s)

    @gluon.jit
    def _ws_rows_quad(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n, b_scale,
                      zero, lo, hi, stride_os, head_l: gl.constexpr, CLEAN: gl.constexpr,
                      NUM_STAGES: gl.constexpr, HEADS: gl.constexpr, g0=0):
        """A consumer's rows [lo, hi) from slots of 4 consecutive rows (slot p: rows 4p..4p+3,
        ring slot g0 + p): one ready wait and one release a slot (each release is a warpgroup
        barrier), and inside a slot two wgmmas in flight, row i's epilogue under row i + 1's
        wgmma."""
        n_rows = hi - lo
        n_full = n_rows // 4
        for p in range(n_full):
            j = g0 + p
            r = lo + 4 * p
            s, qb, wb = _ws_quad_slot(q_bufs, w_bufs, ready, j, NUM_STAGES)
            t0 = warpgroup_mma(a_op, qb.slice(0, HEADS).permute((1, 0)), zero, use_acc=False,
                               is_async=True)
            t1 = warpgroup_mma(a_op, qb.slice(HEADS, HEADS).permute((1, 0)), zero,
                               use_acc=False, is_async=True)
            ks0, ke0 = _ws_window(p_ks, p_ke, r, CLEAN)
            ks1, ke1 = _ws_window(p_ks, p_ke, r + 1, CLEAN)
            acc = warpgroup_mma_wait(1, deps=[t0])
            w = wb.slice(0, HEADS).load(head_l)
            _ws_row_out(acc, w, ks0, ke0, r, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
            # Waiting again on the slot's completed barrier costs a test (and the warpgroup
            # barrier Gluon puts before every wait); it splits the body as the per-row waits of
            # _ws_rows_group do (without it ptxas found too few registers and serialised the
            # wgmmas, C7512).
            mbarrier.wait(ready.index(s), (j // NUM_STAGES) & 1)
            t2 = warpgroup_mma(a_op, qb.slice(2 * HEADS, HEADS).permute((1, 0)), zero,
                               use_acc=False, is_async=True)
            ks2, ke2 = _ws_window(p_ks, p_ke, r + 2, CLEAN)
            acc = warpgroup_mma_wait(1, deps=[t1])
            w = wb.slice(HEADS, HEADS).load(head_l)
            _ws_row_out(acc, w, ks1, ke1, r + 1, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
            mbarrier.wait(ready.index(s), (j // NUM_STAGES) & 1)
            t3 = warpgroup_mma(a_op, qb.slice(3 * HEADS, HEADS).permute((1, 0)), zero,
                               use_acc=False, is_async=True)
            ks3, ke3 = _ws_window(p_ks, p_ke, r + 3, CLEAN)
            acc = warpgroup_mma_wait(1, deps=[t2])
            w = wb.slice(2 * HEADS, HEADS).load(head_l)
            _ws_row_out(acc, w, ks2, ke2, r + 2, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
            acc = warpgroup_mma_wait(0, deps=[t3])
            w = wb.slice(3 * HEADS, HEADS).load(head_l)
            mbarrier.arrive(empty.index(s), count=1)
            _ws_row_out(acc, w, ks3, ke3, r + 3, o_n, m_n, b_scale, p_out, stride_os, CLEAN)
        rem = n_rows - 4 * n_full
        if rem > 0:
            r = lo + 4 * n_full
            s, qb, wb = _ws_quad_slot(q_bufs, w_bufs, ready, g0 + n_full, NUM_STAGES)
            _ws_quad_row(a_op, qb, wb, 0, p_ks, p_ke, p_out, o_n, m_n, b_scale, zero, r,
                         stride_os, head_l, HEADS, CLEAN)
            if rem > 1:
                _ws_quad_row(a_op, qb, wb, 1, p_ks, p_ke, p_out, o_n, m_n, b_scale, zero, r + 1,
                             stride_os, head_l, HEADS, CLEAN)
            if rem > 2:
                _ws_quad_row(a_op, qb, wb, 2, p_ks, p_ke, p_out, o_n, m_n, b_scale, zero, r + 2,
                             stride_os, head_l, HEADS, CLEAN)
            mbarrier.arrive(empty.index(s), count=1)

    @gluon.jit
    def _ws_consumer(k_smem, q_bufs, w_bufs, k_bar, ready, empty, p_kscale, p_ks, p_ke, p_out,
                     N, n0, lo, hi, inner, stride_os,
                     C: gl.constexpr, HEADS: gl.constexpr, KEYS: gl.constexpr,
                     CLEAN: gl.constexpr, NUM_STAGES: gl.constexpr, A_REGS: gl.constexpr,
                     SCHED: gl.constexpr, DIAG: gl.constexpr, INNER: gl.constexpr):
        """Consumer warpgroup C: keys [n0 + KEYS * C, n0 + KEYS * (C + 1)), rows [lo, hi).
        A_REGS: the key tile (the same for every row) is held in registers as the wgmma's A
        operand, so each wgmma reads only q from shared memory. INNER: where the tile is
        inside every row's window (``inner``), rows run without the window mask."""
        acc_layout: gl.constexpr = gl.NVMMADistributedLayout(
            version=[3, 0], warps_per_cta=[4, 1], instr_shape=[16, HEADS, 32])
        key_l: gl.constexpr = gl.SliceLayout(1, acc_layout)
        head_l: gl.constexpr = gl.SliceLayout(0, acc_layout)
        n_rows = hi - lo
        if n_rows > 0:
            o_n = n0 + C * KEYS + gl.arange(0, KEYS, layout=key_l)
            m_n = o_n < N
            b_scale = gl.load(p_kscale + o_n, mask=m_n, other=0.0)
            zero = gl.zeros([KEYS, HEADS], gl.float32, acc_layout)
            mbarrier.wait(k_bar, 0)
            if A_REGS:
                a_smem = k_smem.index(C).load(
                    gl.DotOperandLayout(operand_index=0, parent=acc_layout, k_width=4))
            else:
                a_smem = k_smem.index(C)
            if INNER and CLEAN:
                # Every row of the tile has every key in its window: the same schedule
                # without the window's loads and mask (a second copy of the row loop).
                if inner:
                    _ws_sched(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                              b_scale, zero, lo, hi, stride_os, head_l, False, NUM_STAGES,
                              HEADS, SCHED, DIAG)
                else:
                    _ws_sched(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                              b_scale, zero, lo, hi, stride_os, head_l, CLEAN, NUM_STAGES,
                              HEADS, SCHED, DIAG)
            else:
                _ws_sched(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                          b_scale, zero, lo, hi, stride_os, head_l, CLEAN, NUM_STAGES, HEADS,
                          SCHED, DIAG)

    @gluon.jit
    def _ws_sched(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n, b_scale,
                  zero, lo, hi, stride_os, head_l: gl.constexpr, CLEAN: gl.constexpr,
                  NUM_STAGES: gl.constexpr, HEADS: gl.constexpr, SCHED: gl.constexpr,
                  DIAG: gl.constexpr):
        """The consumer's rows [lo, hi) through the row schedule SCHED."""
        if SCHED == "quad":
            _ws_rows_quad(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                          b_scale, zero, lo, hi, stride_os, head_l, CLEAN, NUM_STAGES, HEADS)
        elif SCHED == "group4":
            _ws_rows_group(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                           b_scale, zero, lo, hi, 0, stride_os, head_l, CLEAN, NUM_STAGES, 4)
        elif SCHED == "group8":
            _ws_rows_group(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                           b_scale, zero, lo, hi, 0, stride_os, head_l, CLEAN, NUM_STAGES, 8)
        elif SCHED == "pair":
            _ws_rows_pair(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                          b_scale, zero, lo, hi, 0, stride_os, head_l, CLEAN, NUM_STAGES, DIAG)
        else:
            _ws_rows(a_smem, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out, o_n, m_n,
                     b_scale, zero, lo, hi, stride_os, head_l, CLEAN, NUM_STAGES)

    @gluon.jit
    def _ws_ring_barriers(NUM_STAGES: gl.constexpr, CONSUMERS: gl.constexpr):
        """The q / head-weight ring's mbarriers, initialised: ready (one producer) and empty
        (every consumer), one a slot."""
        ready = gl.allocate_shared_memory(gl.int64, [NUM_STAGES, 1], mbarrier.MBarrierLayout())
        empty = gl.allocate_shared_memory(gl.int64, [NUM_STAGES, 1], mbarrier.MBarrierLayout())
        for s in gl.static_range(NUM_STAGES):
            mbarrier.init(ready.index(s), count=1)
            mbarrier.init(empty.index(s), count=CONSUMERS)
        return ready, empty

    @gluon.jit
    def _ws_neg_rows(p_out, stride_os, o_n, m_n, b_neg, r0, lo, hi, r1):
        """-inf (b_neg) at keys o_n of the rows [r0, lo) and [hi, r1): a chunk's rows that its
        row loop skipped (their windows miss the key tile)."""
        for i in range(r0, lo):
            gl.store(p_out + i.to(gl.int64) * stride_os + o_n, b_neg, mask=m_n)
        for i in range(hi, r1):
            gl.store(p_out + i.to(gl.int64) * stride_os + o_n, b_neg, mask=m_n)

    @gluon.jit
    def _ws_load_keys(k_desc, k_smem, k_bar, n0, KEYS: gl.constexpr, CONSUMERS: gl.constexpr):
        """The CTA's key tile, one TMA copy per consumer's half, completing k_bar."""
        mbarrier.expect(k_bar, CONSUMERS * k_desc.block_type.nbytes)
        for c in gl.static_range(CONSUMERS):
            tma_load(k_desc, [n0 + KEYS * c, 0], k_bar, k_smem.index(c))

    @gluon.jit
    def _ws_producer(q_desc, k_desc, w_desc, k_smem, q_bufs, w_bufs, k_bar, ready, empty, n0, lo, hi,
                     HEADS: gl.constexpr, KEYS: gl.constexpr, CONSUMERS: gl.constexpr,
                     NUM_STAGES: gl.constexpr, RPS: gl.constexpr = 1, EARLY_K: gl.constexpr = False):
        """One warp: the key tile once (unless EARLY_K: the kernel issued it before the row
        bounds), then rows [lo, hi) of q and of the head weights into the ring of buffers, RPS
        consecutive rows a slot (the last slot's rows past hi are loaded and not used; past the
        end of q the copy fills zeros)."""
        n_rows = hi - lo
        if n_rows > 0:
            if not EARLY_K:
                _ws_load_keys(k_desc, k_smem, k_bar, n0, KEYS, CONSUMERS)
            for j in range(gl.cdiv(n_rows, RPS)):
                s = j % NUM_STAGES
                # A buffer is free once every consumer has finished the wgmma that read it
                # (mbarriers start in the completed phase before 0: the first pass does not wait).
                mbarrier.wait(empty.index(s), ((j // NUM_STAGES) & 1) ^ 1)
                # The consumers read the weights slot with ordinary shared loads (the generic
                # proxy); order those before this TMA write (the async proxy).
                fence_async_shared()
                bar = ready.index(s)
                mbarrier.expect(bar, q_desc.block_type.nbytes + w_desc.block_type.nbytes)
                tma_load(q_desc, [(lo + RPS * j) * HEADS, 0], bar, q_bufs.index(s))
                tma_load(w_desc, [(lo + RPS * j) * HEADS], bar, w_bufs.index(s))

    @gluon.jit
    def mqa_logits_ws_kernel(
        q_desc, k_desc, w_desc, p_kscale, p_ks, p_ke, p_out,
        S, N, stride_os,
        HEADS: gl.constexpr, DIM: gl.constexpr, ROWS: gl.constexpr, CLEAN: gl.constexpr,
        NUM_STAGES: gl.constexpr, CONSUMER_REGS: gl.constexpr, KEYS: gl.constexpr,
        A_REGS: gl.constexpr, SCHED: gl.constexpr, DIAG: gl.constexpr, INNER: gl.constexpr,
        EARLY_K: gl.constexpr, num_warps: gl.constexpr,
    ):
        """Program (key tile of 2 x KEYS, row chunk of ROWS) -> out[rows, keys]; see the module.
        SCHED, the consumers' row schedule (``MqaLogitsConfig.ws_schedule``): "rows"
        (_ws_rows), "pair" (_ws_rows_pair, with DIAG its diagnostics), "group4" / "group8"
        (_ws_rows_group), "quad" (_ws_rows_quad: slots of 4 rows, which the producer fills)."""
        RPS: gl.constexpr = 4 if SCHED == "quad" else 1
        CONSUMERS: gl.constexpr = 2
        BLOCK_N: gl.constexpr = KEYS * CONSUMERS
        pid_n = gl.program_id(0)
        pid_r = gl.program_id(1)
        n0 = pid_n * BLOCK_N
        r0 = pid_r * ROWS
        r1 = gl.minimum(r0 + ROWS, S)

        k_smem = gl.allocate_shared_memory(k_desc.dtype, [CONSUMERS, KEYS, DIM], k_desc.layout)
        q_bufs = gl.allocate_shared_memory(q_desc.dtype, [NUM_STAGES, RPS * HEADS, DIM],
                                           q_desc.layout)
        w_bufs = gl.allocate_shared_memory(w_desc.dtype, [NUM_STAGES, RPS * HEADS], w_desc.layout)
        k_bar = gl.allocate_shared_memory(gl.int64, [1], mbarrier.MBarrierLayout())
        mbarrier.init(k_bar, count=1)
        ready, empty = _ws_ring_barriers(NUM_STAGES, CONSUMERS)
        if EARLY_K:
            # The key tile's copy in flight while the row bounds are read (its latency and
            # theirs overlap; a CTA whose rows all miss the tile waits for it before exiting).
            fence_async_shared()
            _ws_load_keys(k_desc, k_smem, k_bar, n0, KEYS, CONSUMERS)
        lo, hi, inner = _ws_bounds(p_ks, p_ke, S, N, n0, r0, ROWS, BLOCK_N, num_warps)

        gl.warp_specialize([
            (_ws_consumer, (k_smem, q_bufs, w_bufs, k_bar, ready, empty, p_kscale, p_ks, p_ke,
                            p_out, N, n0, lo, hi, inner, stride_os, 0, HEADS, KEYS, CLEAN,
                            NUM_STAGES, A_REGS, SCHED, DIAG, INNER)),
            (_ws_consumer, (k_smem, q_bufs, w_bufs, k_bar, ready, empty, p_kscale, p_ks, p_ke,
                            p_out, N, n0, lo, hi, inner, stride_os, 1, HEADS, KEYS, CLEAN,
                            NUM_STAGES, A_REGS, SCHED, DIAG, INNER)),
            (_ws_producer, (q_desc, k_desc, w_desc, k_smem, q_bufs, w_bufs, k_bar, ready, empty,
                            n0, lo, hi, HEADS, KEYS, CONSUMERS, NUM_STAGES, RPS, EARLY_K)),
        ], [4, 1], [CONSUMER_REGS, 24])
        if EARLY_K:
            if hi == lo:
                mbarrier.wait(k_bar, 0)

        if CLEAN:
            # -inf into the chunk's rows the loop skipped, over the key tile.
            fill_l: gl.constexpr = gl.BlockedLayout([4], [32], [num_warps], [0])
            o_n = n0 + gl.arange(0, BLOCK_N, layout=fill_l)
            m_n = o_n < N
            b_neg = gl.full([BLOCK_N], float("-inf"), gl.float32, fill_l)
            _ws_neg_rows(p_out, stride_os, o_n, m_n, b_neg, r0, lo, hi, r1)


    # ---------------------------------------------------------------------------------------
    # Shares (session 20; trial configs, not the default: docs/ops/indexer.md): the same
    # producer / consumer schedule over an even share of the work. The grid kernel above gives
    # each CTA one (key tile, row chunk): at S = 1024, N = 16384 that is 512 CTAs of one per
    # SM, four rounds of 132 SMs with the last one 88% full, and a rectangle with 6% less work
    # (the offset-causal windows) takes the same four rounds (docs/benchmarks.md, session 17).
    # Here the (key tile, 4-row slot) positions are numbered tile-major, u = tile * SL + slot
    # (SL = cdiv(S, 4)), and CTA c of G takes the positions [p0, p1) of an even share of their
    # estimated cost (_wsp_share), which may run across key-tile boundaries. Each CTA walks
    # its share tile by tile (the key tile reloaded at each, through k_bar / k_free: the
    # consumers hold the keys in registers, so they release the shared copy as soon as they
    # have read it) and, inside a tile, in row chunks of ROWS (the window bounds' granularity,
    # as in the grid kernel). Every partition walks the same sequence and computes the same
    # bounds, so the ring's slot count g stays in step without messages.

    @gluon.jit
    def _wsp_add(a, b):
        return a + b

    @gluon.jit
    def _wsp_pos(w, cost, incl, lo, hi, c_in, n_in, o_t, SL, T):
        """The (key tile, slot) position, tile * SL + slot, of work unit w: tile t costs 2 units
        a slot outside its bounding range [lo, hi) and c_in units for the range, spread evenly
        over its n_in slots; w >= the total -> the end, T * SL."""
        t = gl.sum((incl <= w).to(gl.int32), axis=0)
        at = o_t == t
        r = w - gl.sum(gl.where(at, incl - cost, 0), axis=0)
        lo_t = gl.sum(gl.where(at, lo, 0), axis=0)
        hi_t = gl.sum(gl.where(at, hi, 0), axis=0)
        cin_t = gl.sum(gl.where(at, c_in, 0), axis=0)
        nin_t = gl.sum(gl.where(at, n_in, 0), axis=0)
        r_in = gl.maximum(r - 2 * lo_t, 0).to(gl.int64)
        s_in = lo_t + (r_in * nin_t // gl.maximum(cin_t, 1)).to(gl.int32)
        s = gl.where(r < 2 * lo_t, r // 2,
                     gl.where(r < 2 * lo_t + cin_t, s_in, hi_t + (r - 2 * lo_t - cin_t) // 2))
        return gl.where(t < T, t.to(gl.int64) * SL + s, T.to(gl.int64) * SL)

    @gluon.jit
    def _wsp_share(p_ks, p_ke, S, N, G, TMAX: gl.constexpr, BLOCK_N: gl.constexpr,
                   WARPS: gl.constexpr):
        """This CTA's share [p0, p1) of the (key tile, 4-row slot) positions, tile-major.

        Work-aware, in units of the measured costs (session 20, S=1024 N=16384: the masked
        row path ~1.3x the inner one): a slot outside its tile's bounding range (the first to
        the last slot with a row whose window meets the tile; only the -inf fill) costs 2, one
        inside 16, plus 5 where its rows do not all hold the whole tile (the masked path).
        CTA c of G starts at unit c * W / G. Every CTA computes the same cdiv(S, 4) x TMAX table
        of slot / tile contacts (TMAX >= the tile count, a power of two; the launcher takes
        this kernel only where the table is small)."""
        # Slots per step: [SB, TMAX] tables of 32 entries a thread (4 warps).
        SB: gl.constexpr = 4096 // TMAX
        lay: gl.constexpr = gl.BlockedLayout([1, 1], [1, 32], [WARPS, 1], [1, 0])
        slot_l: gl.constexpr = gl.SliceLayout(1, lay)
        tile_l: gl.constexpr = gl.SliceLayout(0, lay)
        # A slot's 4 rows in one thread (one 16-byte load of ks, one of ke).
        rows_l: gl.constexpr = gl.BlockedLayout([1, 4], [32, 1], [WARPS, 1], [1, 0])
        sl = gl.cdiv(S, 4)
        n_t = gl.cdiv(N, BLOCK_N)
        o_t = gl.expand_dims(gl.arange(0, TMAX, layout=tile_l), 0)
        lo2 = gl.full([SB, TMAX], 2147483647, gl.int32, lay)
        hi2 = gl.zeros([SB, TMAX], gl.int32, lay)
        nm2 = gl.zeros([SB, TMAX], gl.int32, lay)
        for s0 in range(0, sl, SB):
            o_r = (4 * (s0 + gl.expand_dims(gl.arange(0, SB, layout=gl.SliceLayout(1, rows_l)), 1))
                   + gl.expand_dims(gl.arange(0, 4, layout=gl.SliceLayout(0, rows_l)), 0))
            m = o_r < S
            ks = gl.maximum(gl.load(p_ks + o_r, mask=m, other=0), 0)
            ke = gl.minimum(gl.load(p_ke + o_r, mask=m, other=0), N)
            hit = m & (ke > ks)
            # The slot's rows' key tiles, as one hull [a, b] (empty: a > b), and the tiles
            # inside every row's window, [ia, ib].
            a = gl.min(gl.where(hit, ks // BLOCK_N, 2147483647), axis=1)
            b = gl.max(gl.where(hit, (ke - 1) // BLOCK_N, -1), axis=1)
            ia = gl.max(gl.where(m, gl.cdiv(ks, BLOCK_N), 0), axis=1)
            ib = gl.min(gl.where(m, gl.where(ke >= N, n_t - 1, ke // BLOCK_N - 1), 2147483647),
                        axis=1)
            a = gl.expand_dims(gl.convert_layout(a, slot_l), 1)
            b = gl.expand_dims(gl.convert_layout(b, slot_l), 1)
            ia = gl.expand_dims(gl.convert_layout(ia, slot_l), 1)
            ib = gl.expand_dims(gl.convert_layout(ib, slot_l), 1)
            touch = (a <= o_t) & (o_t <= b)
            s2 = s0 + gl.expand_dims(gl.arange(0, SB, layout=slot_l), 1)
            lo2 = gl.minimum(lo2, gl.where(touch, s2, 2147483647))
            hi2 = gl.maximum(hi2, gl.where(touch, s2 + 1, 0))
            nm2 += (touch & ((o_t < ia) | (o_t > ib))).to(gl.int32)
        lo = gl.min(lo2, axis=0)
        hi = gl.max(hi2, axis=0)
        n_m = gl.sum(nm2, axis=0)
        # Per tile, in a 1-D layout (Triton scans no slice layout).
        lay1: gl.constexpr = gl.BlockedLayout([1], [32], [WARPS], [0])
        lo = gl.convert_layout(lo, lay1)
        hi = gl.convert_layout(hi, lay1)
        n_m = gl.convert_layout(n_m, lay1)
        o_t = gl.arange(0, TMAX, layout=lay1)
        n_in = gl.maximum(hi - lo, 0)
        lo = gl.where(n_in > 0, lo, 0)
        hi = gl.where(n_in > 0, hi, 0)
        c_in = 16 * n_in + 5 * n_m
        cost = gl.where(o_t < n_t, 2 * (sl - n_in) + c_in, 0)
        incl = gl.associative_scan(cost, 0, _wsp_add)
        total = gl.sum(cost, axis=0).to(gl.int64)
        pid = gl.program_id(0).to(gl.int64)
        w0 = (pid * total // G).to(gl.int32)
        w1 = ((pid + 1) * total // G).to(gl.int32)
        p0 = _wsp_pos(w0, cost, incl, lo, hi, c_in, n_in, o_t, sl, n_t)
        p1 = _wsp_pos(w1, cost, incl, lo, hi, c_in, n_in, o_t, sl, n_t)
        return p0, p1

    @gluon.jit
    def _wsp_tile(u0, u1, sl, it, RPS: gl.constexpr, S):
        """Tile it of the share (counted from the share's first tile): (tile, rows [r_lo, r_hi))."""
        t = u0 // sl + it
        s_lo = gl.maximum(u0 - t * sl, 0)
        s_hi = gl.minimum(u1 - t * sl, sl)
        return t.to(gl.int32), (RPS * s_lo).to(gl.int32), gl.minimum(RPS * s_hi, S).to(gl.int32)

    @gluon.jit
    def _wsp_tiles(u0, u1, sl):
        """How many key tiles the share [u0, u1) touches (0 for an empty share)."""
        return gl.where(u1 > u0, (u1 - 1) // sl - u0 // sl + 1, 0).to(gl.int32)

    @gluon.jit
    def _wsp_consumer(k_smem, q_bufs, w_bufs, k_bar, k_free, ready, empty, p_kscale, p_ks, p_ke,
                      p_out, S, N, u0, u1, stride_os, C: gl.constexpr, HEADS: gl.constexpr,
                      KEYS: gl.constexpr, CLEAN: gl.constexpr, NUM_STAGES: gl.constexpr,
                      ROWS: gl.constexpr, INNER: gl.constexpr):
        """Consumer warpgroup C (keys KEYS * C .. of each tile) over the CTA's share: per tile
        the keys into registers (then k_free), per chunk the bounds, the rows through
        _ws_rows_quad at ring slot g, -inf into the chunk's rows outside [lo, hi) when CLEAN."""
        RPS: gl.constexpr = 4
        BLOCK_N: gl.constexpr = 2 * KEYS
        acc_layout: gl.constexpr = gl.NVMMADistributedLayout(
            version=[3, 0], warps_per_cta=[4, 1], instr_shape=[16, HEADS, 32])
        key_l: gl.constexpr = gl.SliceLayout(1, acc_layout)
        head_l: gl.constexpr = gl.SliceLayout(0, acc_layout)
        a_l: gl.constexpr = gl.DotOperandLayout(operand_index=0, parent=acc_layout, k_width=4)
        zero = gl.zeros([KEYS, HEADS], gl.float32, acc_layout)
        sl = gl.cdiv(S, RPS)
        g = 0
        for it in range(_wsp_tiles(u0, u1, sl)):
            t, r_lo, r_hi = _wsp_tile(u0, u1, sl, it, RPS, S)
            n0 = t * BLOCK_N
            o_n = n0 + C * KEYS + gl.arange(0, KEYS, layout=key_l)
            m_n = o_n < N
            b_scale = gl.load(p_kscale + o_n, mask=m_n, other=0.0)
            mbarrier.wait(k_bar, it & 1)
            a_op = k_smem.index(C).load(a_l)
            mbarrier.arrive(k_free, count=1)
            for c0 in range(r_lo, r_hi, ROWS):
                c1 = gl.minimum(c0 + ROWS, r_hi)
                lo, hi, _, m_lo, m_hi = _ws_bounds_to(p_ks, p_ke, c1, N, n0, c0, ROWS,
                                                      BLOCK_N, 4)
                if hi > lo:
                    if INNER and CLEAN:
                        # In row order (the ring's): the rows before the masked band and those
                        # after it without the mask, the band with it.
                        for part in range(3):
                            a = gl.where(part == 0, lo, gl.where(part == 1, m_lo, m_hi))
                            b = gl.where(part == 0, m_lo, gl.where(part == 1, m_hi, hi))
                            g_a = g + (a - lo) // RPS
                            if part == 1:
                                _ws_rows_quad(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke,
                                              p_out, o_n, m_n, b_scale, zero, a, b, stride_os,
                                              head_l, CLEAN, NUM_STAGES, HEADS, g_a)
                            else:
                                _ws_rows_quad(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke,
                                              p_out, o_n, m_n, b_scale, zero, a, b, stride_os,
                                              head_l, False, NUM_STAGES, HEADS, g_a)
                    else:
                        _ws_rows_quad(a_op, q_bufs, w_bufs, ready, empty, p_ks, p_ke, p_out,
                                      o_n, m_n, b_scale, zero, lo, hi, stride_os, head_l, CLEAN,
                                      NUM_STAGES, HEADS, g)
                g += gl.cdiv(hi - lo, RPS)
                if CLEAN:
                    b_neg = gl.full([KEYS], float("-inf"), gl.float32, key_l)
                    _ws_neg_rows(p_out, stride_os, o_n, m_n, b_neg, c0, lo, hi, c1)

    @gluon.jit
    def _wsp_producer(q_desc, k_desc, w_desc, k_smem, q_bufs, w_bufs, k_bar, k_free, ready, empty,
                      p_ks, p_ke, S, N, u0, u1, HEADS: gl.constexpr, KEYS: gl.constexpr,
                      NUM_STAGES: gl.constexpr, ROWS: gl.constexpr):
        """One warp: per tile of the share the keys (once both consumers have read the last
        tile's into registers), then each chunk's rows [lo, hi) into the ring, 4 a slot."""
        RPS: gl.constexpr = 4
        CONSUMERS: gl.constexpr = 2
        BLOCK_N: gl.constexpr = 2 * KEYS
        sl = gl.cdiv(S, RPS)
        g = 0
        for it in range(_wsp_tiles(u0, u1, sl)):
            t, r_lo, r_hi = _wsp_tile(u0, u1, sl, it, RPS, S)
            n0 = t * BLOCK_N
            if it > 0:
                mbarrier.wait(k_free, (it - 1) & 1)
            # The consumers read the last key tile with ordinary shared loads (the generic
            # proxy): order them before this TMA write (the async proxy).
            fence_async_shared()
            _ws_load_keys(k_desc, k_smem, k_bar, n0, KEYS, CONSUMERS)
            for c0 in range(r_lo, r_hi, ROWS):
                c1 = gl.minimum(c0 + ROWS, r_hi)
                lo, hi, _, _, _ = _ws_bounds_to(p_ks, p_ke, c1, N, n0, c0, ROWS, BLOCK_N, 1)
                for j in range(gl.cdiv(hi - lo, RPS)):
                    jj = g + j
                    s = jj % NUM_STAGES
                    mbarrier.wait(empty.index(s), ((jj // NUM_STAGES) & 1) ^ 1)
                    fence_async_shared()
                    bar = ready.index(s)
                    mbarrier.expect(bar, q_desc.block_type.nbytes + w_desc.block_type.nbytes)
                    tma_load(q_desc, [(lo + RPS * j) * HEADS, 0], bar, q_bufs.index(s))
                    tma_load(w_desc, [(lo + RPS * j) * HEADS], bar, w_bufs.index(s))
                g += gl.cdiv(hi - lo, RPS)

    @gluon.jit
    def mqa_logits_wsp_kernel(
        q_desc, k_desc, w_desc, p_kscale, p_ks, p_ke, p_out,
        S, N, G, stride_os,
        HEADS: gl.constexpr, DIM: gl.constexpr, ROWS: gl.constexpr, CLEAN: gl.constexpr,
        NUM_STAGES: gl.constexpr, CONSUMER_REGS: gl.constexpr, PRODUCER_REGS: gl.constexpr,
        KEYS: gl.constexpr, INNER: gl.constexpr, TMAX: gl.constexpr, num_warps: gl.constexpr,
    ):
        """CTA c of G -> its even share of the (key tile, 4-row slot) pairs (see above); the
        quad schedule with the keys in registers (``ws_pieces``). Same logits, bit for bit,
        as mqa_logits_ws_kernel: the same wgmma and epilogue per row."""
        CONSUMERS: gl.constexpr = 2
        k_smem = gl.allocate_shared_memory(k_desc.dtype, [CONSUMERS, KEYS, DIM], k_desc.layout)
        q_bufs = gl.allocate_shared_memory(q_desc.dtype, [NUM_STAGES, 4 * HEADS, DIM],
                                           q_desc.layout)
        w_bufs = gl.allocate_shared_memory(w_desc.dtype, [NUM_STAGES, 4 * HEADS], w_desc.layout)
        k_bar = gl.allocate_shared_memory(gl.int64, [1], mbarrier.MBarrierLayout())
        k_free = gl.allocate_shared_memory(gl.int64, [1], mbarrier.MBarrierLayout())
        mbarrier.init(k_bar, count=1)
        mbarrier.init(k_free, count=CONSUMERS)
        ready, empty = _ws_ring_barriers(NUM_STAGES, CONSUMERS)
        fence_async_shared()
        u0, u1 = _wsp_share(p_ks, p_ke, S, N, G, TMAX, 2 * KEYS, num_warps)
        gl.warp_specialize([
            (_wsp_consumer, (k_smem, q_bufs, w_bufs, k_bar, k_free, ready, empty, p_kscale, p_ks,
                             p_ke, p_out, S, N, u0, u1, stride_os, 0, HEADS, KEYS, CLEAN, NUM_STAGES,
                             ROWS, INNER)),
            (_wsp_consumer, (k_smem, q_bufs, w_bufs, k_bar, k_free, ready, empty, p_kscale, p_ks,
                             p_ke, p_out, S, N, u0, u1, stride_os, 1, HEADS, KEYS, CLEAN, NUM_STAGES,
                             ROWS, INNER)),
            (_wsp_producer, (q_desc, k_desc, w_desc, k_smem, q_bufs, w_bufs, k_bar, k_free, ready,
                             empty, p_ks, p_ke, S, N, u0, u1, HEADS, KEYS, NUM_STAGES, ROWS)),
        ], [4, 1], [CONSUMER_REGS, PRODUCER_REGS])
