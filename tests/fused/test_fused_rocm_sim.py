"""rocm_sim tier: on a simulated gfx942 the fused quant writes e4m3fnuz (max 224), Triton and
torch_ref agreeing bit for bit (the interpreter runs the Triton kernel)."""

from __future__ import annotations

import pytest
import torch

from opdispatch.ops.fused import FusedInvRopeFP8Quant

from .helpers import rope_inputs

pytestmark = pytest.mark.rocm_sim


@pytest.mark.parametrize("packed", [False, True])
def test_rope_quant_triton_fnuz(rocm_sim, packed):
    o, pos, cache = rope_inputs(5, 2, 2, 192, 64, seed=5)
    kw = dict(nope_dim=192, tma_aligned_scales=packed)
    q, s = FusedInvRopeFP8Quant(provider="triton")(o, pos, cache, 2, 2, **kw)
    q_ref, s_ref = FusedInvRopeFP8Quant(provider="torch_ref")(o, pos, cache, 2, 2, **kw)
    assert q.dtype == q_ref.dtype == torch.float8_e4m3fnuz
    assert torch.equal(q.contiguous().view(torch.uint8), q_ref.contiguous().view(torch.uint8))
    assert torch.equal(s, s_ref)
    assert float(q.float().abs().max()) <= 224.0


def test_default_provider_on_rocm_is_triton(rocm_sim):
    # No aiter kernel for the fused ops: ROCm dispatch picks triton.
    assert FusedInvRopeFP8Quant.default().provider == "triton"
