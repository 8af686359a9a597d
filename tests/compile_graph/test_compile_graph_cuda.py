"""GPU tier: every op with a check case under torch.compile, CUDA graphs and opcheck.

Run: ``python -m pytest tests/compile_graph -m cuda -q``. New ops are picked up from the
registries (see suite.py); nothing here names an op.
"""

from __future__ import annotations

import pytest
import torch

from opdispatch.dispatch.platform import current_platform
from opdispatch.dispatch.registry import can_use

from . import suite

pytestmark = pytest.mark.cuda

OPS = suite.ops_with_checks()


def _sets_for(op, device):
    if suite.has_token_maker(op):
        return lambda n: suite.input_sets(op, device, n, seed=n)
    return None


@pytest.mark.parametrize("mode", [None, "max-autotune-no-cudagraphs"])
@pytest.mark.parametrize("op", OPS)
def test_compile_dynamic_no_break_no_recompile(op, mode):
    device = torch.device("cuda")
    sets_for = _sets_for(op, device)
    if sets_for is not None:
        suite.check_compile(op, device, sets_for, mode=mode)
    else:
        # No token-count maker: each check case compiles once and must match eager.
        for i in range(len(suite.input_sets(op, device, 0, seed=0))):
            suite.check_compile(op, device, lambda n, i=i: [suite.input_sets(op, device, n, seed=0)[i]],
                                token_counts=(0,), mode=mode)


@pytest.mark.parametrize("num_tokens", [1, 5, 64])
@pytest.mark.parametrize("op", OPS)
def test_cuda_graph_replay_after_warmup(op, num_tokens):
    if not suite.has_token_maker(op) and num_tokens != 1:
        pytest.skip(f"{op} has no warmup maker: its check cases fix the token count (run once)")
    suite.check_cuda_graph(op, torch.device("cuda"), num_tokens)


def _opcheck_params():
    out = []
    for op in OPS:
        for provider, kop in suite.kernel_ops_of(op):
            out.append(pytest.param(op, provider, kop, id=f"{op}-{provider}"))
    return out


@pytest.mark.parametrize("op, provider, kop", _opcheck_params())
def test_opcheck_kernel_ops(op, provider, kop):
    ok, why = can_use(op, provider, current_platform())
    if not ok:
        pytest.skip(f"{provider} cannot run {op} here: {why}")
    device = torch.device("cuda")
    sets = suite.input_sets(op, device, 5, seed=3) if suite.has_token_maker(op) else []
    from opdispatch.dispatch.checks import check_cases

    sets += [c.make_inputs(device, torch.Generator().manual_seed(0)) for c in check_cases(op)]
    for args, kwargs in sets:
        sig = suite.kernel_signature_args(op, provider, args, kwargs)
        suite.opcheck_kernel_op(kop, sig)
