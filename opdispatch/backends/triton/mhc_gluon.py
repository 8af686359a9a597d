"""mhc_pre / hc_head as a persistent Hopper kernel that reads the streams once, written in Gluon
(Triton's lower-level dialect: explicit layouts, shared memory, mbarriers, TMA, wgmma,
warp specialization).

Why: a token's coefficients need the GEMM over all ``n * H`` values of its row, and the weighted
sum needs the row again. The Triton kernel (``mhc_kernels._mhc_pre_kernel``) splits each token
tile's H over work items and re-reads an item's slice for the weighted sum once the tile's
coefficients are published; at T = 8192 much of that re-read comes from DRAM (L2 is full) and
Triton cannot keep a slice in shared memory across the wait. Here the slice stays in shared
memory:

- the grid is one CTA per H-slice: CTA ``s`` owns columns ``[s W, (s + 1) W)`` of every stream
  for all tokens (``NS = H / W`` CTAs, at most one per SM, all resident at once);
- a **loader** warp streams the tokens in chunks of ``TC`` through a ring of ``STAGES``
  shared-memory slots (each the chunk's ``n`` stream tiles ``[TC, W]``, bf16, TMA), refilling a
  slot once the weighted-sum partition has released it;
- the **GEMM** partition (one warpgroup) computes each chunk's split-K partial against fn on the
  tensor cores (fn's hi and lo bf16 parts for the CTA's columns stay on chip for the whole
  kernel: x is exact in bf16, so the product carries fn to ~2^-17) with the partial sum of
  squares in column ``N_MIX``, and stores it to a ring of partials in global memory (L2). With
  ``TC`` = 64 or 128 the tokens are wgmma's M and fn's parts sit in shared memory; with ``TC`` <
  64 (session 25, the default: 32) the GEMM runs transposed, tokens as wgmma's N, and with
  ``A_REG`` fn's parts are split from fn into this warpgroup's registers (``_a_regs``), which
  leaves the shared memory to the ring: 13 stages of 32 tokens;
- the **finisher** partition runs this CTA's share of the finishing tasks (``TC / FIN_T`` per
  chunk, task g on CTA g % NS): it adds the ``NS`` partials of ``FIN_T`` tokens, computes
  ``pre`` (RMS, sigmoid) and publishes it, and stores the reduced mixes row for the coefficient
  kernel (post and comb with the Sinkhorn run after this kernel from those rows:
  ``mhc_kernels._mhc_coeff_kernel``; hc_head needs none);
- the **weighted-sum** partition takes the chunks in order: once a chunk's pre is published it
  sums the chunk's slot (still in shared memory) and stores layer_input, then releases the slot;
- **FUSED** (``mhc_fused_post_pre``, session 26): the loader reads the *old* streams and the
  sublayer output x (a ring of ``XS`` slots), and a fifth, **post** partition (4 warps) turns
  each loaded chunk into the new residual in place, in mhc_post's fma order (bit for bit its
  values), stores it to the new residual once and hands the slot on; the GEMM and the weighted
  sum then run on it as above. The new residual is written once and never read back.
- **NORM** (mhc_pre's ``norm_weight``, session 27): layer_input's RMSNorm needs each token's
  sum of squares over all H, which spans every CTA. The weighted-sum partition keeps each
  chunk's rounded tile in registers, publishes its slice's sums of squares, reduces every
  slice's sums for its share of an earlier chunk's tokens (one token of a chunk a CTA) and
  stores the tile rescaled a few chunks later, once the token's factor is published.

Hand-overs without counters or fences: every published word flags itself. A partial word's
lowest mantissa bit and a pre word's sign bit say which round of its ring wrote it
(``_part_flag``, ``_pre_mask``); the rings start zeroed, and a reader re-reads until every word
it needs carries its chunk's round. So publishing is a plain store (no release fence stalling
the GEMM warpgroup) and waiting is the read itself (one round trip). Costs: a partial loses its
lowest mantissa bit (2^-23 relative), and pre must be >= 0 (hc_pre_eps >= 0, checked by the
launcher). A ring slot is rewritten only after all its readers are done, by the order of the
chunks (``_gemm_chunk``).

So the streams are read from DRAM once, fn once, and the only other traffic is the partials
(L2-resident rings of ``RING`` >= ``STAGES`` chunks) and the output (FUSED: x read once, the
new residual written once).

Waits: a finisher waits for every CTA's partial of its chunk; a weighted sum for its chunk's
finishers, which wait for partials of that chunk only; a GEMM for its loader, which waits for
its own weighted sums of earlier chunks. Every value is produced before its producer waits on
anything later, so the waits form no cycle *provided every CTA is resident*: the launcher
keeps the grid at most the SM count and the shared memory at one CTA per SM, as persistent
kernels do (a GPU shared with another process's persistent kernel that never yields could
stall it). Gluon kernels do not run in Triton's interpreter: the CPU tiers test the selection
and the Triton fallback, the GPU tier this kernel against the float64 reference and under
CUDA-graph replay. Token offsets are int64; TMA coordinates are int32 (T < 2^31).
"""

from __future__ import annotations

from opdispatch.backends.triton.gluon_compat import HAVE_GLUON

if HAVE_GLUON:  # Gluon's names, one spelling across Triton versions (gluon_compat.py)
    from opdispatch.backends.triton.gluon_compat import (
        fence_async_shared,
        gl,
        gluon,
        mbarrier,
        thread_barrier,
        tma_load,
        warpgroup_mma,
        warpgroup_mma_wait,
    )

    @gluon.constexpr_function
    def _cache(streaming):
        """A store's cache modifier: ``.cs`` (streaming, first out of L2) or the default."""
        return ".cs" if streaming else ""

    @gluon.jit
    def _clock():
        """The SM's cycle counter (DIAG 3 timing)."""
        return gl.inline_asm_elementwise("mov.u32 $0, %clock;", "=r", [], dtype=gl.int32,
                                         is_pure=False, pack=1)

    @gluon.jit
    def _start(DIAG: gl.constexpr):
        """DIAG 3: the cycle counter, where a timed phase starts (0 otherwise)."""
        t0 = 0
        if DIAG == 3:
            t0 = _clock()
        return t0

    @gluon.jit
    def _tick(p_diag, k, t0, DIAG: gl.constexpr):
        """DIAG 3: add the cycles since t0 (in units of 1024) to counter k; returns now."""
        t1 = t0
        if DIAG == 3:
            t1 = _clock()
            gl.atomic_add(p_diag + k, (t1 - t0) >> 10, sem="relaxed")
        return t1

    @gluon.jit
    def _load_chunk(x_desc, xs_desc, x_bufs, xs_bufs, ready, c, h0, H, TC: gl.constexpr,
                    N_STREAMS: gl.constexpr, STAGES: gl.constexpr, XS: gl.constexpr,
                    FUSED: gl.constexpr):
        """TMA copies of chunk c's n stream tiles [TC, W] into ring slot c % STAGES (rows past
        T arrive as zeros); FUSED: also the sublayer output's tile into x-ring slot c % XS, on
        the same barrier."""
        st = c % STAGES
        bar = ready.index(st)
        if FUSED:
            mbarrier.expect(bar, (N_STREAMS + 1) * x_desc.block_type.nbytes)
            tma_load(xs_desc, [c * TC, h0], bar, xs_bufs.index(c % XS))
        else:
            mbarrier.expect(bar, N_STREAMS * x_desc.block_type.nbytes)
        for i in gl.static_range(N_STREAMS):
            tma_load(x_desc, [c * TC, i * H + h0], bar, x_bufs.index(st * N_STREAMS + i))

    @gluon.jit
    def _gemm_chunk(x_bufs, fn_bufs, a0, a1, a2, a3, ready, p_part, p_diag, c, s, NS,
                    TC: gl.constexpr, NP: gl.constexpr, N_MIX: gl.constexpr,
                    N_STREAMS: gl.constexpr, STAGES: gl.constexpr, RING: gl.constexpr,
                    DIAG: gl.constexpr, TRANS: gl.constexpr, A_REG: gl.constexpr,
                    acc_l: gl.constexpr, fold_l: gl.constexpr, blk: gl.constexpr):
        """Chunk c's split-K partial [TC, NP] (column N_MIX: the sum of squares of the slice)
        into partials ring slot c % RING, each word its own flag: its lowest mantissa bit is
        set in even rounds of the ring and clear in odd ones (``_part_flag``; a change of at
        most one unit in the last place of a partial, 2^-23 relative). No counter, no fence:
        a finisher re-reads the words until all are fresh.

        The slot is free without a wait: this chunk's data arrived because the weighted-sum
        partition released its shared-memory slot after chunk c - STAGES, and it takes chunks
        in order, each once its pre is complete, which needs every finishing task of the chunk
        (the only readers of a partials slot) done: so every chunk <= c - STAGES, chunk
        c - RING among them (RING >= STAGES), has no reader left."""
        st = c % STAGES
        t0 = _start(DIAG)
        mbarrier.wait(ready.index(st), (c // STAGES) & 1)
        t0 = _tick(p_diag, 3, t0, DIAG)
        if TRANS:
            # tokens as wgmma's N: acc^T [64, TC] = fn^T [64, W] x^T [W, TC], one wgmma a stream;
            # fn^T's operand holds the stream's hi part in rows [0, 32), lo in [32, 64), from
            # registers (A_REG: a0..a3) or shared memory
            acc = gl.zeros([64, TC], gl.float32, acc_l)
            for i in gl.static_range(N_STREAMS):
                if A_REG:
                    a = (a0, a1, a2, a3)[i]
                else:
                    a = fn_bufs.slice(64 * i, 64)
                acc = warpgroup_mma(a, x_bufs.index(st * N_STREAMS + i).permute((1, 0)), acc,
                                    is_async=True)
        else:
            acc = gl.zeros([TC, NP], gl.float32, acc_l)
            for i in gl.static_range(N_STREAMS):
                a = x_bufs.index(st * N_STREAMS + i)
                acc = warpgroup_mma(a, fn_bufs.index(2 * i), acc, is_async=True)
                acc = warpgroup_mma(a, fn_bufs.index(2 * i + 1), acc, is_async=True)
        # the squares on the CUDA cores while the wgmmas run (both only read the slot), added
        # elementwise over the streams, then along the slice
        xa = x_bufs.index(st * N_STREAMS).load(blk).to(gl.float32)
        sq2 = xa * xa
        for i in gl.static_range(1, N_STREAMS):
            xa = x_bufs.index(st * N_STREAMS + i).load(blk).to(gl.float32)
            sq2 = gl.fma(xa, xa, sq2)
        sq = gl.sum(sq2, axis=1)
        acc = warpgroup_mma_wait(0, deps=[acc])
        if TRANS:
            # hi + lo: rows r and r + 32, in one thread once converted to fold_l
            acc = gl.convert_layout(acc, fold_l)
            acc = gl.sum(gl.reshape(acc, 2, 32, TC), axis=0)
            lay: gl.constexpr = acc.type.layout
            o_m = gl.arange(0, 32, layout=gl.SliceLayout(1, lay))
            o_t = gl.arange(0, TC, layout=gl.SliceLayout(0, lay))
            sq_a = gl.convert_layout(sq, gl.SliceLayout(0, lay))
            m2 = gl.expand_dims(o_m, 1)
            acc = gl.where(m2 == N_MIX, gl.expand_dims(sq_a, 0), acc)
            words = (acc.to(gl.int32, bitcast=True) & -2) | _part_flag(c, RING)
            t0 = _tick(p_diag, 4, t0, DIAG)
            row = ((c % RING) * NS + s) * TC + o_t
            gl.store(p_part + gl.expand_dims(row * NP, 0) + m2, words.to(gl.float32, bitcast=True),
                     mask=(m2 < NP) & gl.expand_dims(o_t >= 0, 0))
        else:
            o_r = gl.arange(0, TC, layout=gl.SliceLayout(1, acc_l))
            o_c = gl.arange(0, NP, layout=gl.SliceLayout(0, acc_l))
            sq_a = gl.convert_layout(sq, gl.SliceLayout(1, acc_l))
            acc = gl.where(gl.expand_dims(o_c, 0) == N_MIX, gl.expand_dims(sq_a, 1), acc)
            words = (acc.to(gl.int32, bitcast=True) & -2) | _part_flag(c, RING)
            t0 = _tick(p_diag, 4, t0, DIAG)
            row = ((c % RING) * NS + s) * TC + o_r
            gl.store(p_part + gl.expand_dims(row * NP, 1) + gl.expand_dims(o_c, 0),
                     words.to(gl.float32, bitcast=True))
        t0 = _tick(p_diag, 6, t0, DIAG)

    @gluon.jit
    def _part_flag(c, RING: gl.constexpr):
        """The lowest bit of chunk c's partial words: 1 in even rounds of the ring, 0 in odd
        ones (a slot's previous round, or the zeros it starts with, never looks fresh)."""
        return gl.where((c // RING) % 2 == 0, 1, 0)

    @gluon.jit
    def _pre_mask(d, RING: gl.constexpr):
        """The word XORed into chunk d's published pre bits: the sign bit in even rounds of the
        pre ring (d // RING even), nothing in odd ones. pre >= 0 (sigmoid + eps with eps >= 0;
        NaN canonical and positive), so a fresh value's sign bit is set exactly in even rounds,
        and a slot's previous round, or the zeros it starts with, never looks fresh."""
        return gl.where((d // RING) % 2 == 0, -2147483648, 0)

    @gluon.jit
    def _flagged(x, d, RING: gl.constexpr):
        """A float32 word with chunk d's round flag toggled (``_pre_mask``): how a published
        value >= 0 is written, and how a fresh word is read back."""
        return (x.to(gl.int32, bitcast=True) ^ _pre_mask(d, RING)).to(gl.float32, bitcast=True)

    @gluon.jit
    def _part_fresh(v, m, flag):
        """Whether every loaded partial word (where m) carries the flag bit ``flag``."""
        ok = (((v.to(gl.int32, bitcast=True) & 1) == flag) | ~m).to(gl.int32)
        return gl.min(gl.min(gl.min(ok, axis=0), axis=0), axis=0) > 0

    @gluon.jit
    def _finish_task(p_part, p_pre, p_mix, p_scale, p_base, p_diag, f, j, NS, T, K,
                     DIAG: gl.constexpr, rms_eps, hc_pre_eps, TC: gl.constexpr,
                     NP: gl.constexpr, N_MIX: gl.constexpr, N_STREAMS: gl.constexpr,
                     RING: gl.constexpr, FIN_T: gl.constexpr, FS: gl.constexpr,
                     HEAD: gl.constexpr, fin_l: gl.constexpr):
        """Task j of chunk f: tokens [j FIN_T, (j + 1) FIN_T) of the chunk. Waits for the
        chunk's NS partials (their flag bits, ``_part_flag``), adds them, publishes pre (its bits XOR ``_pre_mask``: the value is
        its own flag) and, unless HEAD, stores the raw mixes for the coefficient kernel."""
        t0 = _start(DIAG)
        l2: gl.constexpr = gl.SliceLayout(0, fin_l)
        o_q = gl.arange(0, FS, layout=gl.SliceLayout(1, gl.SliceLayout(2, fin_l)))
        o_f = gl.arange(0, FIN_T, layout=gl.SliceLayout(0, gl.SliceLayout(2, fin_l)))
        o_c = gl.arange(0, NP, layout=gl.SliceLayout(0, l2))
        q3 = gl.expand_dims(gl.expand_dims(o_q, 1), 2)
        f3 = gl.expand_dims(gl.expand_dims(j * FIN_T + o_f, 0), 2)
        c3 = gl.expand_dims(gl.expand_dims(o_c, 0), 0)
        slot = f % RING
        # every split's words at once (FS >= NS), re-read until all carry chunk f's flag
        p = p_part + (((slot * NS + q3) * TC + f3) * NP + c3)
        m = (q3 < NS) & (f3 >= 0) & (c3 >= 0)
        flag = _part_flag(f, RING)
        v = gl.load(p, mask=m, other=0.0, cache_modifier=".cg")
        while not _part_fresh(v, m, flag):
            v = gl.load(p, mask=m, other=0.0, cache_modifier=".cg")
            if DIAG == 2:
                gl.atomic_add(p_diag + 1, 1, sem="relaxed")
        t0 = _tick(p_diag, 7, t0, DIAG)
        tot = gl.sum(v, axis=0)
        c2 = gl.expand_dims(o_c, 0)
        sq = gl.sum(gl.where(c2 == N_MIX, tot, 0.0), axis=1)  # one non-zero per row
        inv = gl.rsqrt(sq / K + rms_eps)
        base = gl.load(p_base + o_c, mask=o_c < N_STREAMS, other=0.0)
        s0 = gl.load(p_scale)
        z = gl.fma(tot * gl.expand_dims(inv, 1), s0, gl.expand_dims(base, 0))
        pre = 1 / (1 + gl.exp(-z)) + hc_pre_eps
        bits = _flagged(pre, f, RING)
        o_t = j * FIN_T + gl.arange(0, FIN_T, layout=gl.SliceLayout(1, l2))
        t2 = gl.expand_dims(o_t, 1)
        gl.store(p_pre + (slot * TC + t2) * N_STREAMS + c2, bits,
                 mask=(c2 < N_STREAMS) & (t2 >= 0))
        if not HEAD:
            tg = f.to(gl.int64) * TC + t2
            gl.store(p_mix + tg * NP + c2, tot, mask=(tg < T) & (c2 >= 0))
        _tick(p_diag, 12, t0, DIAG)

    @gluon.jit
    def _pre_rows(p_pre, d, TC: gl.constexpr, N_STREAMS: gl.constexpr, RING: gl.constexpr,
                  blk: gl.constexpr):
        """Chunk d's published pre words for the tile's tokens, one vector per stream (L2)."""
        o_t = gl.arange(0, TC, layout=gl.SliceLayout(1, blk))
        p_p = p_pre + ((d % RING) * TC + o_t) * N_STREAMS
        return (gl.load(p_p, cache_modifier=".cg").to(gl.int32, bitcast=True),
                gl.load(p_p + 1, cache_modifier=".cg").to(gl.int32, bitcast=True),
                gl.load(p_p + 2, cache_modifier=".cg").to(gl.int32, bitcast=True),
                gl.load(p_p + 3, cache_modifier=".cg").to(gl.int32, bitcast=True))

    @gluon.jit
    def _pre_fresh(w0, w1, w2, w3, d, RING: gl.constexpr):
        """Whether every word is chunk d's (sign bit set in even rounds, clear in odd ones)."""
        flip = gl.where((d // RING) % 2 == 0, 0, -1)
        return gl.max(gl.maximum(gl.maximum(w0 ^ flip, w1 ^ flip), gl.maximum(w2 ^ flip, w3 ^ flip)),
                      axis=0) < 0

    @gluon.jit
    def _ws_chunk(x_bufs, p_out, s_out_t, d, w0, w1, w2, w3, h0, T, p_nsq, s, NS,
                  TC: gl.constexpr, W: gl.constexpr, N_STREAMS: gl.constexpr,
                  STAGES: gl.constexpr, RING: gl.constexpr, OUT_CS: gl.constexpr,
                  NORM: gl.constexpr, NRING: gl.constexpr, blk: gl.constexpr):
        """Chunk d's weighted sum from its slot, its pre words given: out[t, h0 + h] =
        sum_i pre[t, i] x_i[t, h] (products added with fma in stream order, as the Triton
        kernel does). NORM: nothing is stored but each token's sum of the squares of the
        rounded values over this slice (in the nsq ring, slot d % NRING, row s, flagged as
        pre is); the rounded tile is returned, and ``_norm_apply`` stores it rescaled NLAG
        chunks later."""
        st = d % STAGES
        m = _pre_mask(d, RING)
        pr0 = (w0 ^ m).to(gl.float32, bitcast=True)
        pr1 = (w1 ^ m).to(gl.float32, bitcast=True)
        pr2 = (w2 ^ m).to(gl.float32, bitcast=True)
        pr3 = (w3 ^ m).to(gl.float32, bitcast=True)
        o_t = gl.arange(0, TC, layout=gl.SliceLayout(1, blk))
        o_h = gl.arange(0, W, layout=gl.SliceLayout(0, blk))
        acc = x_bufs.index(st * N_STREAMS).load(blk).to(gl.float32) * gl.expand_dims(pr0, 1)
        acc = gl.fma(gl.expand_dims(pr1, 1), x_bufs.index(st * N_STREAMS + 1).load(blk).to(gl.float32), acc)
        acc = gl.fma(gl.expand_dims(pr2, 1), x_bufs.index(st * N_STREAMS + 2).load(blk).to(gl.float32), acc)
        acc = gl.fma(gl.expand_dims(pr3, 1), x_bufs.index(st * N_STREAMS + 3).load(blk).to(gl.float32), acc)
        tg = d.to(gl.int64) * TC + o_t
        t2 = gl.expand_dims(tg, 1)
        p_o = p_out + t2 * s_out_t + gl.expand_dims(h0 + o_h, 0)
        msk = (t2 < T) & gl.expand_dims(o_h >= 0, 0)
        y = acc.to(p_out.dtype.element_ty)
        if NORM:
            # the rounded rows (what an unfused RMSNorm reads) stay in the partition's
            # registers until _norm_apply; their slice's sums of squares (>= 0 or NaN: the
            # sign bit is free for the round's flag, as pre's) go to the nsq ring
            yf = y.to(gl.float32)
            sq = gl.sum(yf * yf, axis=1)
            gl.store(p_nsq + ((d % NRING) * NS + s) * TC + o_t, _flagged(sq, d, NRING))
        else:
            gl.store(p_o, y, mask=msk, cache_modifier=_cache(OUT_CS))
        return y

    @gluon.jit
    def _flag_fresh(v, m, d, NRING: gl.constexpr):
        """Whether every loaded word (where m) carries chunk d's sign flag (``_pre_mask``)."""
        flip = gl.where((d // NRING) % 2 == 0, 0, -1)
        return gl.max(gl.where(m, v.to(gl.int32, bitcast=True) ^ flip, -1), axis=0) < 0

    @gluon.jit
    def _norm_reduce(p_nsq, p_nr, p_diag, e, s, NS, H, norm_eps, DIAG: gl.constexpr,
                     TC: gl.constexpr, FS: gl.constexpr, NRING: gl.constexpr,
                     nrm_l: gl.constexpr):
        """NORM: this CTA's share of chunk e's factors: token t where (e TC + t) % NS == s (at
        most one a chunk where TC <= NS). Waits for every slice's sum of squares of the
        token's rounded layer input (the nsq ring, flagged words), adds them (one fixed tree
        over the slices) and publishes rsqrt(sum / H + norm_eps) in the nr ring (flagged as
        pre is)."""
        t0 = _start(DIAG)
        o_q = gl.arange(0, FS, layout=nrm_l)
        m = o_q < NS
        first = ((s - (e * TC) % NS) + NS) % NS
        for t in range(first, TC, NS):
            p = p_nsq + ((e % NRING) * NS + o_q) * TC + t
            v = gl.load(p, mask=m, other=0.0, cache_modifier=".cg")
            while not _flag_fresh(v, m, e, NRING):
                v = gl.load(p, mask=m, other=0.0, cache_modifier=".cg")
            sq = gl.where(m, _flagged(v, e, NRING), 0.0)
            inv = gl.rsqrt(gl.sum(sq, axis=0) / H + norm_eps)
            gl.store(p_nr + (e % NRING) * TC + t, _flagged(inv, e, NRING))
        _tick(p_diag, 16, t0, DIAG)

    @gluon.jit
    def _nr_rows(p_nr, e, TC: gl.constexpr, NRING: gl.constexpr, blk: gl.constexpr):
        """Chunk e's published norm factors (the nr ring, flagged words), one per token (L2)."""
        o_t = gl.arange(0, TC, layout=gl.SliceLayout(1, blk))
        return gl.load(p_nr + (e % NRING) * TC + o_t, cache_modifier=".cg")

    @gluon.jit
    def _norm_apply(p_out, s_out_t, p_nr, p_diag, e, y, r, wv, h0, T, DIAG: gl.constexpr,
                    TC: gl.constexpr, W: gl.constexpr, NRING: gl.constexpr,
                    OUT_CS: gl.constexpr, blk: gl.constexpr):
        """NORM, weighted sum: chunk e's rounded rows of this slice (y, kept since
        ``_ws_chunk``) are stored as y * rsqrt(mean(y^2) + norm_eps) * norm_weight once chunk
        e's factors are published (r: the words read ahead, re-read until fresh)."""
        t0 = _start(DIAG)
        o_t = gl.arange(0, TC, layout=gl.SliceLayout(1, blk))
        o_h = gl.arange(0, W, layout=gl.SliceLayout(0, blk))
        while not _flag_fresh(r, o_t >= 0, e, NRING):
            r = _nr_rows(p_nr, e, TC, NRING, blk)
        t0 = _tick(p_diag, 17, t0, DIAG)
        inv = _flagged(r, e, NRING)
        t2 = gl.expand_dims(e.to(gl.int64) * TC + o_t, 1)
        p_o = p_out + t2 * s_out_t + gl.expand_dims(h0 + o_h, 0)
        msk = (t2 < T) & gl.expand_dims(o_h >= 0, 0)
        z = y.to(gl.float32) * gl.expand_dims(inv, 1) * gl.expand_dims(wv, 0)
        gl.store(p_o, z.to(p_out.dtype.element_ty), mask=msk, cache_modifier=_cache(OUT_CS))
        _tick(p_diag, 18, t0, DIAG)

    @gluon.jit
    def _a_regs(p_fn, s_fn, i, H, h0, N_MIX: gl.constexpr, W: gl.constexpr,
                a_l: gl.constexpr):
        """Stream i's transposed operand [64, W] in wgmma's A register layout, split from fn
        ``[N, n H]`` float32 (unit column stride, row stride s_fn) as ``mhc._fn_hilo_t`` does:
        row r < 32 holds the hi part of fn[r, i H + h0 + k], row 32 + r the lo part, zero for
        r >= N_MIX."""
        o_m = gl.arange(0, 64, layout=gl.SliceLayout(1, a_l))
        o_k = gl.arange(0, W, layout=gl.SliceLayout(0, a_l))
        r2 = gl.expand_dims(o_m % 32, 1)
        f = gl.load(p_fn + r2.to(gl.int64) * s_fn + gl.expand_dims((i * H).to(gl.int64) + h0 + o_k, 0),
                    mask=(r2 < N_MIX) & gl.expand_dims(o_k >= 0, 0), other=0.0)
        hi = f.to(gl.bfloat16)
        lo = (f - hi.to(gl.float32)).to(gl.bfloat16)
        return gl.where(gl.expand_dims(o_m < 32, 1), hi, lo)

    @gluon.jit
    def _gemm_part(x_bufs, fn_bufs, ready, fn_bar, p_part, p_fn, s_fn, p_diag, s, NS, n_chunks, H,
                   h0, DIAG: gl.constexpr, TC: gl.constexpr, NP: gl.constexpr,
                   N_MIX: gl.constexpr, W: gl.constexpr, N_STREAMS: gl.constexpr,
                   STAGES: gl.constexpr, RING: gl.constexpr, TRANS: gl.constexpr,
                   A_REG: gl.constexpr, acc_l: gl.constexpr, fold_l: gl.constexpr,
                   blk: gl.constexpr):
        """Default partition (one warpgroup): every chunk's GEMM partial, in order. With A_REG
        fn's slice sits in this warpgroup's registers (no shared memory: two more stages)."""
        if A_REG:
            a_l: gl.constexpr = gl.DotOperandLayout(operand_index=0, parent=acc_l, k_width=2)
            a0 = _a_regs(p_fn, s_fn, 0, H, h0, N_MIX, W, a_l)
            a1 = _a_regs(p_fn, s_fn, 1, H, h0, N_MIX, W, a_l)
            a2 = _a_regs(p_fn, s_fn, 2, H, h0, N_MIX, W, a_l)
            a3 = _a_regs(p_fn, s_fn, 3, H, h0, N_MIX, W, a_l)
        else:
            mbarrier.wait(fn_bar, 0)
            a0 = 0
            a1 = 0
            a2 = 0
            a3 = 0
        for c in range(n_chunks):
            _gemm_chunk(x_bufs, fn_bufs, a0, a1, a2, a3, ready, p_part, p_diag, c, s, NS, TC, NP,
                        N_MIX, N_STREAMS, STAGES, RING, DIAG, TRANS, A_REG, acc_l, fold_l, blk)

    @gluon.jit
    def _fin_part(p_part, p_pre, p_mix, p_scale, p_base, p_diag, s, NS, T, n_chunks,
                  K, DIAG: gl.constexpr, rms_eps, hc_pre_eps, TC: gl.constexpr,
                  NP: gl.constexpr, N_MIX: gl.constexpr, N_STREAMS: gl.constexpr,
                  RING: gl.constexpr, FIN_T: gl.constexpr, FS: gl.constexpr,
                  HEAD: gl.constexpr, fin_l: gl.constexpr):
        """Finisher partition: this CTA's tasks in chunk order (task g = f * FIN_PAR + j runs
        on CTA g % NS)."""
        FIN_PAR: gl.constexpr = TC // FIN_T
        for g in range(s, n_chunks * FIN_PAR, NS):
            _finish_task(p_part, p_pre, p_mix, p_scale, p_base, p_diag, g // FIN_PAR,
                         g % FIN_PAR, NS, T, K, DIAG, rms_eps, hc_pre_eps, TC, NP, N_MIX,
                         N_STREAMS, RING, FIN_T, FS, HEAD, fin_l)

    @gluon.jit
    def _ws_part(x_bufs, ready, empty, p_pre, p_out, p_diag, s_out_t, h0, T, n_chunks,
                 NS, DIAG: gl.constexpr, TC: gl.constexpr, W: gl.constexpr,
                 N_STREAMS: gl.constexpr, STAGES: gl.constexpr, RING: gl.constexpr,
                 OUT_CS: gl.constexpr, blk: gl.constexpr, p_nsq, p_nr, p_nw, s, H,
                 norm_eps, NORM: gl.constexpr, NLAG: gl.constexpr, FLAG: gl.constexpr,
                 NRING: gl.constexpr, FS: gl.constexpr, nrm_l: gl.constexpr):
        """Weighted-sum partition: chunk d once its pre words are all fresh (re-read until
        they are), from its slot, which is then handed back to the loader. Chunk d + 1's words
        are read before chunk d's sums, so that their round trip overlaps them. NORM: after
        chunk d's slot is handed back, this CTA's token of chunk d - FLAG gets its factor
        (``_norm_reduce``: the chunk's tokens spread over the CTAs), then chunk d - NLAG's
        rows are normalised (``_norm_apply``)."""
        if NORM:
            wv = gl.load(p_nw + h0 + gl.arange(0, W, layout=gl.SliceLayout(0, blk))).to(gl.float32)
        else:
            wv = 0.0
        w0, w1, w2, w3 = _pre_rows(p_pre, 0, TC, N_STREAMS, RING, blk)
        if NORM:
            # one loop over the chunks and then NLAG more rescales (a separate loop after this
            # one, or a rescale under `if d >= NLAG` in this one, failed Triton 3.6's lowering
            # where the launch specialised n_chunks == 1). The rounded tiles of chunks d - 1 ..
            # d - NLAG stay in registers (ya, yb, yc), chunk d - NLAG's factors were loaded a
            # chunk ahead (rw), and this CTA's token of chunk d - FLAG (if any) is reduced
            gl.static_assert(NLAG >= 1 and NLAG <= 3, "NORM keeps 1 to 3 chunks in registers")
            gl.static_assert(FLAG >= 0 and FLAG <= NLAG, "NORM needs 0 <= FLAG <= NLAG")
            # three different starting tiles: Triton carries a variable through the loop only
            # if its value changes, and `yc = yb` of one tile shared by all three does not
            ya = gl.full([TC, W], 1.0, p_out.dtype.element_ty, blk)
            yb = gl.full([TC, W], 2.0, p_out.dtype.element_ty, blk)
            yc = gl.full([TC, W], 3.0, p_out.dtype.element_ty, blk)
            rw = gl.zeros([TC], gl.float32, gl.SliceLayout(1, blk))
            for d in range(n_chunks + NLAG):
                t_it = _start(DIAG)
                if d < n_chunks:
                    w0, w1, w2, w3, y = _ws_step(x_bufs, ready, empty, p_pre, p_out, p_diag,
                                                 s_out_t, h0, T, n_chunks, d, w0, w1, w2, w3, NS,
                                                 DIAG, TC, W, N_STREAMS, STAGES, RING, OUT_CS,
                                                 blk, p_nsq, s, NORM, NRING)
                else:
                    y = ya
                if d >= FLAG:
                    if d - FLAG < n_chunks:
                        _norm_reduce(p_nsq, p_nr, p_diag, d - FLAG, s, NS, H, norm_eps, DIAG,
                                     TC, FS, NRING, nrm_l)
                if d >= NLAG:
                    if NLAG == 1:
                        yo = ya
                    elif NLAG == 2:
                        yo = yb
                    else:
                        yo = yc
                    _norm_apply(p_out, s_out_t, p_nr, p_diag, d - NLAG, yo, rw, wv, h0, T, DIAG,
                                TC, W, NRING, OUT_CS, blk)
                if d + 1 >= NLAG:
                    rw = _nr_rows(p_nr, d + 1 - NLAG, TC, NRING, blk)
                yc = yb
                yb = ya
                ya = y
                _tick(p_diag, 19, t_it, DIAG)
        else:
            for d in range(n_chunks):
                w0, w1, w2, w3, y = _ws_step(x_bufs, ready, empty, p_pre, p_out, p_diag, s_out_t,
                                             h0, T, n_chunks, d, w0, w1, w2, w3, NS, DIAG, TC, W,
                                             N_STREAMS, STAGES, RING, OUT_CS, blk, p_nsq, s,
                                             NORM, NRING)

    @gluon.jit
    def _ws_step(x_bufs, ready, empty, p_pre, p_out, p_diag, s_out_t, h0, T, n_chunks, d,
                 w0, w1, w2, w3, NS, DIAG: gl.constexpr, TC: gl.constexpr, W: gl.constexpr,
                 N_STREAMS: gl.constexpr, STAGES: gl.constexpr, RING: gl.constexpr,
                 OUT_CS: gl.constexpr, blk: gl.constexpr, p_nsq, s, NORM: gl.constexpr,
                 NRING: gl.constexpr):
        """Chunk d of the weighted-sum partition (``_ws_part``): its slot's data and pre
        (w0..w3: the words read ahead), the sums, the slot handed back; returns chunk d + 1's
        words, read before the sums, and the rounded tile (NORM keeps it)."""
        st = d % STAGES
        t0 = _start(DIAG)
        mbarrier.wait(ready.index(st), (d // STAGES) & 1)
        t0 = _tick(p_diag, 10, t0, DIAG)
        while not _pre_fresh(w0, w1, w2, w3, d, RING):
            w0, w1, w2, w3 = _pre_rows(p_pre, d, TC, N_STREAMS, RING, blk)
            if DIAG == 2:
                gl.atomic_add(p_diag + 2, 1, sem="relaxed")
        t0 = _tick(p_diag, 8, t0, DIAG)
        v0, v1, v2, v3 = w0, w1, w2, w3
        if d + 1 < n_chunks:
            w0, w1, w2, w3 = _pre_rows(p_pre, d + 1, TC, N_STREAMS, RING, blk)
        y = _ws_chunk(x_bufs, p_out, s_out_t, d, v0, v1, v2, v3, h0, T, p_nsq, s, NS, TC, W,
                      N_STREAMS, STAGES, RING, OUT_CS, NORM, NRING, blk)
        mbarrier.arrive(empty.index(st), count=1)
        _tick(p_diag, 9, t0, DIAG)
        return w0, w1, w2, w3, y

    @gluon.jit
    def _post_coefs(p_pin, s_pin_t, s_pin_i: gl.constexpr, p_cin, s_cin_t, s_cin_i: gl.constexpr,
                    s_cin_j: gl.constexpr, u, T, SUB: gl.constexpr, blk: gl.constexpr):
        """FUSED: the post coefficients of row block u (tokens [u SUB, (u + 1) SUB)): post[:, j]
        for j < 4, then comb[:, k, j] at 4 + 4 k + j, one token a thread (``blk`` covers SUB
        rows once); zeros past T. Every CTA reads the same rows (L2)."""
        tg = (u * SUB + gl.arange(0, SUB, layout=gl.SliceLayout(1, blk))).to(gl.int64)  # < T < 2^31
        m = tg < T
        p_p = p_pin + tg * s_pin_t
        p_c = p_cin + tg * s_cin_t
        return (gl.load(p_p, mask=m, other=0.0).to(gl.float32),
                gl.load(p_p + s_pin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_p + 2 * s_pin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_p + 3 * s_pin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 2 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 3 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + s_cin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + s_cin_i + s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + s_cin_i + 2 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + s_cin_i + 3 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 2 * s_cin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 2 * s_cin_i + s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 2 * s_cin_i + 2 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 2 * s_cin_i + 3 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 3 * s_cin_i, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 3 * s_cin_i + s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 3 * s_cin_i + 2 * s_cin_j, mask=m, other=0.0).to(gl.float32),
                gl.load(p_c + 3 * s_cin_i + 3 * s_cin_j, mask=m, other=0.0).to(gl.float32))

    @gluon.jit
    def _post_rows(x_bufs, xs_bufs, cf, p_new, s_new_t, s_new_i, c, r, h0, T, TC: gl.constexpr,
                   W: gl.constexpr, N_STREAMS: gl.constexpr, STAGES: gl.constexpr,
                   XS: gl.constexpr, SUB: gl.constexpr, CS: gl.constexpr, blk: gl.constexpr):
        """FUSED: rows [r SUB, (r + 1) SUB) of chunk c become the new residual, in place in the
        slot: new[:, j] = post[:, j] x + sum_k comb[:, k, j] old[:, k] (coefficients cf from
        ``_post_coefs``), in float32 with the products added by explicit fmas in k order
        (``mhc_kernels._post_tile``'s arithmetic, so the values are mhc_post's bit for bit),
        rounded to bf16 into the slot (the GEMM and the weighted sum then read the new streams,
        as mhc_pre after mhc_post would) and stored to the new residual (CS: streaming stores,
        first out of L2). Each thread writes exactly the elements it read (one layout for every
        tile); all four streams are computed before any is written (one barrier of the
        partition's warps before the shared stores, not one a stream)."""
        st = c % STAGES
        o_s = gl.arange(0, SUB, layout=gl.SliceLayout(1, blk))
        o_h = gl.arange(0, W, layout=gl.SliceLayout(0, blk))
        xv = xs_bufs.index(c % XS).slice(r * SUB, SUB).load(blk).to(gl.float32)
        o0 = x_bufs.index(st * N_STREAMS).slice(r * SUB, SUB).load(blk).to(gl.float32)
        o1 = x_bufs.index(st * N_STREAMS + 1).slice(r * SUB, SUB).load(blk).to(gl.float32)
        o2 = x_bufs.index(st * N_STREAMS + 2).slice(r * SUB, SUB).load(blk).to(gl.float32)
        o3 = x_bufs.index(st * N_STREAMS + 3).slice(r * SUB, SUB).load(blk).to(gl.float32)
        n0 = _post_stream(cf, xv, o0, o1, o2, o3, 0)
        n1 = _post_stream(cf, xv, o0, o1, o2, o3, 1)
        n2 = _post_stream(cf, xv, o0, o1, o2, o3, 2)
        n3 = _post_stream(cf, xv, o0, o1, o2, o3, 3)
        x_bufs.index(st * N_STREAMS).slice(r * SUB, SUB).store(n0)
        x_bufs.index(st * N_STREAMS + 1).slice(r * SUB, SUB).store(n1)
        x_bufs.index(st * N_STREAMS + 2).slice(r * SUB, SUB).store(n2)
        x_bufs.index(st * N_STREAMS + 3).slice(r * SUB, SUB).store(n3)
        t2 = gl.expand_dims(c.to(gl.int64) * TC + r * SUB + o_s, 1)
        msk = (t2 < T) & gl.expand_dims(o_h >= 0, 0)
        p_o = p_new + t2 * s_new_t + gl.expand_dims(h0 + o_h, 0)
        ty = p_new.dtype.element_ty
        gl.store(p_o, n0.to(ty), mask=msk, cache_modifier=_cache(CS))
        gl.store(p_o + s_new_i, n1.to(ty), mask=msk, cache_modifier=_cache(CS))
        gl.store(p_o + 2 * s_new_i, n2.to(ty), mask=msk, cache_modifier=_cache(CS))
        gl.store(p_o + 3 * s_new_i, n3.to(ty), mask=msk, cache_modifier=_cache(CS))

    @gluon.jit
    def _post_stream(cf, xv, o0, o1, o2, o3, j: gl.constexpr):
        """New stream j of a row block (``_post_rows``), rounded to bf16."""
        acc = gl.expand_dims(cf[j], 1) * xv
        acc = gl.fma(gl.expand_dims(cf[4 + j], 1), o0, acc)
        acc = gl.fma(gl.expand_dims(cf[8 + j], 1), o1, acc)
        acc = gl.fma(gl.expand_dims(cf[12 + j], 1), o2, acc)
        acc = gl.fma(gl.expand_dims(cf[16 + j], 1), o3, acc)
        return acc.to(gl.bfloat16)

    @gluon.jit
    def _post_part(x_bufs, xs_bufs, ready, posted, xempty, p_pin, s_pin_t, s_pin_i: gl.constexpr,
                   p_cin, s_cin_t, s_cin_i: gl.constexpr, s_cin_j: gl.constexpr, p_new, s_new_t,
                   s_new_i, p_diag, h0, T, n_chunks, DIAG: gl.constexpr, TC: gl.constexpr,
                   W: gl.constexpr, N_STREAMS: gl.constexpr, STAGES: gl.constexpr,
                   XS: gl.constexpr, SUB: gl.constexpr, CS: gl.constexpr, blk: gl.constexpr):
        """FUSED post partition (4 warps): every chunk, once loaded, becomes the new residual
        in its slot, SUB rows at a time (``_post_rows``: one token a thread), each row block's
        coefficients loaded one block ahead (their round trip overlaps the work before). Then
        the x slot goes back to the loader and the stream slot on to the GEMM and the weighted
        sum (``posted``): every thread fences its shared stores towards the tensor cores' (async)
        proxy, and the partition's barrier orders all threads' reads and writes before the one
        arrive."""
        R: gl.constexpr = TC // SUB
        cf = _post_coefs(p_pin, s_pin_t, s_pin_i, p_cin, s_cin_t, s_cin_i, s_cin_j, 0, T, SUB,
                         blk)
        for c in range(n_chunks):
            st = c % STAGES
            t0 = _start(DIAG)
            mbarrier.wait(ready.index(st), (c // STAGES) & 1)
            t0 = _tick(p_diag, 13, t0, DIAG)
            for r in gl.static_range(R):
                nxt = _post_coefs(p_pin, s_pin_t, s_pin_i, p_cin, s_cin_t, s_cin_i, s_cin_j,
                                  c * R + r + 1, T, SUB, blk)
                _post_rows(x_bufs, xs_bufs, cf, p_new, s_new_t, s_new_i, c, r, h0, T, TC, W,
                           N_STREAMS, STAGES, XS, SUB, CS, blk)
                cf = nxt
            fence_async_shared()
            thread_barrier()
            mbarrier.arrive(xempty.index(c % XS), count=1)
            mbarrier.arrive(posted.index(st), count=1)
            t0 = _tick(p_diag, 14, t0, DIAG)

    @gluon.jit
    def _load_part(x_desc, fn_desc, xs_desc, x_bufs, fn_bufs, xs_bufs, ready, empty, xempty,
                   fn_bar, p_diag, h0, H, n_chunks, DIAG: gl.constexpr, TC: gl.constexpr,
                   NP: gl.constexpr, N_STREAMS: gl.constexpr, STAGES: gl.constexpr,
                   XS: gl.constexpr, FUSED: gl.constexpr, TRANS: gl.constexpr,
                   A_REG: gl.constexpr):
        """Loader partition (one warp): fn's slice once, then every chunk into its slot once
        the slot's previous chunk has been summed (FUSED: and its x tile into its x slot once
        the post partition is done with that slot's previous tile)."""
        if A_REG:  # the GEMM warpgroup loads fn's slice into its registers itself
            pass
        elif TRANS:  # the slice's 64 rows a stream of the transposed hi / lo copy (_fn_hilo_t)
            mbarrier.expect(fn_bar, N_STREAMS * fn_desc.block_type.nbytes)
            for i in gl.static_range(N_STREAMS):
                tma_load(fn_desc, [64 * i, h0], fn_bar, fn_bufs.slice(64 * i, 64))
        else:
            mbarrier.expect(fn_bar, 2 * N_STREAMS * fn_desc.block_type.nbytes)
            for i in gl.static_range(N_STREAMS):
                tma_load(fn_desc, [i * H + h0, 0], fn_bar, fn_bufs.index(2 * i))
                tma_load(fn_desc, [i * H + h0, NP], fn_bar, fn_bufs.index(2 * i + 1))
        for c in range(n_chunks):
            # mbarriers start in the completed phase before 0: the first pass does not wait
            t0 = _start(DIAG)
            mbarrier.wait(empty.index(c % STAGES), ((c // STAGES) & 1) ^ 1)
            t0 = _tick(p_diag, 11, t0, DIAG)
            if FUSED:
                mbarrier.wait(xempty.index(c % XS), ((c // XS) & 1) ^ 1)
                t0 = _tick(p_diag, 15, t0, DIAG)
            # the slot was read (FUSED: and written) by ordinary shared loads and stores
            # (generic proxy): order them before the TMA write (async proxy)
            fence_async_shared()
            _load_chunk(x_desc, xs_desc, x_bufs, xs_bufs, ready, c, h0, H, TC, N_STREAMS, STAGES,
                        XS, FUSED)

    @gluon.jit
    def mhc_pre_slice_kernel(
        x_desc, fn_desc, p_fn, s_fn, p_part, p_pre, p_mix, p_scale, p_base, p_out, s_out_t, p_diag,
        T, H, n_chunks, K, rms_eps, hc_pre_eps,
        xs_desc, p_pin, s_pin_t, p_cin, s_cin_t, p_new, s_new_t, s_new_i,
        N_STREAMS: gl.constexpr, N_MIX: gl.constexpr, NP: gl.constexpr, TC: gl.constexpr,
        W: gl.constexpr, STAGES: gl.constexpr, RING: gl.constexpr,
        FIN_T: gl.constexpr, FS: gl.constexpr, HEAD: gl.constexpr, OUT_CS: gl.constexpr,
        TPW_T: gl.constexpr, FIN_TPW_Q: gl.constexpr, FIN_TPW_F: gl.constexpr,
        FIN_TPW_C: gl.constexpr, WS_REGS: gl.constexpr, FIN_REGS: gl.constexpr,
        A_REG: gl.constexpr, FUSED: gl.constexpr, XS: gl.constexpr, POST_REGS: gl.constexpr,
        PIN_I: gl.constexpr, CIN_I: gl.constexpr, CIN_J: gl.constexpr, POST_CS: gl.constexpr,
        p_nw, norm_eps, p_nsq, p_nr,
        NORM: gl.constexpr, NLAG: gl.constexpr, FLAG: gl.constexpr, NRING: gl.constexpr,
        DIAG: gl.constexpr, num_warps: gl.constexpr,
    ):
        """CTA s = H-slice s; see the module docstring for the schedule. Four partitions: the
        GEMM (default, one warpgroup), the finisher and the weighted sum (4 warps each), the
        loader (1 warp). TPW_T: threads of a warp along the tokens of a [TC, W] tile (32 / TPW_T
        along W, 8 bf16 each); FIN_TPW_*: the finisher tile's [FS, FIN_T, NP] threads per warp;
        WS_REGS / FIN_REGS: registers of those partitions. TC < 64 (wgmma's M is 64) runs the
        GEMM transposed, tokens as its N (``TRANS``): fn_desc then reads a [64, W] box a stream
        of fn^T's hi (rows [0, 32)) and lo ([32, 64)) parts (``mhc._fn_hilo_t``), or with A_REG
        the GEMM warpgroup splits them from fn itself (p_fn, row stride s_fn) into registers: no
        shared copy, no split launch (fn_desc is then only a type for an unused buffer). DIAG (benchmarks only): 2 counts the
        re-reads of each wait into p_diag[1:3] (finisher, weighted sum); 3 adds cycles / 1024
        (each phase of each chunk rounded down) into p_diag[3:13]: GEMM ready wait, GEMM work,
        -, partial store; finisher wait; weighted-sum wait, work, ready wait; loader empty wait;
        finisher work; FUSED adds the post partition's ready wait and work, and the loader's x-slot
        wait, in p_diag[13:16].

        FUSED (mhc_fused_post_pre): x_desc reads the old streams, xs_desc the sublayer output
        x ``[T, H]`` in [TC, W] tiles through a ring of XS slots; a fifth partition (4 warps,
        POST_REGS registers) turns each loaded chunk into the new residual in its slot and
        stores it to p_new (``_post_chunk``), and the GEMM and the weighted sum wait for that
        (``posted``) instead of the load. p_pin / p_cin: this post's coefficients (token strides s_pin_t / s_cin_t, the others
        compile-time: PIN_I, CIN_I, CIN_J);
        p_new: the new residual (unit column stride). Unused (any pointers, FUSED False) else.

        NORM (mhc_pre's norm_weight p_nw, ``[H]``, with norm_eps): layer_input is RMS-normalised
        over the whole row, which spans every CTA. The weighted-sum partition does it all,
        after handing back chunk d's slot: it keeps chunk d's rounded tile in registers and
        publishes each token's sum of its squares over the slice (the nsq ring, ``[NRING, NS,
        TC]``); it adds every slice's sums of its share of chunk d - FLAG's tokens (token t
        on CTA (chunk TC + t) % NS) and publishes their factors (the nr ring, ``[NRING,
        TC]``); and it stores chunk d - NLAG's tile rescaled (NLAG 1 to 3, FLAG <= NLAG).
        Every word flags its round as pre's does. Each wait is for what other CTAs publish
        at a smaller or the same chunk, before their own waits there: no cycle. NRING >
        NLAG: a slot is rewritten only after its readers are done (a CTA publishes chunk d's
        sums after it has read chunk d - 1 - NLAG's factors, published after every sum of
        that chunk was read; factors are rewritten only once every CTA has published a later
        chunk's sums). DIAG 3: p_diag[16] the reductions' cycles, [17] the rescales' waits,
        [18] the rescales' work, [19] the weighted-sum partition's whole loop."""
        gl.static_assert(N_STREAMS == 4, "the weighted sum is written out for n = 4 streams")
        TRANS: gl.constexpr = TC < 64
        # TRANS: rows r and r + 32 of the transposed accumulator in one thread (32 rows a tile)
        fold_l: gl.constexpr = gl.BlockedLayout([1, 1], [8, 4], [4, 1], [1, 0])
        if TRANS:
            gl.static_assert(NP <= 32, "the transposed GEMM has 32 rows for a part")
            acc_l: gl.constexpr = gl.NVMMADistributedLayout(
                version=[3, 0], warps_per_cta=[4, 1], instr_shape=[16, TC, 16])
        else:
            acc_l: gl.constexpr = gl.NVMMADistributedLayout(
                version=[3, 0], warps_per_cta=[4, 1], instr_shape=[16, NP, 16])
        blk: gl.constexpr = gl.BlockedLayout([1, 8], [TPW_T, 32 // TPW_T], [4, 1], [1, 0])
        fin_l: gl.constexpr = gl.BlockedLayout([1, 1, 4], [FIN_TPW_Q, FIN_TPW_F, FIN_TPW_C],
                                              [4, 1, 1], [2, 1, 0])
        # NORM: a token's slice sums, one a thread (_norm_reduce)
        nrm_l: gl.constexpr = gl.BlockedLayout([1], [32], [4], [0])
        gl.static_assert(not NORM or NRING > NLAG, "the norm rings need NRING > NLAG")
        s = gl.program_id(0)
        NS = gl.num_programs(0)
        h0 = s * W

        x_bufs = gl.allocate_shared_memory(x_desc.dtype, [STAGES * N_STREAMS, TC, W], x_desc.layout)
        if A_REG:  # unused: fn's slice is in the GEMM warpgroup's registers
            fn_bufs = gl.allocate_shared_memory(fn_desc.dtype, [8, W], fn_desc.layout)
        elif TRANS:
            fn_bufs = gl.allocate_shared_memory(fn_desc.dtype, [64 * N_STREAMS, W], fn_desc.layout)
        else:
            fn_bufs = gl.allocate_shared_memory(fn_desc.dtype, [2 * N_STREAMS, W, NP], fn_desc.layout)
        ready = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
        empty = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
        fn_bar = gl.allocate_shared_memory(gl.int64, [1], mbarrier.MBarrierLayout())
        mbarrier.init(fn_bar, count=1)
        for st in gl.static_range(STAGES):
            mbarrier.init(ready.index(st), count=1)
            mbarrier.init(empty.index(st), count=1)
        if FUSED:
            xs_bufs = gl.allocate_shared_memory(xs_desc.dtype, [XS, TC, W], xs_desc.layout)
            posted = gl.allocate_shared_memory(gl.int64, [STAGES, 1], mbarrier.MBarrierLayout())
            xempty = gl.allocate_shared_memory(gl.int64, [XS, 1], mbarrier.MBarrierLayout())
            for st in gl.static_range(STAGES):
                mbarrier.init(posted.index(st), count=1)
            for st in gl.static_range(XS):
                mbarrier.init(xempty.index(st), count=1)
        fence_async_shared()

        # two spelled-out schedules: Gluon (3.6, 3.9) cannot hold the shared partitions'
        # arguments in a tuple variable (their layouts are not values)
        if FUSED:
            # the GEMM and the weighted sum take a chunk once it holds the new residual
            gl.warp_specialize([
                (_gemm_part, (x_bufs, fn_bufs, posted, fn_bar, p_part, p_fn, s_fn, p_diag, s, NS,
                              n_chunks, H, h0, DIAG, TC, NP, N_MIX, W, N_STREAMS, STAGES, RING,
                              TRANS, A_REG, acc_l, fold_l, blk)),
                (_ws_part, (x_bufs, posted, empty, p_pre, p_out, p_diag, s_out_t, h0, T,
                            n_chunks, NS, DIAG, TC, W, N_STREAMS, STAGES, RING, OUT_CS, blk,
                            p_nsq, p_nr, p_nw, s, H, norm_eps, NORM, NLAG, FLAG, NRING, FS,
                            nrm_l)),
                (_fin_part, (p_part, p_pre, p_mix, p_scale, p_base, p_diag, s, NS, T,
                             n_chunks, K, DIAG, rms_eps, hc_pre_eps, TC, NP, N_MIX, N_STREAMS,
                             RING, FIN_T, FS, HEAD, fin_l)),
                (_post_part, (x_bufs, xs_bufs, ready, posted, xempty, p_pin, s_pin_t, PIN_I,
                              p_cin, s_cin_t, CIN_I, CIN_J, p_new, s_new_t, s_new_i, p_diag,
                              h0, T, n_chunks, DIAG, TC, W, N_STREAMS, STAGES, XS, 4 * TPW_T,
                              POST_CS, blk)),
                (_load_part, (x_desc, fn_desc, xs_desc, x_bufs, fn_bufs, xs_bufs, ready, empty,
                              xempty, fn_bar, p_diag, h0, H, n_chunks, DIAG, TC, NP, N_STREAMS,
                              STAGES, XS, FUSED, TRANS, A_REG)),
            ], [4, 4, 4, 1], [WS_REGS, FIN_REGS, POST_REGS, 24])
        else:
            gl.warp_specialize([
                (_gemm_part, (x_bufs, fn_bufs, ready, fn_bar, p_part, p_fn, s_fn, p_diag, s, NS,
                              n_chunks, H, h0, DIAG, TC, NP, N_MIX, W, N_STREAMS, STAGES, RING,
                              TRANS, A_REG, acc_l, fold_l, blk)),
                (_ws_part, (x_bufs, ready, empty, p_pre, p_out, p_diag, s_out_t, h0, T,
                            n_chunks, NS, DIAG, TC, W, N_STREAMS, STAGES, RING, OUT_CS, blk,
                            p_nsq, p_nr, p_nw, s, H, norm_eps, NORM, NLAG, FLAG, NRING, FS,
                            nrm_l)),
                (_fin_part, (p_part, p_pre, p_mix, p_scale, p_base, p_diag, s, NS, T,
                             n_chunks, K, DIAG, rms_eps, hc_pre_eps, TC, NP, N_MIX, N_STREAMS,
                             RING, FIN_T, FS, HEAD, fin_l)),
                (_load_part, (x_desc, fn_desc, x_desc, x_bufs, fn_bufs, x_bufs, ready, empty,
                              empty, fn_bar, p_diag, h0, H, n_chunks, DIAG, TC, NP, N_STREAMS,
                              STAGES, 1, FUSED, TRANS, A_REG)),
            ], [4, 4, 1], [WS_REGS, FIN_REGS, 24])
