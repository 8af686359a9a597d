"""Interp tier: the suite's compile check itself, on CPU tensors through the Triton interpreter,
for the two fused ops with small shapes (the GPU tier runs every op at model sizes)."""

from __future__ import annotations

import pytest
import torch

from opdispatch.checks.fused import mtp_rmsnorm_inputs, rope_quant_inputs
from opdispatch.ops.fused import FusedInvRopeFP8Quant

from . import suite

pytestmark = pytest.mark.interp

SMALL = {
    "fused_inv_rope_fp8_quant": lambda n, gen: [rope_quant_inputs("cpu", gen, num_tokens=n, packed=True)],
    "fused_mtp_input_rmsnorm": lambda n, gen: [mtp_rmsnorm_inputs("cpu", gen, num_tokens=n)],
}


@pytest.mark.parametrize("op", sorted(SMALL))
def test_compile_dynamic_interp(op, flags):
    with flags(OPDISPATCH_BACKEND="triton"):
        assert FusedInvRopeFP8Quant.default().provider == "triton"
        suite.check_compile(op, torch.device("cpu"),
                            lambda n: SMALL[op](n, torch.Generator().manual_seed(n)),
                            token_counts=(5, 6, 9))


def test_suite_enumerates_fused_ops_and_kernel_ops():
    ops = suite.ops_with_checks()
    assert {"fused_inv_rope_fp8_quant", "fused_mtp_input_rmsnorm"} <= set(ops)
    assert [p for p, _ in suite.kernel_ops_of("fused_mtp_input_rmsnorm")] == ["triton"]


def test_opcheck_fused_kernel_ops_interp():
    for op in ("fused_inv_rope_fp8_quant", "fused_mtp_input_rmsnorm"):
        (provider, kop), = suite.kernel_ops_of(op)
        args, kwargs = SMALL[op](5, torch.Generator().manual_seed(0))[0]
        sig = suite.kernel_signature_args(op, provider, args, kwargs)
        suite.opcheck_kernel_op(kop, sig)
