"""The check runner and the bench harness (their GPU timing runs on the device; this checks the
parts that run anywhere, with the timers replaced)."""

from __future__ import annotations

import csv
import json
import math

import pytest
import torch

from opdispatch.dispatch import bench, checks, registry
from opdispatch.dispatch.bench import BenchCase, BenchRow, BenchSetup, format_row, run_bench, write_results
from opdispatch.dispatch.checks import CheckCase, compare_close, compare_equal, run_checks

from .toy_op import OP


@pytest.mark.native
def test_compare_close_semantics():
    r = torch.tensor([1.0, float("nan"), float("inf"), 2.0])
    ok = compare_close(r.clone(), r, atol=0.0, rtol=0.0)
    assert ok.ok and ok.max_err == 0.0
    off = compare_close(torch.tensor([1.0, float("nan"), float("inf"), 2.5]), r, atol=0.1, rtol=0.1)
    assert not off.ok and off.max_err == 0.5 and "1 of 2 elements off" in off.detail
    nan = compare_close(torch.tensor([float("nan"), float("nan"), float("inf"), 2.0]), r, atol=1, rtol=1)
    assert not nan.ok and "NaN where the reference is not" in nan.detail
    inf = compare_close(torch.tensor([1.0, float("nan"), -float("inf"), 2.0]), r, atol=1, rtol=1)
    assert not inf.ok and "infinities differ" in inf.detail
    shape = compare_close(torch.zeros(3), torch.zeros(4), atol=1, rtol=1)
    assert not shape.ok and "shape/dtype" in shape.detail


@pytest.mark.native
def test_compare_equal_on_fp8_codes():
    a = torch.tensor([1.0, 2.0]).to(torch.float8_e4m3fn)
    assert compare_equal(a, a.clone()).ok
    b = torch.tensor([1.0, 2.5]).to(torch.float8_e4m3fn)
    res = compare_equal(b, a)
    assert not res.ok and res.max_err == 1.0


@pytest.mark.interp
def test_run_checks_reports_a_crashing_provider_as_a_failed_row(monkeypatch):
    case = CheckCase(
        op=OP, label="toy 17",
        make_inputs=lambda device, gen: ((torch.randn(17, generator=gen), 2.0), {}),
        compare=lambda out, ref: compare_close(out, ref, atol=0.0, rtol=0.0),
    )
    monkeypatch.setattr(checks, "_CHECKS", [case])
    monkeypatch.setattr(checks, "check_cases", lambda op=None: [c for c in [case] if op in (None, c.op)])
    rows = run_checks([OP])
    assert [(r.provider, r.ok) for r in rows] == [("triton", True)]
    assert rows[0].max_err == 0.0

    def broken(x, y, alpha):
        raise RuntimeError("kernel exploded")

    monkeypatch.setattr(registry.get_impl(OP, "triton"), "fn", broken)
    rows = run_checks([OP])
    assert len(rows) == 1 and not rows[0].ok
    assert rows[0].detail == "RuntimeError: kernel exploded" and math.isnan(rows[0].max_err)


@pytest.mark.native
def test_write_results_csv_json_png(tmp_path):
    env = {"device": "NVIDIA H100 80GB HBM3", "torch": "2.11.0", "triton": "3.6.0", "date": "2026-11-22 14:14 UTC",
           "commit": "abc1234", "copy_bw_TBps": 3.0}
    rows = [BenchRow("mhc_post", "T=8192", 400.0, 6000.0, 4000.0, 352.0, 88.0, 10.0, {"peer": 500.0}, 10**9, 0,
                     ours_graph_us=390.0, eager_graph_us=5900.0, compiled_graph_us=3900.0,
                     peers_graph={"peer": 495.0}, ours_host_us=21.5, basis="graph"),
            BenchRow("mhc_pre", "T=1", math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, {}, 0, 0,
                     error="RuntimeError: boom")]
    paths = write_results(env, rows, tmp_path)
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["env"]["commit"] == "abc1234" and data["env"]["device"].startswith("NVIDIA")
    assert data["rows"][0]["ours_us"] == 400.0 and data["rows"][1]["error"] == "RuntimeError: boom"
    assert data["rows"][0]["ours_graph_us"] == 390.0 and data["rows"][0]["peers_graph"] == {"peer": 495.0}
    with (tmp_path / "bench.csv").open() as f:
        lines = list(csv.reader(f))
    assert "commit=abc1234" in lines[0][0] and lines[1][:4] == ["op", "label", "ours_us", "ours_graph_us"]
    row = dict(zip(lines[1], lines[2], strict=True))
    assert lines[2][:4] == ["mhc_post", "T=8192", "400.00", "390.00"]
    assert row["compiled_graph_us"] == "3900.00" and row["ours_host_us"] == "21.50" and row["basis"] == "graph"
    assert json.loads(row["peers_graph"]) == {"peer": 495.0}
    assert dict(zip(lines[1], lines[3], strict=True))["ours_graph_us"] == "nan"
    assert "ERROR RuntimeError: boom" in format_row(rows[1])
    line = format_row(rows[0])
    assert "roof= 88.0%" in line and "ours=  400.0/390.0" in line and "(graph) host=21.5" in line
    assert "peer=500.0/495.0" in line
    pytest.importorskip("matplotlib")
    assert (tmp_path / "bench.png") in paths and (tmp_path / "bench.png").stat().st_size > 1000


@pytest.mark.native
# run_bench resets dynamo between cases; importing it warns from inside torch
@pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")
def test_run_bench_uses_graph_times_where_captured(monkeypatch):
    # Timers replaced by tables keyed by what the timed callable returns; a callable missing
    # from the graph table fails "capture" the way a host sync does on the GPU.
    do_bench = {"ours": 50.0, "ours_sync": 55.0, "eager": 300.0, "compiled": 80.0, "peer": 60.0,
                "eager_sync": 310.0, "compiled_sync": 90.0}
    graph = {"ours": 10.0, "eager": 200.0, "compiled": 40.0}

    def graph_timer(fn):
        key = fn()
        if key not in graph:
            raise RuntimeError("operation not permitted when stream is capturing")
        return graph[key]

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(bench, "measure_ceilings", lambda device: (1e12, 1e15))
    monkeypatch.setattr(bench, "environment", lambda: {"device": "fake"})
    monkeypatch.setattr(bench, "_median_us", lambda fn: do_bench[fn()])
    monkeypatch.setattr(bench, "_graph_median_us", graph_timer)
    monkeypatch.setattr(bench, "host_us", lambda fn: 7.0 if fn() == "ours" else 8.0)
    monkeypatch.setattr(torch, "compile", lambda fn, dynamic: lambda tag: tag.replace("eager", "compiled"))

    def case(ours_key, torch_key="eager"):
        def setup(device):
            return BenchSetup(ours=lambda: ours_key, torch_fn=lambda tag: tag, torch_args=(torch_key,),
                              bytes=5 * 10**6, peers={"peer": lambda: "peer"}, note="5 MB")
        return BenchCase("toy", ours_key, setup)

    _, (captured, uncaptured, baseline_uncaptured) = run_bench(
        [case("ours"), case("ours_sync"), case("ours", "eager_sync")])
    assert (captured.ours_us, captured.ours_graph_us, captured.eager_graph_us) == (50.0, 10.0, 200.0)
    assert captured.basis == "graph" and captured.floor_us == pytest.approx(5.0)
    assert captured.ours_host_us == 7.0 and uncaptured.ours_host_us == 8.0
    assert captured.pct_roofline == pytest.approx(50.0)        # floor 5 us / graph 10 us
    assert captured.speedup_vs_compiled == pytest.approx(4.0)  # graph 40 / graph 10
    assert captured.peers == {"peer": 60.0} and math.isnan(captured.peers_graph["peer"])
    assert captured.note.startswith("5 MB; peer: no CUDA graph (RuntimeError: operation not permitted")
    assert uncaptured.basis == "do_bench" and math.isnan(uncaptured.ours_graph_us)
    assert uncaptured.pct_roofline == pytest.approx(100 * 5 / 55)
    assert uncaptured.speedup_vs_compiled == pytest.approx(80 / 55)
    assert "ours: no CUDA graph" in uncaptured.note and not uncaptured.error
    # never a graph time against a do_bench time
    assert baseline_uncaptured.basis == "graph" and math.isnan(baseline_uncaptured.speedup_vs_compiled)
    assert "compiled: no CUDA graph" in baseline_uncaptured.note


@pytest.mark.native
def test_alternated_graph_us_alternates_and_keeps_every_run(monkeypatch):
    # The A/B scripts' timer: every fn timed once per round, in the dict's order, rounds
    # repeated; the runs kept in order; median_run is the middle run (upper one of an even count).
    order = []

    def fake_graph_us(fn, calls=20, replays=10):
        order.append((fn(), calls))
        return float(len(order))

    monkeypatch.setattr(bench, "graph_replay_us", fake_graph_us)
    times = bench.alternated_graph_us({"a": lambda: "a", "b": lambda: "b"}, reps=3, calls=5)
    assert order == [("a", 5), ("b", 5)] * 3
    assert times == {"a": [1.0, 3.0, 5.0], "b": [2.0, 4.0, 6.0]}
    assert bench.median_run([3.0, 1.0, 2.0]) == 2.0
    assert bench.median_run([4.0, 1.0, 3.0, 2.0]) == 3.0
