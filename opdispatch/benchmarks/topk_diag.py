"""Diagnostics of the Triton top-k on the GPU: what each building block costs.

    python -m opdispatch.benchmarks.topk_diag [--out DIR]

1. Micro-kernels over 4096x32768 float32 (one program per row, BLOCK columns per iteration):
   stream only, + coarse digit, + tl.histogram (32 / 64 / 256 bins), + the compaction scan.
   Their times say which step of the radix select is the bottleneck.
2. Host cost of one launcher call (plan, workspace allocation, launches), in us of CPU time.
3. Resources (registers, spills, shared memory) of every compiled top-k kernel; TTGIR/PTX of
   the row kernel written to DIR.
Not loaded by ``opdispatch bench``.
"""

from __future__ import annotations

import argparse
import os
import time

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton.topk_kernels import _coarse_digit, _order_key
from opdispatch.dispatch.bench import graph_replay_us as _time  # one CUDA-graph timer


@triton.jit
def _mb_kernel(p_x, p_y, cols, MODE: tl.constexpr, NB: tl.constexpr, BLOCK: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)
    p_row = p_x + row * cols
    acc = tl.zeros([BLOCK], dtype=tl.int32)
    hist = tl.zeros([NB], dtype=tl.int32)
    seen = 0
    for off in range(0, cols, BLOCK):
        o = off + tl.arange(0, BLOCK)
        x = tl.load(p_row + o, mask=o < cols, other=0.0)
        if MODE == 0:       # stream
            acc += (x > 1.5).to(tl.int32)
        elif MODE == 1:     # + coarse digit
            acc += _coarse_digit(x)
        elif MODE == 2:     # + histogram of NB bins
            hist += tl.histogram(_coarse_digit(x) & (NB - 1), NB)
        elif MODE == 3:     # + compaction scan and scattered store (the compaction pass)
            d = _coarse_digit(x)
            m_gt = d > 190
            m_eq = d == 190
            packed = m_gt.to(tl.int32) + m_eq.to(tl.int32) * 65536
            inc = tl.cumsum(packed, 0)
            tl.store(p_y + row * cols + seen + (inc & 65535) - 1, o, mask=m_gt)
            seen += tl.sum(packed, 0) & 65535
        elif MODE == 4:     # + compaction via sum only (no scan)
            d = _coarse_digit(x)
            seen += tl.sum((d > 190).to(tl.int32), 0)
        elif MODE == 5:     # v3 main pass, count only: order key >= threshold, block sum
            key = _order_key(x)
            seen += tl.sum(((key >> 16).to(tl.int32) >= 49094).to(tl.int32), 0)
        elif MODE == 6:     # v3 main pass: + cumsum positions and (key, column) stores
            key = _order_key(x)
            hit = (key >> 16).to(tl.int32) >= 49094        # ~x >= 1.55: ~6% of randn
            h = hit.to(tl.int32)
            pos = seen + tl.cumsum(h, 0) - 1
            tl.store(p_y + row * cols + pos, key.to(tl.int32, bitcast=True), mask=hit)
            tl.store(p_y + row * cols + cols // 2 + pos, o, mask=hit)
            seen += tl.sum(h, 0)
    if MODE == 2:
        tl.store(p_y + row * NB + tl.arange(0, NB), hist)
    elif MODE >= 3:
        tl.store(p_y + row, seen)
    else:
        tl.store(p_y + row * BLOCK + tl.arange(0, BLOCK), acc)

def micro(rows=4096, cols=32768):
    x = torch.randn(rows, cols, device="cuda")
    y = torch.empty(rows * max(cols, 8192), dtype=torch.int32, device="cuda")
    print(f"micro-kernels over {rows}x{cols} fp32 ({rows * cols * 4 / 3.0e6:.0f} us at 3 TB/s)")
    names = {0: "stream", 1: "digit", 2: "hist", 3: "scan+store", 4: "sum", 5: "v3 count",
             6: "v3 compact"}
    for mode, nb in [(0, 32), (2, 256), (3, 32), (4, 32), (5, 32), (6, 32)]:
        cells = []
        for block, warps in [(2048, 4), (4096, 8), (4096, 16), (8192, 16)]:
            try:
                t = _time(lambda: _mb_kernel[(rows,)](x, y, cols, MODE=mode, NB=nb, BLOCK=block,
                                                      num_warps=warps))
                cells.append(f"{block}/{warps}w {t:8.1f}")
            except Exception as exc:  # report and go on
                cells.append(f"{block}/{warps}w ERR {type(exc).__name__}")
        print(f"  {names[mode]:>10} nb={nb:<4} " + "  ".join(cells), flush=True)


def v3_pass(rows=4096, cols=32768, k=2048):
    """The v3 sample + compaction kernel alone (threshold from the sample, real stores)."""
    from opdispatch.backends.triton.topk_kernels import topk_sample_compact_kernel
    x = torch.randn(rows, cols, device="cuda")
    starts = torch.zeros(rows, dtype=torch.int32, device="cuda")
    ends = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
    cap_s = 4096
    sck = torch.empty(rows * cap_s, dtype=torch.int32, device="cuda")
    sci = torch.empty_like(sck)
    scnt = torch.empty(rows, dtype=torch.int32, device="cuda")
    print(f"v3 sample+compact kernel alone, {rows}x{cols} k={k} (graph us)")
    for sample in (256, 1024, 2048):
        for skip in (False, True):
            cells = []
            for block, warps in [(1024, 4), (2048, 4), (4096, 8), (2048, 8)]:
                try:
                    t = _time(lambda: topk_sample_compact_kernel[(rows, 1)](
                        x, cols, 1, starts, ends, starts, 1, cols, cols, sck, sci, scnt, cap_s,
                        k, scnt, IS_DECODE=False, COL_CONTIG=True, BLOCK=block, SAMPLE=sample,
                        SKIP_EMPTY=skip, T_GIVEN=False, THREADS=0,
                        num_warps=warps))
                    cells.append(f"{block}/{warps}w {t:7.1f}")
                except Exception as exc:  # report and go on
                    cells.append(f"{block}/{warps}w ERR {type(exc).__name__}")
            c = scnt.float()
            print(f"  S={sample:<5} skip={int(skip)} " + "  ".join(cells)
                  + f"  | count min/mean/max {c.min():.0f}/{c.mean():.0f}/{c.max():.0f}",
                  flush=True)


def host_cost():
    from opdispatch.backends.triton import topk as tk
    from opdispatch.ops.topk import TopKPerRowDecode
    for rows, cols in [(1, 131072), (4096, 32768)]:
        x = torch.randn(rows, cols, device="cuda")
        seq = torch.full((rows,), cols, dtype=torch.int32, device="cuda")
        out = torch.empty((rows, 2048), dtype=torch.int32, device="cuda")
        op = TopKPerRowDecode(provider="triton")
        fns = {
            "plan": lambda: tk.plan(rows, cols, 2048, x.device),
            "empty": lambda: torch.empty((2, rows, 2048), dtype=torch.int32, device="cuda"),
            "launcher": lambda: tk.top_k_per_row_decode(x, seq, out, 1, 2048),
            "op": lambda: op(x, 1, seq, 2048, out=out),
        }
        for name, fn in fns.items():
            fn()
            torch.cuda.synchronize()
            n = 200
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            t1 = time.perf_counter()
            torch.cuda.synchronize()
            print(f"  host {rows}x{cols} {name:>9}: {(t1 - t0) / n * 1e6:7.1f} us/call")


def resources(out_dir):
    from opdispatch.backends.triton import topk_kernels as K
    for name in ("topk_rows_kernel", "topk_split_hist_kernel", "topk_split_compact_kernel",
                 "topk_split_finish_kernel", "topk_row_kernel", "topk_sample_compact_kernel"):
        fn = getattr(K, name, None)
        if fn is None:
            continue
        for caches in getattr(fn, "device_caches", {}).values():
            for ck in caches[0].values():
                md = ck.metadata
                print(f"  {name:>28} warps={md.num_warps} regs={ck.n_regs} spills={ck.n_spills} "
                      f"smem={md.shared}")
                if out_dir and name in ("topk_rows_kernel", "topk_row_kernel"):
                    with open(os.path.join(out_dir, f"{name}_{md.num_warps}w.ttgir"), "w") as f:
                        f.write(ck.asm.get("ttgir", ""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=os.environ.get("OUT", ""))
    parser.add_argument("--skip-micro", action="store_true")
    parser.add_argument("--skip-host", action="store_true")
    args = parser.parse_args()
    print(f"{torch.cuda.get_device_name()}  torch {torch.__version__}  triton {triton.__version__}")
    if not args.skip_micro:
        micro()
    v3_pass()
    if not args.skip_host:
        host_cost()
    resources(args.out)


if __name__ == "__main__":
    main()
