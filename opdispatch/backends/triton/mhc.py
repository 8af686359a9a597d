"""Launchers of the mHC Triton kernels (kernels in ``mhc_kernels.py``), with their configs.

Every launcher has its op's kernel signature: validated inputs, preallocated outputs, returns
None. The config is chosen deterministically from the shape (no autotuning: nothing compiles
during CUDA-graph capture once a shape has run); a ``config=`` argument overrides it (benchmarks
and tuning runs use that; see docs/ops/mhc.md for the knobs).

mhc_pre / hc_head / mhc_fused_post_pre run as one launch of ``_mhc_pre_kernel``. The coefficients
of a token need the GEMM over all n*H values of its row, and the weighted sum needs the row again,
so the residual is read twice; the schedule makes the second read hit L2:

- tokens are cut into tiles of ``block_t`` and each tile's H into ``n_split`` ranges; work item
  (tile, split) does that range's share of the GEMM (split-K), and the last item of a tile to
  finish adds the partials in a fixed order and computes the tile's coefficients;
- the same program then writes the weighted sum of the tile ``lag`` tiles earlier, whose
  residual it (or a neighbour) read a moment ago: the reuse distance is about
  ``lag * n_split`` items of ``block_t * n * H / n_split`` elements, kept well under L2.

Items are claimed through an atomic ticket, so a program only waits for smaller tickets: the
wait cannot deadlock (see the kernel docstring). From T = 4096 (``own``) each item instead
writes its own tile's weighted sum once the tile's pre is published, with parallel finishers;
those waits are on later items of the same tile, so they are bounded and hand their work over
(docs/ops/mhc.md, "Bounded waits"). The launch needs a zeroed int32 sync buffer
(one memset) and a float32 scratch of ``tiles * n_split * block_t * NP + tiles * block_t * n``.

Below 2048 tokens mhc_pre and hc_head take the two-launch schedule (``two_launch``): the GEMM
items in a first launch, then every program adds its tile's partials itself and writes its
share of the weighted sum. There is no ticket, memset or wait: at decode sizes that chain of
latencies cost more than the second read of the streams, which fit in L2 there. From T = 4096 fn
is first split into a bf16 hi|lo copy (``fn_pre``, ``_fn_hilo``) that the GEMM steps load as
is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import torch
import triton

from opdispatch.backends.triton.gluon_compat import hopper_gluon_capable
from opdispatch.backends.triton.mhc_kernels import (
    _fn_hilo_kernel,
    _fn_hilo_t_kernel,
    _mhc_coeff_kernel,
    _mhc_post_kernel,
    _mhc_pre_kernel,
)
from opdispatch.dispatch.platform import device_sm_count

_INTERPRETER_SMS = 4  # SMs assumed for CPU tensors (Triton's interpreter): any small grid will do


@dataclass(frozen=True)
class PreConfig:
    block_t: int = 16  # tokens per tile (>= 16: the tl.dot minimum)
    block_h: int = 32  # H per GEMM step and stream: K of each tl.dot (>= 16)
    split_h: int = 512  # H per work item (a multiple of block_h); n_split = cdiv(H, split_h)
    lag: int = 0  # tiles between a tile's GEMM and its weighted sum (0: from the SM count)
    num_warps: int = 4
    num_stages: int = 2
    out_block_h: int = 256  # H-block of the weighted sum
    ws_t: int = 8  # tokens per weighted-sum step (ws_t * out_block_h fp32 accumulators)
    fin_t: int = 16  # tokens per finishing step (the Sinkhorn tile)
    flat: bool = False  # one (H-block, stream) pair per loop iteration (else all n streams)
    sq_dot: bool = False  # the RMS's squares as diag(x x^T) on the tensor cores
    fn_cat: bool = False  # bf16 GEMM: fn's hi and lo parts as one [block_h, 2 NP] operand
    two_launch: bool = False  # GEMM partials (fused: and the new residual), then finish + weighted sum
    fin_s: int = 4  # split partials loaded at once by the finisher (a power of two; sets the add order)
    fn_pre: bool = False  # with fn_cat on a bf16 GPU GEMM: fn split into a bf16 [n*H, 2 NP] hi|lo copy first
    # one launch: programs that wait for their own tile's later items poll at most `spin` times,
    # then hand their work to the tile's last arrival (no wait depends on residency)
    own: bool = False  # each item writes the weighted sum of its own tile and split (lag 0; n_split <= 30)
    fin_par: int = 1  # the last fin_par arrivals of a tile finish fin_t tokens each (block_t = fin_par * fin_t <= 16 fin_t)
    early_flag: bool = False  # a finisher publishes pre before post and the Sinkhorn
    spin: int = 0  # polls before a wait on later items gives up (0: 4096 on a GPU, 2 in the interpreter)
    out_cs: bool = False  # one launch, CUDA: layer_input's final stores are streaming (.cs: first to leave L2)
    # the slice-resident Gluon kernel (mhc_gluon.py) where it can run (``slice_ok``): one CTA per
    # H-slice of slice_w columns, token chunks of slice_tc in a ring of slice_stages shared-memory
    # slots, finishing tasks of slice_fin_t tokens;
    # elsewhere the Triton kernel under the other fields
    slice: bool = False
    slice_w: int = 0  # 0: 64 where H / 64 CTAs fit on the GPU, else 32
    slice_tc: int = 64
    slice_stages: int = 5
    slice_fin_t: int = 1
    slice_ws_regs: int = 128  # registers of the weighted-sum partition (4 warps)
    slice_fin_regs: int = 128  # registers of the finisher partition (4 warps)
    slice_areg: bool = False  # slice_tc < 64: fn's slice in the GEMM warpgroup's registers, not shared memory
    # the fused post+pre in the slice kernel: a ring of slice_xs shared-memory slots for the
    # sublayer output's tiles, and the registers of the partition that computes the new residual
    slice_xs: int = 4
    slice_post_regs: int = 128
    slice_post_cs: bool = False  # the fused op: the new residual's stores streaming (.cs)
    # slots of the slice kernel's partials and pre rings (0: slice_stages; at least that). A
    # partial's lowest mantissa bit carries its round's parity in this ring, so two configs give
    # the same values bit for bit only with the same ring
    slice_ring: int = 0
    # with norm_weight (mhc_gluon.py, NORM): a chunk's rows are rescaled slice_norm_lag (1 to
    # 3: they wait in registers) chunks after their weighted sum, from factors that the CTAs
    # publish slice_norm_fin_lag (0 to slice_norm_lag) chunks after it, a token each
    slice_norm_lag: int = 3
    slice_norm_fin_lag: int = 1
    slice_diag: int = 0  # benchmarks only: mhc_gluon's DIAG (2: re-read counts; 3: cycles)


@dataclass(frozen=True)
class PostConfig:
    block_t: int = 2
    block_h: int = 512
    num_warps: int = 4


def mix_columns(n: int, head: bool) -> tuple[int, int]:
    """(N, NP): mixes per token and the padded width (a power of two >= 16 with a spare column)."""
    n_mix = n if head else (2 + n) * n
    return n_mix, max(16, triton.next_power_of_2(n_mix + 1))


def default_pre_config(t: int, n: int, h: int, head: bool = False) -> PreConfig:
    """The config used when none is given: a function of the shape only (the same for mhc_pre and
    the fused post+pre kernel, whose GEMM partials must match bit for bit).

    Large T, from the H100 sweep (benchmarks/mhc_diag.py, docs/ops/mhc.md): 64 tokens per tile
    (fn, 2.75 MB at n=4 and H=7168, is read from L2 once per tile) and 64-wide GEMM steps.
    From T = 8192 split_h 1024 (half the split-K partials to write, reload and finish): mhc_pre
    425.9 us against 449.9 for 512 at T=8192, but 137.8 against 124.8 at T=2048 (fewer work
    items than SMs' worth), so 512 below (H100, 2026-11-22, benchmarks/mhc_diag.py)."""
    if t >= 4096 and h % 64 == 0 and 96 <= h // 64 <= 132:
        # session 25: mhc_pre and hc_head from the slice-resident Gluon kernel where it runs
        # (CUDA sm_90, n = 4, H cut into 64-wide slices for 96-132 CTAs: every CTA an SM; else
        # the Triton config below under the same fields): 32-token chunks through the
        # transposed GEMM, 13 stages with fn's slice in the GEMM warpgroup's registers, 1-token
        # finishing tasks. H100, graph us, H=7168, against the Triton default (3 alternations,
        # benchmarks/mhc_slice_trial.py): T=8192 mhc_pre 265.6 against 357.1, hc_head 235.2
        # against 337.9 (session 19's 64-token slice config: 306.3); T=4096 149.8 / 129.1
        # against 191.2 / 174.3; T=16384 504.7 / 453.6 against 686.4 / 669.7. Eager calls pay
        # the host work of the launch (~150-300 us on the device tool's machine) before the
        # kernel: see docs/ops/mhc.md. Not below 4096 (T=2048 graph 89.3 / 76.4 against
        # 125.5 / 105.1, but eagerly host-bound); not at H = 4096 (32-wide slices, 128 CTAs:
        # mhc_pre 245.4 against 206.5, hc_head 190.7 / 190.4)
        return replace(_triton_pre_config(t, n, h, head), slice=True, slice_w=64, slice_tc=32,
                       slice_stages=13, slice_fin_t=1, slice_areg=True)
    return _triton_pre_config(t, n, h, head)


def default_fused_config(t: int, n: int, h: int) -> PreConfig | None:
    """The fused post+pre's config where the slice kernel may run it (None: post then pre): the
    mhc_pre default's slice config (the same 13 stages and partials ring, so the same values as
    post then pre bit for bit) with 2 shared-memory slots for the sublayer output's tiles, and
    registers for the fifth, post partition (offline Triton 3.6 sm_90 compile: no spill with the
    weighted sum at 72, the finisher at 88 and the post partition at 128, which leaves the GEMM
    warpgroup 168; with 128 / 128 the GEMM got 72 and spilled).

    H100, T=8192, H=7168, graph us (benchmarks/mhc_fused_trial.py, session 26): 13 stages / 2 x
    slots 565.3, 12 / 4 568.7, 12 / 5 571.8, 11 / 6 600.7, 10 / 8 639.9 (the stages matter,
    the x slots do not: the loader waited 16 us of the kernel for one); post then pre 636.4. The
    new residual's stores streaming (.cs, first out of L2): 560.6 against 567.9 (T=4096: 299.7
    against 303.3)."""
    cfg = default_pre_config(t, n, h)
    if not cfg.slice:
        return None
    return replace(cfg, slice_xs=2, slice_ws_regs=72, slice_fin_regs=88, slice_post_regs=128,
                   slice_ring=cfg.slice_stages, slice_post_cs=True)


def _triton_pre_config(t: int, n: int, h: int, head: bool) -> PreConfig:
    """``default_pre_config`` for the Triton kernel (``_mhc_pre_kernel``)."""
    if t >= 4096 and 8 <= triton.cdiv(h, 256) <= 30:
        # session 13: each item writes its own tile's weighted sum right after the tile's pre
        # (own; the re-read then partly hits L2: 673 MB read from DRAM at T=8192 against 955),
        # eight finishers per tile (fin_par), pre published before the Sinkhorn (early_flag), 3
        # stages (two programs per SM: fewer bytes in flight between the two reads). H100, graph
        # us, against the configs below: T=8192 mhc_pre 373.5 against 399.5, hc_head 343.0
        # against 370.3; T=4096 204.6 / 181.0 against 227.2 / 193.0 (the 8192 config); T=16384
        # 738.1 / 658.4 against 769.9 / 723.6 (benchmarks/mhc_diag.py, own-s256-fp8-ef-st3)
        # Session 18: 16-token weighted-sum steps (twice the bytes in flight per step) and
        # streaming layer-input stores (out_cs: the 117 MB output no longer takes L2 space from
        # the streams the weighted sums re-read): T=8192 mhc_pre 382.4 -> 357.5 us, hc_head
        # 343.2 -> 335.7; T=4096 203.2 -> 193.2 and 179.2 -> 175.5 (benchmarks/mhc_src_trial.py,
        # 3 alternations; ws_t 32 or 64 lose for hc_head, 8 warps lose for both)
        return PreConfig(block_t=64, block_h=128, split_h=256, num_warps=4, num_stages=3, fin_t=8,
                         fin_s=_fin_s(32, 8, mix_columns(n, head)[1]), fin_par=8, flat=True,
                         sq_dot=True, fn_cat=True, fn_pre=True, own=True, early_flag=True,
                         ws_t=16, out_cs=True)
    if t >= 8192:
        # session 4 (same device): the flat loop with the squares and fn's hi|lo on the tensor
        # cores (128 registers instead of 194) and a 64-token finishing tile, 3 stages: 407.9 us
        # against 423.2 for the nested loop in the same run (hc_head 392.6 against 394.9).
        # Session 5: fn split once into a bf16 hi|lo copy (fn_pre) and 128-wide steps, 2 stages:
        # 399.8 us against 411.8 (hc_head 369.9 against 393.7); the GEMM phase alone 229.5
        # against 261.3
        return PreConfig(block_t=64, block_h=128, split_h=1024, num_warps=4, num_stages=2, fin_t=64,
                         flat=True, sq_dot=True, fn_cat=True, fn_pre=True)
    if t >= 4096:
        # session 5: the flat loop with fn_pre at 512-wide splits: 224.8 us against 253.1 for the
        # nested loop at T=4096 (hc_head 199.1 against 201.4); at 2048 it loses (144.6 vs 131.4)
        return PreConfig(block_t=64, block_h=64, split_h=512, num_warps=4, flat=True, sq_dot=True,
                         fn_cat=True, fn_pre=True)
    if t >= 2048:
        return PreConfig(block_t=64, block_h=64, split_h=512, num_warps=4)
    # Below 2048 tokens, the two-launch schedule (GEMM partials, then finish + weighted sum): at
    # these sizes the one-launch chain (ticket, finisher, flag, waits, memset) is what costs.
    # H100 sweep of session 5 (benchmarks/mhc_decode_diag.py, n=4, H=7168, graph us, one-launch
    # default in brackets): hc_head T=1 6.1 (17.0; compiled 8.4), T=64 14.0 (21.0), T=1024 55.7
    # (77.0); mhc_pre T=1 10.2 (19.2), T=64 18.4 (25.2), T=256 38.3 (72.6), T=1024 86.0 (116.6).
    # At 2048 and 4096 the two schedules tie within 5% (the second launch re-reads the streams,
    # no longer from L2 alone, and T=8192 is tuned for one launch), so one launch from 2048 on.
    _, np_ = mix_columns(n, head)
    if t <= 2:
        # one or two tokens: every split's partial of a token loaded at once (one round of L2
        # latency in the second launch), 64-wide splits to spread fn's read over many SMs
        fin_t = 1 if t <= 1 else 2
        fin_s = _fin_s(triton.next_power_of_2(triton.cdiv(h, 64)), fin_t, np_)
        if head:
            return PreConfig(block_t=16, block_h=64, split_h=64, fin_t=fin_t, fin_s=fin_s,
                             two_launch=True, flat=True, sq_dot=True, fn_cat=True)
        return PreConfig(block_t=16, block_h=32, split_h=64, fin_t=fin_t, fin_s=fin_s, two_launch=True)
    if head:
        if t <= 64:
            return PreConfig(block_t=16, block_h=32, split_h=128, fin_s=_fin_s(16, 16, np_),
                             two_launch=True)
        return PreConfig(block_t=64, block_h=64, split_h=256, fin_t=16, fin_s=_fin_s(32, 16, np_),
                         two_launch=True, flat=True, sq_dot=True, fn_cat=True)
    if t <= 32:
        return PreConfig(block_t=16, block_h=32, split_h=128, fin_s=_fin_s(16, 16, np_), two_launch=True)
    if t <= 512:
        return PreConfig(block_t=16, block_h=32, split_h=256, fin_s=_fin_s(8, 16, np_), two_launch=True)
    return PreConfig(block_t=64, block_h=64, split_h=512, fin_t=16, fin_s=_fin_s(8, 16, np_),
                     two_launch=True)


def _fin_s(want: int, fin_t: int, np_: int) -> int:
    """Split partials the finisher loads at once: ``want``, cut so that the ``[fin_s, fin_t, NP]``
    tile stays at 8192 floats (64 registers a thread at 4 warps)."""
    cap = max(1, 8192 // (fin_t * np_))
    return max(1, min(want, 1 << (cap.bit_length() - 1)))


def default_post_config(t: int, n: int, h: int) -> PostConfig:
    # keep the fp32 accumulator [block_t, n, block_h] at 4K elements: 32 registers a thread
    return PostConfig(block_t=2, block_h=max(64, min(1024, 2048 // n)), num_warps=4)


def mhc_post(x: torch.Tensor, residual: torch.Tensor, post_mix: torch.Tensor,
             comb_mix: torch.Tensor, out: torch.Tensor, config: PostConfig | None = None) -> None:
    t, n, h = residual.shape
    if t == 0:
        return
    cfg = config or default_post_config(t, n, h)
    grid = (triton.cdiv(t, cfg.block_t), triton.cdiv(h, cfg.block_h))
    _mhc_post_kernel[grid](
        x, x.stride(0), residual, residual.stride(0), residual.stride(1),
        post_mix, post_mix.stride(0), post_mix.stride(1),
        comb_mix, comb_mix.stride(0), comb_mix.stride(1), comb_mix.stride(2),
        out, out.stride(0), out.stride(1), t, h,
        N_STREAMS=n, BLOCK_T=cfg.block_t, BLOCK_H=cfg.block_h, num_warps=cfg.num_warps,
    )


def _launch_pre(res, fn, scale, base, norm_weight, out, post_mix, comb_mix, *, head, post_in,
                rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps, config,
                diag=0):
    """Shared by mhc_pre, hc_head and mhc_fused_post_pre.

    post_in: None, or (x, old_residual, post_mix_in, comb_mix_in) for the fused post+pre, in
    which case ``res`` is the new residual, written by the kernel."""
    t, n, h = res.shape
    if t == 0:
        return None
    n_mix, np_ = mix_columns(n, head)
    cfg = config or default_pre_config(t, n, h, head)
    if slice_ok(res, out, cfg, norm_weight is not None, post_in, hc_pre_eps, head):
        return _launch_slice(res, fn, scale, base, out, post_mix, comb_mix, head=head,
                             rms_eps=rms_eps, hc_pre_eps=hc_pre_eps, sinkhorn_eps=sinkhorn_eps,
                             post_mult=post_mult, sinkhorn_iters=sinkhorn_iters, cfg=cfg,
                             post_in=post_in, norm_weight=norm_weight, norm_eps=norm_eps)
    if (cfg.block_t < 16 or cfg.block_t & (cfg.block_t - 1) or cfg.block_h < 16
            or cfg.split_h % cfg.block_h or cfg.block_t % cfg.ws_t or cfg.block_t % cfg.fin_t
            or cfg.fin_s < 1 or cfg.fin_s & (cfg.fin_s - 1)):
        raise ValueError(f"PreConfig needs block_t a power of two >= 16, block_h >= 16 (the dot's K), "
                         f"split_h a multiple of block_h, block_t a multiple of ws_t and fin_t, "
                         f"fin_s a power of two; got {cfg}")
    hb_per_split = cfg.split_h // cfg.block_h
    n_split = triton.cdiv(h, cfg.split_h)
    tiles = triton.cdiv(t, cfg.block_t)
    if cfg.fin_par > 1 and (cfg.fin_par * cfg.fin_t != cfg.block_t or not n_split >= cfg.fin_par
                            or cfg.fin_par > 16 or n_split > 255):
        raise ValueError(f"PreConfig fin_par > 1 needs block_t == fin_par * fin_t, fin_par <= 16 and "
                         f"fin_par <= n_split <= 255 (n_split = {n_split}); got {cfg}")
    if cfg.own and n_split > 30:
        raise ValueError(f"PreConfig own needs n_split <= 30 (one bit per split in a tile's ws word); "
                         f"n_split = {n_split}; got {cfg}")
    has_norm = norm_weight is not None
    if post_in is not None:
        x, old, pin, cin = post_in
        post_args = (x, x.stride(0), old, old.stride(0), old.stride(1), pin, pin.stride(0),
                     pin.stride(1), cin, cin.stride(0), cin.stride(1), cin.stride(2))
    else:
        post_args = (res, 0, res, 0, 0, res, 0, 0, res, 0, 0, 0)  # unused pointers
    nw = norm_weight if has_norm else fn  # unused pointer when there is no norm
    post_ptr, post_stride = (post_mix, post_mix.stride(0)) if post_mix is not None else (fn, 0)
    comb_ptr, comb_stride = (comb_mix, comb_mix.stride(0)) if comb_mix is not None else (fn, 0)
    scalars = (rms_eps, hc_pre_eps, sinkhorn_eps, post_mult, 1 if head else sinkhorn_iters, norm_eps)
    # enough tiles in flight to cover the SMs, so a weighted-sum item rarely waits; own: none
    lag = 0 if cfg.own else min(tiles, cfg.lag or max(1, triton.cdiv(device_sm_count(res.device, _INTERPRETER_SMS) * 2, n_split)))
    # two_launch with the fused post+pre: the first launch computes and stores the new residual
    # in its GEMM steps (as the one-launch fused kernel does), the second reads it back once for
    # the weighted sum. Its partials and finisher adds are those of mhc_pre under the same config,
    # so it stays bit-identical to post then pre.
    two = cfg.two_launch
    # one allocation: the split partials [tiles, n_split, block_t, NP], then pre [tiles * block_t, n]
    part_len = tiles * n_split * cfg.block_t * np_
    pre_len = 0 if two else tiles * cfg.block_t * n
    scratch = torch.empty(part_len + pre_len, dtype=torch.float32, device=res.device)
    part, pre = scratch[:part_len], scratch[part_len:]
    # the two-launch schedule takes no ticket and waits for nothing: no zeroed sync buffer (the
    # pointer is never read)
    # (own: a third word per tile, its ws word)
    sync = scratch if two else torch.zeros(1 + (3 if cfg.own else 2) * tiles, dtype=torch.int32,
                                           device=res.device)
    # bf16 tensor-core GEMM on GPUs; the interpreter (CPU tensors) mis-evaluates bf16 tl.dot
    # (triton 3.9), so there the IEEE float32 dot runs: same math, exact products.
    x_bf16 = res.dtype == torch.bfloat16 and res.device.type != "cpu"
    fn_pre = cfg.fn_pre and cfg.fn_cat and x_bf16
    if fn_pre:
        # fn's hi|lo bf16 split once per call (2.75 MB read, 3.7 MB written at n=4, H=7168), so
        # every GEMM step loads a contiguous [block_h, 2 NP] bf16 block with no conversion
        fn = _fn_hilo(fn, n_mix, np_)
    args = (res, res.stride(0), res.stride(1), *post_args, fn, fn.stride(0), scale, base, part, pre,
            sync, out, out.stride(0), post_ptr, post_stride, comb_ptr, comb_stride, nw,
            t, h, tiles, n_split, hb_per_split, lag, cfg.spin or (4096 if res.device.type == "cuda" else 2),
            *scalars)
    meta = dict(
        N_STREAMS=n, N_MIX=n_mix, NP=np_, BLOCK_T=cfg.block_t, BLOCK_H=cfg.block_h,
        OUT_BLOCK_H=cfg.out_block_h, NORM_ROWS=triton.next_power_of_2(triton.cdiv(cfg.block_t, n_split)),
        FIN_T=cfg.fin_t, WS_T=cfg.ws_t,
        HEAD=head, FUSED_POST=post_in is not None, HAS_NORM=has_norm, X_BF16=x_bf16, DIAG=diag,
        FLAT=cfg.flat, SQ_DOT=cfg.sq_dot, FN_CAT=cfg.fn_cat, FIN_S=cfg.fin_s, FN_PRE=fn_pre,
        FIN_PAR=1 if two else cfg.fin_par, EARLY_FLAG=cfg.early_flag and not two,
        # the streaming hint on NVIDIA only: no AMD GPU was available to check its lowering there
        OWN=cfg.own and not two, OUT_CS=cfg.out_cs and not two and torch.version.hip is None,
        WS_ONE_BLOCK=cfg.out_block_h >= cfg.split_h,
        num_warps=cfg.num_warps, num_stages=cfg.num_stages,
    )
    if two:
        _mhc_pre_kernel[(tiles * n_split,)](*args, PHASE=1, **meta)
        return _mhc_pre_kernel[(tiles * n_split,)](*args, PHASE=2, **meta)
    return _mhc_pre_kernel[((tiles + lag) * n_split,)](*args, PHASE=0, **meta)


def _slice_width(h: int, device: torch.device, want: int) -> int:
    """The slice kernel's H-slice: ``want``, or 64 where H / 64 CTAs fit on the GPU, else 32
    (a TMA row of at most 128 bytes: the widest swizzle); 0 where none divides H or fits."""
    sms = device_sm_count(device, _INTERPRETER_SMS)
    for w in ([want] if want else [64, 32]):
        if w in (32, 64) and h % w == 0 and h // w <= sms:
            return w
    return 0


def _tma_rows(x: torch.Tensor) -> bool:
    """Whether a 2-D bf16 view can be a TMA source: unit column stride, 16-byte aligned base
    and row stride."""
    return (x.dtype == torch.bfloat16 and x.stride(-1) == 1 and x.data_ptr() % 16 == 0
            and (x.stride(-2) * 2) % 16 == 0)


def slice_ok(res: torch.Tensor, out: torch.Tensor, cfg: PreConfig, has_norm: bool,
             post_in: tuple | None, hc_pre_eps: float, head: bool = False) -> bool:
    """Whether ``cfg`` runs the slice-resident Gluon kernel here: asked for (``cfg.slice``),
    CUDA sm_90 with Gluon (wgmma is Hopper's; Gluon does
    not run in the interpreter), n = 4, bf16 streams contiguous and TMA-readable (16-byte
    aligned base), an H-slice width that divides H with at most one CTA per SM, layer_input
    with unit column stride, hc_pre_eps >= 0 (pre >= 0: its sign bit flags freshness,
    ``mhc_gluon._pre_mask``), and the shared memory within sm_90's 227 KB.

    post_in: None, or the fused op's (x, old residual, post_mix_in, comb_mix_in), ``res`` then
    being the new residual (written by the kernel, unit column stride): the old streams must
    then be the contiguous TMA-readable ones, x a TMA-readable bf16 ``[T, H]``, and the chunk a
    multiple of the post partition's row block (16 tokens at 64-wide slices).

    has_norm (mhc_pre's norm_weight): normalised in the kernel (``NORM``). A slice config with
    ``slice_norm_lag`` outside 1..3 or ``slice_norm_fin_lag`` outside 0..slice_norm_lag raises
    ValueError."""
    if not cfg.slice:
        return False
    if has_norm and not (1 <= cfg.slice_norm_lag <= 3 and 0 <= cfg.slice_norm_fin_lag <= cfg.slice_norm_lag):
        raise ValueError(f"PreConfig with slice and norm_weight needs slice_norm_lag in 1..3 and "
                         f"slice_norm_fin_lag in 0..slice_norm_lag; got {cfg}")
    if head and has_norm or res.device.type != "cuda" or not hc_pre_eps >= 0:
        return False
    t, n, h = res.shape
    streams = res if post_in is None else post_in[1]
    if res.dtype != torch.bfloat16 or not streams.is_contiguous() or streams.data_ptr() % 16:
        return False
    if out.stride(1) != 1 or t >= 2**31 or (n * h * 2) % 16:
        return False
    w = _slice_width(h, res.device, cfg.slice_w)
    if n != 4 or not w or cfg.slice_tc not in (16, 32, 64, 128):
        return False
    if post_in is not None:
        x = post_in[0]
        if head or res.stride(2) != 1 or not _tma_rows(x) or cfg.slice_xs < 1:
            return False
        if cfg.slice_tc % (4 * (32 // (w // 8))):  # the post partition's row blocks
            return False
    if slice_smem(cfg, w, mix_columns(n, head)[1], post_in is not None) > _SLICE_SMEM:
        return False
    if cfg.slice_fin_t < 1 or cfg.slice_tc % cfg.slice_fin_t or cfg.slice_stages < 2:
        return False
    if cfg.slice_ring and cfg.slice_ring < cfg.slice_stages:
        return False
    # the finisher holds [NS, fin_t, NP] words at once: at most 8192 (64 a thread)
    if triton.next_power_of_2(h // w) * cfg.slice_fin_t * mix_columns(n, False)[1] > 8192:
        return False
    return hopper_gluon_capable(res.device)


# the shared memory a CTA may take on sm_90 (227 KB)
_SLICE_SMEM = 232448
# words of the slice kernel's DIAG counters at the head of its sync buffer (mhc_gluon.py)
_DIAG_WORDS = 24


def slice_smem(cfg: PreConfig, w: int, np_: int, fused: bool = False) -> int:
    """The slice kernel's shared memory: the ring of stream tiles (fused: and of x tiles), fn's
    slice, the mbarriers and (transposed GEMM, ``slice_tc`` < 64) the accumulator's fold between
    layouts; as Triton 3.6 allocates them for n = 4, plus 2 KB (offline compiles for sm_90 at
    W = 64 came within 2.2 KB of the other terms: hc_head 213,928 bytes at 64 tokens and 6
    stages, 221,992 at 32 and 11, 221,724 at 32 and 13 with ``slice_areg``; mhc_pre 222,504 at
    32 and 11, 226,728 at 16 and 23, 221,980 at 32 and 13 with ``slice_areg``; the fused
    post+pre 222,096 at 32 and 12 with 4 x slots and ``slice_areg``)."""
    tc, n = cfg.slice_tc, 4
    ring = cfg.slice_stages * n * tc * w * 2
    if fused:
        ring += cfg.slice_xs * tc * w * 2
    if tc < 64 and cfg.slice_areg:  # fn in registers: an unused 8-row buffer in its place
        return ring + 8 * w * 2 + 64 * tc * 4 + 2048
    if tc < 64:
        return ring + n * 64 * w * 2 + 64 * tc * 4 + 2048
    return ring + 2 * n * w * np_ * 2 + 2048


@functools.cache
def _nvmma_bf16(rows: int, cols: int):
    """Gluon's default shared layout of a bf16 [rows, cols] TMA box, built once (host time)."""
    from triton.experimental.gluon import language as gl

    return gl.NVMMASharedLayout.get_default_for([rows, cols], gl.bfloat16)


def _launch_slice(res, fn, scale, base, out, post_mix, comb_mix, *, head, rms_eps, hc_pre_eps,
                  sinkhorn_eps, post_mult, sinkhorn_iters, cfg: PreConfig, post_in=None,
                  norm_weight=None, norm_eps=1e-6):
    """The slice-resident Gluon kernel (``slice_ok`` holds), then for mhc_pre the coefficient
    kernel (post and comb from the reduced mixes rows the finishers stored). post_in: the fused
    op's (x, old residual, post_mix_in, comb_mix_in), ``res`` being the new residual: the
    kernel reads the old streams and x, and writes ``res``. norm_weight: layer_input
    RMS-normalised in the same kernel (``NORM``)."""
    from triton.experimental.gluon.nvidia.hopper import TensorDescriptor

    from opdispatch.backends.triton.mhc_gluon import mhc_pre_slice_kernel

    t, n, h = res.shape
    n_mix, np_ = mix_columns(n, head)
    w = _slice_width(h, res.device, cfg.slice_w)
    tc = cfg.slice_tc
    ns = h // w
    n_chunks = triton.cdiv(t, tc)
    # >= stages: a ring slot's readers are done before it is rewritten (slice_ok)
    ring = cfg.slice_ring or cfg.slice_stages
    fin_t = cfg.slice_fin_t
    streams = res if post_in is None else post_in[1]
    x_desc = TensorDescriptor.from_tensor(streams.view(t, n * h), [tc, w], _nvmma_bf16(tc, w))
    if post_in is not None:
        xs, _, pin, cin = post_in
        xs_desc = TensorDescriptor.from_tensor(xs, [tc, w], _nvmma_bf16(tc, w))
        post_args = (xs_desc, pin, pin.stride(0), cin, cin.stride(0), res, res.stride(0), res.stride(1))
        post_meta = dict(FUSED=True, XS=cfg.slice_xs, PIN_I=pin.stride(1), CIN_I=cin.stride(1),
                         CIN_J=cin.stride(2), POST_CS=cfg.slice_post_cs)
    else:  # unused arguments
        post_args = (x_desc, fn, 0, fn, 0, res, 0, 0)
        post_meta = dict(FUSED=False, XS=1, PIN_I=0, CIN_I=0, CIN_J=0, POST_CS=False)
    areg = cfg.slice_areg and tc < 64
    p_fn = fn  # areg: the kernel splits fn itself
    if areg:  # fn_desc only types an unused buffer
        fn_desc = x_desc
    elif tc < 64:  # the transposed GEMM: fn^T's hi / lo rows, a [64, W] box a stream
        p_fn = _fn_hilo_t(fn, n_mix, n, h)
        fn_desc = TensorDescriptor.from_tensor(p_fn, [64, w], _nvmma_bf16(64, w))
    else:
        fn_hl = _fn_hilo(fn, n_mix, np_)  # [n*H, 2 NP] bf16: hi | lo
        fn_desc = TensorDescriptor.from_tensor(fn_hl, [w, np_], _nvmma_bf16(w, np_))
    part_len = ring * ns * tc * np_
    pre_len = ring * tc * n
    norm = norm_weight is not None
    nlag = cfg.slice_norm_lag
    nring = max(ring, nlag + 1)  # > the weighted sums' lag (mhc_gluon.py, NORM)
    nsq_len, nr_len = (nring * ns * tc, nring * tc) if norm else (0, 0)
    mix = torch.empty(0 if head else t * np_, dtype=torch.float32, device=res.device)
    # zeroed (one memset): _DIAG_WORDS words of slice_diag counts, the pre ring, the partials
    # ring and (norm_weight) the norm's two rings (words flagged by a bit that zeros never
    # carry in the first round: mhc_gluon._pre_mask, _part_flag)
    lens = (_DIAG_WORDS, pre_len, part_len, nsq_len, nr_len)
    sync = torch.zeros(sum(lens), dtype=torch.int32, device=res.device)
    diag, *rings = sync.split(lens)
    pre, part, nsq, nr = (w.view(torch.float32) for w in rings)
    p_nw = norm_weight if norm else fn  # unused pointer when there is no norm
    # the finisher's [FS, FIN_T, NP] tile holds every split's words at once
    fs = triton.next_power_of_2(ns)
    tpw_c = min(np_ // 4, 32)
    tpw_f = min(fin_t, 32 // tpw_c)
    mhc_pre_slice_kernel[(ns,)](
        x_desc, fn_desc, p_fn, fn.stride(0), part, pre, mix, scale, base, out, out.stride(0), sync,
        t, h, n_chunks, n * h, rms_eps, hc_pre_eps, *post_args,
        N_STREAMS=n, N_MIX=n_mix, NP=np_, TC=tc, W=w, STAGES=cfg.slice_stages, RING=ring, FIN_T=fin_t, FS=fs, HEAD=head, OUT_CS=cfg.out_cs, TPW_T=32 // (w // 8),
        FIN_TPW_Q=32 // (tpw_c * tpw_f), FIN_TPW_F=tpw_f, FIN_TPW_C=tpw_c,
        WS_REGS=cfg.slice_ws_regs, FIN_REGS=cfg.slice_fin_regs, A_REG=areg,
        POST_REGS=cfg.slice_post_regs, **post_meta, p_nw=p_nw, norm_eps=norm_eps,
        p_nsq=nsq if norm else part, p_nr=nr if norm else part, NORM=norm, NLAG=nlag,
        FLAG=cfg.slice_norm_fin_lag, NRING=nring, DIAG=cfg.slice_diag, num_warps=4,
    )
    if not head:
        _mhc_coeff_kernel[(triton.cdiv(t, 16),)](
            mix, t, scale, base, n * h, rms_eps, hc_pre_eps, sinkhorn_eps, post_mult,
            sinkhorn_iters, post_mix, post_mix.stride(0), comb_mix, comb_mix.stride(0),
            N_STREAMS=n, N_MIX=n_mix, NP=np_, BLOCK_T=16, num_warps=4)
    return diag if cfg.slice_diag in (2, 3) else None


def _fn_hilo_t(fn: torch.Tensor, n_mix: int, n: int, h: int, block_h: int = 64) -> torch.Tensor:
    """fn ``[N, n H]`` float32 -> ``[64 n, H]`` bf16: rows ``64 i + r`` / ``64 i + 32 + r`` = hi /
    lo of fn[r, i H + h], zero for r >= N (the transposed slice GEMM's operand)."""
    out = torch.empty(64 * n, h, dtype=torch.bfloat16, device=fn.device)
    _fn_hilo_t_kernel[(triton.cdiv(h, block_h), n)](fn, fn.stride(0), out, h, N_MIX=n_mix,
                                                   BLOCK_H=block_h, num_warps=4)
    return out


def _fn_hilo(fn: torch.Tensor, n_mix: int, np_: int, block_k: int = 64) -> torch.Tensor:
    """fn ``[N, K]`` float32 -> ``[K, 2 NP]`` bf16, row k = (hi | lo) of fn[:, k], zero past N."""
    k = fn.shape[1]
    out = torch.empty(k, 2 * np_, dtype=torch.bfloat16, device=fn.device)
    _fn_hilo_kernel[(triton.cdiv(k, block_k),)](fn, fn.stride(0), out, k, N_MIX=n_mix, NP=np_,
                                                BLOCK_K=block_k, num_warps=4)
    return out


def mhc_pre(residual: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            norm_weight: torch.Tensor | None, layer_input: torch.Tensor, post_mix: torch.Tensor,
            comb_mix: torch.Tensor, rms_eps: float, hc_pre_eps: float, sinkhorn_eps: float,
            post_mult: float, sinkhorn_iters: int, norm_eps: float,
            config: PreConfig | None = None) -> None:
    _launch_pre(residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix,
                head=False, post_in=None, rms_eps=rms_eps, hc_pre_eps=hc_pre_eps,
                sinkhorn_eps=sinkhorn_eps, post_mult=post_mult, sinkhorn_iters=sinkhorn_iters,
                norm_eps=norm_eps, config=config)


def hc_head(x: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor, base: torch.Tensor,
            out: torch.Tensor, rms_eps: float, hc_eps: float, config: PreConfig | None = None) -> None:
    _launch_pre(x, fn, scale, base, None, out, None, None, head=True, post_in=None,
                rms_eps=rms_eps, hc_pre_eps=hc_eps, sinkhorn_eps=1e-6, post_mult=1.0,
                sinkhorn_iters=1, norm_eps=0.0, config=config)


def mhc_fused_post_pre(x: torch.Tensor, residual: torch.Tensor, post_mix_in: torch.Tensor,
                       comb_mix_in: torch.Tensor, fn: torch.Tensor, scale: torch.Tensor,
                       base: torch.Tensor, norm_weight: torch.Tensor | None,
                       new_residual: torch.Tensor, layer_input: torch.Tensor,
                       post_mix: torch.Tensor, comb_mix: torch.Tensor, rms_eps: float,
                       hc_pre_eps: float, sinkhorn_eps: float, post_mult: float,
                       sinkhorn_iters: int, norm_eps: float,
                       config: PreConfig | None = None) -> None:
    post_in = (x, residual, post_mix_in, comb_mix_in)
    if config is None:
        t, n, h = residual.shape
        fcfg = default_fused_config(t, n, h)
        # with norm_weight the one-pass slice kernel lost to post then the slice pre with the
        # norm (T=8192: 1249 us against 987 for post then the Triton pre; its weighted-sum
        # partition, 72 registers in the fused kernel, spills the three held tiles): post then pre
        if fcfg is not None and norm_weight is None and slice_ok(new_residual, layer_input, fcfg,
                                                                 False, post_in, hc_pre_eps):
            # checked here already: straight to the launch (``_launch_pre`` would check again)
            _launch_slice(new_residual, fn, scale, base, layer_input, post_mix, comb_mix,
                          head=False, rms_eps=rms_eps, hc_pre_eps=hc_pre_eps,
                          sinkhorn_eps=sinkhorn_eps, post_mult=post_mult,
                          sinkhorn_iters=sinkhorn_iters, cfg=fcfg, post_in=post_in,
                          norm_weight=norm_weight, norm_eps=norm_eps)
            return
        # Measured on the H100 (docs/ops/mhc.md), the Triton one-pass kernel is slower than post
        # then pre at every size (T=8192: 896 vs 370 + 452 us; T=1: 38 vs 1.7 + 18 us): its GEMM
        # steps carry the post tile's registers. So where the slice kernel does not run, the
        # two kernels run back to back by default (the same values: mhc_post's output is what
        # the fused kernel stores); a config runs the fused kernel under it: the slice kernel
        # where ``slice_ok`` holds, else the Triton one-pass kernel, or two launches with
        # two_launch (tests, benchmarks).
        mhc_post(x, residual, post_mix_in, comb_mix_in, new_residual)
        mhc_pre(new_residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix, rms_eps,
                hc_pre_eps, sinkhorn_eps, post_mult, sinkhorn_iters, norm_eps)
        return
    _launch_pre(new_residual, fn, scale, base, norm_weight, layer_input, post_mix, comb_mix,
                head=False, post_in=post_in, rms_eps=rms_eps,
                hc_pre_eps=hc_pre_eps, sinkhorn_eps=sinkhorn_eps, post_mult=post_mult,
                sinkhorn_iters=sinkhorn_iters, norm_eps=norm_eps, config=config)


def describe(op: str) -> str:
    """Which mHC kernels ``op`` runs (``opdispatch explain``; the same on every platform)."""
    if op == "mhc_post":
        return "one Triton kernel (_mhc_post_kernel), one pass over the streams"
    lead = ""
    if op == "mhc_fused_post_pre":
        lead = ("from T = 4096 at H = 6144-8448 on CUDA sm_90 (n = 4, contiguous bf16 streams, "
                "TMA-readable x, no norm_weight: with it, post then pre) one pass in the "
                "slice-resident Gluon kernel "
                "(mhc_gluon.py FUSED: a post partition computes each chunk's new residual in "
                "shared memory, written once, never read back; then as mhc_pre's slice path); "
                "elsewhere mhc_post's kernel then mhc_pre's (a config given runs the Triton "
                "one-pass kernel instead); pre: ")
    return (lead + "Triton GEMM against fn + RMS, sigmoids / Sinkhorn per token, weighted sum: "
            "two launches below T = 2048 tokens, one launch (split-K work items, finishers, "
            "own-tile weighted sums at large T) from 2048; from T = 4096 at H = 6144-8448 on "
            "CUDA sm_90 (n = 4, contiguous bf16 streams) the slice-resident Gluon kernel "
            "instead (mhc_gluon.py: one CTA per 64-wide H-slice, 32-token chunks held in shared "
            "memory, streams read once; norm_weight's RMS reduced across the CTAs in the same "
            "kernel; mhc_pre adds a coefficient launch)"
            "; per shape: mhc.default_pre_config(T, n, H, head)")
