"""Kernel timeline of one top-k call under CUDA-graph replay (GPU): when each launch starts
and ends relative to the call's first kernel, medians over replays. With programmatic
dependent launch the kernels overlap, so their summed durations (kernel_breakdown.py) are not
the call's time; this shows the critical path.

    python benchmarks/topk_timeline.py CONFIG[,CONFIG...] ROWSxCOLSxK[d] ...

A trailing ``d`` runs the decode op (rows start at column 0). Random normal logits (seed 0).
Per kernel: median start, median end and median duration in us (the end of the last kernel is
the call's GPU span without the graph's launch).
"""

import statistics
import sys

import torch
import triton
from torch.profiler import ProfilerActivity, profile

from benchmarks.topk_config_ab import make_case


def _kernels(prof):
    """(name, start us, duration us) of every GPU kernel record, in start order."""
    out = []
    for e in prof.profiler.kineto_results.events():
        if e.device_type() != torch.autograd.DeviceType.CUDA:
            continue
        out.append((e.name(), e.start_ns() / 1e3, e.duration_ns() / 1e3))
    return sorted(out, key=lambda r: r[1])


def timeline(call, reps: int = 30) -> list[tuple[str, float, float, float]]:
    g = torch.cuda.CUDAGraph()
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            call()
    torch.cuda.current_stream().wait_stream(s)
    with torch.cuda.graph(g):
        call()
    for _ in range(5):
        g.replay()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(reps):
            g.replay()
            torch.cuda.synchronize()   # one call per window: starts are relative to its first kernel
    ks = _kernels(prof)
    per = len(ks) // reps
    if per == 0:
        return []
    cols: dict[int, list] = {i: [] for i in range(per)}
    for r in range(reps):
        grp = ks[r * per:(r + 1) * per]
        t0 = grp[0][1]
        for i, (name, st, du) in enumerate(grp):
            cols[i].append((name, st - t0, st - t0 + du, du))
    rows = []
    for i in range(per):
        name = cols[i][0][0]
        rows.append((name, statistics.median(c[1] for c in cols[i]),
                     statistics.median(c[2] for c in cols[i]),
                     statistics.median(c[3] for c in cols[i])))
    return rows


def main() -> None:
    names = sys.argv[1].split(",")
    print(f"{torch.cuda.get_device_name()} torch {torch.__version__} triton {triton.__version__}")
    g = torch.Generator(device="cuda").manual_seed(0)
    for spec in sys.argv[2:]:
        _, _, _, call = make_case(spec, g)
        for name in names:
            print(f"== {spec} {name}", flush=True)
            for kname, st, en, du in timeline(lambda name=name: call(name)):
                print(f"   start {st:7.2f}  end {en:7.2f}  dur {du:7.2f}  {kname[:70]}", flush=True)


if __name__ == "__main__":
    main()
