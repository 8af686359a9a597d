"""Selection rules end to end on the test-only op ``toy_scale`` (tests/core/toy_op.py)."""

from __future__ import annotations

import logging

import pytest
import torch

from opdispatch.dispatch import DispatchError, FlagError, explain, known_bad, registry
from opdispatch.dispatch.custom_op import CustomOp

from .toy_op import ToyScale, toy_scale

OP = "toy_scale"


def _explain(op=OP):
    (e,) = explain([op])
    return e, {c["provider"]: c for c in e["candidates"]}


def _ok_vendor(x, y, alpha):
    y.copy_(x * alpha)


def _vendor_functions():
    return {"toy_scale": _ok_vendor}


@pytest.mark.native
def test_cpu_default_selects_torch_ref():
    e, c = _explain()
    assert e["platform"] == "cpu" and e["selected"] == "torch_ref"
    assert [x["provider"] for x in e["candidates"]] == ["torch_ref", "triton", "aiter", "deep_gemm"]
    assert set(e) == {"op", "platform", "selected", "candidates"}
    assert all(set(x) == {"provider", "usable", "reason", "kernels"} for x in e["candidates"])
    assert c["aiter"]["usable"] is False and "ROCm only" in c["aiter"]["reason"]
    assert c["deep_gemm"]["usable"] is False and "CUDA only" in c["deep_gemm"]["reason"]


@pytest.mark.native
def test_triton_on_cpu_needs_interpreter(monkeypatch):
    monkeypatch.setenv("TRITON_INTERPRET", "0")
    _, c = _explain()
    assert c["triton"]["usable"] is False
    assert c["triton"]["reason"] == "triton on CPU tensors needs TRITON_INTERPRET=1"


@pytest.mark.native
def test_cuda_sim_selects_triton_when_deep_gemm_missing(cuda_sim):
    e, c = _explain()
    assert e["selected"] == "triton"
    assert c["deep_gemm"]["usable"] is False and "deep_gemm is not installed" in c["deep_gemm"]["reason"]
    assert c["aiter"]["reason"].startswith("aiter runs on ROCm only")


@pytest.mark.native
def test_cuda_sim_deep_gemm_first_then_flag_off(cuda_sim, fake_deep_gemm, flags):
    fake_deep_gemm(_vendor_functions())
    e, c = _explain()
    assert e["selected"] == "deep_gemm", c
    with flags(OPDISPATCH_PLATFORM="cuda", VLLM_USE_DEEP_GEMM="0"):
        e, c = _explain()
        assert e["selected"] == "triton"
        assert c["deep_gemm"]["reason"] == "VLLM_USE_DEEP_GEMM is off"


@pytest.mark.native
def test_deep_gemm_probe_rejects_wrong_signature(cuda_sim, fake_deep_gemm):
    def old(a, b):  # an older API with another signature
        raise AssertionError("must never be called")

    fake_deep_gemm({"toy_scale": old})
    e, c = _explain()
    assert e["selected"] == "triton"
    assert "deep_gemm.toy_scale has signature ['a', 'b'], expected (x, y, alpha)" in c["deep_gemm"]["reason"]


@pytest.mark.native
def test_deep_gemm_probe_missing_function(cuda_sim, fake_deep_gemm):
    fake_deep_gemm({"other": _ok_vendor})
    _, c = _explain()
    assert "deep_gemm.toy_scale is missing" in c["deep_gemm"]["reason"]


@pytest.mark.rocm_sim
def test_rocm_master_off_names_the_variable(rocm_sim):
    e, c = _explain()
    assert e["platform"] == "rocm" and e["selected"] == "triton"
    assert [x["provider"] for x in e["candidates"]] == ["aiter", "triton", "torch_ref", "deep_gemm"]
    assert c["aiter"]["usable"] is False and "VLLM_ROCM_USE_AITER is off" in c["aiter"]["reason"]


@pytest.mark.rocm_sim
def test_rocm_master_on_aiter_missing(flags):
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        e, c = _explain()
        assert e["selected"] == "triton"
        assert c["aiter"]["reason"] == "aiter is not installed (pip install amd-aiter, on ROCm)"


@pytest.mark.rocm_sim
def test_rocm_aiter_selected_and_called(flags, fake_aiter):
    rec = fake_aiter(_vendor_functions())
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        e, _ = _explain()
        assert e["selected"] == "aiter"
        x = torch.randn(37)
        y = toy_scale(x, 3.0)
        assert torch.equal(y, x * 3.0)
        assert rec.names_called() == ["toy_scale"]
        assert rec.calls[0][1][0] is x and rec.calls[0][1][2] == 3.0


@pytest.mark.rocm_sim
def test_rocm_subflag_off_names_it(flags, fake_aiter):
    fake_aiter(_vendor_functions())
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, VLLM_ROCM_USE_AITER_QUANT=False):
        e, c = _explain()
        assert e["selected"] == "triton"
        assert c["aiter"]["reason"] == "VLLM_ROCM_USE_AITER_QUANT is off"


@pytest.mark.native
def test_disabled_kernels_turns_off_only_that_kernel(flags):
    with flags(OPDISPATCH_PLATFORM="cuda", VLLM_DISABLED_KERNELS=f"triton.{OP}"):
        e, c = _explain()
        assert e["selected"] == "torch_ref"
        assert "VLLM_DISABLED_KERNELS" in c["triton"]["reason"]
        ok, _ = registry.should_use("some_other_op", "triton", registry.get_flags())
        assert ok


@pytest.mark.native
def test_disabled_kernels_whole_provider(flags):
    with flags(OPDISPATCH_PLATFORM="cuda", VLLM_DISABLED_KERNELS="triton"):
        assert _explain()[0]["selected"] == "torch_ref"


@pytest.mark.native
def test_disabled_kernels_unknown_op_names_variable(flags):
    with flags(VLLM_DISABLED_KERNELS="triton.no_such_op"):
        with pytest.raises(FlagError, match=r"VLLM_DISABLED_KERNELS: unknown op 'no_such_op'"):
            explain([OP])


@pytest.mark.interp
def test_backend_forces_triton_on_cpu(flags):
    with flags(OPDISPATCH_BACKEND="triton"):
        e, c = _explain()
        assert e["selected"] == "triton" and "forced by OPDISPATCH_BACKEND=triton" in c["triton"]["reason"]
        op = ToyScale.default()
        assert op.provider == "triton"
        x = torch.randn(300)
        assert torch.equal(toy_scale(x, -2.0), x * -2.0)


@pytest.mark.native
def test_backend_forced_provider_that_cannot_run_is_an_error(flags):
    with flags(OPDISPATCH_BACKEND=f"{OP}=aiter"):
        e, c = _explain()
        assert e["selected"] is None
        assert c["aiter"]["reason"].startswith(f"forced by OPDISPATCH_BACKEND={OP}=aiter but cannot run: aiter runs on ROCm only")
        with pytest.raises(DispatchError, match=rf"OPDISPATCH_BACKEND={OP}=aiter forces aiter for {OP}, but it cannot run"):
            toy_scale(torch.randn(4), 1.0)


@pytest.mark.native
def test_backend_forced_but_disabled_is_an_error(flags):
    with flags(OPDISPATCH_PLATFORM="cuda", OPDISPATCH_BACKEND="triton", VLLM_DISABLED_KERNELS="triton"):
        with pytest.raises(DispatchError, match="VLLM_DISABLED_KERNELS"):
            ToyScale()


@pytest.mark.native
def test_custom_ops_disable_runs_native(flags):
    with flags(OPDISPATCH_PLATFORM="cuda", OPDISPATCH_CUSTOM_OPS=f"-{OP}"):
        e, c = _explain()
        assert e["selected"] == "torch_ref"
        assert f"OPDISPATCH_CUSTOM_OPS disables {OP}" in c["triton"]["reason"]
        op = ToyScale.default()
        assert op.provider == "torch_ref"
        x = torch.randn(5)
        assert torch.equal(toy_scale(x, 2.0), x * 2.0)
    with flags(OPDISPATCH_PLATFORM="cuda", OPDISPATCH_CUSTOM_OPS=f"none,+{OP}"):
        assert _explain()[0]["selected"] == "triton"


@pytest.mark.rocm_sim
def test_known_bad_row_switches_kernel_off(flags, fake_aiter, monkeypatch):
    row = known_bad.KnownBad("aiter", OP, "wrong at large T", "upstream commit abc123")
    monkeypatch.setattr(known_bad, "KNOWN_BAD", (row,))
    fake_aiter(_vendor_functions())
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        e, c = _explain()
        assert e["selected"] == "triton"
        assert c["aiter"]["reason"] == (
            f"known bad: wrong at large T (fixed in upstream commit abc123; allow with OPDISPATCH_ALLOW_KNOWN_BAD=aiter.{OP})"
        )
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_ALLOW_KNOWN_BAD=f"aiter.{OP}"):
        assert _explain()[0]["selected"] == "aiter"
    # a forced known-bad kernel is still an error that names the allow variable
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True, OPDISPATCH_BACKEND="aiter"):
        with pytest.raises(DispatchError, match="OPDISPATCH_ALLOW_KNOWN_BAD"):
            ToyScale()


@pytest.mark.rocm_sim
def test_known_bad_row_lifted_by_probe(flags, fake_aiter, monkeypatch):
    row = known_bad.KnownBad("aiter", OP, "wrong", "v2", fixed_probe=lambda: True)
    crash = known_bad.KnownBad("aiter", OP, "wrong", "v2", fixed_probe=lambda: 1 / 0)
    monkeypatch.setattr(known_bad, "KNOWN_BAD", (row,))
    fake_aiter(_vendor_functions())
    with flags(OPDISPATCH_PLATFORM="rocm", VLLM_ROCM_USE_AITER=True):
        assert _explain()[0]["selected"] == "aiter"
    assert crash.is_fixed() is False  # a probe that fails proves nothing


@pytest.mark.native
def test_known_bad_table_first_rows_are_aiter_mhc():
    rows = {(r.provider, r.op): r for r in known_bad.KNOWN_BAD}
    for op in ("mhc_pre", "mhc_post"):
        r = rows[("aiter", op)]
        assert "large token counts" in r.problem and "b639cb63" in r.fixed_in
        assert r.fixed_probe is None and not r.is_fixed()
        assert r.force_hint == f"OPDISPATCH_ALLOW_KNOWN_BAD=aiter.{op}"
    assert known_bad.KNOWN_BAD[0].op == "mhc_pre"


@pytest.mark.native
def test_choice_logged_once(caplog, flags):
    registry._logged.clear()
    with caplog.at_level(logging.INFO, logger="opdispatch"):
        ToyScale()
        ToyScale()
    logs = [r.getMessage() for r in caplog.records if OP in r.getMessage()]
    assert len(logs) == 1 and "runs torch_ref" in logs[0]


@pytest.mark.native
def test_default_instance_cached_and_refreshed(flags):
    a = ToyScale.default()
    assert ToyScale.default() is a
    with flags(OPDISPATCH_PLATFORM="cuda"):
        b = ToyScale.default()
        assert b is not a and b.provider == "triton"
    assert ToyScale.default().provider == "torch_ref"


@pytest.mark.native
def test_pinned_provider_must_be_able_to_run():
    with pytest.raises(DispatchError, match="toy_scale: provider aiter cannot run here: aiter runs on ROCm only"):
        ToyScale(provider="aiter")


@pytest.mark.native
def test_forward_methods_and_hip_falls_back_to_cuda(flags):
    calls = []

    class CudaOnly(ToyScale):  # an out-of-tree override of forward_cuda only
        def forward_cuda(self, x, y, alpha):
            calls.append("cuda")
            y.copy_(x * alpha)

    ToyScale.register_oot(CudaOnly)
    try:
        with flags(OPDISPATCH_PLATFORM="rocm"):
            x = torch.randn(8)
            assert torch.equal(toy_scale(x, 2.0), x * 2.0)
            assert calls == ["cuda"] and isinstance(ToyScale.default(), CudaOnly)
        # on CPU the selected provider is torch_ref: forward_native (base) runs
        assert ToyScale.default().provider == "torch_ref"
    finally:
        ToyScale.register_oot(None)
    assert type(ToyScale.default()) is ToyScale


@pytest.mark.native
def test_oot_must_subclass():
    class Other(CustomOp):
        name = "toy_other_for_oot_test"

    try:
        with pytest.raises(TypeError, match="must subclass ToyScale"):
            ToyScale.register_oot(Other)
    finally:
        registry.unregister_op("toy_other_for_oot_test")


@pytest.mark.native
def test_base_class_does_not_rebind_forward():
    op = ToyScale()
    # the dispatched callable is the provider function itself, and the class methods are intact
    assert op.forward is registry.get_impl(OP, "torch_ref").fn
    assert ToyScale.forward_native is CustomOp.forward_native


@pytest.mark.native
def test_input_validation_before_launch():
    with pytest.raises(TypeError, match="x must have dtype float32, got float16"):
        toy_scale(torch.randn(3).half(), 1.0)
    with pytest.raises(ValueError, match=r"out must have shape \[3\], got \[4\]"):
        toy_scale(torch.randn(3), 1.0, out=torch.empty(4))


@pytest.mark.native
def test_outputs_are_poisoned_in_tests():
    from opdispatch.dispatch.alloc import empty

    assert torch.isnan(empty((4,), torch.float32, "cpu")).all()
    assert (empty((2,), torch.int32, "cpu") == torch.iinfo(torch.int32).min).all()
    assert (empty((2,), torch.uint8, "cpu") == 0xAB).all()
    assert torch.isnan(empty((2,), torch.float8_e4m3fnuz, "cpu").float()).all()
    s = empty((3, 4), torch.float32, "cpu", stride=(1, 3))
    assert s.stride() == (1, 3)
