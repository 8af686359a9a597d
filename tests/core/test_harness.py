"""The check runner and the bench writer (their GPU timing runs on the device; this checks the
parts that run anywhere)."""

from __future__ import annotations

import csv
import json
import math

import pytest
import torch

from opdispatch.dispatch import checks, registry
from opdispatch.dispatch.bench import BenchRow, format_row, write_results
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
    rows = [BenchRow("mhc_post", "T=8192", 400.0, 6000.0, 4000.0, 352.0, 88.0, 10.0, {"peer": 500.0}, 10**9, 0),
            BenchRow("mhc_pre", "T=1", math.nan, math.nan, math.nan, math.nan, math.nan, math.nan, {}, 0, 0,
                     error="RuntimeError: boom")]
    paths = write_results(env, rows, tmp_path)
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["env"]["commit"] == "abc1234" and data["env"]["device"].startswith("NVIDIA")
    assert data["rows"][0]["ours_us"] == 400.0 and data["rows"][1]["error"] == "RuntimeError: boom"
    with (tmp_path / "bench.csv").open() as f:
        lines = list(csv.reader(f))
    assert "commit=abc1234" in lines[0][0] and lines[1][:3] == ["op", "label", "ours_us"]
    assert lines[2][:3] == ["mhc_post", "T=8192", "400.00"]
    pytest.importorskip("matplotlib")
    assert (tmp_path / "bench.png") in paths and (tmp_path / "bench.png").stat().st_size > 1000
    assert "ERROR RuntimeError: boom" in format_row(rows[1])
    assert "roof= 88.0%" in format_row(rows[0])
