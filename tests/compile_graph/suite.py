"""The compile-and-graph suite's machinery, shared by its tiers.

Ops are enumerated from the dispatch registry and the check-case registry, so an op family that
lands with check cases is covered without editing this folder. Inputs with a chosen token count
come from the op's warmup maker (``opdispatch.warmup.register_warmup``); an op without one is
run on its check cases (their fixed shapes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

import opdispatch  # noqa: F401  (registers every op family)
from opdispatch.dispatch.checks import CheckCase, check_cases
from opdispatch.dispatch.custom_op import op_class
from opdispatch.dispatch.registry import op_names
from opdispatch.warmup import make_warmup_inputs, warmup_maker

Inputs = tuple[tuple[Any, ...], dict[str, Any]]
TOKEN_COUNTS = (5, 17, 33)   # three sizes, none 0 or 1 (dynamo specialises those)


def ops_with_checks() -> list[str]:
    return [op for op in op_names() if check_cases(op)]


def input_sets(op: str, device: torch.device, num_tokens: int, seed: int) -> list[Inputs]:
    """Input sets (one per variant) with num_tokens tokens; check cases when no maker."""
    gen = torch.Generator().manual_seed(seed)
    if warmup_maker(op) is not None:
        return make_warmup_inputs(op, device, num_tokens, gen)
    return [case.make_inputs(device, gen) for case in check_cases(op)]


def has_token_maker(op: str) -> bool:
    return warmup_maker(op) is not None


# ------------------------------------------------------------------ splitting args

class _TensorSlot:
    def __init__(self, i: int) -> None:
        self.i = i


def split_tensors(args: tuple[Any, ...], kwargs: dict[str, Any]):
    """(template, tensors): tensors become the compiled function's inputs, everything else is a
    constant closed over (an engine's model config), as in real callers."""
    tensors: list[torch.Tensor] = []

    def mark(v: Any) -> Any:
        if isinstance(v, torch.Tensor):
            tensors.append(v)
            return _TensorSlot(len(tensors) - 1)
        if isinstance(v, (list, tuple)) and any(isinstance(x, torch.Tensor) for x in v):
            return type(v)(mark(x) for x in v)
        return v

    template = (tuple(mark(a) for a in args), {k: mark(v) for k, v in kwargs.items()})
    return template, tensors


def fill(template, tensors):
    def put(v: Any) -> Any:
        if isinstance(v, _TensorSlot):
            return tensors[v.i]
        if isinstance(v, (list, tuple)):
            return type(v)(put(x) for x in v)
        return v

    args, kwargs = template
    return tuple(put(a) for a in args), {k: put(v) for k, v in kwargs.items()}


def public_call(op: str) -> Callable[..., Any]:
    """What an engine calls: the public function ``opdispatch.<op>`` (else the default instance)."""
    fn = getattr(opdispatch, op, None)
    if callable(fn):
        return fn
    return lambda *a, **k: op_class(op).default()(*a, **k)


def caller(op: str, template) -> Callable[..., Any]:
    call = public_call(op)

    def f(*tensors: torch.Tensor) -> Any:
        args, kwargs = fill(template, tensors)
        return call(*args, **kwargs)

    return f


def clone_all(tensors: list[torch.Tensor]) -> list[torch.Tensor]:
    return [t.clone() for t in tensors]


# ------------------------------------------------------------------ comparing

def compare_outputs(op: str, template, out_tensors, res, ref_tensors, ref) -> None:
    """Compare with the op's first check case (its ``outputs`` picker and ``compare``), else
    exactly. Raises AssertionError with the check's detail."""
    cases = check_cases(op)
    case: CheckCase | None = cases[0] if cases else None
    if case is not None and case.outputs is not None:
        a_args, a_kw = fill(template, out_tensors)
        r_args, r_kw = fill(template, ref_tensors)
        res, ref = case.outputs(res, a_args, a_kw), case.outputs(ref, r_args, r_kw)
    if case is not None:
        result = case.compare(res, ref)
        assert result.ok, f"{op}: {result.detail} (max err {result.max_err:.3g}, tol {result.tol:.3g})"
        return
    flat_a = res if isinstance(res, (tuple, list)) else [res]
    flat_b = ref if isinstance(ref, (tuple, list)) else [ref]
    for a, b in zip(flat_a, flat_b, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)


# ------------------------------------------------------------------ the checks

def check_compile(op: str, device: torch.device, sets_for: Callable[[int], list[Inputs]],
                  token_counts=TOKEN_COUNTS, mode: str | None = None) -> None:
    """torch.compile(fullgraph=True, dynamic=True) of a caller over several token counts: no
    graph break (fullgraph raises), one graph per variant (a recompile raises), outputs equal
    to eager."""
    import torch._dynamo
    from torch._dynamo.utils import counters

    first_sets = sets_for(token_counts[0])
    for variant in range(len(first_sets)):
        torch._dynamo.reset()
        counters.clear()
        template = None
        compiled = None
        for i, n in enumerate(token_counts):
            args, kwargs = sets_for(n)[variant]
            tmpl, tensors = split_tensors(args, kwargs)
            if template is None:
                template = tmpl
                compiled = torch.compile(caller(op, template), fullgraph=True, dynamic=True, mode=mode)
            eager_in = clone_all(tensors)
            ref = caller(op, template)(*eager_in)
            comp_in = clone_all(tensors)
            if i == 0:
                res = compiled(*comp_in)
            else:
                with torch._dynamo.config.patch(error_on_recompile=True):
                    res = compiled(*comp_in)
            compare_outputs(op, template, comp_in, res, eager_in, ref)
        graphs = counters["stats"]["unique_graphs"]
        assert graphs == 1, f"{op} variant {variant}: {graphs} graphs compiled for {token_counts}"


def check_cuda_graph(op: str, device: torch.device, num_tokens: int) -> None:
    """Capture the op after warmup, replay with new input values copied in place: outputs equal
    eager on the new values. Also: no host sync in the eager call (sync debug mode 'error')."""
    sets_a = input_sets(op, device, num_tokens, seed=1)
    sets_b = input_sets(op, device, num_tokens, seed=2)
    opdispatch.warmup([num_tokens], device=device, ops=[op])
    for (a_args, a_kw), (b_args, b_kw) in zip(sets_a, sets_b, strict=True):
        template, static = split_tensors(a_args, a_kw)
        _, fresh = split_tensors(b_args, b_kw)
        fn = caller(op, template)
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            fn(*clone_all(static))                   # warm: allocator, handles, kernels
            torch.cuda.set_sync_debug_mode("error")   # any host sync in the op path raises
            try:
                fn(*clone_all(static))
            finally:
                torch.cuda.set_sync_debug_mode("default")
        torch.cuda.current_stream().wait_stream(side)
        torch.cuda.synchronize()

        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            out = fn(*static)
        changed = False
        for s, f in zip(static, fresh, strict=True):
            assert s.shape == f.shape and s.dtype == f.dtype, f"{op}: input sets differ in shape"
            changed |= not torch.equal(s, f)
            s.copy_(f)
        assert changed, f"{op}: the second input set has the same values; the replay proves nothing"
        for _ in range(2):                           # replays are repeatable
            graph.replay()
            torch.cuda.synchronize()
            ref_in = clone_all(fresh)
            ref = fn(*ref_in)
            compare_outputs(op, template, static, out, ref_in, ref)


def kernel_ops_of(op: str) -> list[tuple[str, Any]]:
    """(provider, torch.library op) for each registered non-reference provider of ``op``."""
    from opdispatch.dispatch.library import KERNEL_OPS
    from opdispatch.dispatch.registry import get_entry

    by_fn = {id(v): v for v in KERNEL_OPS.values()}
    return [(p, impl.fn) for p, impl in get_entry(op).impls.items() if id(impl.fn) in by_fn]


def kernel_signature_args(op: str, provider: str, args, kwargs) -> tuple[Any, ...]:
    """Run the op pinned to ``provider`` with its forward swapped for a recorder: the exact
    kernel-signature arguments the provider receives (outputs preallocated)."""
    inst = op_class(op)(provider=provider)
    seen: list[tuple[Any, ...]] = []
    real = inst.forward

    def record(*a: Any, **k: Any) -> Any:
        assert not k, "kernel signatures are positional"
        seen.append(a)
        return real(*a)

    inst.forward = record
    inst(*args, **kwargs)
    assert len(seen) == 1, f"{op}: forward called {len(seen)} times"
    return seen[0]


def _is_fp8(t: Any) -> bool:
    return isinstance(t, torch.Tensor) and t.dtype.is_floating_point and t.element_size() == 1


def check_declared_mutations(kop: Any, sig: tuple[Any, ...]) -> None:
    """What opcheck's test_schema checks, bitwise: arguments the schema does not mark as
    written are unchanged by a call (used where test_schema cannot run: it compares tensors with
    torch.allclose, which has no fp8 kernel)."""
    written = {a.name for a in kop._schema.arguments if a.alias_info is not None and a.alias_info.is_write}
    names = [a.name for a in kop._schema.arguments]
    args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in sig)
    before = {n: a.clone() for n, a in zip(names, args, strict=True) if isinstance(a, torch.Tensor)}
    kop(*args)
    for n, a in zip(names, args, strict=True):
        if isinstance(a, torch.Tensor) and n not in written:
            x, y = before[n].contiguous().view(torch.uint8), a.contiguous().view(torch.uint8)
            assert torch.equal(x, y), f"{kop}: argument {n} changed but is not declared mutated"
    assert written, f"{kop}: a kernel op writes its outputs, so it must declare them mutated"


def opcheck_kernel_op(kop: Any, sig: tuple[Any, ...]) -> None:
    """torch.library.opcheck; with fp8 arguments test_schema is replaced by
    :func:`check_declared_mutations` (a PyTorch limitation, not a relaxation)."""
    if any(_is_fp8(a) for a in sig):
        torch.library.opcheck(kop, sig, test_utils=("test_autograd_registration", "test_faketensor",
                                                     "test_aot_dispatch_dynamic"))
        check_declared_mutations(kop, sig)
    else:
        torch.library.opcheck(kop, sig)
