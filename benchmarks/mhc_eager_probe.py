"""Probe (GPU): why an eager (do_bench) call of the slice-kernel path takes longer than its graph
replay. Per config, hc_head and mhc_pre at one T: the kernel durations under torch.profiler
when each call follows an L2 flush as in do_bench (with and without a host sync before the
call), the do_bench figure and the graph figure.

    PYTHONPATH=$PWD python3 benchmarks/mhc_eager_probe.py T
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import replace

import torch
import triton.testing
from torch.profiler import ProfilerActivity, profile

from benchmarks.mhc_slice_trial import N, PreCase
from opdispatch.backends.triton import mhc as tmhc
from opdispatch.dispatch.bench import graph_replay_us

H = 7168


def main(t: int) -> None:
    case = PreCase(t, H)
    flush = torch.empty(256 * 2**20, dtype=torch.int8, device="cuda")
    dflt = tmhc.default_pre_config(t, N, H)
    cfgs = {"new": dflt,
            "s64": replace(dflt, slice_tc=64, slice_stages=6, slice_fin_t=2, slice_areg=False),
            "triton": replace(dflt, slice=False)}
    for head in (True, False):
        for name, cfg in cfgs.items():
            def call(cfg=cfg, head=head):
                case.launch(head, cfg)
            call()
            torch.cuda.synchronize()
            line = f"{'head' if head else 'pre '} {name:6s}"
            for sync in (False, True):
                with profile(activities=[ProfilerActivity.CUDA]) as prof:
                    for _ in range(20):
                        flush.zero_()
                        if sync:
                            torch.cuda.synchronize()
                        call()
                    torch.cuda.synchronize()
                durs: dict[str, list[float]] = {}
                for ev in prof.events():
                    if ev.device_type == torch.autograd.DeviceType.CUDA and "elementwise" not in ev.name \
                            and "fill" not in ev.name.lower():
                        durs.setdefault(ev.name[:28], []).append(ev.device_time)
                top = sorted(((statistics.median(v), k) for k, v in durs.items()), reverse=True)[:2]
                line += f" | {'sync ' if sync else 'flush'}: " + ", ".join(f"{k} {v:.1f}" for v, k in top)
            db = triton.testing.do_bench(call, warmup=10, rep=50, return_mode="median") * 1e3
            line += f" | do_bench {db:.1f} graph {graph_replay_us(call):.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8192)
