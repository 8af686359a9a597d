"""``opdispatch bench``: each op against plain PyTorch, eager and ``torch.compile``d, in one run.

Op families register :class:`BenchCase` objects in ``opdispatch/benchmarks/<family>.py``. For each
case the harness times the library call, the plain PyTorch function eager, the same function under
``torch.compile``, and any peers, each two ways:

- ``*_us``: median of ``triton.testing.do_bench`` (CUDA events around each call, L2 flushed
  before it). A call's host work (Python front, dispatch, launch) is in the figure whenever it
  takes longer than the GPU work, which is the case at decode sizes.
- ``*_graph_us``: median of ``triton.testing.do_bench_cudagraph``: the callable is warmed up on a
  side stream, captured as a CUDA graph of back-to-back calls and replayed; the figure is GPU time
  per call, as an engine that captures graphs sees it (no L2 flush between calls). A callable that
  cannot be captured gets NaN and the reason in ``note``.
- ``ours_host_us``: host time per library call (the best of 5 runs of 100 calls enqueued back
  to back, not waiting for the GPU): what CUDA graphs save, and what a front costs.

``pct_roofline`` and ``speedup_vs_compiled`` use the graph figures when ours was captured
(``basis == "graph"``; the speedup is then NaN if the compiled function was not captured, never a
graph time against a do_bench time), else the do_bench figures (``basis == "do_bench"``).
The floor is ``max(bytes / bandwidth, flops / fp8 rate)`` from ceilings measured in the same run.
Results go to CSV + JSON (device, versions, date, commit) and a PNG plot.
"""

from __future__ import annotations

import csv
import datetime as _dt
import gc
import json
import logging
import math
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

logger = logging.getLogger("opdispatch")

# Ceilings measured on the H100 (GUIDE.md section 5); the harness re-measures them each run and
# uses the measured values, these are only the fallback when measuring fails.
H100_COPY_BW = 3.0e12  # bytes/s, read + write
H100_FP8_RATE = 1.3e15  # flop/s, torch._scaled_mm


@dataclass
class BenchSetup:
    ours: Callable[[], Any]
    torch_fn: Callable[..., Any] | None = None
    torch_args: tuple[Any, ...] = ()
    bytes: int = 0
    flops: int = 0
    peers: dict[str, Callable[[], Any]] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class BenchCase:
    op: str
    label: str
    setup: Callable[[torch.device], BenchSetup]
    tags: tuple[str, ...] = ()  # e.g. ("sweep",): run with --tag


_BENCHES: list[BenchCase] = []


def register_bench(case: BenchCase) -> BenchCase:
    _BENCHES.append(case)
    return case


def bench_cases(ops: list[str] | None = None, label: str | None = None,
                tags: list[str] | None = None) -> list[BenchCase]:
    from opdispatch.benchmarks import load_all

    load_all()
    out = []
    for c in _BENCHES:
        if ops and c.op not in ops:
            continue
        if label and label not in c.label:
            continue
        if tags:
            if not set(tags) & set(c.tags):
                continue
        elif c.tags:  # tagged cases (sweeps) run only when asked for
            continue
        out.append(c)
    return out


@dataclass
class BenchRow:
    op: str
    label: str
    ours_us: float
    eager_us: float
    compiled_us: float
    floor_us: float
    pct_roofline: float
    speedup_vs_compiled: float
    peers: dict[str, float]
    bytes: int
    flops: int
    note: str = ""
    error: str = ""
    ours_graph_us: float = math.nan
    eager_graph_us: float = math.nan
    compiled_graph_us: float = math.nan
    peers_graph: dict[str, float] = field(default_factory=dict)
    ours_host_us: float = math.nan
    basis: str = "do_bench"  # which figures pct_roofline and speedup_vs_compiled use: or "graph"


def _median_us(fn: Callable[[], Any]) -> float:
    import triton.testing

    return float(triton.testing.do_bench(fn, warmup=25, rep=100, return_mode="median")) * 1e3


def _graph_median_us(fn: Callable[[], Any]) -> float:
    """Median us per call over 10 replays of a CUDA graph of about 20 ms of calls."""
    import triton.testing

    return float(triton.testing.do_bench_cudagraph(fn, rep=20, return_mode="median")) * 1e3


def graph_replay_us(fn: Callable[[], Any], calls: int = 20, replays: int = 10) -> float:
    """GPU time per call of ``fn``: ``calls`` calls captured in one CUDA graph (after one call on a
    side stream, so compiling and allocating happen outside the capture), median of ``replays``
    replays timed with CUDA events. The tuning scripts' timer (top-k, mHC); the harness uses
    ``do_bench_cudagraph``."""
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        fn()
    torch.cuda.current_stream().wait_stream(stream)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(calls):
            fn()
    times = []
    for _ in range(replays):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        graph.replay()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) * 1e3 / calls)
    return median_run(times)


def median_run(runs: list[float]) -> float:
    """The middle run (the upper one of an even count): a measured value, never an average."""
    return sorted(runs)[len(runs) // 2]


def alternated_graph_us(fns: dict[str, Callable[[], Any]], reps: int,
                        calls: int = 20) -> dict[str, list[float]]:
    """``graph_replay_us`` of every fn, the fns alternated ``reps`` times so that drift in the
    device's speed falls on all of them alike: name -> its runs, in order (the A/B scripts)."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            times[name].append(graph_replay_us(fn, calls=calls))
    return times


def host_us(fn: Callable[[], Any], calls: int = 100, runs: int = 5) -> float:
    """Host time per call of ``fn``: the best of ``runs`` runs of ``calls`` calls enqueued without
    waiting for the GPU (100 calls never fill the launch queue, so nothing blocks)."""
    best = math.inf
    for _ in range(runs):
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, time.perf_counter() - start)
    torch.cuda.synchronize()
    return best / calls * 1e6


def _time_both(name: str, fn: Callable[[], Any], notes: list[str]) -> tuple[float, float]:
    """(do_bench us, graph us) of ``fn``; a failed capture gives NaN and a line in ``notes``."""
    us = _median_us(fn)
    try:
        graph_us = _graph_median_us(fn)
    except Exception as exc:
        graph_us = math.nan
        notes.append(f"{name}: no CUDA graph ({type(exc).__name__}: {exc})"[:200])
    return us, graph_us


def _copy_bandwidth(device: torch.device) -> float:
    n = 1 << 30
    src = torch.empty(n, dtype=torch.uint8, device=device)
    dst = torch.empty_like(src)
    return 2 * n / (_median_us(lambda: dst.copy_(src)) * 1e-6)


def _fp8_rate(device: torch.device) -> float:
    m = 8192
    x = torch.randn(m, m, device=device).to(torch.float8_e4m3fn)
    y = torch.randn(m, m, device=device).to(torch.float8_e4m3fn).t()
    one = torch.ones((), device=device)
    us = _median_us(lambda: torch._scaled_mm(x, y, scale_a=one, scale_b=one, out_dtype=torch.bfloat16))
    return 2 * m**3 / (us * 1e-6)


def measure_ceilings(device: torch.device) -> tuple[float, float]:
    """(copy bandwidth bytes/s counting read + write, fp8 matmul flop/s), measured now; the
    H100 figures from GUIDE.md when a measurement fails (logged)."""
    bw, rate = H100_COPY_BW, H100_FP8_RATE
    try:
        bw = _copy_bandwidth(device)
    except Exception as exc:
        logger.warning("copy bandwidth not measured: %s", exc)
    try:
        rate = _fp8_rate(device)
    except Exception as exc:
        logger.warning("fp8 rate not measured: %s", exc)
    torch.cuda.empty_cache()
    return bw, rate


def environment() -> dict[str, Any]:
    import triton

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                check=False).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    return {
        "device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
        "torch": torch.__version__,
        "triton": triton.__version__,
        "cuda": torch.version.cuda,
        "hip": torch.version.hip,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
    }


def run_bench(cases: list[BenchCase], *, compile_baseline: bool = True,
              progress: Callable[[str], None] | None = None) -> tuple[dict[str, Any], list[BenchRow]]:
    if not torch.cuda.is_available():
        raise RuntimeError("opdispatch bench needs a GPU (torch.cuda.is_available() is False)")
    device = torch.device("cuda")
    bw, rate = measure_ceilings(device)
    env = environment() | {"copy_bw_TBps": round(bw / 1e12, 3), "fp8_TFLOPs": round(rate / 1e12, 1)}
    rows = []
    for case in cases:
        s: BenchSetup | None = None
        try:
            s = case.setup(device)
            notes = [s.note] if s.note else []
            ours, ours_g = _time_both("ours", s.ours, notes)
            ours_host = host_us(s.ours)
            eager = compiled = eager_g = compiled_g = math.nan
            if s.torch_fn is not None:
                fn, args = s.torch_fn, s.torch_args
                eager, eager_g = _time_both("eager", lambda: fn(*args), notes)
                if compile_baseline:
                    cfn = torch.compile(fn, dynamic=False)
                    compiled, compiled_g = _time_both("compiled", lambda: cfn(*args), notes)
            peers, peers_g = {}, {}
            for name, p in s.peers.items():
                peers[name], peers_g[name] = _time_both(name, p, notes)
            floor = max(s.bytes / bw, s.flops / rate) * 1e6
            basis = "do_bench" if math.isnan(ours_g) else "graph"
            ours_t, compiled_t = (ours, compiled) if basis == "do_bench" else (ours_g, compiled_g)
            row = BenchRow(case.op, case.label, ours, eager, compiled, floor,
                           100.0 * floor / ours_t if ours_t > 0 else math.nan,
                           compiled_t / ours_t if ours_t > 0 else math.nan, peers, s.bytes, s.flops,
                           "; ".join(notes), ours_graph_us=ours_g, eager_graph_us=eager_g,
                           compiled_graph_us=compiled_g, peers_graph=peers_g, ours_host_us=ours_host,
                           basis=basis)
        except Exception as exc:  # one broken case must not lose the others' numbers
            row = BenchRow(case.op, case.label, math.nan, math.nan, math.nan, math.nan, math.nan, math.nan,
                           {}, 0, 0, error=f"{type(exc).__name__}: {exc}"[:300])
        rows.append(row)
        if progress:
            progress(format_row(row))
        del s
        gc.collect()
        torch.cuda.empty_cache()
        torch._dynamo.reset()
    return env, rows


def format_row(r: BenchRow) -> str:
    if r.error:
        return f"{r.op:34s} {r.label:38s} ERROR {r.error}"
    # "do_bench/graph" pairs; roof and x_compiled use r.basis
    peers = " ".join(f"{k}={v:.1f}/{r.peers_graph.get(k, math.nan):.1f}" for k, v in r.peers.items())
    return (f"{r.op:34s} {r.label:38s} ours={r.ours_us:7.1f}/{r.ours_graph_us:<7.1f} "
            f"eager={r.eager_us:7.1f}/{r.eager_graph_us:<7.1f} "
            f"compiled={r.compiled_us:7.1f}/{r.compiled_graph_us:<7.1f} floor={r.floor_us:8.1f} "
            f"roof={r.pct_roofline:5.1f}% x_compiled={r.speedup_vs_compiled:5.2f} ({r.basis}) "
            f"host={r.ours_host_us:.1f} {peers}")


def write_results(env: dict[str, Any], rows: list[BenchRow], out_dir: str | os.PathLike[str]) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "bench.json", out / "bench.csv"]
    paths[0].write_text(json.dumps({"env": env, "rows": [asdict(r) for r in rows]}, indent=1, default=str))
    with paths[1].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["# " + ", ".join(f"{k}={v}" for k, v in env.items())])
        w.writerow(["op", "label", "ours_us", "ours_graph_us", "eager_us", "eager_graph_us", "compiled_us",
                    "compiled_graph_us", "ours_host_us", "floor_us", "pct_roofline", "speedup_vs_compiled", "basis",
                    "peers", "peers_graph", "bytes", "flops", "note", "error"])
        for r in rows:
            w.writerow([r.op, r.label, f"{r.ours_us:.2f}", f"{r.ours_graph_us:.2f}", f"{r.eager_us:.2f}",
                        f"{r.eager_graph_us:.2f}", f"{r.compiled_us:.2f}", f"{r.compiled_graph_us:.2f}",
                        f"{r.ours_host_us:.2f}",
                        f"{r.floor_us:.2f}", f"{r.pct_roofline:.1f}", f"{r.speedup_vs_compiled:.2f}", r.basis,
                        json.dumps(r.peers), json.dumps(r.peers_graph), r.bytes, r.flops, r.note, r.error])
    try:
        paths.append(_plot(env, rows, out / "bench.png"))
    except ImportError:
        logger.warning("matplotlib is not installed: no bench.png")
    return paths


def _plot(env: dict[str, Any], rows: list[BenchRow], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in rows if not r.error]
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(ok) + 1.5))
    labels = [f"{r.op} {r.label} ({r.basis})" for r in ok]
    ys = range(len(ok))
    # Each row on its own basis (CUDA-graph time where ours was captured), as pct_roofline.
    compiled = [r.compiled_graph_us if r.basis == "graph" else r.compiled_us for r in ok]
    ax.barh([y - 0.2 for y in ys], [r.pct_roofline for r in ok], 0.4, label="ours, % of roofline")
    ax.barh([y + 0.2 for y in ys],
            [r.floor_us / c * 100 if c == c else 0 for r, c in zip(ok, compiled, strict=True)], 0.4,
            label="torch.compile, % of roofline")
    ax.set_yticks(list(ys), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("% of roofline (floor / measured)")
    ax.set_title(f"{env['device']} torch {env['torch']} triton {env['triton']} {env['date']}", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
