"""Diagnostic (GPU): where the v3 finish's time goes, phase by phase, for one program per row.

    python benchmarks/topk_finish_phases.py

The finish kernel (``topk_split_finish_kernel`` with USE_SAMPLE) loads a row's candidate
segments into registers, finds the k-th largest key (``_kth_key``) and writes the top k
(``_emit_top``). This script rebuilds the segments of the decode shapes' sample pass with
PyTorch (random rows; the candidates are the row's keys above its r-th largest, as the
compaction writes them: (order key, column) in column order per slice) and runs a copy of
the finish's select that reads ``%clock64`` after each phase (behind a block barrier), so the
cycles of loading, searching and emitting print separately, for several select variants
(search steps before the bucket, bits per step, warps, 1-D or 2-D emit). Every variant's
output is checked against torch.topk as sets.
"""

import torch
import triton
import triton.language as tl

from opdispatch.backends.triton.topk_kernels import _emit_top, _emit_top_warp, _kth_key, _select_tile
from opdispatch.dispatch.bench import graph_replay_us


@triton.jit
def _clock():
    return tl.inline_asm_elementwise("mov.u64 $0, %clock64;", "=l", [], dtype=tl.int64,
                                     is_pure=False, pack=1)


@triton.jit
def finish_phases_kernel(p_sck, p_sci, p_scnt, n_split, cap_s, k, p_out, stride_or, p_scr, p_t,
                         n_all,
                         LANES: tl.constexpr, SEL: tl.constexpr, SMALL: tl.constexpr,
                         HI: tl.constexpr, THREADS: tl.constexpr, WARP: tl.constexpr = 0,
                         WASM: tl.constexpr = False):
    row = tl.program_id(0)
    tl.debug_barrier()
    c0 = _clock()
    o = _select_tile(LANES, THREADS, WARP)
    seg = o // cap_s
    last_n = tl.load(p_scnt + row * n_split + n_split - 1)
    m_src = (n_split - 1) * cap_s + last_n
    in_range = o < m_src
    seg_n = tl.load(p_scnt + row * n_split + seg, mask=in_range, other=0)
    valid = in_range & ((o - seg * cap_s) < seg_n)
    base = row.to(tl.int64) * n_split * cap_s
    ks = tl.load(p_sck + base + o, mask=valid, other=0) ^ -2147483648
    if THREADS > 0:                                   # the loads have landed
        touch = tl.max(tl.max(ks, 1), 0)
    else:
        touch = tl.max(ks, 0)
    tl.debug_barrier()
    c1 = _clock()
    t_s = _kth_key(ks, k, p_scr + row * (SMALL + 1), SEL, SMALL, HI, n_all)
    tl.debug_barrier()
    c2 = _clock()
    p_orow = p_out + row.to(tl.int64) * stride_or
    idx = tl.load(p_sci + base + o, mask=ks >= t_s, other=0)
    if WARP > 0:
        _emit_top_warp(ks, t_s, idx, k, p_orow, WARP, WASM)
    else:
        _emit_top(ks, t_s, idx, k, p_orow, THREADS > 0)
    tl.debug_barrier()
    c3 = _clock()
    tl.store(p_t + row * 4 + tl.arange(0, 4),
             tl.where(tl.arange(0, 4) == 0, c1 - c0, tl.where(tl.arange(0, 4) == 1, c2 - c1,
                      tl.where(tl.arange(0, 4) == 2, c3 - c2, touch.to(tl.int64) * 0))))


def order_key(x: torch.Tensor) -> torch.Tensor:
    b = x.view(torch.int32)
    return torch.where(b >= 0, b | -2147483648, ~b)


def segments(x: torch.Tensor, k: int, split: int, cap_s: int, r: int):
    """(keys, cols, counts) as the sample compaction writes them, threshold = r-th largest."""
    rows, cols = x.shape
    chunk = cols // split
    thr = torch.topk(x, r, dim=1).values[:, -1:]
    keys = torch.zeros(rows, split, cap_s, dtype=torch.int32, device=x.device)
    idx = torch.zeros_like(keys)
    cnt = torch.zeros(rows, split, dtype=torch.int32, device=x.device)
    hit = x >= thr
    for s in range(split):
        h = hit[:, s * chunk:(s + 1) * chunk]
        pos = torch.cumsum(h.int(), 1) - 1
        cnt[:, s] = h.sum(1)
        assert int(cnt[:, s].max()) <= cap_s
        rr, cc = h.nonzero(as_tuple=True)
        keys[rr, s, pos[rr, cc]] = order_key(x[rr, s * chunk + cc])
        idx[rr, s, pos[rr, cc]] = (s * chunk + cc).int()
    return keys, idx, cnt


def main() -> None:
    dev = "cuda"
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    # (rows, cols, k, slices, segment lanes, candidates per row); one slice of 4096 lanes: the
    # same candidates gathered into contiguous lanes (what a finish that packs them would see)
    for rows, cols, k, split, cap_s, r in ((1, 131072, 2048, 64, 128, 3648),
                                          (1, 131072, 2048, 1, 4096, 3648),
                                          (8, 131072, 2048, 64, 128, 3648),
                                          (1, 131072, 512, 64, 128, 1300),
                                          (64, 131072, 2048, 8, 1024, 4600)):
        g = torch.Generator(device=dev).manual_seed(rows)
        x = torch.randn(rows, cols, device=dev, generator=g)
        keys, idx, cnt = segments(x, k, split, cap_s, r)
        lanes = triton.next_power_of_2(split * cap_s)
        want = torch.topk(x, k, dim=1).indices.sort(1).values
        print(f"== {rows}x{cols} k={k}: {split} slices x {cap_s} lanes, {r} candidates per row")
        # (name, warps, SEL, SMALL, HI, THREADS, WARP emit, ballots); v46's finish: lean
        # interpolating search (HI -3), 32-key bucket, warp emit with ballots
        for name, warps, sel, small, hi, threads, warp, wasm in (
                ("v46 (hi -3, small 32, warp)", 16, 1, 32, -3, 0, 16, True),
                ("v46 at 8 warps", 8, 1, 32, -3, 0, 8, True),
                ("v46 at 4 warps", 4, 1, 32, -3, 0, 4, True),
                ("v48 (hi -4: tail fit)", 16, 1, 32, -4, 0, 16, True),
                ("v48_s64 (tail fit, small 64)", 16, 1, 64, -4, 0, 16, True),
                ("v46_s64 (small 64)", 16, 1, 64, -3, 0, 16, True),
                ("v48_s64 at 8 warps", 8, 1, 64, -4, 0, 8, True),
                ("hi -3, block-scan emit", 16, 1, 32, -3, 0, 0, False),
                ("hi -2 (lean, no min/max)", 16, 1, 32, -2, 0, 16, True),
                ("adaptive (hi 0, small 32)", 16, 1, 32, 0, 0, 16, True)):
            if lanes > 32 * warps * 32 or lanes < 32 * warps:
                continue
            out = torch.full((rows, k), -1, dtype=torch.int32, device=dev)
            scr = torch.zeros(rows * (small + 1), dtype=torch.int32, device=dev)
            t = torch.zeros(rows, 4, dtype=torch.int64, device=dev)

            def call(out=out, scr=scr, t=t, warps=warps, sel=sel, small=small, hi=hi,
                     threads=threads, warp=warp, wasm=wasm):
                finish_phases_kernel[(rows,)](keys, idx, cnt, split, cap_s, k, out, out.stride(0),
                                              scr, t, cols, LANES=lanes, SEL=sel, SMALL=small, HI=hi,
                                              THREADS=threads, WARP=warp, WASM=wasm,
                                              num_warps=warps)
            try:
                call()
                ok = torch.equal(out.sort(1).values, want)
                us = graph_replay_us(call)
                call()
                ph = t[:, :3].double().mean(0).tolist()
                print(f"  {name:>28}: {us:6.2f} us/launch  cycles load {ph[0]:7.0f} search "
                      f"{ph[1]:7.0f} emit {ph[2]:7.0f}  exact={ok}", flush=True)
            except Exception as exc:   # report and go on
                print(f"  {name:>28}: ERR {type(exc).__name__} {str(exc)[:300]}", flush=True)


if __name__ == "__main__":
    main()
