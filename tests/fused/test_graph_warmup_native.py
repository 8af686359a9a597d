"""Native tier: GraphBuffers (fixed addresses, padding rules, shape checks) and the warmup API."""

from __future__ import annotations

import pytest
import torch

import opdispatch
from opdispatch.graph import GraphBuffers
from opdispatch.warmup import make_warmup_inputs, register_warmup, warmup_maker

pytestmark = pytest.mark.native


def test_graph_buffers_keep_address_and_pad():
    bufs = GraphBuffers("cpu")
    indptr = bufs.reserve("indptr", (6,), torch.int32, pad="edge")
    idx = bufs.reserve("indices", (4, 3), torch.int64, pad=-1)
    ptr = (indptr.data_ptr(), idx.data_ptr())
    view = bufs.update("indptr", torch.tensor([0, 3, 5], dtype=torch.int32))
    assert view.data_ptr() == ptr[0] and view.tolist() == [0, 3, 5]
    assert bufs["indptr"].tolist() == [0, 3, 5, 5, 5, 5]        # padded requests are empty
    bufs.update("indices", torch.arange(6).view(2, 3))
    assert bufs["indices"].tolist() == [[0, 1, 2], [3, 4, 5], [-1, -1, -1], [-1, -1, -1]]
    # a longer update then a shorter one: stale rows are overwritten by the pad
    bufs.update("indices", torch.arange(12).view(4, 3))
    bufs.update("indices", torch.full((1, 3), 7))
    assert bufs["indices"].tolist() == [[7, 7, 7]] + [[-1, -1, -1]] * 3
    assert (bufs["indptr"].data_ptr(), bufs["indices"].data_ptr()) == ptr
    assert bufs.update("indptr", torch.zeros(0, dtype=torch.int32)).numel() == 0
    assert bufs["indptr"].tolist() == [0] * 6
    assert set(bufs) == {"indptr", "indices"} and "indptr" in bufs


def test_graph_buffers_pad_none_leaves_tail():
    bufs = GraphBuffers("cpu")
    bufs.reserve("lens", (4,), torch.int32, pad=None)
    bufs.update("lens", torch.tensor([1, 2, 3, 4], dtype=torch.int32))
    bufs.update("lens", torch.tensor([9], dtype=torch.int32))
    assert bufs["lens"].tolist() == [9, 2, 3, 4]


@pytest.mark.parametrize("src, exc, words", [
    (torch.zeros(5, dtype=torch.int32), ValueError, "at most 4"),
    (torch.zeros(2, dtype=torch.int64), TypeError, "dtype torch.int32"),
    (torch.zeros(2, 2, dtype=torch.int32), ValueError, "trailing sizes"),
    ([1, 2], TypeError, "must be a torch.Tensor"),
])
def test_graph_buffers_update_checks(src, exc, words):
    bufs = GraphBuffers("cpu")
    bufs.reserve("x", (4,), torch.int32)
    with pytest.raises(exc, match=words):
        bufs.update("x", src)


def test_graph_buffers_reserve_checks():
    bufs = GraphBuffers("cpu")
    bufs.reserve("x", (4,), torch.int32)
    with pytest.raises(ValueError, match="already reserved"):
        bufs.reserve("x", (4,), torch.int32)
    with pytest.raises(ValueError, match="pad"):
        bufs.reserve("y", (4,), torch.int32, pad="zero")
    with pytest.raises(KeyError, match="no buffer named 'z'"):
        bufs["z"]


def test_warmup_makers_registered_for_fused_ops():
    for op in ("fused_inv_rope_fp8_quant", "fused_mtp_input_rmsnorm"):
        assert warmup_maker(op) is not None
    sets = make_warmup_inputs("fused_inv_rope_fp8_quant", torch.device("cpu"), 3,
                              torch.Generator().manual_seed(0))
    assert [kw["tma_aligned_scales"] for _, kw in sets] == [False, True]
    assert sets[0][0][0].shape == (3, 64, 512)
    with pytest.raises(ValueError, match="already registered"):
        register_warmup("fused_mtp_input_rmsnorm", lambda d, n, g: ((), {}))
    with pytest.raises(TypeError, match="callable"):
        register_warmup("x", 3)


def test_warmup_runs_default_instances_on_cpu():
    # torch_ref on CPU; small makers passed for this call only (the registered ones stay).
    from tests.fused.helpers import mtp_inputs

    def small(device, n, gen):
        return mtp_inputs(n, 16, 2, device=device) + (1e-6, 2), {}

    before = warmup_maker("fused_mtp_input_rmsnorm")
    rows = opdispatch.warmup([0, 1, 5], device="cpu", ops=["fused_mtp_input_rmsnorm"],
                             makers={"fused_mtp_input_rmsnorm": small})
    assert [(r.op, r.num_tokens, r.runs) for r in rows] == [
        ("fused_mtp_input_rmsnorm", n, 1) for n in (0, 1, 5)]
    assert rows[0].provider == "torch_ref"
    assert warmup_maker("fused_mtp_input_rmsnorm") is before
    with pytest.raises(ValueError, match="num_tokens must be >= 0"):
        opdispatch.warmup([-1], device="cpu", ops=["fused_mtp_input_rmsnorm"])
