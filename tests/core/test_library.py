"""The torch.library helper: schema, mutation, fake impl, opcheck, compile."""

from __future__ import annotations

import re

import pytest
import torch

from opdispatch.dispatch.library import KERNEL_OPS, kernel_op

from .toy_op import ToyScale


@pytest.mark.native
def test_registered_with_exact_schema():
    op = KERNEL_OPS["toy_scale_triton"]
    # the alias-set number (a0/a1) differs between torch versions
    assert re.fullmatch(r"opdispatch::toy_scale_triton\(Tensor x, Tensor\(a\d!\) y, float alpha\) -> \(\)", str(op._schema))
    assert [a.name for a in op._schema.arguments if a.alias_info and a.alias_info.is_write] == ["y"]
    assert op is torch.ops.opdispatch.toy_scale_triton.default


@pytest.mark.native
def test_duplicate_and_missing_fake_rejected():
    with pytest.raises(ValueError, match="already registered"):
        kernel_op("toy_scale_triton", lambda x: None, mutates_args=())

    def returns(x: torch.Tensor) -> torch.Tensor:
        return x.clone()

    with pytest.raises(ValueError, match="needs an explicit fake impl"):
        kernel_op("library_test_returns", returns, mutates_args=())


@pytest.mark.native
def test_fake_impl_never_runs_the_kernel():
    from torch._subclasses.fake_tensor import FakeTensorMode

    calls = []

    def body(x: torch.Tensor, y: torch.Tensor) -> None:
        calls.append(1)
        y.copy_(x)

    op = kernel_op("library_test_fake_only", body, mutates_args=("y",))
    with FakeTensorMode():
        x = torch.empty(4)
        y = torch.empty(4)
        op(x, y)
    assert calls == []
    op(torch.ones(4), torch.zeros(4))
    assert calls == [1]


@pytest.mark.interp
@pytest.mark.parametrize("n", [1, 7, 1000])
def test_opcheck_triton_toy(n):
    x = torch.randn(n)
    torch.library.opcheck(torch.ops.opdispatch.toy_scale_triton.default, (x, torch.empty_like(x), 2.5))


@pytest.mark.native
def test_opcheck_catches_a_wrong_mutates_args():
    def body(x: torch.Tensor, y: torch.Tensor) -> None:
        y.copy_(x)
        x.add_(1)  # mutates x, which the schema does not declare

    op = kernel_op("library_test_bad_mutation", body, mutates_args=("y",))
    with pytest.raises(Exception, match="mutated"):
        torch.library.opcheck(op, (torch.randn(3), torch.empty(3)))


@pytest.mark.interp
def test_compile_fullgraph_dynamic_through_kernel_op():
    op = ToyScale(provider="triton")

    def f(x):
        return op(x, 3.0) + 1

    cf = torch.compile(f, fullgraph=True, dynamic=True)
    for n in (5, 17, 64):
        x = torch.randn(n)
        torch.testing.assert_close(cf(x), x * 3.0 + 1, rtol=0, atol=0)


@pytest.mark.interp
def test_default_instance_built_inside_compile_causes_no_recompile(flags):
    """The first call of an op inside a compiled region builds its instance at trace time without
    touching the shared cache, so a later eager call (which fills the cache) does not invalidate
    the compiled frame. Flags and platform are read once beforehand, as warmup does."""
    from torch._dynamo.testing import CompileCounter

    from opdispatch.dispatch import current_platform
    from opdispatch.dispatch.custom_op import _defaults

    from .toy_op import toy_scale

    with flags(OPDISPATCH_BACKEND="triton"):
        current_platform()
        _defaults.pop(ToyScale.name, None)
        torch._dynamo.reset()
        cnt = CompileCounter()
        f = torch.compile(lambda x: toy_scale(x, 2.0) + 1, backend=cnt, fullgraph=True, dynamic=True)
        x = torch.randn(8)
        torch.testing.assert_close(f(x), x * 2.0 + 1, rtol=0, atol=0)
        assert ToyScale.name not in _defaults  # the compiled call left the cache alone
        toy_scale(x, 2.0)  # eager: fills the cache
        for n in (9, 10):
            y = torch.randn(n)
            torch.testing.assert_close(f(y), y * 2.0 + 1, rtol=0, atol=0)
        assert cnt.frame_count == 1


@pytest.mark.interp
def test_default_instance_built_inside_compile_probes_vendor_modules(cuda_sim):
    """On CUDA the selection asks whether deep_gemm is installed (importlib's find_spec, which
    Dynamo refuses to trace) and runs the provider probes. Built at trace time inside
    ``torch.compile(fullgraph=True)`` this must not break the graph: both are evaluated once,
    eagerly, and enter the trace as constants. (The GPU tier found this on the indexer ops.)"""
    import sys

    from opdispatch.dispatch.custom_op import _defaults

    from .toy_op import toy_scale

    assert "deep_gemm" not in sys.modules  # the selection must really look for it
    _defaults.pop(ToyScale.name, None)
    torch._dynamo.reset()
    f = torch.compile(lambda x: toy_scale(x, 3.0) - 1, fullgraph=True, dynamic=True)
    x = torch.randn(8)
    torch.testing.assert_close(f(x), x * 3.0 - 1, rtol=0, atol=0)
    assert ToyScale.default().provider == "triton"


@pytest.mark.native
def test_constant_in_traces_matches_the_real_decorator():
    """platform.constant_in_traces stands in for torch.compiler.assume_constant_result (which
    imports torch._dynamo, hence Triton, at opdispatch's import): same effect on the function."""
    from opdispatch.dispatch import registry

    def f():
        return 1

    def g():
        return 1

    from opdispatch.dispatch import platform

    real = torch.compiler.assume_constant_result(f)
    ours = platform.constant_in_traces(g)
    assert {k: v for k, v in vars(real).items()} == {k: v for k, v in vars(ours).items()} != {}
    assert registry._module_installed._dynamo_marked_constant is True
    assert registry._probe_verdict._dynamo_marked_constant is True
    assert platform._cuda_capability._dynamo_marked_constant is True
