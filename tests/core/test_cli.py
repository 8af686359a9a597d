"""The opdispatch command: explain (text, --json), flags errors, check, python -m."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from opdispatch.cli import main

from .toy_op import OP as TOY  # noqa: F401  (registers the test-only op in this process)

pytestmark = pytest.mark.native


def _run_json(capsys, monkeypatch, env, *ops):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    rc = main(["explain", "--json", *ops])
    out = capsys.readouterr()
    return rc, json.loads(out.out), out.err


def test_explain_json_only_json_on_stdout(capsys, monkeypatch):
    rc, data, _ = _run_json(capsys, monkeypatch, {})
    assert rc == 0 and isinstance(data, list) and data
    for e in data:
        assert set(e) == {"op", "platform", "selected", "candidates"}
        assert e["platform"] == "cpu" and e["selected"] == "torch_ref", e


def test_explain_cuda_sim_selects_triton(capsys, monkeypatch):
    rc, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "cuda"})
    assert rc == 0
    for e in data:
        has_triton = any(c["provider"] == "triton" and "no triton kernel" not in c["reason"] for c in e["candidates"])
        assert e["selected"] == ("triton" if has_triton else "torch_ref"), e


def test_explain_rocm_with_and_without_aiter(capsys, monkeypatch):
    _, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "rocm"}, TOY)
    aiter = next(c for c in data[0]["candidates"] if c["provider"] == "aiter")
    assert not aiter["usable"] and "VLLM_ROCM_USE_AITER is off" in aiter["reason"]
    _, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "rocm", "VLLM_ROCM_USE_AITER": "1"}, TOY)
    aiter = next(c for c in data[0]["candidates"] if c["provider"] == "aiter")
    assert not aiter["usable"] and "aiter is not installed" in aiter["reason"]
    assert data[0]["selected"] == "triton"


def test_explain_disabled_kernel(capsys, monkeypatch):
    _, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "cuda", "VLLM_DISABLED_KERNELS": f"triton.{TOY}"})
    by_op = {e["op"]: e for e in data}
    assert by_op[TOY]["selected"] == "torch_ref"
    tri = next(c for c in by_op[TOY]["candidates"] if c["provider"] == "triton")
    assert "VLLM_DISABLED_KERNELS" in tri["reason"]
    others = [e for e in data if e["op"] != TOY]
    for e in others:  # only that one kernel is off
        assert not any("VLLM_DISABLED_KERNELS" in c["reason"] for c in e["candidates"])


def test_explain_backend_forced(capsys, monkeypatch):
    rc, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_BACKEND": f"{TOY}=triton"}, TOY)
    assert rc == 0 and data[0]["selected"] == "triton"
    rc, data, err = _run_json(capsys, monkeypatch, {"OPDISPATCH_BACKEND": f"{TOY}=deep_gemm"}, TOY)
    assert rc == 1 and data[0]["selected"] is None and "no provider can run" in err


def test_explain_text(capsys):
    assert main(["explain", TOY]) == 0
    out = capsys.readouterr().out
    assert f"{TOY}  [cpu]  -> torch_ref" in out and "* torch_ref" in out


def test_explain_unknown_op(capsys):
    assert main(["explain", "no_such_op"]) == 2
    assert "no op named 'no_such_op'" in capsys.readouterr().err


def test_bad_flag_one_line_no_traceback():
    env = dict(os.environ, VLLM_ROCM_USE_AITER="maybe")
    out = subprocess.run([sys.executable, "-m", "opdispatch", "explain", "--json"], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 2
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert lines == ["opdispatch: error: VLLM_ROCM_USE_AITER='maybe' is not a boolean; accepted values: 1/0/true/false/yes/no (any case)"]


def test_flags_command(capsys):
    assert main(["flags"]) == 0
    out = capsys.readouterr().out
    assert "VLLM_ROCM_USE_AITER" in out and "OPDISPATCH_CUSTOM_OPS" in out


def test_check_runs_providers(capsys, monkeypatch):
    # the toy op has no check case: check must still say something about it and pass
    rc = main(["check", TOY])
    out = capsys.readouterr().out
    assert rc == 0 and TOY in out and "0 failed" in out


def test_explain_kernel_notes(capsys, monkeypatch):
    # Every public op's triton provider says which kernel it runs, where it can run; candidates
    # that cannot run carry no note.
    _, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "cuda"})
    public = [e for e in data if e["op"] != TOY]
    assert public
    for e in public:
        for c in e["candidates"]:
            assert set(c) == {"provider", "usable", "reason", "kernels"}, c
            if not c["usable"]:
                assert c["kernels"] == "", (e["op"], c)
        tri = next((c for c in e["candidates"] if c["provider"] == "triton"), None)
        if tri is not None and tri["usable"]:
            assert tri["kernels"] and "note failed" not in tri["kernels"], (e["op"], tri)
    mqa = next(e for e in data if e["op"] == "fp8_mqa_logits")
    note = next(c["kernels"] for c in mqa["candidates"] if c["provider"] == "triton")
    # simulated CUDA without a GPU: the rule is given, with the sm_90 kernel named
    assert "ws_n256" in note and "float8_e4m3fn (max 448)" in note, note


def test_explain_kernel_notes_rocm_fnuz(capsys, monkeypatch):
    # The simulated ROCm default is gfx942: notes name its fp8 type and the paths ROCm runs.
    _, data, _ = _run_json(capsys, monkeypatch, {"OPDISPATCH_PLATFORM": "rocm"},
                           "fp8_mqa_logits", "per_token_group_quant_fp8")
    for e in data:
        tri = next(c for c in e["candidates"] if c["provider"] == "triton")
        assert e["selected"] == "triton" and "float8_e4m3fnuz (max 224)" in tri["kernels"], e
        if e["op"] == "fp8_mqa_logits":
            assert "no TMA or Gluon path on ROCm" in tri["kernels"], tri


def test_kernels_note_forms():
    from opdispatch.dispatch.platform import current_platform
    from opdispatch.dispatch.registry import kernels_note, register_impl, unregister_op

    def fn(x):
        return x

    def broken(platform):
        raise RuntimeError("no device")

    op = "kernels_note_test_op"
    try:
        register_impl(op, "torch_ref", fn)
        register_impl(op, "triton", fn, kernels=lambda p: f"kernel on {p.name}")
        register_impl(op, "aiter", fn, kernels=broken)
        register_impl(op, "deep_gemm", fn, kernels="a fixed note")
        assert kernels_note(op, "torch_ref") == ""
        assert kernels_note(op, "triton") == f"kernel on {current_platform().name}"
        assert kernels_note(op, "aiter") == "(kernels note failed: RuntimeError: no device)"
        assert kernels_note(op, "deep_gemm") == "a fixed note"
    finally:
        unregister_op(op)


def test_explain_text_shows_kernels(capsys, monkeypatch):
    monkeypatch.setenv("OPDISPATCH_PLATFORM", "rocm")
    assert main(["explain", "top_k_per_row_decode"]) == 0
    out = capsys.readouterr().out
    assert "* triton" in out and "kernels: radix select, config v" in out, out
