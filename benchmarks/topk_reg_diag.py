"""Where the time of top-k register mode goes (GPU): the register kernel split into phases.

    python benchmarks/topk_reg_diag.py [rows] [cols] [k]

Each phase kernel loads the row and makes its order keys like ``topk_register_kernel``, then:
``load`` one max reduction; ``search*`` the k-th key (_kth_key with the given SEL / SMALL /
HI); ``emit`` the output from a threshold precomputed by the exact search (_emit_top);
``full*`` search then emit in one kernel. ``v7`` is the production kernel through the backend.
CUDA-graph replay us, registers and spills, with and without a register cap (maxnreg).

Session 7 also timed (4096x4096 k=2048) variants since removed: the rows as [threads, 32]
tiles with in-thread sums (search 321.6 us against 115.9 for 1-D), the bucket compacted by a
block scan instead of an atomic counter (130.9 against 117.0 at 16 bits), and thread-major
emit positions (130.2 against 66.1); see docs/benchmarks.md.
"""

import dataclasses
import sys

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton import topk as tk
from opdispatch.backends.triton.topk_kernels import _emit_top, _kth_key, _order_key
from opdispatch.dispatch.bench import graph_replay_us


@triton.jit
def _phase_kernel(p_x, stride_r, p_t, p_out, k, p_scr, LANES: tl.constexpr, PHASE: tl.constexpr,
                  SEL: tl.constexpr, SMALL: tl.constexpr, HI: tl.constexpr):
    row = tl.program_id(0)
    o = tl.arange(0, LANES)
    x = tl.load(p_x + row.to(tl.int64) * stride_r + o)
    ks = _order_key(x).to(tl.int32, bitcast=True) ^ -2147483648
    p_scr = p_scr + row.to(tl.int64) * (SMALL + 1)
    p_orow = p_out + row.to(tl.int64) * k
    if PHASE == 0:
        tl.store(p_t + row, tl.max(ks, 0))
    elif PHASE == 1:
        tl.store(p_t + row, _kth_key(ks, k, p_scr, SEL, SMALL, HI))
    else:
        if PHASE == 2:
            t_s = tl.load(p_t + row)
        else:
            t_s = _kth_key(ks, k, p_scr, SEL, SMALL, HI)
        _emit_top(ks, t_s, o, k, p_orow)


VARIANTS = [  # name, phase, SEL, SMALL, HI
    ("load", 0, 1, 0, 16),
    ("search32", 1, 1, 0, 16),
    ("search_sel2", 1, 2, 0, 16),
    ("search_2l_h16", 1, 1, 64, 16),
    ("search_2l_h12", 1, 1, 64, 12),
    ("emit", 2, 1, 0, 16),
    ("full32", 3, 1, 0, 16),
    ("full_2l_h12", 3, 1, 64, 12),
]


def main() -> None:
    rows, cols, k = (int(a) for a in (sys.argv[1:] + ["4096", "4096", "2048"][len(sys.argv) - 1:]))
    x = torch.randn(rows, cols, device="cuda")
    t = torch.empty(rows, dtype=torch.int32, device="cuda")
    t_exact = torch.empty(rows, dtype=torch.int32, device="cuda")
    out = torch.empty(rows, k, dtype=torch.int32, device="cuda")
    scr = torch.empty(rows * 65, dtype=torch.int32, device="cuda")
    warps = max(1, min(16, cols // 1024))
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}"
          f"  {rows}x{cols} k={k}, {warps} warps")
    want = torch.topk(x, k, dim=1).values.sort(dim=1).values
    common = dict(LANES=cols, num_warps=warps)
    _phase_kernel[(rows,)](x, x.stride(0), t_exact, out, k, scr, PHASE=1, SEL=1, SMALL=0, HI=16,
                           **common)
    for maxn in (None, 80):
        opt = {} if maxn is None else {"maxnreg": maxn}
        for name, phase, sel, small, hi in VARIANTS:
            def call(phase=phase, sel=sel, small=small, hi=hi):
                return _phase_kernel[(rows,)](x, x.stride(0), t, out, k, scr, PHASE=phase,
                                              SEL=sel, SMALL=small, HI=hi, **common, **opt)
            if phase == 2:
                t.copy_(t_exact)
            kern = call()
            check = ""
            if phase == 1:
                check = "ok" if torch.equal(t, t_exact) else "WRONG"
            elif phase >= 2:
                got = x.gather(1, out.long().clamp(min=0)).sort(dim=1).values
                check = "ok" if torch.equal(got, want) else "WRONG"
            us = graph_replay_us(call)
            print(f"maxnreg={maxn!s:>4} {name:>22}: {us:8.1f} us  regs={kern.n_regs} "
                  f"spills={kern.n_spills} {check}", flush=True)
        c = dataclasses.replace(tk.CONFIGS["v7"], reg_maxnreg=maxn or 0)
        z = torch.zeros(rows, dtype=torch.int32, device="cuda")
        e = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
        us = graph_replay_us(lambda c=c: tk.top_k_per_row_prefill(x, z, e, out, k, config=c))
        print(f"maxnreg={maxn!s:>4} {'v7':>22}: {us:8.1f} us", flush=True)


if __name__ == "__main__":
    main()
