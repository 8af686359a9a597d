"""Where the time of top-k register mode goes (GPU), for v23/v24's kernel layout: the row as a
1-D ``_warp_lanes`` tile (each warp holds consecutive lanes), ballot ranks in the emit.

    python benchmarks/topk_reg_phases.py [rows] [cols] [k]

Phase kernels load the row and make its order keys like ``topk_register_kernel``, then:
``load`` one max reduction; ``search_adapt`` / ``search_interp`` the k-th key (_kth_key, HI 0:
v23's adaptive search, HI -1: v24's interpolating one); ``emit`` the output from the exact
threshold given (_emit_top_warp); ``full_*`` search then emit. Each at 16 keys per thread (8
warps at 4096 columns, as v23) with and without v23's 64-register cap, and at 32 / 64 / 128
keys per thread. CUDA-graph replay us, registers and spills; each result is checked.
"""

import sys

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton.topk_kernels import (
    _and_or_add_all,
    _clz32,
    _count_all,
    _emit_top_warp,
    _fill_identity,
    _float_key,
    _key_float,
    _kth_key,
    _order_key,
    _select_tile,
    _stats_all,
    _upper_quantile,
)
from opdispatch.dispatch.bench import graph_replay_us


# Diagnostic copies of the two searches without their bucket step (wrong thresholds: for
# timing only), returning the number of search steps taken.
@triton.jit
def _adaptive_steps(ks, k, SMALL: tl.constexpr, STEPS: tl.constexpr):
    real = ks != -2147483648
    ku = ks ^ -2147483648
    a, o, m = _and_or_add_all(tl.where(real, ku, -1), tl.where(real, ku, 0), real.to(tl.int32))
    b = _clz32(a ^ o)
    ones = tl.full([], -1, tl.int32).to(tl.uint32, bitcast=True)
    low = tl.where(b >= 32, 0, (ones >> tl.minimum(b, 31)).to(tl.int32, bitcast=True))
    t = a & ~low
    c_lo = m
    c_hi = tl.zeros([], dtype=tl.int32)
    n = tl.zeros([], dtype=tl.int32)
    if STEPS:
        while (b < 32) & (c_lo - c_hi > SMALL):
            cand = t | (tl.full([], 1, tl.int32) << (31 - b))
            c = _count_all(ks >= (cand ^ -2147483648))
            take = c >= k
            t = tl.where(take, cand, t)
            c_lo = tl.where(take, c, c_lo)
            c_hi = tl.where(take, c_hi, c)
            b += 1
            n += 1
    return n + (t & 0)


@triton.jit
def _interp_steps(ks, k, SMALL: tl.constexpr, STEPS: tl.constexpr):
    real = ks != -2147483648
    xf = _key_float(ks)
    fin = real & ((xf - xf) == 0.0)
    xz = tl.where(fin, xf, 0.0)
    top = (ks >= 2139095040).to(tl.int32)
    kmin, kmax, cnt, n_fin, s1, s2 = _stats_all(
        tl.where(real, ks, 2147483647), ks, real.to(tl.int32) + (top << 16),
        fin.to(tl.int32), xz, xz * xz)
    m = cnt & 65535
    n_top = cnt >> 16
    mf = tl.maximum(n_fin, 1).to(tl.float32)
    mu = s1 / mf
    sd = tl.sqrt(tl.maximum(s2 / mf - mu * mu, 0.0))
    q = tl.minimum(tl.maximum(((k - n_top).to(tl.float32) - 0.5) / mf, 1e-6), 1.0 - 1e-6)
    dq = 3.0 * tl.sqrt(q * (1.0 - q) / mf) + 1.0 / mf
    va = mu + sd * _upper_quantile(tl.minimum(q + dq, 1.0 - 1e-6))
    vb = mu + sd * _upper_quantile(tl.maximum(q - dq, 1e-6))
    lo = kmin
    hi = kmax
    c_lo = m
    c_hi = tl.zeros([], dtype=tl.int32)
    mode = tl.zeros([], dtype=tl.int32)
    n = tl.zeros([], dtype=tl.int32)
    if STEPS:
        while (c_lo - c_hi > SMALL) & (lo < hi):
            b = c_lo - c_hi
            r = k - c_hi
            fl = _key_float(lo)
            fh = _key_float(hi)
            bf = b.to(tl.float32)
            rf = r.to(tl.float32)
            d = tl.where(mode == 1, 3.0 * tl.sqrt(tl.maximum(rf * (bf - rf) / bf, 1.0)) + 1.0, 0.0)
            ia = fh - tl.minimum((rf + d) / bf, 1.0) * (fh - fl)
            ib = fh - tl.maximum((rf - d) / bf, 0.0) * (fh - fl)
            va = tl.where(mode == 0, va, ia)
            vb = tl.where(mode == 0, vb, ib)
            mid = (lo.to(tl.int64) + ((hi.to(tl.int64) - lo.to(tl.int64)) >> 1)).to(tl.int32)
            pa = tl.where((va - va) == 0.0, _float_key(va), mid)
            pb = tl.where(((vb - vb) == 0.0) & (mode != 2), _float_key(vb), mid)
            p1 = tl.minimum(tl.maximum(tl.minimum(pa, pb), lo + 1), hi)
            p2 = tl.minimum(tl.maximum(tl.maximum(pa, pb), p1), hi)
            c12 = _count_all((ks >= p1).to(tl.int32) + ((ks >= p2).to(tl.int32) << 16))
            c1 = c12 & 65535
            c2 = c12 >> 16
            take2 = c2 >= k
            take1 = c1 >= k
            lo_n = tl.where(take2, p2, tl.where(take1, p1, lo))
            c_lo_n = tl.where(take2, c2, tl.where(take1, c1, c_lo))
            hi = tl.where(take2, hi, tl.where(take1, p2 - 1, p1 - 1))
            c_hi = tl.where(take2, c_hi, tl.where(take1, c2, c1))
            lo = lo_n
            c_lo = c_lo_n
            mode = tl.where((c_lo - c_hi) * 2 > b, 2, 1)
            n += 1
    return n + (lo & 0) + (vb > va).to(tl.int32) * 0


@triton.jit
def _phase_kernel(p_x, stride_r, p_t, p_out, k, p_scr, p_n, LANES: tl.constexpr, WARPS: tl.constexpr,
                  PHASE: tl.constexpr, HI: tl.constexpr):
    row = tl.program_id(0)
    o = _select_tile(LANES, 0, WARPS)
    p_scr = p_scr + row.to(tl.int64) * 33
    p_orow = p_out + row.to(tl.int64) * k
    if PHASE >= 6:
        # as topk_register_kernel: the row's length from a bounds tensor, masked loads (7: and
        # the short-row branch around the select)
        n = tl.load(p_n + row)
        if PHASE >= 8:
            # the loads (8: and the keys) in a branch on whether the row fills the tile
            p_row = p_x + row.to(tl.int64) * stride_r
            if PHASE == 8:
                if n >= LANES:
                    ks = _order_key(tl.load(p_row + o)).to(tl.int32, bitcast=True) ^ -2147483648
                else:
                    x = tl.load(p_row + o, mask=o < n, other=0.0)
                    ks = tl.where(o < n, _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648,
                                  -2147483648)
            else:
                if n >= LANES:
                    x = tl.load(p_row + o)
                else:
                    x = tl.load(p_row + o, mask=o < n, other=0.0)
                ks = tl.where(o < n, _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648,
                              -2147483648)
            t_s = _kth_key(ks, k, p_scr, 1, 32, HI)
            _emit_top_warp(ks, t_s, o, k, p_orow, WARPS, True, True)
        elif PHASE == 7:
            if n <= k:
                _fill_identity(p_orow, n, k, 1024)
            else:
                x = tl.load(p_x + row.to(tl.int64) * stride_r + o, mask=o < n, other=0.0)
                ks = tl.where(o < n, _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648,
                              -2147483648)
                t_s = _kth_key(ks, k, p_scr, 1, 32, HI)
                _emit_top_warp(ks, t_s, o, k, p_orow, WARPS, True, True)
        else:
            x = tl.load(p_x + row.to(tl.int64) * stride_r + o, mask=o < n, other=0.0)
            ks = tl.where(o < n, _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648,
                          -2147483648)
            t_s = _kth_key(ks, k, p_scr, 1, 32, HI)
            _emit_top_warp(ks, t_s, o, k, p_orow, WARPS, True, True)
        return
    x = tl.load(p_x + row.to(tl.int64) * stride_r + o)
    ks = _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648
    if PHASE == 0:
        tl.store(p_t + row, tl.max(ks, 0))
    elif PHASE >= 4:  # 4, 5
        if HI == 0:
            tl.store(p_t + row, _adaptive_steps(ks, k, 32, PHASE == 5))
        else:
            tl.store(p_t + row, _interp_steps(ks, k, 32, PHASE == 5))
    elif PHASE == 1:
        tl.store(p_t + row, _kth_key(ks, k, p_scr, 1, 32, HI))
    else:
        if PHASE == 2:
            t_s = tl.load(p_t + row)
        else:
            t_s = _kth_key(ks, k, p_scr, 1, 32, HI)
        _emit_top_warp(ks, t_s, o, k, p_orow, WARPS, True, True)


VARIANTS = [  # name, phase, HI
    ("load", 0, 0), ("search_adapt", 1, 0), ("search_interp", 1, -1), ("emit", 2, 0),
    ("full_adapt", 3, 0), ("full_interp", 3, -1),
    # diagnostic copies without the bucket step: the first reduction alone, then with the steps
    ("adapt_steps", 5, 0), ("interp_steps", 5, -1),
    ("full_adapt_masked", 6, 0), ("full_adapt_branch", 7, 0),
    ("full_adapt_ldbranch_keys", 8, 0), ("full_adapt_ldbranch", 9, 0),
]


def main() -> None:
    rows, cols, k = (int(a) for a in (sys.argv[1:] + ["4096", "4096", "2048"][len(sys.argv) - 1:]))
    x = torch.randn(rows, cols, device="cuda")
    t = torch.empty(rows, dtype=torch.int32, device="cuda")
    t_exact = torch.empty(rows, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    scr = torch.empty(rows * 33, dtype=torch.int32, device="cuda")
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}"
          f"  {rows}x{cols} k={k}")
    want = torch.topk(x, k, dim=1).values.sort(dim=1).values
    # the exact threshold (signed key form) from torch: the k-th largest value's order key
    kth = want[:, 0].contiguous()
    b = kth.view(torch.int32)
    t_exact.copy_(torch.where(b >= 0, b, b ^ 0x7FFFFFFF))
    e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    for per, maxn in ((16, 64),):
        warps = max(1, cols // (32 * per))
        opt = {} if maxn is None else {"maxnreg": maxn}
        for name, phase, hi in VARIANTS:
            def call(phase=phase, hi=hi):
                return _phase_kernel[(rows,)](x, x.stride(0), t, out, k, scr, e, LANES=cols,
                                              WARPS=warps, PHASE=phase, HI=hi, num_warps=warps,
                                              **opt)
            if phase == 2:
                t.copy_(t_exact)
            out.fill_(-1)
            kern = call()
            check = ""
            if phase == 1:
                check = "ok" if torch.equal(t, t_exact) else "WRONG"
            elif phase == 5:
                check = f"steps {t.float().mean().item():.2f}"
            elif phase in (2, 3, 6, 7, 8, 9):
                got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
                check = "ok" if torch.equal(got, want) else "WRONG"
            us = graph_replay_us(call)
            print(f"keys/thread {per:3d} warps {warps:2d} maxnreg={maxn!s:>4} {name:>14}: "
                  f"{us:8.1f} us  regs={kern.n_regs} spills={kern.n_spills} {check}", flush=True)
    z = torch.zeros(rows, dtype=torch.int32, device="cuda")
    for name in ("v23", "v24_a"):
        us = graph_replay_us(lambda c=name: tk.top_k_per_row_prefill(x, z, e, out, k, config=c))
        print(f"production {name:>6}: {us:8.1f} us", flush=True)


if __name__ == "__main__":
    main()
