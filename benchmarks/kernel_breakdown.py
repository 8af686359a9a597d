"""Per-kernel GPU time of one library call, for any registered benchmark case: which of an op's
launches (top-k's threshold, compaction, histogram and finish kernels; mHC's fn split and two
phases; a memset) takes the time. From torch.profiler's kernel records, so host launch cost is
not in the figures (the kernels' own durations are).

    PYTHONPATH=$PWD python3 benchmarks/kernel_breakdown.py OP [LABEL] [--tag sweep] [--iters 50]

LABEL is a substring of the case label (``opdispatch bench --list`` shows them). Without a GPU,
``--device cpu`` (and TRITON_INTERPRET=1 for Triton providers) runs the plumbing and prints CPU
self time instead.
"""

from __future__ import annotations

import argparse

import torch
from torch.autograd import DeviceType
from torch.profiler import ProfilerActivity, profile

from opdispatch.dispatch.bench import bench_cases


def _device_us(evt) -> float:
    for name in ("self_device_time_total", "self_cuda_time_total"):
        if hasattr(evt, name):
            return float(getattr(evt, name))
    return 0.0


def breakdown(fn, device: torch.device, iters: int) -> list[tuple[str, float, float]]:
    """(kernel name, launches per call, us per call) for every GPU kernel or memset ``fn`` runs
    (CPU ops by self time on a CPU device), the largest first."""
    for _ in range(3):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=acts) as prof:
        for _ in range(iters):
            fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
    rows = []
    for evt in prof.key_averages():
        if device.type == "cuda":
            if getattr(evt, "device_type", None) != DeviceType.CUDA:
                continue
            us = _device_us(evt)
        else:
            us = float(evt.self_cpu_time_total)
        if us > 0:
            rows.append((evt.key, evt.count / iters, us / iters))
    return sorted(rows, key=lambda r: -r[2])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("op")
    ap.add_argument("label", nargs="?", default=None)
    ap.add_argument("--tag", action="append", default=None)
    ap.add_argument("--iters", type=int, default=50)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    device = torch.device(args.device)
    cases = bench_cases([args.op], label=args.label, tags=args.tag)
    if not cases:
        raise SystemExit(f"no benchmark case of {args.op!r} matches label {args.label!r} (tags {args.tag})")
    for case in cases:
        fn = case.setup(device).ours
        rows = breakdown(fn, device, args.iters)
        total = sum(r[2] for r in rows) or 1.0
        unit = "GPU us" if device.type == "cuda" else "CPU self us"
        print(f"== {case.op} {case.label}: {total:.1f} {unit} per call over {len(rows)} kernels", flush=True)
        for name, per_call, us in rows[:args.top]:
            print(f"   {us:9.2f} {100 * us / total:5.1f}%  x{per_call:4.1f}  {name[:100]}")


if __name__ == "__main__":
    main()
