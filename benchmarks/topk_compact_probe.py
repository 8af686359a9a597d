"""Diagnostic (GPU, session 30): where the time of the v3 compaction goes at one program per row
(the shapes of v12's one launch: >= 528 rows of 8192-65536 columns).

    python benchmarks/topk_compact_probe.py [ROWSxCOLSxK ...]

Session 30's kernel timeline of the two-kernel path at 4096x32768 k=2048 put the compaction
kernel (its own sample threshold, then the lean loop) at 334-368 us against a 179 us floor for
reading the logits once, and the finish at 152 us. This script times phase kernels built from
the production helpers, one program per row (8 warps, 2048-column tiles), CUDA-graph us:

- ``read``: the row's full tiles loaded and counted against a fixed threshold (the streaming
  ceiling of this grid);
- ``c2d``: the lean compaction (``_compact_slice``: [256, 8] tiles, in-thread prefix sums and
  a block scan per tile; LEAN, PREFETCH) from a threshold given per row;
- ``cwarp``: the warp compaction (``_compact_slice_warp``: ballot ranks, one sub-segment per
  warp, no barrier per tile) from the same threshold;
- ``samp``: the sample threshold alone (``_sample_threshold``, 2048 columns, 2 bits a step);
- ``samp_c2d`` / ``samp_cwarp``: the sample threshold, then that compaction (the two-kernel
  path's compaction is ``samp_c2d``; with ``_l2``: the sample's loads evict_last and the row's
  evict_first, sample_l2).

The fixed threshold is the value whose order key has the top half of ``x_k``, the k-th largest
of a row's expected N(0, 1) values with the sample's margin, so the candidates number about as
many as the production path's. Every compaction's counts are checked against PyTorch's.
"""

import sys

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton.topk_kernels import (
    _compact_slice,
    _compact_slice_warp,
    _load_full,
    _sample_threshold,
    _t16_float,
)
from opdispatch.dispatch.bench import alternated_graph_us


@triton.jit
def probe_kernel(p_x, n, p_t16, p_k, p_i, p_cnt, cap_s, k,
                 MODE: tl.constexpr, BLOCK: tl.constexpr, THREADS: tl.constexpr,
                 WARPS: tl.constexpr, SAMPLE: tl.constexpr, SIGMA: tl.constexpr,
                 L2: tl.constexpr, FAKE: tl.constexpr = False, ROWS: tl.constexpr = 0,
                 GROUP: tl.constexpr = 1):
    if ROWS > 0:
        # persistent: tl.num_programs(0) programs, each taking rows pid, pid + P, ...
        for row in range(tl.program_id(0), ROWS, tl.num_programs(0)):
            _probe_row(p_x, n, p_t16, p_k, p_i, p_cnt, cap_s, k, row, MODE, BLOCK, THREADS,
                       WARPS, SAMPLE, SIGMA, L2, FAKE, GROUP)
    else:
        _probe_row(p_x, n, p_t16, p_k, p_i, p_cnt, cap_s, k, tl.program_id(0), MODE, BLOCK,
                   THREADS, WARPS, SAMPLE, SIGMA, L2, FAKE, GROUP)


@triton.jit
def _probe_row(p_x, n, p_t16, p_k, p_i, p_cnt, cap_s, k, row, MODE: tl.constexpr,
               BLOCK: tl.constexpr, THREADS: tl.constexpr, WARPS: tl.constexpr,
               SAMPLE: tl.constexpr, SIGMA: tl.constexpr, L2: tl.constexpr,
               FAKE: tl.constexpr, GROUP: tl.constexpr):
    row64 = row.to(tl.int64)
    p_row = p_x + row64 * n
    if MODE >= 3:
        # FAKE: the sample from one of 8 rows (in L2 after the first calls): the search's cost
        # without the sample's DRAM reads
        p_smp = p_x + (row64 % 8) * n if FAKE else p_row
        t16 = _sample_threshold(p_smp, 1, n, k, SAMPLE, True, 2, GROUP, SIGMA,
                                2 if L2 else 0)
    else:
        t16 = tl.load(p_t16 + row)
    ev = 1 if L2 else 0
    p_k = p_k + row64 * cap_s
    p_i = p_i + row64 * cap_s
    if MODE == 0:
        thr = _t16_float(t16)
        acc = tl.zeros([BLOCK], dtype=tl.int32)
        for i in range(n // BLOCK):
            x = _load_full(p_row, 1, i * BLOCK + tl.arange(0, BLOCK), True, ev)
            acc += ((x < thr) == 0).to(tl.int32)
        tl.store(p_cnt + row, tl.sum(acc, 0))
    elif MODE == 3:
        tl.store(p_cnt + row, t16)
    elif (MODE == 1) or (MODE == 4):
        seen = _compact_slice(p_row, 1, 0, n, t16, p_k, p_i, cap_s, BLOCK, THREADS, False, True,
                              ev, True, True)
        tl.store(p_cnt + row, seen)
    else:
        seen3, n_bad = _compact_slice_warp(p_row, 1, 0, n, _t16_float(t16), p_k, p_i,
                                           cap_s // WARPS, BLOCK, WARPS, True, ev, True)
        tot = tl.sum(tl.sum(seen3, 1), 0) // 32
        tl.store(p_cnt + row, tot + n_bad * 1000000)


MODES = {"read": 0, "c2d": 1, "cwarp": 2, "samp": 3, "samp_c2d": 4, "samp_cwarp": 5}


def main() -> None:
    specs = sys.argv[1:] or ["4096x32768x2048", "4096x8192x2048"]
    dev = torch.device("cuda")
    print(torch.cuda.get_device_name(), "torch", torch.__version__, "triton", triton.__version__)
    for spec in specs:
        rows, cols, k = (int(v) for v in spec.split("x"))
        torch.manual_seed(0)
        x = torch.randn(rows, cols, device=dev)
        sample = 2048
        e = sample * k / cols
        r = e + 8 * e ** 0.5 + 2
        # the fixed threshold: the normal quantile of the sample rank's fraction (x_k's margin)
        q = torch.tensor(1.0 - r / sample, dtype=torch.float64)
        xk = float(torch.special.ndtri(q))
        bits = torch.tensor([xk], dtype=torch.float32).view(torch.int32).item()
        t16v = ((bits >> 16) & 0xFFFF) | 0x8000 if xk >= 0 else (~bits >> 16) & 0xFFFF
        t16 = torch.full((rows,), t16v, dtype=torch.int32, device=dev)
        cap_s = 8192
        pk = torch.empty(rows * cap_s, dtype=torch.int32, device=dev)
        pi = torch.empty_like(pk)
        cnt = torch.empty(rows, dtype=torch.int32, device=dev)
        fns = {}
        sms = torch.cuda.get_device_properties(dev).multi_processor_count
        variants = [(name, mode, l2, False, 0) for name, mode in MODES.items()
                    for l2 in (False, True) if mode >= 3 or not l2]
        # the sample from L2 (its search alone, and with each compaction)
        variants += [(f"{name}_fake", mode, False, True, 0) for name, mode in MODES.items()
                     if mode >= 3]
        # persistent grids of P programs per SM (fewer rows in flight: the sample's sectors
        # may stay in L2 until the compaction reads them)
        variants += [(f"samp_c2d_l2_p{p}", 4, True, False, p) for p in (1, 2, 3, 4)]
        variants += [(f"c2d_p{p}", 1, False, False, p) for p in (2, 4)]
        variants = [v + (8, sample, 1) for v in variants]
        # call 6: 16 warps a program (half the rows in flight); samples of 1024 / 512 single
        # columns (fewer 64-byte pieces touched) and of runs of 8 columns (one sector a run)
        variants += [("samp_c2d_l2_w16", 4, True, False, 0, 16, sample, 1),
                     ("c2d_w16", 1, False, False, 0, 16, sample, 1),
                     ("samp_s1024", 3, False, False, 0, 8, 1024, 1),
                     ("samp_s512", 3, False, False, 0, 8, 512, 1),
                     ("samp_g8", 3, False, False, 0, 8, sample, 8),
                     ("samp_g8_c2d_l2", 4, True, False, 0, 8, sample, 8),
                     ("samp_s1024_c2d_l2", 4, True, False, 0, 8, 1024, 1)]
        for name, mode, l2, fake, per_sm, warps, smp, grp in variants:
            if True:
                def fn(mode=mode, l2=l2, fake=fake, per_sm=per_sm, warps=warps, smp=smp,
                       grp=grp):
                    grid = (min(rows, sms * per_sm),) if per_sm else (rows,)
                    return probe_kernel[grid](x, cols, t16, pk, pi, cnt, cap_s, k, MODE=mode,
                                              BLOCK=256 * warps, THREADS=32 * warps,
                                              WARPS=warps, SAMPLE=smp, SIGMA=8, L2=l2,
                                              FAKE=fake, ROWS=rows if per_sm else 0,
                                              GROUP=grp, num_warps=warps)
                h = fn()
                torch.cuda.synchronize()
                print(f"  {spec} {name}: {h.n_regs} registers, {h.n_spills} spills")
                if mode in (1, 2) and not per_sm:
                    thr = torch.tensor([t16v << 16], dtype=torch.int64)
                    # the threshold's float: the smallest with that top half (positive here)
                    tf = torch.tensor([(t16v & 0x7FFF) << 16], dtype=torch.int32).view(
                        torch.float32).item()
                    want = (x >= tf).sum(1).to(torch.int32)
                    ok = torch.equal(cnt, want)
                    print(f"check {spec} {name}: {'ok' if ok else 'FAIL'} "
                          f"(mean candidates {want.float().mean().item():.0f}, thr {tf:.4f})")
                    del thr
                fns[name + ("_l2" if l2 and not per_sm else "")] = fn
        times = alternated_graph_us(fns, 3)
        for name, runs in times.items():
            med = sorted(runs)[1]
            print(f"{spec:>16} {name:>14}: {med:8.1f} us  "
                  f"({', '.join(f'{t:.1f}' for t in runs)})  "
                  f"{rows * cols * 4 / med / 1e6:.2f} TB/s")


if __name__ == "__main__":
    main()
