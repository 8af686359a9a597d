"""The aiter adapter on a simulated ROCm platform, against a recording test double."""

import pytest
import torch

from opdispatch.backends.rocm import topk as rocm_topk
from opdispatch.backends.torch_ref import topk as ref
from opdispatch.ops.topk import TopKPerRowDecode, TopKPerRowPrefill

pytestmark = pytest.mark.rocm_sim

I32 = torch.int32


def _prefill(logits, rowStarts, rowEnds, indices, values, numRows, stride0, stride1, k=2048,
             stable=False):
    indices.copy_(ref.top_k_per_row_prefill(logits, rowStarts, rowEnds, k))


def _decode(logits, next_n, seqLens, indices, numRows, stride0, stride1, k=2048, stable=False):
    ref.top_k_per_row_decode_into(logits, seqLens, indices, next_n, k)


def _old_prefill(logits, rowStarts, rowEnds, indices, values, numRows, stride0, stride1):
    raise AssertionError("an aiter without k must not be called")


FAKE = {"ops.topk.top_k_per_row_prefill": _prefill, "ops.topk.top_k_per_row_decode": _decode}


def test_aiter_selected_and_called_with_vendor_arguments(rocm_sim, fake_aiter, flags):
    rec = fake_aiter(FAKE)
    with flags(VLLM_ROCM_USE_AITER=True):
        op = TopKPerRowPrefill()
    assert op.provider == "aiter"
    x = torch.randn(3, 40, generator=torch.Generator().manual_seed(0))[:, ::2]   # strided columns
    starts, ends = torch.tensor([0, 2, 5], dtype=I32), torch.tensor([20, 10, 20], dtype=I32)
    out = op(x, starts, ends, 6)
    assert torch.equal(out, ref.top_k_per_row_prefill(x, starts, ends, 6))
    name, args, kwargs = rec.calls[-1]
    assert name == "ops.topk.top_k_per_row_prefill"
    assert args[0] is x and args[1] is starts and args[2] is ends and args[3] is out
    assert args[4] is None and args[5:] == (3, 40, 2, 6) and kwargs == {}


def test_aiter_decode_and_out_with_row_padding(rocm_sim, fake_aiter, flags):
    rec = fake_aiter(FAKE)
    with flags(VLLM_ROCM_USE_AITER=True):
        op = TopKPerRowDecode()
    assert op.provider == "aiter"
    x = torch.randn(4, 30, generator=torch.Generator().manual_seed(1))
    seq_lens = torch.tensor([30, 9], dtype=I32)
    buf = torch.full((4, 8), -9, dtype=I32)
    out = op(x, 2, seq_lens, 5, out=buf[:, :5])           # not dense: goes through a temporary
    assert torch.equal(out, ref.top_k_per_row_prefill(x, torch.zeros(4, dtype=I32),
                                                       ref.decode_row_ends(seq_lens, 2, 4).to(I32), 5))
    assert (buf[:, 5:] == -9).all()
    name, args, _ = rec.calls[-1]
    assert name == "ops.topk.top_k_per_row_decode"
    assert args[1] == 2 and args[2] is seq_lens and args[4:] == (4, 30, 1, 5)
    assert args[3] is not buf and args[3].is_contiguous()


def test_aiter_flag_off_falls_back_to_triton(rocm_sim, fake_aiter, flags):
    rec = fake_aiter(FAKE)
    with flags(VLLM_ROCM_USE_AITER=True):
        assert TopKPerRowPrefill().provider == "aiter"
    with flags(VLLM_ROCM_USE_AITER=True, VLLM_ROCM_USE_AITER_TOPK=False):
        assert TopKPerRowPrefill().provider == "triton"
    assert rec.calls == []


def test_probe_refuses_aiter_without_k(rocm_sim, fake_aiter, flags):
    fake_aiter({"ops.topk.top_k_per_row_prefill": _old_prefill})
    ok, why = rocm_topk.probe_prefill()
    assert not ok and "k" in why
    ok, why = rocm_topk.probe_decode()
    assert not ok and "top_k_per_row_decode is missing" in why
    with flags(VLLM_ROCM_USE_AITER=True):
        assert TopKPerRowPrefill().provider == "triton"


def test_probe_without_aiter():
    ok, why = rocm_topk.probe_prefill()
    assert not ok and "aiter.ops.topk" in why
