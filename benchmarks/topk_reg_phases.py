"""Where the time of top-k register mode goes (GPU), for v23/v24's kernel layout: the row as a
1-D ``_warp_lanes`` tile (each warp holds consecutive lanes), ballot ranks in the emit.

    python benchmarks/topk_reg_phases.py [rows] [cols] [k] [variant,variant,...]

Phase kernels load the row and make its order keys like ``topk_register_kernel``, then:
``load`` one max reduction; ``search_adapt`` / ``search_interp`` / ``search_v25`` the k-th key
(_kth_key: HI 0, v23's adaptive search; HI -1, the interpolating one, with v24's bucket or
v25's run to the end); ``emit`` the output from the exact threshold given (_emit_top_warp);
``full_*`` search then emit; ``*_masked`` / ``*_branch`` / ``*_ldbranch*`` as the production
kernel (the row's length from a tensor, masked loads, the short-row branch, the loads in a
branch on full rows). At 16 keys per thread (8 warps at 4096 columns) and v23's 64-register
cap. CUDA-graph replay us, registers and spills; each result is checked.
"""

import sys

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton.topk_kernels import (
    _emit_top_warp,
    _fill_identity,
    _kth_key,
    _select_tile,
    _signed_key,
)
from opdispatch.dispatch.bench import graph_replay_us


@triton.jit
def _masked_keys(p_row, o, n):
    """As topk_register_kernel's short rows: masked loads, empty lanes INT_MIN."""
    return tl.where(o < n, _signed_key(tl.load(p_row + o, mask=o < n, other=0.0)), -2147483648)


@triton.jit
def _select_emit(ks, o, k, p_scr, p_orow, WARPS: tl.constexpr, HI: tl.constexpr,
                 SMALL: tl.constexpr):
    """As topk_register_kernel: the threshold (_kth_key), then the warp emit."""
    _emit_top_warp(ks, _kth_key(ks, k, p_scr, 1, SMALL, HI), o, k, p_orow, WARPS, True, True)


@triton.jit
def _phase_kernel(p_x, stride_r, p_t, p_out, k, p_scr, p_n, LANES: tl.constexpr, WARPS: tl.constexpr,
                  PHASE: tl.constexpr, HI: tl.constexpr, SMALL: tl.constexpr):
    row = tl.program_id(0)
    o = _select_tile(LANES, 0, WARPS)
    p_row = p_x + row.to(tl.int64) * stride_r
    p_scr = p_scr + row.to(tl.int64) * 33
    p_orow = p_out + row.to(tl.int64) * k
    if PHASE >= 6:
        # as topk_register_kernel: the row's length from a bounds tensor, masked loads (7: and
        # the short-row branch around the select; 8: loads and keys in a branch on whether the
        # row fills the tile; 9: only the loads in that branch)
        n = tl.load(p_n + row)
        if PHASE == 8:
            if n >= LANES:
                ks = _signed_key(tl.load(p_row + o))
            else:
                ks = _masked_keys(p_row, o, n)
            _select_emit(ks, o, k, p_scr, p_orow, WARPS, HI, SMALL)
        elif PHASE == 9:
            if n >= LANES:
                x = tl.load(p_row + o)
            else:
                x = tl.load(p_row + o, mask=o < n, other=0.0)
            ks = tl.where(o < n, _signed_key(x), -2147483648)
            _select_emit(ks, o, k, p_scr, p_orow, WARPS, HI, SMALL)
        elif PHASE == 7:
            if n <= k:
                _fill_identity(p_orow, n, k, 1024)
            else:
                _select_emit(_masked_keys(p_row, o, n), o, k, p_scr, p_orow, WARPS, HI, SMALL)
        else:
            _select_emit(_masked_keys(p_row, o, n), o, k, p_scr, p_orow, WARPS, HI, SMALL)
        return
    ks = _signed_key(tl.load(p_row + o))
    if PHASE == 0:
        tl.store(p_t + row, tl.max(ks, 0))
    elif PHASE == 1:
        tl.store(p_t + row, _kth_key(ks, k, p_scr, 1, SMALL, HI))
    elif PHASE == 2:
        _emit_top_warp(ks, tl.load(p_t + row), o, k, p_orow, WARPS, True, True)
    else:
        _select_emit(ks, o, k, p_scr, p_orow, WARPS, HI, SMALL)


VARIANTS = [  # name, phase, HI, SMALL
    ("load", 0, 0, 32), ("search_adapt", 1, 0, 32), ("search_interp", 1, -1, 32),
    ("search_v25", 1, -1, 0), ("emit", 2, 0, 32),
    ("full_adapt", 3, 0, 32), ("full_interp", 3, -1, 32), ("full_v25", 3, -1, 0),
    ("full_adapt_masked", 6, 0, 32), ("full_adapt_branch", 7, 0, 32),
    ("full_adapt_ldbranch_keys", 8, 0, 32), ("full_adapt_ldbranch", 9, 0, 32),
    ("full_v25_ldbranch_keys", 8, -1, 0),
    # session 22: the lean interpolating search (HI -2, v28), with the bucket and to the end
    ("search_lean", 1, -2, 32), ("search_lean_v25", 1, -2, 0), ("full_lean", 3, -2, 32),
    ("full_lean_v25", 3, -2, 0), ("full_lean_ldbranch_keys", 8, -2, 32),
]
if len(sys.argv) > 4:   # a subset of the variants by name: ... rows cols k name,name,...
    VARIANTS = [v for v in VARIANTS if v[0] in sys.argv[4].split(",")]


def _signed_keys(x):
    b = x.view(torch.int32)
    return torch.where(b >= 0, b, b ^ 0x7FFFFFFF)


def main() -> None:
    rows, cols, k = (int(a) for a in (sys.argv[1:4] + ["4096", "4096", "2048"][len(sys.argv[1:4]):]))
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
    t_exact.copy_(_signed_keys(kth))
    e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    for per, maxn in ((16, 64),):
        warps = max(1, cols // (32 * per))
        opt = {} if maxn is None else {"maxnreg": maxn}
        for name, phase, hi, small in VARIANTS:
            def call(phase=phase, hi=hi, small=small):
                return _phase_kernel[(rows,)](x, x.stride(0), t, out, k, scr, e, LANES=cols,
                                              WARPS=warps, PHASE=phase, HI=hi, SMALL=small,
                                              num_warps=warps,
                                              **opt)
            if phase == 2:
                t.copy_(t_exact)
            out.fill_(-1)
            kern = call()
            check = ""
            if phase == 1 and small:
                check = "ok" if torch.equal(t, t_exact) else "WRONG"
            elif phase == 1:    # v25: T, or a threshold with exactly k keys at or above it
                ge = (_signed_keys(x) >= t[:, None]).sum(1)
                check = "ok" if bool(((t == t_exact) | (ge == k)).all()) else "WRONG"
            elif phase in (2, 3, 6, 7, 8, 9):
                got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
                check = "ok" if torch.equal(got, want) else "WRONG"
            us = graph_replay_us(call)
            print(f"keys/thread {per:3d} warps {warps:2d} maxnreg={maxn!s:>4} {name:>14}: "
                  f"{us:8.1f} us  regs={kern.n_regs} spills={kern.n_spills} {check}", flush=True)
    z = torch.zeros(rows, dtype=torch.int32, device="cuda")
    for name in ("v26", "v28_r"):
        us = graph_replay_us(lambda c=name: tk.top_k_per_row_prefill(x, z, e, out, k, config=c))
        print(f"production {name:>6}: {us:8.1f} us", flush=True)


if __name__ == "__main__":
    main()
